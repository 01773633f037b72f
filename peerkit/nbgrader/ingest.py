"""Ingest collected submissions into the peerkit store.

nbgrader's collect copies each learner's newest submission to ``<course_root>/submitted/<learner>/<path>/``;
ingest reads the answer sheet in each of those folders and records it in the store. It is
idempotent (ingesting the same folder twice changes nothing) and a re-submission becomes the
current one while the older one stays in the history.

Everything in those folders came from learners, through a world-writable inbound folder. Each
folder is checked on its own and a bad one is reported with its reason and skipped: an unsafe
learner name, a missing timestamp, an answers file or submission secret that is a link or too big,
answers that are not JSON or not valid answers. Nothing already stored is touched by a skipped
folder. Only a failing store stops the run (a :class:`StorageError`), since then nothing can be
recorded at all. An inbound entry that its learner did not write never gets this far: collect
refuses it (:mod:`peerkit.nbgrader.inbound`) and :func:`collect_and_ingest` reports it.

A submission is recorded even when it holds no answers (submitted before answering anything, or
from JupyterLab without the answers file), but never as an ordinary one: each is checked against the
path's required answers (:func:`peerkit.nbgrader.tasks.required_answers`, read from the course's
source notebook) and stored as ``complete``, ``incomplete`` (with how many are blank) or
``no-answers`` (:mod:`peerkit.core.completeness`); the report lists the ones that are not complete.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from traitlets.config import Config

from peerkit.config.identity import check_learner_id
from peerkit.core.answers import FILENAME, MAX_SHEET_BYTES, AnswerSheet, parse_sheet
from peerkit.core.completeness import Completeness, completeness
from peerkit.core.errors import ConfigError, IdentityError, ValidationError
from peerkit.core.progress import stage
from peerkit.core.review import channel_key
from peerkit.core.store import NewSubmission, Outcome, Store
from peerkit.nbgrader.collect import collect
from peerkit.nbgrader.config import get
from peerkit.nbgrader.inbound import RefusedEntry
from peerkit.nbgrader.learner import STAMP_BYTES, parse_exchange_time, read_small, secret_text, stamp_text
from peerkit.nbgrader.tasks import required_answers

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class IngestProblem:
    """A collected folder that was not ingested. *folder* is the raw folder name, as found."""

    folder: str
    path_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class NotComplete:
    """A submission that was ingested but is not complete: *state* says what is missing."""

    learner: str
    path_id: str
    state: Completeness

    def describe(self) -> str:
        if self.state.status == "no-answers":
            return f"{self.learner} submitted without any answers"
        blank = len(self.state.blank)
        done = f"{self.state.done} of {self.state.required} complete; " if self.state.required else ""
        return (
            f"{self.learner} submitted with {blank} required answer{'s' if blank != 1 else ''} blank "
            f"({done}blank: {', '.join(self.state.blank)})"
        )


@dataclass(frozen=True, slots=True)
class IngestReport:
    path_id: str
    counts: dict[Outcome, int] = field(default_factory=dict)
    problems: tuple[IngestProblem, ...] = ()
    #: Ingested submissions with required answers blank, or without answers (by learner).
    not_complete: tuple[NotComplete, ...] = ()
    #: Inbound entries the collect before this ingest refused: not written by the learner they name.
    refused: tuple[RefusedEntry, ...] = ()

    @property
    def ingested(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        parts = [f"{n} {outcome}" for outcome, n in sorted(self.counts.items()) if n]
        blanks = sum(1 for n in self.not_complete if n.state.status == "incomplete")
        empty = sum(1 for n in self.not_complete if n.state.status == "no-answers")
        if blanks:
            parts.append(f"{blanks} with blank answers")
        if empty:
            parts.append(f"{empty} without answers")
        if self.problems:
            parts.append(f"{len(self.problems)} skipped")
        if self.refused:
            parts.append(f"{len(self.refused)} refused")
        lines = [f"{self.path_id}: " + (", ".join(parts) if parts else "nothing to ingest")]
        return "\n".join(lines + [f"  refused: {entry}" for entry in self.refused])


class Unreadable(Exception):
    """A collected folder that cannot be ingested; the message says why."""


@dataclass(frozen=True, slots=True)
class Found:
    learner: str
    sheet: AnswerSheet
    timestamp: str  # as nbgrader wrote it
    submitted_at: datetime
    channel_key: str | None = None
    #: Whether every required answer holds something (the answers file may be missing altogether).
    state: Completeness = field(default_factory=lambda: Completeness("no-answers", 0))

    def submission(self, path_id: str) -> NewSubmission:
        """What the store records of it: ingest and the rolling steward take a submission in alike."""
        return NewSubmission(
            self.learner,
            path_id,
            submitted_at=self.submitted_at,
            sheet=self.sheet,
            source=self.timestamp,
            channel_key=self.channel_key,
            status=self.state.status,
            blank=len(self.state.blank),
        )


def path_requirements(course_root: Path, path_id: str) -> tuple[str, ...] | None:
    """The required answers of *path_id*, from the course's source notebook
    (``<course_root>/source/<path>/<path>.ipynb``); None when there is no readable notebook."""
    notebook = course_root / "source" / path_id / f"{path_id}.ipynb"
    if not notebook.is_file():
        return None
    try:
        return required_answers(notebook)
    except ConfigError as exc:
        log.warning("required answers of %s unknown: %s", path_id, exc)
        return None


def read_submission(folder: Path, path_id: str, *, required: Sequence[str] | None = None) -> Found:
    """What one collected folder holds, or :class:`Unreadable` with the reason it cannot be ingested.

    *required* are the path's required answer ids (None: unknown), against which the sheet's
    :class:`Completeness` is judged."""
    try:
        learner = check_learner_id(folder.parent.name)
    except IdentityError as exc:
        raise Unreadable(f"unsafe learner name: {exc}") from None
    stamp = folder / "timestamp.txt"
    if not stamp.is_file():
        raise Unreadable("no timestamp.txt: not a submission made through nbgrader")
    timestamp = stamp_text(stamp)
    if timestamp is None:
        raise Unreadable(f"timestamp.txt is unreadable or over {STAMP_BYTES} bytes: not a time nbgrader wrote")
    when = parse_exchange_time(timestamp)
    if when is None:
        raise Unreadable(
            f"timestamp.txt does not hold a time: {timestamp[:40]!r} (a zone named only by an abbreviation such"
            " as EDT or PDT is not read: keep nbgrader's Exchange.timezone at its default, UTC)"
        )
    try:
        secret = secret_text(folder)
    except ValidationError as exc:
        raise Unreadable(str(exc)) from None
    key = channel_key(path_id, secret) if secret is not None else None
    answers = folder / FILENAME
    if answers.is_symlink() or (answers.exists() and not answers.is_file()):
        raise Unreadable(f"{FILENAME} is a link, or a folder, not a file")
    if not answers.exists():  # submitted before answering anything: still a submission, but an empty one
        return Found(learner, AnswerSheet(path=path_id), timestamp, when, key, completeness(None, required))
    try:
        data = read_small(answers, MAX_SHEET_BYTES) or b""
        sheet = parse_sheet(data, expected_path=path_id)
    except ValidationError as exc:  # the file's own errors (JSON, version) name it already
        reason = str(exc)
        raise Unreadable(reason if reason.startswith(f"{FILENAME}:") else f"{FILENAME}: {reason}") from None
    return Found(learner, sheet, timestamp, when, key, completeness(sheet, required))


def ingest(
    store: Store,
    course_root: Path,
    path_id: str,
    *,
    progress: Progress | None = None,
    batch: int = 250,
    required: Sequence[str] | None = None,
) -> IngestReport:
    """Record every collected submission of *path_id* under *course_root* in *store*.

    Folders are read one by one and written *batch* at a time, each batch in one transaction. Each is
    checked against *required* (default: the required answers of the course's source notebook).
    """
    if required is None:
        required = path_requirements(course_root, path_id)
    folders = sorted(p for p in (course_root / "submitted").glob(f"*/{path_id}") if p.is_dir() and not p.is_symlink())
    counts: dict[Outcome, int] = {}
    problems: list[IngestProblem] = []
    not_complete: list[NotComplete] = []
    pending: list[NewSubmission] = []
    stage(progress, "ingesting", len(folders))

    def flush() -> None:
        for outcome in store.record_submissions(pending):
            counts[outcome] = counts.get(outcome, 0) + 1
        pending.clear()

    for done, folder in enumerate(folders, start=1):
        try:
            found = read_submission(folder, path_id, required=required)
        except Unreadable as skip:
            problems.append(IngestProblem(folder=folder.parent.name, path_id=path_id, reason=str(skip)))
            log.warning("skipped %r for %s: %s", folder.parent.name, path_id, skip)
        else:
            if not found.state.complete:
                gap = NotComplete(found.learner, path_id, found.state)
                not_complete.append(gap)
                log.warning("%s: %s", path_id, gap.describe())
            pending.append(found.submission(path_id))
            if len(pending) >= batch:
                flush()
        if progress is not None:
            progress(done, len(folders))
    flush()
    return IngestReport(path_id=path_id, counts=counts, problems=tuple(problems), not_complete=tuple(not_complete))


def collect_and_ingest(
    config: Config,
    store: Store,
    path_id: str,
    *,
    progress: Progress | None = None,
    unix_users: Mapping[str, str] | None = None,
) -> IngestReport:
    """nbgrader collect for *path_id* (only entries their learner wrote: *unix_users* maps learner ids
    to Unix logins where they differ), then :func:`ingest` of everything collected; the report lists
    the entries refused."""
    run = collect(config, path_id, unix_users=unix_users, progress=progress)
    report = ingest(store, Path(get(config, "CourseDirectory", "root", ".")), path_id, progress=progress)
    return replace(report, refused=run.refused)
