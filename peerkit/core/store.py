"""What peerkit keeps about a cohort: the records of learners and submissions, and :class:`Store`, the
interface of the store's submissions part.

The store is the facilitator's record: learners (with their circle), and every submission of
every path as ingested from nbgrader — the current one and the history of earlier ones.
:class:`peerkit.storage.sql.SqlStore` keeps it with SQLAlchemy (SQLite file by default, PostgreSQL by
URL), and keeps everything else too (rounds, reviews, grades, documents, drafts, activity, curation).

The records here are plain dataclasses, so the pure domain reads and builds them without SQL. The
:class:`Store` Protocol covers learners and submissions only, and only ingest
(:mod:`peerkit.nbgrader.ingest`) is typed against it: the rest of peerkit above storage (exchange,
review, facilitator, the service, the demo) takes a :class:`~peerkit.storage.sql.SqlStore` directly. A
second kind of store would have to provide SqlStore's whole interface, not only this Protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from peerkit.core.answers import AnswerSheet
from peerkit.core.completeness import Status

Outcome = Literal["added", "replaced", "unchanged", "older"]


@dataclass(frozen=True, slots=True)
class Learner:
    name: str
    circle: str | None = None


@dataclass(frozen=True, slots=True)
class StoredSubmission:
    """One ingested submission of one path by one learner."""

    learner: str
    path_id: str
    submitted_at: datetime
    ingested_at: datetime
    sheet: AnswerSheet
    current: bool
    source: str = ""
    #: Whether every required answer was given when it was ingested (:mod:`peerkit.core.completeness`).
    status: Status = "complete"
    #: How many required answers were blank.
    blank: int = 0

    @property
    def complete(self) -> bool:
        return self.status == "complete"


@dataclass(frozen=True, slots=True)
class SubmissionState:
    """A learner's current submission of a path without its answers: when, and how complete. What the
    figures that count submissions need, read without parsing tens of thousands of answer sheets."""

    learner: str
    path_id: str
    submitted_at: datetime
    status: Status = "complete"
    blank: int = 0

    @property
    def complete(self) -> bool:
        return self.status == "complete"


@dataclass(frozen=True, slots=True)
class NewSubmission:
    """A submission to record (see :meth:`Store.record_submissions`)."""

    learner: str
    path_id: str
    submitted_at: datetime
    sheet: AnswerSheet
    source: str = ""
    #: Names the learner's review channel (from the nbgrader submission secret); None if unknown.
    channel_key: str | None = None
    #: Complete, incomplete (*blank* required answers left blank) or without any answers; None:
    #: judged from the sheet alone (complete when anything is answered, else no answers).
    status: Status | None = None
    blank: int = 0


@dataclass(frozen=True, slots=True)
class SubmissionRow:
    """A line of "who has submitted what": the learner's current submission of a path."""

    learner: str
    path_id: str
    submitted_at: datetime
    answers: int
    versions: int
    status: Status = "complete"
    #: Required answers left blank in the current submission.
    blank: int = 0
    #: How long after its path's ``due`` date the current submission came (None: in time, or no due date).
    late: timedelta | None = None


class Store(Protocol):
    """The facilitator's record of a cohort. Every method raises :class:`~peerkit.core.errors.StorageError`
    (or a subclass) when the storage fails, never a driver's exception."""

    def add_learner(self, name: str, *, circle: str | None = None) -> None:
        """Register *name* (idempotent); a given *circle* replaces the stored one."""
        ...

    def learners(self) -> list[Learner]: ...

    def record_submission(
        self, learner: str, path_id: str, *, submitted_at: datetime, sheet: AnswerSheet, source: str = ""
    ) -> Outcome:
        """Keep a submission. The newest one per learner and path is current; older ones stay as
        history. Recording the same submission again changes nothing ("unchanged"); a submission
        older than the current one is kept in the history only ("older")."""
        ...

    def record_submissions(self, items: Sequence[NewSubmission]) -> list[Outcome]:
        """:meth:`record_submission` for many at once, in one transaction, in order."""
        ...

    def submission(self, learner: str, path_id: str) -> StoredSubmission | None:
        """The learner's current submission of *path_id*, if any."""
        ...

    def history(self, learner: str, path_id: str) -> list[StoredSubmission]:
        """Every submission of *path_id* by *learner*, newest first."""
        ...

    def submissions(self, path_id: str) -> list[StoredSubmission]:
        """The current submission of every learner who submitted *path_id*, by learner name."""
        ...

    def submission_states(self, path_id: str) -> list[SubmissionState]:
        """:meth:`submissions` without the answers (cheap: no answer sheet is read), by learner name."""
        ...

    def overview(self, path_ids: Sequence[str] | None = None) -> list[SubmissionRow]:
        """Who has submitted what (current submissions), by learner then path."""
        ...
