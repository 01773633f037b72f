"""A snapshot of a cohort, read from the store once, for every figure of the dashboard.

:func:`load_cohort` reads learners, activity and, per path, submissions and the review round
(assignments, reviews, ratings, grades, anchors). While a round is still open and nothing has been
graded, grades are computed from the reviews so far (``provisional``): the dashboard can show
disagreements before the round closes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from peerkit.core.activity import ActivityEvent
from peerkit.core.models import Course, LearningPath
from peerkit.core.review import Assignment, Grade, NewRating, Review, Round
from peerkit.core.store import Learner, StoredSubmission
from peerkit.storage.sql import SqlStore


@dataclass(frozen=True, slots=True)
class PathRecords:
    """Everything the store holds about one path."""

    path: LearningPath
    submissions: tuple[StoredSubmission, ...] = ()
    round: Round | None = None
    assignments: tuple[Assignment, ...] = ()
    reviews: tuple[Review, ...] = ()
    ratings: tuple[NewRating, ...] = ()
    grades: tuple[Grade, ...] = ()
    anchors: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    provisional: bool = False  # grades computed for the dashboard, not (yet) the round's

    @property
    def id(self) -> str:
        return self.path.id

    @property
    def submitters(self) -> frozenset[str]:
        return frozenset(s.learner for s in self.submissions)

    def peer_reviews(self) -> list[Review]:
        return [r for r in self.reviews if r.kind == "peer"]


@dataclass(frozen=True, slots=True)
class Cohort:
    course: Course
    learners: tuple[Learner, ...]
    activity: tuple[ActivityEvent, ...]
    paths: Mapping[str, PathRecords]
    now: datetime

    @property
    def names(self) -> list[str]:
        return [lrn.name for lrn in self.learners]

    @property
    def circles(self) -> dict[str, str | None]:
        return {lrn.name: lrn.circle for lrn in self.learners}

    def selected(self, path_id: str | None) -> list[PathRecords]:
        """The records of *path_id* (checked against the course), or of every path."""
        if path_id is None:
            return list(self.paths.values())
        return [self.paths[self.course.path(path_id).id]]


def path_records(store: SqlStore, course: Course, path: LearningPath) -> PathRecords:
    submissions = tuple(store.submissions(path.id))
    review_round = store.review_round(path.id) if path.review is not None else None
    if review_round is None:
        return PathRecords(path=path, submissions=submissions)
    reviews = tuple(store.reviews(path.id))
    grades = tuple(store.grades(path.id))
    provisional = False
    if not grades and any(r.kind == "peer" for r in reviews):
        from peerkit.review.grading import compute_grades

        grades, provisional = tuple(compute_grades(store, course, path.id)), True
    return PathRecords(
        path=path,
        submissions=submissions,
        round=review_round,
        assignments=tuple(store.assignments(path.id)),
        reviews=reviews,
        ratings=tuple(store.ratings(path.id)),
        grades=grades,
        anchors=store.anchors(path.id),
        provisional=provisional,
    )


def load_cohort(store: SqlStore, course: Course, *, now: datetime | None = None) -> Cohort:
    """The cohort as the store holds it now."""
    return Cohort(
        course=course,
        learners=tuple(store.learners()),
        activity=tuple(store.activity()),
        paths={p.id: path_records(store, course, p) for p in course.paths},
        now=now or datetime.now(UTC),
    )
