"""Store-wide locks: one holder across processes, released when the holder dies, and the writes
that replicas of the service race on (new learners, the first migration) settle without errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from peerkit.core.activity import ActivityEvent
from peerkit.core.errors import Conflict
from peerkit.storage.engine import normalise_url, schema_status
from peerkit.storage.locks import exclusive, lock_key
from peerkit.storage.sql import SqlStore

REPO = Path(__file__).resolve().parents[2]
AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)

HOLD = """
import sys, time
from sqlalchemy import create_engine
from peerkit.storage.locks import exclusive
with exclusive(create_engine(sys.argv[1]), "peerkit:step:c:essay"):
    print("held", flush=True)
    time.sleep(600)
"""


def schema_at_head(engine: Engine) -> bool:
    """Whether the database's schema is at the newest migration this peerkit ships."""
    return schema_status(engine).verdict == "up to date"


def test_the_key_is_stable_and_a_signed_64_bit_integer() -> None:
    assert lock_key("peerkit:step:c:essay") == lock_key("peerkit:step:c:essay")
    assert lock_key("peerkit:step:c:essay") != lock_key("peerkit:step:c:poem")
    assert -(2**63) <= lock_key("x") < 2**63


def test_a_second_holder_is_refused_until_the_first_lets_go(store_url: str) -> None:
    store = SqlStore.open(store_url)  # creates the database file or schema
    first, second = create_engine(normalise_url(store_url)), create_engine(normalise_url(store_url))
    try:
        with exclusive(first, "peerkit:step:c:essay", what="the collect of essay"):
            busy = pytest.raises(Conflict, match="the collect of essay is already running")
            with busy, exclusive(second, "peerkit:step:c:essay", what="the collect of essay"):
                pytest.fail("two holders at once")
            with exclusive(second, "peerkit:step:c:poem"):  # another path: its own lock
                pass
        with exclusive(second, "peerkit:step:c:essay"):
            pass
    finally:
        first.dispose()
        second.dispose()
        store.close()


def test_an_error_in_the_block_releases_the_lock(store_url: str) -> None:
    store = SqlStore.open(store_url)
    try:
        with pytest.raises(RuntimeError), exclusive(store.engine, "k"):
            raise RuntimeError("the step failed")
        with exclusive(store.engine, "k"):
            pass
    finally:
        store.close()


def test_a_holder_killed_mid_step_leaves_no_stale_lock(store_url: str) -> None:
    store = SqlStore.open(store_url)
    url = normalise_url(store_url)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, url], cwd=REPO, stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == b"held"
        with pytest.raises(Conflict), exclusive(store.engine, "peerkit:step:c:essay"):
            pass
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(10)
        deadline = time.monotonic() + 10  # PostgreSQL notices the dead connection at once, or nearly
        while True:
            try:
                with exclusive(store.engine, "peerkit:step:c:essay"):
                    break
            except Conflict:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(10)
        store.close()


def test_an_in_memory_store_locks_within_its_process() -> None:
    engine = create_engine("sqlite://")
    with exclusive(engine, "k"), pytest.raises(Conflict), exclusive(engine, "k"):
        pass
    with exclusive(engine, "k"):
        pass


def test_replicas_creating_the_same_learners_at_once_do_not_fail(store_url: str) -> None:
    stores = [SqlStore.open(store_url) for _ in range(4)]
    start = threading.Barrier(len(stores))
    names = [f"new{i:03d}" for i in range(50)]

    def deliver(store: SqlStore) -> None:
        start.wait()
        store.deliver([(name, "round-essay.json", {"path": "essay", "packets": []}) for name in names])
        for name in names[:5]:
            store.add_learner(name)

    try:
        with ThreadPoolExecutor(len(stores)) as pool:
            list(pool.map(deliver, stores))
        assert [learner.name for learner in stores[0].learners()] == names
    finally:
        for store in stores:
            store.close()


def test_the_same_events_recorded_by_two_replicas_at_once_are_kept_once(store_url: str) -> None:
    stores = [SqlStore.open(store_url) for _ in range(3)]
    start = threading.Barrier(len(stores))
    events = [ActivityEvent(id=f"{i:032x}", at=AT, learner="ana", event="opened", path_id="essay") for i in range(40)]

    def record(store: SqlStore) -> None:
        start.wait()
        store.record_activity(events)

    try:
        with ThreadPoolExecutor(len(stores)) as pool:
            list(pool.map(record, stores))
        assert sorted(e.id for e in stores[0].activity()) == [e.id for e in events]
    finally:
        for store in stores:
            store.close()


@pytest.mark.postgres
def test_replicas_starting_together_migrate_a_new_database_once(postgres_url: str) -> None:
    start = threading.Barrier(4)

    def open_store(_: int) -> bool:
        start.wait()
        store = SqlStore.open(postgres_url)
        try:
            return schema_at_head(store.engine)
        finally:
            store.close()

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(open_store, range(4))) == [True] * 4


def test_a_database_behind_the_newest_migration_is_not_at_head(tmp_path: Path) -> None:
    store = SqlStore.open(f"sqlite:///{tmp_path / 'old.db'}", upgrade=False)
    try:
        assert not schema_at_head(store.engine)
    finally:
        store.close()
    store = SqlStore.open(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        assert schema_at_head(store.engine)
    finally:
        store.close()


def test_the_refusal_names_the_command_holding_the_lock(tmp_path: Path) -> None:
    store = SqlStore.open(f"sqlite:///{tmp_path / 'store.db'}")
    hold = HOLD.replace("import sys, time", "import sys, time\nsys.argv[1:1] = ['review', 'close', 'essay']").replace(
        "argv[1]", "argv[-1]"
    )
    url = normalise_url(str(tmp_path / "store.db"))
    holder = subprocess.Popen([sys.executable, "-c", hold, url], cwd=REPO, stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == b"held"
        with pytest.raises(Conflict) as refused, exclusive(store.engine, "peerkit:step:c:essay", what="a step"):
            pass
        assert f"a step is already running (python review close essay (process {holder.pid}, since " in str(
            refused.value
        )
        assert "sqlite" not in str(refused.value)  # the command's words, never its options or a URL
    finally:
        holder.kill()
        holder.wait(10)
        store.close()
    with exclusive(store.engine, "peerkit:step:c:essay"):  # released by the kill, and nothing stale is said
        pass
