"""Rubrics for peer review, and the review a learner writes with one.

A rubric has criteria; each criterion has levels (a label, what it looks like, points). A review
chooses one level per criterion and answers the feedback prompts (what works, one suggestion,
optionally a question), each at least ``comment_min_words`` long where required: the minimum-effort
rule that keeps "well done!" from counting as a review.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from peerkit.core.errors import ValidationError

Anonymity = Literal["double-blind", "reviewers-named", "open"]

_WORD = re.compile(r"\S+")


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


#: The points a level may give: the range ``rubrics.schema.json`` allows.
MIN_LEVEL_POINTS, MAX_LEVEL_POINTS = 0.0, 100.0


@dataclass(frozen=True, slots=True)
class Level:
    """One level of a criterion. Its points are a finite number in the allowed range: a NaN would
    compare unequal to itself, so no review could ever choose the level and every total would be NaN."""

    points: float
    label: str
    description: str = ""

    def __post_init__(self) -> None:
        points = self.points
        if isinstance(points, bool) or not isinstance(points, int | float) or not math.isfinite(points):
            raise ValidationError(
                f"level {self.label!r}: points must be a finite number, not {points!r}", field="points"
            )
        if not MIN_LEVEL_POINTS <= points <= MAX_LEVEL_POINTS:
            raise ValidationError(
                f"level {self.label!r}: {points:g} points is outside {MIN_LEVEL_POINTS:g} to {MAX_LEVEL_POINTS:g}",
                field="points",
            )


@dataclass(frozen=True, slots=True)
class Criterion:
    """A criterion with at least two levels, listed from fewest to most points (each worth more than
    the one before): the review form shows them in this order and grading reads steps between them."""

    id: str
    title: str
    levels: tuple[Level, ...]
    description: str = ""

    def __post_init__(self) -> None:
        if len(self.levels) < 2:
            raise ValidationError(f"criterion {self.id!r} needs at least two levels to choose from", field=self.id)
        for before, level in zip(self.levels, self.levels[1:], strict=False):
            if level.points <= before.points:
                raise ValidationError(
                    f"criterion {self.id!r}: level {level.label!r} ({level.points:g} points) must be worth more"
                    f" than the level before it, {before.label!r} ({before.points:g}); list levels from fewest"
                    " to most points",
                    field=self.id,
                )

    @property
    def max_points(self) -> float:
        return max(level.points for level in self.levels)

    def level(self, points: float) -> Level:
        for level in self.levels:
            if level.points == points:
                return level
        allowed = ", ".join(f"{lv.points:g}" for lv in self.levels)
        raise ValidationError(f"{self.id}: {points!r} is not one of this criterion's levels ({allowed})", field=self.id)


@dataclass(frozen=True, slots=True)
class Prompt:
    """One feedback box of the review form."""

    id: str
    label: str
    help: str = ""
    required: bool = True


DEFAULT_PROMPTS = (
    Prompt(
        "strengths",
        "What works well, and why",
        "Point to a specific sentence or idea and say what it does for a reader.",
    ),
    Prompt(
        "suggestion",
        "One change that would make it stronger",
        "Make it something the author can act on this week: what to add, cut, try or ask.",
    ),
    Prompt(
        "question",
        "A question you would ask the author (optional)",
        "Ask out of curiosity, not to test.",
        required=False,
    ),
)


@dataclass(frozen=True, slots=True)
class Rubric:
    id: str
    title: str
    criteria: tuple[Criterion, ...]
    guidance: str = ""
    comment_min_words: int = 15
    prompts: tuple[Prompt, ...] = DEFAULT_PROMPTS

    def __post_init__(self) -> None:
        if not self.criteria:
            raise ValidationError(f"rubric {self.id!r} needs at least one criterion", field=self.id)
        ids = [c.id for c in self.criteria]
        for criterion_id in ids:
            if ids.count(criterion_id) > 1:
                raise ValidationError(
                    f"rubric {self.id!r}: criterion id {criterion_id!r} appears twice", field=criterion_id
                )
        if self.comment_min_words < 0:
            raise ValidationError(
                f"rubric {self.id!r}: comment_min_words cannot be negative", field="comment_min_words"
            )

    @property
    def max_points(self) -> float:
        return sum(c.max_points for c in self.criteria)

    def criterion(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise ValidationError(f"no criterion {criterion_id!r} in rubric {self.id!r}", field=criterion_id)


@dataclass(frozen=True, slots=True)
class ReviewSettings:
    """How a path is peer reviewed (``review:`` of a path in course.yml)."""

    rubric: str
    per_submission: int = 3
    self_assessment: bool = True
    anonymity: Anonymity = "double-blind"
    replace_after_hours: float = 48.0
    #: ``round``: a facilitator opens a review round; ``rolling``: each learner gets work to review the
    #: moment they submit, and feedback as soon as their reviews are in (no one waits for a facilitator).
    mode: str = "round"
    #: Rolling mode: a review not started within this many hours goes back to the pool.
    lease_hours: float = 24.0
    #: How reviews become grades: mean, median, trimmed, calibrated, or auto (per criterion, the
    #: calibrated model or the median, whichever predicts the round's held-out reviews better).
    method: str = "auto"


@dataclass(frozen=True, slots=True)
class ReviewContent:
    """What a reviewer entered: a level per criterion (points) and the feedback prompts' text."""

    scores: Mapping[str, float] = field(default_factory=dict)
    comments: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PracticeExample:
    """A course-written submission and the model review a facilitator gave it (``course/examples.yml``).

    Learners rate examples before their first review of a path (practice), compare with the model
    review, and, in rolling mode, review them while too few peers have submitted."""

    id: str
    title: str
    #: question heading -> the example's answer, as its fictional author wrote it (self-contained, so an
    #: example does not break when a notebook's answer ids change).
    answers: Mapping[str, str]
    #: The model review: a level (points) per criterion and a comment per feedback prompt.
    model: ReviewContent
    #: criterion id -> why the model review chose that level (shown when the learner's level differs).
    reasons: Mapping[str, str] = field(default_factory=dict)


