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
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


#: Marks a Conflict raised inside the block (not by the lock itself): never retried.
_ACQUIRED = RuntimeError("lock acquired")


@contextmanager
def _exclusive(engine: Engine, name: str, *, what: str | None) -> Iterator[None]:
    busy = Conflict(f"{what or name} is already running; wait until it has finished, then try again")
    with _acquire(engine, name, busy):
        try:
            yield
        except Conflict as inner:
            raise inner from _ACQUIRED


@contextmanager
def _acquire(engine: Engine, name: str, busy: Conflict) -> Iterator[None]:
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
def _advisory(engine: Engine, name: str, busy: Conflict) -> Iterator[None]:
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
            raise busy
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
def _file_lock(database: Path, name: str, busy: Conflict) -> Iterator[None]:
    path = database.with_name(f"{database.name}.lock-{lock_key(name) & 0xFFFFFFFFFFFF:012x}")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _memory_lock(name: str, busy: Conflict) -> Iterator[None]:
    with _MEMORY_GUARD:
        lock = _MEMORY_LOCKS.setdefault(name, threading.Lock())
    if not lock.acquire(blocking=False):
        raise busy
    try:
        yield
    finally:
        lock.release()
