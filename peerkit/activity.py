"""The activity log: learners' pages record what they do where the facilitator can read it.

A learner's kernel cannot reach the facilitator's database, so each page appends one JSON line per
event (:mod:`peerkit.core.activity`) to a file of its learner's own, beside nbgrader's exchange::

    <exchange>/<course>/peerkit-activity/      mode 1733 (made by the facilitator's side): anyone may
        <learner>.jsonl                          add a file, nobody else may list, rename or delete
                                                 one; each event one line, appended with O_APPEND

Pages talk to an :class:`ActivityLog` (one method, :meth:`~ActivityLog.record`), so tests inject
their own and a JupyterHub service can provide another. :func:`activity_log` builds the default
from the learner's nbgrader config. Recording never raises into a page: a failure is logged once
and the page carries on. The facilitator's side reads the files back with :func:`ingest_activity`
(idempotent by event id; lines that do not parse are skipped and counted).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from traitlets.config import Config

from peerkit.config.identity import check_learner_id
from peerkit.core.activity import ActivityEvent, event_line, new_event, parse_line
from peerkit.core.errors import PeerkitError, StorageError, ValidationError
from peerkit.nbgrader.config import get
from peerkit.service.client import ServiceClient

if TYPE_CHECKING:  # a learner's page imports this module: it must not pull in the database layer
    from peerkit.storage.sql import SqlStore

log = logging.getLogger(__name__)

ACTIVITY = "peerkit-activity"
SUFFIX = ".jsonl"
FOLDER_MODE = 0o1733  # writable and passable by all, listable by the owner only; sticky: no one else's files
FILE_MODE = 0o644
MAX_FILE_BYTES = 50_000_000


class ActivityLog(Protocol):
    """Where a page records what its learner does."""

    def record(self, event: str, path_id: str, detail: str = "") -> None:
        """Record *event* on *path_id* now. Must never raise."""
        ...


class NoActivityLog:
    """Records nothing (previews, pages without a course)."""

    def record(self, event: str, path_id: str, detail: str = "") -> None:
        return None


@dataclass
class MemoryActivityLog:
    """Keeps events in memory: for tests and previews that want to look."""

    learner: str = "someone"
    events: list[ActivityEvent] = field(default_factory=list)

    def record(self, event: str, path_id: str, detail: str = "") -> None:
        self.events.append(new_event(self.learner, event, path_id, detail))


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


class ServiceActivityLog:
    """Sends *learner*'s events to the course's hub service (JupyterHub, where learners share one Unix
    user and a file of one's own cannot be told from a forged one). Sent on a background thread, a
    few at a time; a service that is away loses nothing the page needs, and is warned about once."""

    def __init__(self, client: ServiceClient, learner: str) -> None:
        self.client = client
        self.learner = learner
        self._queue: queue.Queue[ActivityEvent] = queue.Queue(maxsize=1000)
        self._thread: threading.Thread | None = None
        self._warned = False

    def record(self, event: str, path_id: str, detail: str = "") -> None:
        try:
            self._queue.put_nowait(new_event(self.learner, event, path_id, detail))
            if self._thread is None:
                self._thread = threading.Thread(target=self._send, name="peerkit-activity", daemon=True)
                self._thread.start()
        except Exception as exc:  # noqa: BLE001 - the learner's page carries on
            self._warn(exc)

    def _send(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < 50 and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                self.client.request("POST", "api/activity", {"events": [json.loads(event_line(e)) for e in batch]})
            except Exception as exc:  # noqa: BLE001 - see record
                self._warn(exc)

    def _warn(self, exc: BaseException) -> None:
        if not self._warned:
            log.warning("activity not sent to the course service: %s", exc)
            self._warned = True


def activity_log(config: Config, learner: str) -> ActivityLog:
    """The default log of a learner's page: the course's hub service when this server has one (see
    :mod:`peerkit.service.client`), else a file in the course's activity folder from the learner's
    nbgrader config (``Exchange.root``, ``CourseDirectory.course_id``); none without a course."""
    client = ServiceClient.from_env(patience=10.0)
    if client is not None:
        return ServiceActivityLog(client, learner)
    exchange = get(config, "Exchange", "root", "")
    course_id = get(config, "CourseDirectory", "course_id", "")
    if not exchange or not course_id:
        return NoActivityLog()
    return FileActivityLog(activity_root(Path(str(exchange)), str(course_id)), learner)


# -- the facilitator's side ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActivityReport:
    files: int
    added: int
    known: int
    skipped: int  # lines that did not parse (or named another learner), and unreadable files

    def summary(self) -> str:
        text = f"activity: {self.added} new events from {self.files} learners"
        if self.known:
            text += f", {self.known} already known"
        if self.skipped:
            text += f", {self.skipped} lines skipped"
        return text


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
                events.append(parse_line(line.strip(), learner=learner))
            except ValidationError:
                skipped += 1
    return events, files, skipped


def ingest_activity(store: SqlStore, exchange_root: Path, course_id: str) -> ActivityReport:
    """Read every learner's activity file into the store; events already there are left alone."""
    events, files, skipped = read_activity(activity_root(exchange_root, course_id))
    added = store.record_activity(events)
    return ActivityReport(files=files, added=added, known=len({e.id for e in events}) - added, skipped=skipped)
