"""A snapshot of a cohort, read from the store, for every figure of the dashboard.

:func:`load_cohort` reads at once what the dashboard's first tab (progress) needs: learners,
activity and, per path, each current submission's status (not its answers) and the review round
(assignments, ratings, stored grades). What only other figures need is read on first use, once:
the answer sheets (equity's words), the reviews, the facilitator's anchors. For ten thousand
learners that is the difference between seconds and the first tab's budget. While a round is still
open and nothing has been graded, grades are computed from the reviews so far (``provisional``,
on first use): the dashboard can show disagreements before the round closes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from peerkit.core.activity import ActivityEvent
from peerkit.core.answers import is_answered
from peerkit.core.models import Course, LearningPath
from peerkit.core.review import Assignment, Grade, NewRating, Review, Round
from peerkit.core.store import Learner, StoredSubmission, SubmissionState
from peerkit.storage.sql import SqlStore

T = TypeVar("T")


def _none() -> tuple[()]:
    return ()


@dataclass(frozen=True)
class PathRecords:
    """Everything the store holds about one path. The costly parts (answer sheets, reviews,
    anchors, provisional grades) are read or computed on first use: the dashboard's first tab
    counts submissions by their status and never needs them."""

    path: LearningPath
    #: Each learner's current submission: when, and how complete (without the answers), by learner.
    states: tuple[SubmissionState, ...] = ()
    round: Round | None = None
    assignments: tuple[Assignment, ...] = ()
    ratings: tuple[NewRating, ...] = ()
    #: The round's grades as the store holds them (released or not).
    stored_grades: tuple[Grade, ...] = ()
    #: Read the current submissions with their answers; the reviews; the anchors.
    read_submissions: Callable[[], Sequence[StoredSubmission]] = field(default=_none, repr=False, compare=False)
    read_reviews: Callable[[], Sequence[Review]] = field(default=_none, repr=False, compare=False)
    read_anchors: Callable[[], Mapping[str, Mapping[str, float]]] = field(default=dict, repr=False, compare=False)
    #: Each learner's response to the feedback (plain text), by learner.
    read_responses: Callable[[], Mapping[str, str]] = field(default=dict, repr=False, compare=False)
    #: Computes provisional grades from the reviews so far; None when there is no round to grade.
    provisional_grades: Callable[[], Sequence[Grade]] | None = field(default=None, repr=False, compare=False)
    _computed: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def _once(self, name: str, read: Callable[[], T]) -> T:
        if name not in self._computed:
            self._computed[name] = read()
        value: T = self._computed[name]
        return value

    @property
    def loaded(self) -> frozenset[str]:
        """The parts read (or computed) on first use so far: "submissions" (the answer sheets),
        "reviews", "anchors", "grades" (provisional), "answered"."""
        return frozenset(self._computed)

    @property
    def submissions(self) -> tuple[StoredSubmission, ...]:
        """The current submissions with their answer sheets (read on first use)."""
        return self._once("submissions", lambda: tuple(self.read_submissions()))

    @property
    def reviews(self) -> tuple[Review, ...]:
        return self._once("reviews", lambda: tuple(self.read_reviews()))

    @property
    def anchors(self) -> Mapping[str, Mapping[str, float]]:
        return self._once("anchors", self.read_anchors)

    @property
    def responses(self) -> Mapping[str, str]:
        """Each learner's response to the feedback, as plain text (read on first use)."""
        return self._once("responses", self.read_responses)

    @property
    def provisional(self) -> bool:
        """The grades are computed for the dashboard, not (yet) the round's: nothing graded yet,
        and peers have reviewed."""
        return (
            not self.stored_grades
            and self.provisional_grades is not None
            and any(r.kind == "peer" for r in self.reviews)
        )

    @property
    def grades(self) -> tuple[Grade, ...]:
        if not self.provisional or self.provisional_grades is None:
            return self.stored_grades
        compute = self.provisional_grades
        return self._once("grades", lambda: tuple(compute()))

    @property
    def id(self) -> str:
        return self.path.id

    @property
    def submitters(self) -> frozenset[str]:
        return frozenset(s.learner for s in self.states)

    def answered(self, learner: str) -> bool:
        """Whether *learner*'s current submission holds any answer (reads the answer sheets)."""
        sheets = self._once("answered", lambda: {s.learner: s.sheet for s in self.submissions})
        sheet = sheets.get(learner)
        return sheet is not None and any(is_answered(a) for a in sheet.answers.values())

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
    """*path*'s records: statuses, the round, its assignments, ratings and stored grades now; the
    answer sheets, reviews and anchors when first used."""
    path_id = path.id
    states = tuple(store.submission_states(path_id))

    def read_submissions() -> list[StoredSubmission]:
        return store.submissions(path_id)

    review_round = store.review_round(path_id) if path.review is not None else None
    if review_round is None:
        return PathRecords(path=path, states=states, read_submissions=read_submissions)

    def read_reviews() -> list[Review]:
        return store.reviews(path_id)

    def read_anchors() -> dict[str, dict[str, float]]:
        return store.anchors(path_id)

    def provisional() -> Sequence[Grade]:
        from peerkit.review.grading import compute_grades

        return compute_grades(store, course, path_id)

    def read_responses() -> dict[str, str]:
        from peerkit.review.practice import responses

        return responses(store, course, path_id)

    return PathRecords(
        path=path,
        states=states,
        round=review_round,
        assignments=tuple(store.assignments(path_id)),
        ratings=tuple(store.ratings(path_id)),
        stored_grades=tuple(store.grades(path_id)),
        read_submissions=read_submissions,
        read_reviews=read_reviews,
        read_anchors=read_anchors,
        read_responses=read_responses,
        provisional_grades=provisional,
    )


def load_cohort(store: SqlStore, course: Course, *, now: datetime | None = None) -> Cohort:
    """The cohort as the store holds it now (what only some figures need: when they first need it)."""
    return Cohort(
        course=course,
        learners=tuple(store.learners()),
        activity=tuple(store.activity()),
        paths={p.id: path_records(store, course, p) for p in course.paths},
        now=now or datetime.now(UTC),
    )
