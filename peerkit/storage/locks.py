"""Locks that hold across every process sharing one store, for work that must not run twice at once.

The course service runs as any number of replicas behind a load balancer, all on one PostgreSQL.
A facilitator's step (collect, open a round, close it, ...) drives nbgrader and rewrites many rows:
two at once on the same path would deliver two rounds. An in-process lock cannot stop a second
replica, so the store keeps the lock:

- PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a connection held for the
  step. The server releases it when the connection ends, so a replica killed mid-step (SIGKILL, an
  evicted pod) leaves no stale lock behind.
- An SQLite file: an exclusive ``flock`` on a file beside the database. SQLite is shared only by
  processes of one host, which all see that file; the kernel releases it when the process dies.
- An in-memory SQLite database lives in one process: a lock of that process is all there is.

The second caller does not wait: it gets :class:`~peerkit.core.errors.Conflict` saying the step is
already running (the service answers 409), since running it again right after would do nothing new.
On an SQLite file the lock file says, while held, which command holds it (``peerkit review close essay
(process 1234, since 10:02:03 UTC)``), and the refusal names it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import itertools
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from peerkit.core.errors import Conflict, Unavailable

_MEMORY_LOCKS: dict[str, threading.Lock] = {}
_MEMORY_GUARD = threading.Lock()


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for *name* (PostgreSQL's advisory locks take a bigint)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def exclusive(engine: Engine, name: str, *, what: str | None = None, wait: float = 0.0) -> Iterator[None]:
    """Hold the store-wide lock *name* for the block, or raise Conflict if someone holds it.

    *what* names the work in the error ("the collect step of path essay"). With *wait* seconds, a
    held lock is tried again until then (a facilitator's command waits out a steward's short look)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            with _exclusive(engine, name, what=what):
                yield
            return
        except Conflict as exc:
            if exc.__cause__ is _ACQUIRED or time.monotonic() >= deadline:
                raise
        time.sleep(0.1)


@contextmanager
def migration_lock(engine: Engine, name: str, *, wait: float = 120.0) -> Iterator[None]:
    """On an SQLite file, hold *name* while this process brings the schema up to date: two processes
    opening a new store at once (two facilitators' commands, the steward and a command) would both
    create its tables, and the second fail. The second waits for the first (up to *wait* seconds),
    then finds the schema at head. PostgreSQL takes its own lock inside the migration's transaction;
    an in-memory database belongs to one process; a file whose folder is missing is left to SQLite
    to refuse."""
    database = engine.url.database
    memory = not database or database == ":memory:" or database.startswith("file::memory:")
    if engine.dialect.name != "sqlite" or memory or not Path(str(database)).parent.is_dir():
        yield
        return
    with exclusive(engine, name, what="an upgrade of the store", wait=wait):
        yield


#: Marks a Conflict raised inside the block (not by the lock itself): never retried.
_ACQUIRED = RuntimeError("lock acquired")


@contextmanager
def _exclusive(engine: Engine, name: str, *, what: str | None) -> Iterator[None]:
    busy = Busy(what or name)
    with _acquire(engine, name, busy):
        try:
            yield
        except Conflict as inner:
            raise inner from _ACQUIRED


class Busy:
    """The refusal of a lock someone holds, naming what they run when the lock says it."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __call__(self, holder: str = "") -> Conflict:
        by = f" ({holder})" if holder else ""
        return Conflict(f"{self.what} is already running{by}; wait until it has finished, then try again")


def holder_text() -> str:
    """What this process is, for a refused second caller: ``peerkit review close essay (process 1234,
    since 10:02:03 UTC)``. Only the command's words, never its options (a URL may carry a password)."""
    argv = sys.argv or [""]
    program = Path(argv[0]).name
    if program in ("__main__.py", "-m", "-c", ""):
        program = "peerkit" if "peerkit" in argv[0] or program == "__main__.py" else "python"
    words = list(itertools.takewhile(_plain_word, argv[1:4]))
    since = datetime.now(UTC).strftime("%H:%M:%S UTC")
    return f"{' '.join([program, *words])} (process {os.getpid()}, since {since})"


def _plain_word(word: str) -> bool:
    """A command's word or a path id, not an option nor a value that could carry a secret (a URL)."""
    return bool(word) and not word.startswith("-") and all(c.isalnum() or c in "_.-" for c in word)


@contextmanager
def _acquire(engine: Engine, name: str, busy: Busy) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with _advisory(engine, name, busy):
            yield
        return
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file::memory:"):
        with _file_lock(Path(database), name, busy):
            yield
        return
    with _memory_lock(name, busy):
        yield


@contextmanager
def _advisory(engine: Engine, name: str, busy: Busy) -> Iterator[None]:
    key = lock_key(name)
    try:
        connection = engine.connect()
    except SQLAlchemyError as exc:
        raise Unavailable(f"the store is unavailable right now ({driver_reason(exc)}); nothing ran, try again") from exc
    try:
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar_one()
        connection.commit()  # the lock is the session's, not a transaction's: no transaction stays open
    except SQLAlchemyError as exc:
        connection.invalidate()
        connection.close()
        raise Unavailable(f"the store is unavailable right now ({driver_reason(exc)}); nothing ran, try again") from exc
    try:
        if not got:
            raise busy()
        yield
    finally:
        try:
            if got:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
        except SQLAlchemyError:
            connection.invalidate()  # the connection is gone, and the server dropped its locks with it
        finally:
            connection.close()


def driver_reason(exc: SQLAlchemyError) -> str:
    """The driver's own message, first line, without SQLAlchemy's boilerplate and statement dump."""
    original = getattr(exc, "orig", None)
    lines = str(original if original is not None else exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


@contextmanager
def _file_lock(database: Path, name: str, busy: Busy) -> Iterator[None]:
    """The lock file holds, while locked, what its holder runs (:func:`holder_text`), for the refusal."""
    path = database.with_name(f"{database.name}.lock-{lock_key(name) & 0xFFFFFFFFFFFF:012x}")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy(_holder(fd)) from None
        try:
            with contextlib.suppress(OSError):  # only a courtesy to whoever is refused
                os.ftruncate(fd, 0)
                os.pwrite(fd, holder_text().encode("utf-8", "replace"), 0)
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 300, 0).decode("utf-8", "replace")
    except OSError:
        return ""
    return "".join(c for c in text if c.isprintable())[:200]


@contextmanager
def _memory_lock(name: str, busy: Busy) -> Iterator[None]:
    with _MEMORY_GUARD:
        lock = _MEMORY_LOCKS.setdefault(name, threading.Lock())
    if not lock.acquire(blocking=False):
        raise busy()
    try:
        yield
    finally:
        lock.release()
