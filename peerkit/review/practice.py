"""What the review sheet holds besides reviews and ratings: practice ratings and the response to feedback.

A learner's practice ratings (answers ``p-<example id>``) and response to feedback (``respond``)
travel in their ``<path>-review`` submission. Review collect keeps them in the store as that
learner's submission of ``<path>-review`` (these answers only: the reviews are stored as reviews),
where the facilitator reads the response and grading reads the practice.

Grading uses practice the way it uses a facilitator's own grading of a submission
(:meth:`peerkit.facilitator.Facilitator.set_example`, the store's anchors): each example becomes a
submission whose true score is known (the model review's levels), and each practice rating a
review of it. The calibrated model then learns a reviewer's generosity or strictness from the
examples too, before it has many real reviews to learn it from; no example ever gets a grade.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from peerkit.core.answers import Answer, AnswerSheet
from peerkit.core.errors import ValidationError
from peerkit.core.models import Course
from peerkit.core.practice import example_of_answer
from peerkit.core.review import Review
from peerkit.core.rubric import ReviewContent, content_from_value
from peerkit.core.store import NewSubmission
from peerkit.storage.sql import SqlStore

#: The answer id of the response to feedback on the review page.
RESPOND = "respond"
#: Examples take part in grading as authors named ``example:<id>``: no learner id has a colon.
EXAMPLE_AUTHOR = "example:"


def kept_answer(answer_id: str) -> bool:
    """Whether review collect keeps this review-sheet answer as part of the learner's submission."""
    return answer_id == RESPOND or example_of_answer(answer_id) is not None


def kept_submission(learner: str, review_id: str, sheet: AnswerSheet, submitted_at: datetime) -> NewSubmission | None:
    """The part of a collected review sheet the store keeps as a submission of *review_id* (None if none)."""
    kept: dict[str, Answer] = {key: answer for key, answer in sheet.answers.items() if kept_answer(key)}
    if not kept:
        return None
    return NewSubmission(
        learner=learner,
        path_id=review_id,
        submitted_at=submitted_at,
        sheet=AnswerSheet(path=review_id, answers=kept),
        source="review collect",
    )


@dataclass(frozen=True, slots=True)
class PracticeInputs:
    """Practice as grading sees it: reviews of example authors and the examples' known scores."""

    reviews: tuple[Review, ...] = ()
    anchors: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    @property
    def authors(self) -> frozenset[str]:
        return frozenset(self.anchors)


def practice_ratings(store: SqlStore, course: Course, path_id: str) -> list[Review]:
    """Every learner's current practice ratings of *path_id*'s examples, as reviews of ``example:<id>``
    (only ratings with a level for some criterion of the rubric, and only of examples the course has)."""
    path = course.path(path_id)
    examples = {e.id for e in course.examples.get(path_id, ())}
    if not examples or path.review is None:
        return []
    criteria = {c.id for c in course.rubric_for(path_id).criteria}
    found: list[Review] = []
    for submission in store.submissions(path.review_id):
        for answer_id, answer in sorted(submission.sheet.answers.items()):
            example = example_of_answer(answer_id)
            if example not in examples or answer.kind != "review":
                continue
            try:
                content = content_from_value(answer.value)
            except ValidationError:
                continue
            scores = {k: v for k, v in content.scores.items() if k in criteria}
            if not scores:
                continue
            found.append(
                Review(
                    reviewer=submission.learner,
                    author=f"{EXAMPLE_AUTHOR}{example}",
                    kind="peer",
                    content=ReviewContent(scores=scores, comments=content.comments),
                    submitted_at=submission.submitted_at,
                )
            )
    return found


def practice_inputs(store: SqlStore, course: Course, path_id: str) -> PracticeInputs:
    """The practice ratings of *path_id* with the model reviews' levels as the examples' known scores."""
    ratings = practice_ratings(store, course, path_id)
    models = {f"{EXAMPLE_AUTHOR}{e.id}": dict(e.model.scores) for e in course.examples.get(path_id, ())}
    used = {r.author for r in ratings}
    return PracticeInputs(tuple(ratings), {author: models[author] for author in sorted(used)})


def responses(store: SqlStore, course: Course, path_id: str) -> dict[str, str]:
    """Each learner's response to the feedback on *path_id*, as plain text for the facilitator."""
    from peerkit.core import kinds

    path = course.path(path_id)
    found: dict[str, str] = {}
    for submission in store.submissions(path.review_id):
        answer = submission.sheet.get(RESPOND)
        if answer is not None and kinds.get(answer.kind).is_answered(answer.value):
            found[submission.learner] = kinds.get(answer.kind).facilitator_text(answer.value)
    return found