def check_review(rubric: Rubric, content: ReviewContent, *, complete: bool = True) -> list[str]:
    """The reasons *content* is not (yet) a complete review on *rubric*; empty when it is.

    Unknown criteria, points that are not a level and unknown prompts raise
    :class:`ValidationError` (they never come from the form); missing scores and too-short
    comments are listed as things still to do.
    """
    todo: list[str] = []
    for key, points in content.scores.items():
        rubric.criterion(key).level(points)
    known = {p.id for p in rubric.prompts}
    unknown = sorted(set(content.comments) - known)
    if unknown:
        raise ValidationError(f"unknown feedback prompt(s): {', '.join(unknown)}", field=unknown[0])
    if not complete:
        return todo
    for criterion in rubric.criteria:
        if criterion.id not in content.scores:
            todo.append(f"choose a level for “{criterion.title}”")
    for prompt in rubric.prompts:
        words = word_count(content.comments.get(prompt.id, ""))
        if prompt.required and words < rubric.comment_min_words:
            todo.append(f"write at least {rubric.comment_min_words} words for “{prompt.label}” ({words} so far)")
    return todo


def total(rubric: Rubric, content: ReviewContent) -> float:
    """The points a review gives (sum over criteria; a missing criterion counts 0)."""
    return sum(content.scores.get(c.id, 0.0) for c in rubric.criteria)


def _finite_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def content_from_value(value: Any) -> ReviewContent:
    """A :class:`ReviewContent` from the JSON value a review widget saved."""
    if not isinstance(value, dict):
        raise ValidationError("a review must be an object")
    scores = value.get("scores", {})
    comments = value.get("comments", {})
    if not isinstance(scores, dict) or not all(_finite_number(v) for v in scores.values()):
        raise ValidationError("review scores must map criteria to (finite) numbers", field="scores")
    if not isinstance(comments, dict) or not all(isinstance(v, str) for v in comments.values()):
        raise ValidationError("review comments must map prompts to text", field="comments")
    return ReviewContent(
        scores={str(k): float(v) for k, v in scores.items()}, comments={str(k): v for k, v in comments.items()}
    )
