"""One scale for a path's grade (peerkit/review/scale.py): the gradebook's points, or the rubric's total
for a path without task cells worth points; differences (±, bias) scaled alike; criteria as levels."""

from __future__ import annotations

import pytest

from peerkit.core.review import Grade
from peerkit.core.rubric import Criterion, Level
from peerkit.review.scale import PathScale, grade_points, level_text, nearest_level

LEVELS = Criterion("clear", "Clear", (Level(0, "Not yet"), Level(1, "Partly"), Level(2, "Clearly")))


def graded(points: float | None, *, override: float | None = None) -> Grade:
    return Grade("ana", "median", points, 4.0, 0.4, {}, 3, override_points=override)


def test_a_grade_reads_the_gradebooks_points_or_without_task_cells_the_rubrics() -> None:
    """The export's gradebook_points and the feedback's gradebook_grade were near twins: without task cells
    the export said 0 (of 0) and the feedback nothing; now both say the rubric's points, the path's scale."""
    assert grade_points(graded(3.5), [3, 2]) == 4.38  # 2.63 + 1.75, as the gradebook's cells hold it
    assert grade_points(graded(3.5), []) == 3.5
    assert grade_points(graded(None), [3, 2]) is None and grade_points(graded(None), []) is None
    assert grade_points(graded(1.0, override=3.0), [3, 2]) == 3.75  # the override counts


def test_the_scale_converts_grades_and_their_spread_both_ways() -> None:
    scale = PathScale(rubric_max=4.0, tasks=(3.0, 2.0))
    assert scale.in_gradebook and scale.maximum == 5 and scale.grade(graded(4.0)) == 5
    assert scale.spread(0.4) == pytest.approx(0.5) and scale.spread(None) is None
    assert scale.to_rubric(4.38) == pytest.approx(3.504) and scale.points(scale.to_rubric(4.38)) == 4.38
    rubric = PathScale(rubric_max=4.0)
    assert not rubric.in_gradebook and rubric.maximum == 4 and rubric.spread(0.4) == pytest.approx(0.4)
    assert rubric.points(2.456) == 2.46 and rubric.to_rubric(3) == 3


@pytest.mark.parametrize(
    ("estimate", "shown"),
    [
        (2.0, "Clearly (2 of 2)"),
        (0.0, "Not yet (0 of 2)"),
        (1.999, "Clearly (2 of 2)"),
        (1.1, "about Partly (1.1 of 2)"),
        (1.8, "about Clearly (1.8 of 2)"),
        (1.4, "between Partly and Clearly (1.4 of 2)"),
        (0.5, "between Not yet and Partly (0.5 of 2)"),
    ],
)
def test_a_criterion_reads_as_its_level_with_its_number(estimate: float, shown: str) -> None:
    assert level_text(LEVELS, estimate) == shown


def test_an_estimate_between_levels_is_not_named_as_the_higher_one() -> None:
    """The learner's feedback said "Says why it was peer learning: Clearly (1.5 of 2)": an estimate
    halfway between two levels read as the higher, as if every reviewer had said Clearly."""
    assert level_text(LEVELS, 1.5) == "between Partly and Clearly (1.5 of 2)"
    assert nearest_level(LEVELS, 1.5) == "between Partly and Clearly"
    assert nearest_level(LEVELS, 2.3) == "Clearly" and nearest_level(LEVELS, -0.2) == "Not yet"


def test_a_criterion_without_an_estimate_has_no_level() -> None:
    assert level_text(LEVELS, None) == "— (of 2)"
