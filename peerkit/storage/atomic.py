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
import ctypes
import ctypes.util
import errno
import fcntl
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import cast

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


def write_atomic_many(files: Sequence[tuple[Path, bytes]], *, mode: int | None = None) -> None:
    """Replace each target of *files* with its data, each atomically as :func:`write_atomic` does, with
    two syncs of the file system in all rather than two per file: a delivery to thousands of review
    channels spends its time in fsync otherwise. The data of every temporary file is on disk before
    any is renamed over its target, and the renames are on disk when this returns, so a reader (or a
    power cut) still finds each target whole, old or new. Raise :class:`StorageError` on failure,
    leaving the targets not yet renamed untouched and no temporary file behind."""
    file_mode = (0o666 & ~_current_umask()) if mode is None else mode
    pending: list[tuple[Path, Path]] = []
    target = files[0][0] if files else Path()
    try:
        batch = f"{os.getpid()}-{secrets.token_hex(4)}"  # one random part per batch: mkstemp's costs per file
        for number, (target, data) in enumerate(files):
            tmp_name = target.parent / f".{target.name}.{batch}-{number}{TEMP_SUFFIX}"
            fd = os.open(tmp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            pending.append((tmp_name, target))
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fchmod(fd, file_mode)
            finally:
                os.close(fd)
        folders = {t.parent for _, t in pending}
        _sync_file_systems(folders)  # every new file's data, before any rename
        while pending:
            tmp, target = pending[-1]
            tmp.replace(target)
            pending.pop()
        _sync_file_systems(folders)  # the renames themselves
    except OSError as exc:
        raise StorageError(describe_os_error(exc, target), path=str(target)) from exc
    finally:
        for tmp, _ in pending:
            with contextlib.suppress(OSError):
                tmp.unlink()


def _sync_file_systems(folders: Iterable[Path]) -> None:
    """Flush to disk everything written to the file systems that hold *folders*: one ``syncfs`` each
    (Linux), else ``os.sync``."""
    seen: set[int] = set()
    for folder in folders:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            device = os.fstat(fd).st_dev
            if device in seen:
                continue
            seen.add(device)
            if _syncfs is None or _syncfs(fd) != 0:
                os.sync()
        finally:
            os.close(fd)


def _load_syncfs() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return cast(Callable[[int], int], libc.syncfs)
    except (OSError, AttributeError):
        return None


_syncfs = _load_syncfs()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temps(target: Path, *, older_than: float = 60.0, any_file: bool = False) -> int:
    """Delete temporary files a killed writer of *target* (with *any_file*: of any file in the folder
    *target*) left behind, those older than *older_than* seconds; return how many."""
    removed = 0
    cutoff = time.time() - older_than
    folder, name = (target, "*") if any_file else (target.parent, target.name)
    for leftover in folder.glob(f".{name}.*{TEMP_SUFFIX}"):
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
