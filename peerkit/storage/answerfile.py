"""The answer sheet of one learning path, kept as a JSON file in the learner's assignment folder.

That file is the source of truth while a learner works: Voilà kernels die when a tab closes, so
every change is saved at once; nbgrader's submit then carries the file to the exchange like any
other file of the assignment.

Saving merges: under a folder lock, the changed answer is laid over whatever is on disk now, so two
tabs (two kernels) on the same path never erase each other's answers; a version of the same answer
that one tab never saw is kept as a backup in the sheet.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from peerkit.core.answers import FILENAME, Answer, AnswerSheet, Backup, parse_sheet
from peerkit.core.errors import DocumentVersionError, StorageError, ValidationError
from peerkit.storage.atomic import describe_os_error, folder_lock, remove_stale_temps, write_atomic

log = logging.getLogger(__name__)

Stamp = tuple[int, int, int]


class AnswerFile:
    """Load and save the answer sheet of *path_id* in *folder*."""

    def __init__(self, folder: Path, path_id: str) -> None:
        self.folder = Path(folder)
        self.path_id = path_id
        self.file = self.folder / FILENAME
        #: Where an unreadable sheet was moved by :meth:`load`, for the widget to tell the learner.
        self.quarantined: Path | None = None
        #: The :meth:`stamp` of the file as the last :meth:`load` or :meth:`save` found or left it.
        #: A watcher that compares it with :meth:`stamp` never misses a write made in between.
        self.last_stamp: Stamp | None = None

    def _read(self) -> AnswerSheet:
        try:
            data = self.file.read_bytes()
        except FileNotFoundError:
            return AnswerSheet(path=self.path_id)
        except OSError as exc:
            raise StorageError(describe_os_error(exc, self.file), path=str(self.file)) from exc
        return parse_sheet(data, expected_path=self.path_id, source=str(self.file))

    def load(self) -> AnswerSheet:
        """The saved sheet, or an empty one.

        A sheet that cannot be read as answers (edited by hand, written by another tool) is not
        overwritten: it is renamed to ``peerkit-answers.unreadable-<time>.json`` beside it, kept
        for the facilitator, and an empty sheet is returned; :attr:`quarantined` names the copy.
        A sheet written by a newer peerkit raises :class:`DocumentVersionError` instead: it is valid there.
        """
        remove_stale_temps(self.file)
        self.last_stamp = self.stamp()  # before reading: a write in between costs one more reload, never a miss
        try:
            return self._read()
        except DocumentVersionError:
            raise  # written by a newer peerkit: readable there, so neither set aside nor overwritten
        except ValidationError as exc:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            target = self.folder / f"peerkit-answers.unreadable-{stamp}.json"
            try:
                self.file.rename(target)
            except OSError as move_exc:
                raise StorageError(
                    f"{self.file.name} cannot be read ({exc}) and could not be set aside", path=str(self.file)
                ) from move_exc
            log.warning("unreadable answer sheet %s moved to %s: %s", self.file, target, exc)
            self.quarantined = target
            return AnswerSheet(path=self.path_id)

    def save(self, answer_id: str, answer: Answer, *, seen: str | None) -> tuple[AnswerSheet, Backup | None]:
        """Lay one changed answer over the sheet on disk, write it atomically, return the new sheet.

        *seen* is the ``updated`` time of the version of this answer the writer last saw. If the
        disk holds another version it never saw (a second tab), that version is kept as a backup in
        the sheet and returned, so no text is ever dropped.
        """
        with folder_lock(self.folder):
            try:
                current = self._read()
            except ValidationError:
                current = self.load()  # sets an unreadable file aside instead of overwriting it
            sheet, backup = current.with_change(answer_id, answer, seen=seen)
            sheet = replace(sheet, revision=current.revision + 1)
            write_atomic(self.file, sheet.to_json().encode("utf-8"))
            self.last_stamp = self.stamp()  # under the lock: no other writer can come in between
            return sheet, backup

    def stamp(self) -> Stamp | None:
        """(inode, modification time, size) of the file, to notice another writer cheaply; None if
        absent. Every save replaces the file, so the inode changes even when time and size do not."""
        try:
            info = self.file.stat()
        except OSError:
            return None
        return info.st_ino, info.st_mtime_ns, info.st_size
