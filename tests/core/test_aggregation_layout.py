"""Reviews grouped by submission: the same sums and values as by index, in any order, with empty submissions."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from peerkit.core.aggregation.layout import Groups


@st.composite
def reviews(draw: st.DrawFn) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """(submission of each review, number of submissions, a value per review, a value per submission)."""
    n_sub = draw(st.integers(1, 12))
    sub = np.array(draw(st.lists(st.integers(0, n_sub - 1), max_size=40)), dtype=np.intp)
    values = np.array(draw(st.lists(st.floats(-5, 5), min_size=len(sub), max_size=len(sub))), dtype=float)
    per_sub = np.array(draw(st.lists(st.floats(-5, 5), min_size=n_sub, max_size=n_sub)), dtype=float)
    return sub, n_sub, values, per_sub


@given(reviews())
def test_grouped_sums_and_spreads_match_indexing(case: tuple[np.ndarray, int, np.ndarray, np.ndarray]) -> None:
    sub, n_sub, values, per_sub = case
    groups = Groups.of(sub, n_sub)
    grouped = values if groups.order is None else values[groups.order]
    np.testing.assert_allclose(groups.sum(grouped), np.bincount(sub, values, minlength=n_sub), atol=1e-9)
    np.testing.assert_array_equal(groups.ungroup(groups.spread(per_sub)), per_sub[sub])
    np.testing.assert_array_equal(groups.ungroup(grouped), values)
    assert groups.counts.tolist() == np.bincount(sub, minlength=n_sub).tolist()


def test_grouped_reviews_are_not_copied_and_empty_submissions_sum_to_zero() -> None:
    groups = Groups.of(np.array([0, 0, 2, 2, 2], dtype=np.intp), 4)
    assert groups.order is None  # already grouped: no sort, no mapping back
    assert groups.k == 0  # uneven: summed by submission, in order
    assert groups.sum(np.array([1.0, 2.0, 3.0, 4.0, 5.0])).tolist() == [3.0, 0.0, 12.0, 0.0]
    unsorted = Groups.of(np.array([2, 0, 2], dtype=np.intp), 3)
    assert unsorted.order is not None and unsorted.order.tolist() == [1, 0, 2]  # stable: ties keep their order
    assert Groups.of(np.array([], dtype=np.intp), 2).sum(np.zeros(0)).tolist() == [0.0, 0.0]


def test_an_even_round_is_summed_as_a_table_to_the_last_digit() -> None:
    rng = np.random.default_rng(5)
    for k in (1, 2, 4, 7):
        sub = np.repeat(np.arange(300, dtype=np.intp), k)
        groups = Groups.of(sub, 300)
        assert groups.k == k and groups.order is None
        values = rng.normal(size=len(sub)) * 10.0 ** rng.integers(-8, 8, len(sub))
        assert groups.sum(values).tolist() == np.bincount(sub, values, minlength=300).tolist()
    shuffled = Groups.of(rng.permutation(np.repeat(np.arange(50, dtype=np.intp), 3)), 50)
    assert shuffled.k == 3 and shuffled.order is not None
    assert Groups.of(np.array([0, 0, 1], dtype=np.intp), 3).k == 0  # one submission without reviews
