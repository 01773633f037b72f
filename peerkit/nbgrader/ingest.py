"""Ingest collected submissions into the peerkit store.

nbgrader's collect copies each learner's newest submission to ``<course_root>/submitted/<learner>/<path>/``;
ingest reads the answer sheet in each of those folders and records it in the store. It is
idempotent (ingesting the same folder twice changes nothing) and a re-submission becomes the
current one while the older one stays in the history.

Everything in those folders came from learners, through a world-writable inbound folder. Each
folder is checked on its own and a bad one is reported with its reason and skipped: an unsafe
learner name, a missing timestamp, an answers file that is a link, too big, not JSON, or not
valid answers. Nothing already stored is touched by a skipped folder. Only a failing store stops
the run (a :class:`StorageError`), since then nothing can be recorded at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from traitlets.config import Config

from peerkit.config.identity import check_learner_id
from peerkit.core.answers import FILENAME, MAX_SHEET_BYTES, AnswerSheet, parse_sheet
from peerkit.core.errors import IdentityError, ValidationError
from peerkit.core.review import channel_key
from peerkit.core.store import NewSubmission, Outcome, Store
from peerkit.nbgrader.collect import collect
from peerkit.nbgrader.config import get
from peerkit.nbgrader.learner import parse_exchange_time

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class IngestProblem:
    """A collected folder that was not ingested. *folder* is the raw folder name, as found."""

    folder: str
    path_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class IngestReport:
    path_id: str
    counts: dict[Outcome, int] = field(default_factory=dict)
    problems: tuple[IngestProblem, ...] = ()

    @property
    def ingested(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        parts = [f"{n} {outcome}" for outcome, n in sorted(self.counts.items()) if n]
        if self.problems:
            parts.append(f"{len(self.problems)} skipped")
        return f"{self.path_id}: " + (", ".join(parts) if parts else "nothing to ingest")


class Unreadable(Exception):
    """A collected folder that cannot be ingested; the message says why."""


@dataclass(frozen=True, slots=True)
class Found:
    learner: str
    sheet: AnswerSheet
    timestamp: str  # as nbgrader wrote it
    submitted_at: datetime
    channel_key: str | None = None


def read_submission(folder: Path, path_id: str) -> Found:
    """What one collected folder holds, or :class:`Unreadable` with the reason it cannot be ingested."""
    try:
        learner = check_learner_id(folder.parent.name)
    except IdentityError as exc:
        raise Unreadable(f"unsafe learner name: {exc}") from None
    stamp = folder / "timestamp.txt"
    if not stamp.is_file():
        raise Unreadable("no timestamp.txt: not a submission made through nbgrader")
    timestamp = stamp.read_text(errors="replace")[:100].strip()
    when = parse_exchange_time(timestamp)
    if when is None:
        raise Unreadable(f"timestamp.txt does not hold a time: {timestamp[:40]!r}")
    secret = folder / "submission_secret.txt"
    key = channel_key(path_id, secret.read_text(errors="replace")[:300]) if secret.is_file() else None
    answers = folder / FILENAME
    if answers.is_symlink():
        raise Unreadable(f"{FILENAME} is a link, not a file")
    if not answers.exists():  # submitted before answering anything: still a submission
        return Found(learner, AnswerSheet(path=path_id), timestamp, when, key)
    with answers.open("rb") as handle:
        data = handle.read(MAX_SHEET_BYTES + 1)
    try:
        sheet = parse_sheet(data, expected_path=path_id)
    except ValidationError as exc:  # the file's own errors (JSON, version) name it already
        reason = str(exc)
        raise Unreadable(reason if reason.startswith(f"{FILENAME}:") else f"{FILENAME}: {reason}") from None
    return Found(learner, sheet, timestamp, when, key)


def ingest(
    store: Store, course_root: Path, path_id: str, *, progress: Progress | None = None, batch: int = 250
) -> IngestReport:
    """Record every collected submission of *path_id* under *course_root* in *store*.

    Folders are read one by one and written *batch* at a time, each batch in one transaction.
    """
    folders = sorted(p for p in (course_root / "submitted").glob(f"*/{path_id}") if p.is_dir() and not p.is_symlink())
    counts: dict[Outcome, int] = {}
    problems: list[IngestProblem] = []
    pending: list[NewSubmission] = []

    def flush() -> None:
        for outcome in store.record_submissions(pending):
            counts[outcome] = counts.get(outcome, 0) + 1
        pending.clear()

    for done, folder in enumerate(folders, start=1):
        try:
            found = read_submission(folder, path_id)
        except Unreadable as skip:
            problems.append(IngestProblem(folder=folder.parent.name, path_id=path_id, reason=str(skip)))
            log.warning("skipped %r for %s: %s", folder.parent.name, path_id, skip)
        else:
            pending.append(
                NewSubmission(
                    found.learner,
                    path_id,
                    submitted_at=found.submitted_at,
                    sheet=found.sheet,
                    source=found.timestamp,
                    channel_key=found.channel_key,
                )
            )
            if len(pending) >= batch:
                flush()
        if progress is not None:
            progress(done, len(folders))
    flush()
    return IngestReport(path_id=path_id, counts=counts, problems=tuple(problems))


def collect_and_ingest(config: Config, store: Store, path_id: str, *, progress: Progress | None = None) -> IngestReport:
    """nbgrader collect for *path_id*, then :func:`ingest` of everything collected."""
    collect(config, path_id)
    return ingest(store, Path(get(config, "CourseDirectory", "root", ".")), path_id, progress=progress)
