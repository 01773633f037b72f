"""A path's grade on one scale: the points nbgrader's gradebook (and so the LMS) holds for it.

Reviews score each criterion in levels (``Not yet / Partly / Clearly`` = 0 / 1 / 2): that is the
review scale, and the store keeps a grade as the sum of its criteria's levels (the rubric's total).
Everyone who sees a path's *grade* sees it on the path's scale instead: its task cells' points
(``points:`` in course.yml), the rubric's share of them apportioned over the cells as
:func:`~peerkit.nbgrader.feedback.task_scores` writes them into the gradebook, to the hundredth. A
path without task cells worth points has nothing in the gradebook: its scale is the rubric's total.
Either way one path has one scale, and the learner's feedback, ``peerkit grades``, the dashboard,
an override and the grades export all read the same number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from peerkit.core.models import Course, LearningPath
from peerkit.core.review import Grade
from peerkit.core.rubric import Criterion
from peerkit.nbgrader.feedback import task_scores
from peerkit.nbgrader.tasks import task_questions


def task_points(path: LearningPath) -> list[float]:
    """The points of the path's task cells that carry points (as the gradebook holds them)."""
    return [q.points for q in task_questions(path.notebook).values() if q.points > 0]


def grade_points(grade: Grade, tasks: Sequence[float]) -> float | None:
    """*grade* on its path's scale: what nbgrader's gradebook holds for it with task cells worth
    *tasks* (the sum of the cells' scores, see :func:`~peerkit.nbgrader.feedback.task_scores`), or
    the rubric's points when there are none. None: no grade."""
    final = grade.final_points
    if final is None or not math.isfinite(final):
        return None
    if not tasks:
        return round(final, 2)
    if not grade.max_points:
        return None
    return round(sum(task_scores(final / grade.max_points, tasks)), 2)


@dataclass(frozen=True, slots=True)
class PathScale:
    """The scale of one path's grades: out of the task cells' points (*tasks*), or, without any, out
    of the rubric's *rubric_max*."""

    rubric_max: float
    tasks: tuple[float, ...] = ()

    @property
    def in_gradebook(self) -> bool:
        """Whether the path's grades are in nbgrader's gradebook (it has task cells worth points)."""
        return bool(self.tasks)

    @property
    def maximum(self) -> float:
        return round(sum(self.tasks), 2) if self.tasks else self.rubric_max

    def grade(self, grade: Grade) -> float | None:
        """*grade* on this scale (None: not graded)."""
        return grade_points(grade, self.tasks)

    def points(self, rubric_points: float | None) -> float | None:
        """A number of the rubric's points (a grade's, not a difference: see :meth:`spread`) on this scale."""
        if rubric_points is None or not math.isfinite(rubric_points) or not self.rubric_max:
            return None
        if not self.tasks:
            return round(rubric_points, 2)
        return round(sum(task_scores(rubric_points / self.rubric_max, self.tasks)), 2)

    def spread(self, rubric_points: float | None) -> float | None:
        """A difference in the rubric's points (an uncertainty, a bias) on this scale, unrounded."""
        if rubric_points is None or not math.isfinite(rubric_points) or not self.rubric_max:
            return None
        return rubric_points * self.maximum / self.rubric_max

    def to_rubric(self, points: float) -> float:
        """*points* on this scale as the rubric's points (what the store keeps)."""
        return points * self.rubric_max / self.maximum if self.maximum else 0.0


def path_scale(course: Course, path_id: str) -> PathScale:
    """The scale of *path_id*'s grades (a path without peer review is refused by its rubric lookup)."""
    rubric = course.rubric_for(path_id)
    return PathScale(rubric_max=rubric.max_points, tasks=tuple(task_points(course.path(path_id))))


def level_text(criterion: Criterion, estimate: float | None) -> str:
    """A criterion's grade on the review scale: its level by name with its number, ``Clearly (2 of 2)``;
    an estimate off the levels is named honestly (:func:`nearest_level`), ``between Partly and Clearly
    (1.5 of 2)``; ``—`` with none."""
    if estimate is None or not math.isfinite(estimate):
        return f"— (of {criterion.max_points:g})"
    return f"{nearest_level(criterion, estimate)} ({round(estimate, 2):g} of {criterion.max_points:g})"


#: How near a level an estimate reads as "about" that level (rather than "between" two).
ABOUT = 0.25


def nearest_level(criterion: Criterion, estimate: float) -> str:
    """*criterion*'s level for *estimate*, said as what it is: the level's label when the estimate is
    on it (to the hundredth) or past an end of the scale, ``about Partly`` within a quarter of a step of
    it, else ``between Partly and Clearly`` (a 1.5 of 2 once read "Clearly", the higher level of a tie)."""
    value = round(estimate, 2)
    levels = criterion.levels
    for level in levels:
        if math.isclose(level.points, value, abs_tol=0.005):
            return level.label
    if value <= levels[0].points or value >= levels[-1].points:  # off the scale's ends: its end
        return levels[0].label if value <= levels[0].points else levels[-1].label
    lower, upper = next((a, b) for a, b in pairwise(levels) if a.points < value < b.points)
    step = upper.points - lower.points
    if value - lower.points <= ABOUT * step:
        return f"about {lower.label}"
    if upper.points - value <= ABOUT * step:
        return f"about {upper.label}"
    return f"between {lower.label} and {upper.label}"
