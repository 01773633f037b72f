"""Activity records as files: learners' pages append, the facilitator's side reads them back.

A learner's kernel cannot reach the facilitator's database, so each page appends one JSON line per
event (:mod:`peerkit.core.activity`) to a file of its learner's own, beside nbgrader's exchange::

    <exchange>/<course>/peerkit-activity/      mode 1733 (made by the facilitator's side): anyone may
        <learner>.<random>.jsonl                 add a file, nobody else may list, rename or delete
        <learner>.jsonl                          one; each event one line, appended with O_APPEND

A learner's page writes to ``<learner>.<random>.jsonl``, the random part kept in their private folder
beside nbgrader's cache: the files are readable by all (the facilitator's side reads them without
being root), so only a name nobody can guess keeps a classmate from reading when they opened,
answered and submitted. ``<learner>.jsonl`` is what earlier pages wrote (and a log opened without a
private folder writes): a page with a private name moves its learner's old file there when it starts.

**Only its owner can write a learner's record.** Any learner may create any name in this folder, so
the name proves nothing; the file's Unix owner does. The reader counts a file for the learner its
name claims only if that learner's Unix user (or the facilitator) owns it
(:class:`peerkit.config.owners.RecordOwners`); any other file is ignored and reported to the
facilitator in the :class:`~peerkit.exchange.base.ActivityReport`. And a squatter cannot block a
learner: a page that finds its ``<learner>.jsonl`` taken by someone else (or a symlink, a FIFO, a
hard link) writes to ``<learner>.<random>.jsonl`` instead, created exclusively, a name nobody can
guess because nobody else can list the folder.

Why the owner and not a channel keyed by the learner's secret, as review channels are
(:mod:`.channels`)? The only secret a learner holds on one host is nbgrader's submission secret, and
it exists only after their first submission; activity starts when they first open a path. And the
facilitator must attribute every file without knowing any secret, which the owner answers directly:
it is what the kernel, not the writer, vouches for.

Recording never raises into a page: a failure is logged once and the page carries on. The
facilitator's side reads the files back with :func:`ingest_activity` (idempotent by event id; lines
that do not parse, or name another learner, are skipped and counted).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import stat
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from peerkit.config.identity import check_learner_id
from peerkit.config.owners import RecordOwners, Refused, check_own_folder
from peerkit.core.activity import ActivityEvent, check_event, event_line, new_event, parse_line
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
#: ``<learner>.jsonl`` or, when that name was taken by someone else, ``<learner>.<32 hex>.jsonl``.
FILE_NAME: Final = re.compile(r"^(?P<learner>.+?)(?:\.(?P<nonce>[0-9a-f]{32}))?\.jsonl$")


def activity_root(exchange_root: Path, course_id: str) -> Path:
    return exchange_root / course_id / ACTIVITY


def ensure_activity_root(exchange_root: Path, course_id: str) -> Path:
    """Create the activity folder (the facilitator's side): every learner may add their file."""
    root = activity_root(exchange_root, course_id)
    try:
        root.mkdir(parents=True, exist_ok=True)
        check_own_folder(root)
        root.chmod(FOLDER_MODE)
    except OSError as exc:
        raise StorageError(f"cannot prepare the activity folder {root}: {exc.strerror}", path=str(root)) from exc
    return root


class _Taken(OSError):
    """The learner's file name is held by a file this page must not write to."""


def private_name(keep: Path) -> str:
    """The random part of a learner's activity file name, kept in the file *keep* of their private
    folder (made, mode 0600, the first time; the same on every page after)."""
    try:
        keep.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(keep, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        pass
    else:
        try:
            os.write(fd, secrets.token_hex(16).encode())
        finally:
            os.close(fd)
    nonce = keep.read_text(encoding="ascii").strip()
    if not re.fullmatch(r"[0-9a-f]{32}", nonce):
        raise ValidationError(f"{keep} does not hold an activity file name")
    return nonce


@dataclass
class FileActivityLog:
    """Appends *learner*'s events to ``<folder>/<learner>.jsonl``, one ``os.write`` per line; to a
    ``<learner>.<random>.jsonl`` of its own when someone else holds that name.

    With *keep* (a file in the learner's private folder), always to ``<learner>.<random>.jsonl``,
    its random part kept there: the file is readable by all (the facilitator's side reads it without
    being root), so a name a classmate can guess would let them read when this learner opened,
    answered and submitted each path (and, in rolling review, match a packet's arrival to its author)."""

    folder: Path
    learner: str
    keep: Path | None = None
    _warned: bool = field(default=False, repr=False)
    _own: Path | None = field(default=None, repr=False)

    @property
    def file(self) -> Path:
        """Where the next event goes."""
        if self._own is None and self.keep is not None:
            self._own = self.folder / f"{check_learner_id(self.learner)}.{private_name(self.keep)}{SUFFIX}"
            self._move_old(self._own)
        return self._own or self.folder / f"{check_learner_id(self.learner)}{SUFFIX}"

    def _move_old(self, own: Path) -> None:
        """Move the events of this learner's ``<learner>.jsonl`` (what pages wrote before private names, and
        an old page still open writes) into *own*, their private name: a classmate could read the old name.
        Only a regular file of this learner's own with no other name moves; a squatter's stays where it is
        (the facilitator's side refuses it). Never raises: the events stay where they were, and are read."""
        old = self.folder / f"{check_learner_id(self.learner)}{SUFFIX}"
        try:
            fd = os.open(old, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            return
        except OSError as exc:  # a symlink (ELOOP), a file we may not read: not ours to move
            log.info("activity file %s left where it is: %s", old.name, exc)
            return
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_nlink != 1:
                return
            try:  # the sticky folder: nobody but this learner (and the folder's owner) renames or removes it
                os.link(old, own, follow_symlinks=False)
            except FileExistsError:  # the private file exists: add the old events to it
                data = os.read(fd, MAX_FILE_BYTES + 1)
                if data:
                    self._append(own, data if data.endswith(b"\n") else data + b"\n", exclusive=False)
            old.unlink()
        except OSError as exc:
            log.warning("activity file %s could not move to its private name: %s", old.name, exc)
        finally:
            os.close(fd)

    def record(self, event: str, path_id: str, detail: str = "") -> None:
        try:
            line = event_line(new_event(self.learner, event, path_id, detail))
            try:
                self._append(self.file, line, exclusive=False)
            except OSError as exc:  # _Taken, a permission refused, a symlink (ELOOP) ...
                if self._own is not None or isinstance(exc, FileNotFoundError):
                    raise
                # Someone else holds <learner>.jsonl (or planted a link or a FIFO there): write to a
                # name of our own that nobody can guess, since nobody but the facilitator lists the folder.
                log.warning("activity file %s is not this learner's own (%s): using a new one", self.file.name, exc)
                self._own = self.folder / f"{check_learner_id(self.learner)}.{secrets.token_hex(16)}{SUFFIX}"
                self._append(self._own, line, exclusive=True)
        except Exception as exc:  # noqa: BLE001 - whatever goes wrong, the learner's page carries on
            if not self._warned:  # once per page: a missing folder would otherwise log every keystroke
                log.warning("activity not recorded (%s on %s): %s", event, path_id, exc)
                self._warned = True

    @staticmethod
    def _append(file: Path, line: bytes, *, exclusive: bool) -> None:
        # O_NOFOLLOW: nobody can point our file at another of the learner's files with a symlink;
        # O_NONBLOCK and the regular-file check: nor make the page hang on a FIFO; the owner and link
        # checks: nor make it write into their own file, or into a hard link to one of ours.
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        fd = os.open(file, flags | (os.O_EXCL if exclusive else 0), FILE_MODE)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise _Taken(f"{file.name} is not a regular file")
            if info.st_uid != os.geteuid() or info.st_nlink != 1:
                raise _Taken(f"{file.name} belongs to someone else or has other names")
            os.write(fd, line)
        finally:
            os.close(fd)


# -- the facilitator's side ---------------------------------------------------------------------


def _lines(file: Path) -> Iterator[bytes]:
    with file.open("rb") as handle:
        yield from handle


@dataclass(frozen=True, slots=True)
class ActivityRead:
    """What :func:`read_activity` found: the events, how many files it read, how many lines and
    files it skipped, and the files it refused because their owner is not the learner they name."""

    events: list[ActivityEvent]
    files: int
    skipped: int
    refused: tuple[Refused, ...] = ()


def read_activity(root: Path, *, unix_users: Mapping[str, str] | None = None) -> ActivityRead:
    """Every event in the activity files under *root* whose owner may write them (see
    :class:`~peerkit.config.owners.RecordOwners`; *unix_users* maps learner ids to other logins)."""
    events: list[ActivityEvent] = []
    refused: list[Refused] = []
    skipped = files = 0
    if not root.is_dir():
        return ActivityRead(events, 0, 0)
    owners = RecordOwners.of_folder(root, unix_users)
    for file in sorted(root.glob(f"*{SUFFIX}")):
        match = FILE_NAME.match(file.name)
        try:
            learner = check_learner_id(match["learner"] if match else file.name)
            info = file.lstat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
                raise OSError("not a regular file of a sensible size")
            foreign = owners.check(file, learner, info.st_uid)
            if foreign is not None:
                log.warning("activity file refused: %s", foreign)
                refused.append(foreign)
                continue
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
    return ActivityRead(events, files, skipped, tuple(refused))


def ingest_activity(
    store: SqlStore,
    exchange_root: Path,
    course_id: str,
    *,
    unix_users: Mapping[str, str] | None = None,
    path_ids: Collection[str] | None = None,
    now: datetime | None = None,
) -> ActivityReport:
    """Read every learner's activity file into the store; events already there are left alone, files
    not written by the learner they name are left out and reported. As the hub service does, events
    on a path not in *path_ids* (:func:`~peerkit.core.activity.activity_paths`; None: any) or dated
    in the future or too long ago (:func:`~peerkit.core.activity.check_event`) are skipped."""
    found = read_activity(activity_root(exchange_root, course_id), unix_users=unix_users)
    events, skipped, when = [], found.skipped, now or datetime.now(UTC)
    for event in found.events:
        try:
            events.append(check_event(event, path_ids=(event.path_id,) if path_ids is None else path_ids, now=when))
        except ValidationError:
            skipped += 1
    added = store.record_activity(events)
    return ActivityReport(
        files=found.files,
        added=added,
        known=len({e.id for e in events}) - added,
        skipped=skipped,
        refused=tuple(str(r) for r in found.refused),
    )
