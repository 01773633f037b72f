"""Activity records as files: learners' pages append, the facilitator's side reads them back.

A learner's kernel cannot reach the facilitator's database, so each page appends one JSON line per
event (:mod:`peerkit.core.activity`) to a file of its learner's own, beside nbgrader's exchange::

    <exchange>/<course>/peerkit-activity/      mode 1733 (made by the facilitator's side): anyone may
        <learner>.jsonl                          add a file, nobody else may list, rename or delete
                                                 one; each event one line, appended with O_APPEND

Recording never raises into a page: a failure is logged once and the page carries on. The
facilitator's side reads the files back with :func:`ingest_activity` (idempotent by event id; lines
that do not parse are skipped and counted).
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

from peerkit.config.identity import check_learner_id
from peerkit.core.activity import ActivityEvent, event_line, new_event, parse_line
from peerkit.core.errors import DocumentVersionError, PeerkitError, StorageError, ValidationError
from peerkit.exchange.base import ActivityReport

if TYPE_CHECKING:  # a learner's page imports this module: it must not pull in the database layer
    from peerkit.storage.sql import SqlStore

log = logging.getLogger(__name__)

ACTIVITY: Final = "peerkit-activity"
SUFFIX: Final = ".jsonl"
FOLDER_MODE: Final = 0o1733  # writable and passable by all, listable by the owner only; sticky: no one else's files
FILE_MODE: Final = 0o644
MAX_FILE_BYTES: Final = 50_000_000


def activity_root(exchange_root: Path, course_id: str) -> Path:
    return exchange_root / course_id / ACTIVITY


def ensure_activity_root(exchange_root: Path, course_id: str) -> Path:
    """Create the activity folder (the facilitator's side): every learner may add their file."""
    root = activity_root(exchange_root, course_id)
    try:
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(FOLDER_MODE)
    except OSError as exc:
        raise StorageError(f"cannot prepare the activity folder {root}: {exc.strerror}", path=str(root)) from exc
    return root


@dataclass
class FileActivityLog:
    """Appends *learner*'s events to ``<folder>/<learner>.jsonl``, one ``os.write`` per line."""

    folder: Path
    learner: str
    _warned: bool = field(default=False, repr=False)

    @property
    def file(self) -> Path:
        return self.folder / f"{check_learner_id(self.learner)}{SUFFIX}"

    def record(self, event: str, path_id: str, detail: str = "") -> None:
        try:
            line = event_line(new_event(self.learner, event, path_id, detail))
            # O_NOFOLLOW: nobody can point our file at another of the learner's files with a symlink;
            # O_NONBLOCK and the regular-file check: nor make the page hang on a FIFO.
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
            fd = os.open(self.file, flags, FILE_MODE)
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise OSError(f"{self.file.name} is not a regular file")
                os.write(fd, line)
            finally:
                os.close(fd)
        except Exception as exc:  # noqa: BLE001 - whatever goes wrong, the learner's page carries on
            if not self._warned:  # once per page: a missing folder would otherwise log every keystroke
                log.warning("activity not recorded (%s on %s): %s", event, path_id, exc)
                self._warned = True


# -- the facilitator's side ---------------------------------------------------------------------


def _lines(file: Path) -> Iterator[bytes]:
    with file.open("rb") as handle:
        yield from handle


def read_activity(root: Path) -> tuple[list[ActivityEvent], int, int]:
    """Every event in the activity files under *root*: (events, files read, lines skipped)."""
    events: list[ActivityEvent] = []
    skipped = files = 0
    if not root.is_dir():
        return events, 0, 0
    for file in sorted(root.glob(f"*{SUFFIX}")):
        learner = file.name[: -len(SUFFIX)]
        try:
            check_learner_id(learner)
            info = file.lstat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
                raise OSError("not a regular file of a sensible size")
            lines = list(_lines(file))
        except (OSError, PeerkitError) as exc:
            log.warning("activity file %s skipped: %s", file.name, exc)
            skipped += 1
            continue
        files += 1
        for line in lines:
            if not line.strip():
                continue
            try:
                events.append(parse_line(line.strip(), learner=learner, source=str(file)))
            except DocumentVersionError:
                raise  # written by a newer peerkit on a learner's page: upgrade here rather than drop events
            except ValidationError:
                skipped += 1
    return events, files, skipped


def ingest_activity(store: SqlStore, exchange_root: Path, course_id: str) -> ActivityReport:
    """Read every learner's activity file into the store; events already there are left alone."""
    events, files, skipped = read_activity(activity_root(exchange_root, course_id))
    added = store.record_activity(events)
    return ActivityReport(files=files, added=added, known=len({e.id for e in events}) - added, skipped=skipped)
