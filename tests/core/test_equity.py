"""Participation equity: the Gini coefficient of planted distributions, the silent, closed circles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerkit.core.equity import Contribution, circle_mixing, gini, gini_timeline, participation
from peerkit.core.errors import ValidationError

T0 = datetime(2026, 11, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([5, 5, 5, 5], 0.0),  # everyone equally
        ([0, 0, 0, 10], 0.75),  # one voice: (n - 1) / n
        ([1, 2, 3, 4], 0.25),
        ([0, 0, 10, 10, 20, 60], 0.6),
        ([], 0.0),
        ([0, 0, 0], 0.0),  # nobody has said anything: no inequality to speak of
        ([7], 0.0),
    ],
)
def test_gini_of_planted_distributions(values: list[float], expected: float) -> None:
    assert gini(values) == pytest.approx(expected)


def test_gini_refuses_negative_contributions() -> None:
    with pytest.raises(ValidationError):
        gini([3, -1])


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=60), st.integers(1, 50))
def test_gini_is_bounded_scale_free_and_order_free(values: list[int], factor: int) -> None:
    g = gini(values)
    assert 0.0 <= g <= (len(values) - 1) / len(values) + 1e-12
    assert gini([v * factor for v in values]) == pytest.approx(g)
    assert gini(list(reversed(values))) == pytest.approx(g)


def test_participation_shares_silent_and_reviews() -> None:
    said = [Contribution("ana", T0, 30), Contribution("bo", T0, 10), Contribution("ana", T0, 20, "review")]
    report = participation(["ana", "bo", "cy"], said, [("ana", "bo"), ("bo", "ana"), ("ana", "cy")])
    voices = {v.learner: v for v in report.voices}
    assert voices["ana"].words == 50 and voices["ana"].share == pytest.approx(50 / 60)
    assert (voices["ana"].reviews_given, voices["cy"].reviews_received) == (2, 1)
    assert report.silent == ("cy",)
    assert report.gini_words == pytest.approx(gini([50, 10, 0]), abs=1e-4)


def test_a_circle_that_only_reviews_itself_is_closed() -> None:
    circles = {"ana": "north", "bo": "north", "cy": "south", "dee": "south", "eli": None}
    pairs = [("ana", "bo"), ("bo", "cy"), ("cy", "dee"), ("dee", "cy"), ("eli", "ana")]
    mixing = {c.circle: c for c in circle_mixing(pairs, circles)}
    assert mixing["south"].closed and (mixing["south"].given, mixing["south"].given_inside) == (2, 2)
    assert not mixing["north"].closed and mixing["north"].given_inside == 1
    assert (mixing["north"].received, mixing["north"].received_inside) == (2, 1)  # eli has no circle
    assert set(mixing) == {"north", "south"}


def test_gini_over_time_counts_the_whole_cohort() -> None:
    said = [Contribution("ana", T0, 10), Contribution("bo", T0 + timedelta(days=1), 10)]
    timeline = gini_timeline(said, ["ana", "bo"], points=3)
    assert [t for t, _ in timeline] == [T0, T0 + timedelta(hours=12), T0 + timedelta(days=1)]
    assert [g for _, g in timeline] == [0.5, 0.5, 0.0]  # ana alone, then both equally
    assert gini_timeline([], ["ana"]) == []
