"""A snapshot of a cohort, read from the store once, for every figure of the dashboard.

:func:`load_cohort` reads learners, activity and, per path, submissions and the review round
(assignments, reviews, ratings, grades, anchors). While a round is still open and nothing has been
graded, grades are computed from the reviews so far (``provisional``, on first use): the dashboard
can show disagreements before the round closes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from peerkit.core.activity import ActivityEvent
from peerkit.core.models import Course, LearningPath
from peerkit.core.review import Assignment, Grade, NewRating, Review, Round
from peerkit.core.store import Learner, StoredSubmission
from peerkit.storage.sql import SqlStore


@dataclass(frozen=True)
class PathRecords:
    """Everything the store holds about one path. Provisional grades (a round still open, nothing
    graded yet) are computed on first use of :attr:`grades`: fitting them is the costliest part of a
    snapshot, and the dashboard's first tab never needs them."""

    path: LearningPath
    submissions: tuple[StoredSubmission, ...] = ()
    round: Round | None = None
    assignments: tuple[Assignment, ...] = ()
    reviews: tuple[Review, ...] = ()
    ratings: tuple[NewRating, ...] = ()
    #: The round's grades as the store holds them (released or not).
    stored_grades: tuple[Grade, ...] = ()
    anchors: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    #: Computes provisional grades from the reviews so far; None when there is nothing to grade.
    provisional_grades: Callable[[], Sequence[Grade]] | None = field(default=None, repr=False, compare=False)
    _computed: dict[str, tuple[Grade, ...]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def provisional(self) -> bool:
        """The grades are computed for the dashboard, not (yet) the round's."""
        return not self.stored_grades and self.provisional_grades is not None

    @property
    def grades(self) -> tuple[Grade, ...]:
        if not self.provisional or self.provisional_grades is None:
            return self.stored_grades
        if "grades" not in self._computed:
            self._computed["grades"] = tuple(self.provisional_grades())
        return self._computed["grades"]

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
    provisional = None
    if not grades and any(r.kind == "peer" for r in reviews):
        from peerkit.review.grading import compute_grades

        def provisional() -> Sequence[Grade]:
            return compute_grades(store, course, path.id)

    return PathRecords(
        path=path,
        submissions=submissions,
        round=review_round,
        assignments=tuple(store.assignments(path.id)),
        reviews=reviews,
        ratings=tuple(store.ratings(path.id)),
        stored_grades=grades,
        anchors=store.anchors(path.id),
        provisional_grades=provisional,
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
