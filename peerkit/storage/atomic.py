"""Crash-safe file replacement.

A reader of the target always sees either the complete old content or the complete new one:
the new bytes go to a temporary file in the same folder, are flushed to disk, given the mode a
normally created file would get (``mkstemp`` makes 0600 files, which nbgrader's submit then
cannot copy for another user), and renamed over the target; the folder is synced so the rename
itself survives a power cut. A failure at any step removes the temporary file and leaves the
target untouched.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from peerkit.core.errors import StorageError

TEMP_SUFFIX = ".tmp"


def _current_umask() -> int:
    """The process umask, read without changing it (``os.umask`` would race other threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def describe_os_error(exc: OSError, path: Path) -> str:
    """A sentence a learner can act on, for the usual ways a save fails."""
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EROFS: "the folder is on a read-only file system",
        errno.EACCES: "permission was denied",
        errno.EPERM: "permission was denied",
        errno.ENOENT: "the folder no longer exists",
    }
    reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
    return f"could not save {path.name}: {reason}"


def write_atomic(target: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace *target* with *data* atomically; raise :class:`StorageError` on failure."""
    folder = target.parent
    file_mode = (0o666 & ~_current_umask()) if mode is None else mode
    tmp_name: str | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=folder)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fchmod(fd, file_mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        Path(tmp_name).replace(target)
        tmp_name = None
        _fsync_dir(folder)
    except OSError as exc:
        raise StorageError(describe_os_error(exc, target), path=str(target)) from exc
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                Path(tmp_name).unlink()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temps(target: Path, *, older_than: float = 60.0) -> int:
    """Delete temporary files a killed writer of *target* left behind; return how many."""
    removed = 0
    cutoff = time.time() - older_than
    for leftover in target.parent.glob(f".{target.name}.*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
                removed += 1
    return removed


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on *folder* (two kernels saving the same path).

    The lock is taken on the folder itself, so no lock file ends up in a learner's submission.
    """
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise StorageError(describe_os_error(exc, folder), path=str(folder)) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
