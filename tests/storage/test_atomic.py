"""Crash-safe replacement: old or new content, never a mix; clear errors; nothing left behind."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from peerkit.core.errors import StorageError
from peerkit.storage import atomic
from peerkit.storage.atomic import folder_lock, remove_stale_temps, write_atomic


def test_replaces_content_with_normal_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    umask = atomic._current_umask()
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600
    assert list(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EROFS, "read-only file system"),
        (errno.EACCES, "permission was denied"),
    ],
)
def test_a_failed_write_keeps_the_old_file_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, reason: str
) -> None:
    target = tmp_path / "answers.json"
    write_atomic(target, b"the last good copy")

    def failing_write(fd: int, data: object) -> int:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(atomic.os, "write", failing_write)
    with pytest.raises(StorageError, match=reason):
        write_atomic(target, b"new content that cannot be written")
    assert target.read_bytes() == b"the last good copy"
    assert list(tmp_path.iterdir()) == [target]  # the temporary file was removed


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no longer exists"):
        write_atomic(tmp_path / "gone" / "f.json", b"x")


def test_stale_temporaries_of_a_killed_writer_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    stale = tmp_path / ".a.json.abc123.tmp"
    fresh = tmp_path / ".a.json.def456.tmp"
    stale.write_text("half")
    fresh.write_text("in progress")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    assert remove_stale_temps(target) == 1
    assert not stale.exists() and fresh.exists()


def test_folder_lock_is_exclusive_between_processes(tmp_path: Path) -> None:
    code = (
        "import sys, pathlib; from peerkit.storage.atomic import folder_lock\n"
        "print('trying', flush=True)\n"
        "with folder_lock(pathlib.Path(sys.argv[1])): print('acquired', flush=True)\n"
    )
    with folder_lock(tmp_path):
        other = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
        assert other.stdout is not None
        assert other.stdout.readline().strip() == "trying"
        time.sleep(0.3)  # time enough to take the lock if the lock did not hold
        assert other.poll() is None  # still blocked while we hold it
    assert other.stdout.readline().strip() == "acquired"
    assert other.wait(timeout=30) == 0


WRITER = """
import sys, pathlib
from peerkit.storage.atomic import write_atomic
target = pathlib.Path(sys.argv[1])
versions = [(str(i) * 200_000).encode() for i in range(2)]
i = 0
print("ready", flush=True)
while True:
    write_atomic(target, versions[i % 2])
    i += 1
"""


def test_kill_minus_nine_mid_save_never_leaves_a_corrupt_file(tmp_path: Path) -> None:
    """Kill a process that saves in a tight loop at random moments, many times: the file is
    always exactly one complete version."""
    target = tmp_path / "answers.json"
    versions = {(str(i) * 200_000).encode() for i in range(2)}
    write_atomic(target, next(iter(versions)))
    rng = random.Random(20261122)
    for _ in range(25):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.05))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert target.read_bytes() in versions
    leftovers = [p for p in tmp_path.iterdir() if p != target]
    assert all(p.name.startswith(".answers.json.") and p.name.endswith(".tmp") for p in leftovers)


def test_many_files_are_replaced_with_two_syncs_in_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "old.json").write_bytes(b"old")
    synced: list[int] = []
    monkeypatch.setattr(atomic, "_syncfs", lambda fd: synced.append(fd) or 0)
    files = [(first / f"{i}.json", f"{i}".encode()) for i in range(50)] + [(second / "x.json", b"x")]
    atomic.write_atomic_many([*files, (first / "old.json", b"new")], mode=0o644)
    assert all(target.read_bytes() == data for target, data in files)
    assert (first / "old.json").read_bytes() == b"new" and (second / "x.json").stat().st_mode & 0o777 == 0o644
    assert len(synced) == 2  # one file system: before the renames and after, not twice per file
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(atomic.TEMP_SUFFIX)]


def test_a_failed_batch_leaves_no_temporary_file_and_names_the_target(tmp_path: Path) -> None:
    (tmp_path / "kept.json").write_bytes(b"old")
    missing = tmp_path / "gone" / "x.json"
    with pytest.raises(StorageError, match=r"x\.json") as caught:
        atomic.write_atomic_many([(tmp_path / "kept.json", b"new"), (missing, b"x")])
    assert caught.value.path == str(missing)
    assert (tmp_path / "kept.json").read_bytes() == b"old"  # nothing renamed before every file was written
    assert [p.name for p in tmp_path.iterdir()] == ["kept.json"]
