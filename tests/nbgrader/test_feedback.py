"""``task_scores``: a peer grade apportioned over a path's task cells adds up to the path's share.

Each cell rounded on its own made 4/6 of 4+4+4 points 2.67 * 3 = 8.01 in the gradebook and the LMS
export, and 5/6 of it 9.99. The real gradebook's sums are checked in
``tests/facilitator/test_round_trip.py`` (the export equals nbgrader's submission scores).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerkit.core.review import Grade
from peerkit.nbgrader.feedback import task_scores
from peerkit.review.scale import PathScale, grade_points

POINTS = st.lists(st.integers(1, 2000).map(lambda cents: cents / 100), min_size=1, max_size=8)


def cents(value: float) -> int:
    return round(value * 100)


@given(st.floats(0, 1), POINTS)
def test_the_cells_add_up_to_the_path_share_each_near_its_own(fraction: float, points: list[float]) -> None:
    scores = task_scores(fraction, points)
    assert len(scores) == len(points)
    assert sum(cents(s) for s in scores) == cents(round(fraction * sum(points), 2))
    for score, worth in zip(scores, points, strict=True):
        assert score == cents(score) / 100  # hundredths, as the gradebook and the export show them
        assert 0 <= score <= worth
        assert abs(score - fraction * worth) <= 0.01 + 1e-9


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [(4 / 6, [2.67, 2.67, 2.66]), (5 / 6, [3.34, 3.33, 3.33]), (1.0, [4.0, 4.0, 4.0]), (0.0, [0.0, 0.0, 0.0])],
)
def test_thirds_of_twelve_points(fraction: float, expected: list[float]) -> None:
    assert task_scores(fraction, [4, 4, 4]) == expected


def test_a_share_outside_the_rubric_is_held_to_its_points() -> None:
    assert task_scores(1.2, [3, 2]) == [3.0, 2.0] and task_scores(-0.5, [3, 2]) == [0.0, 0.0]
    assert task_scores(0.5, []) == []


@pytest.mark.parametrize(("points", "total"), [(4.0, 8.0), (5.0, 10.0)])
def test_the_export_and_the_learner_feedback_say_the_same(points: float, total: float) -> None:
    grade = Grade(author="ana", method="median", points=points, max_points=6, uncertainty=0.1, criteria={}, reviews=3)
    assert grade_points(grade, [4, 4, 4]) == total == PathScale(6, (4, 4, 4)).grade(grade)
