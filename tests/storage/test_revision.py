"""The store's schema revision against this peerkit's migrations: behind, up to date, newer; opening
a store behind says it upgraded it, and a store a newer peerkit migrated is refused, not migrated."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from peerkit.core.errors import StorageError
from peerkit.storage.engine import make_engine, migrate, schema_status
from peerkit.storage.revision import newest, scripts
from peerkit.storage.sql import SqlStore

#: A revision no peerkit release has: what a store looks like after a newer peerkit migrated it.
FUTURE = "9999"


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    opened = make_engine(store_url)
    yield opened
    opened.dispose()


def stamp(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision})


def older() -> str:
    """The revision just before this peerkit's newest."""
    head = scripts().get_revision(newest())
    assert head is not None and isinstance(head.down_revision, str)
    return head.down_revision


def test_a_store_reads_as_empty_behind_up_to_date_and_newer(engine: Engine) -> None:
    empty = schema_status(engine)
    assert (empty.current, empty.verdict, empty.shown) == ((), "behind", "none (empty)")
    assert [m.revision for m in empty.pending][:2] == ["0001", "0002"] and empty.pending[-1].revision == newest()

    migrate(engine, "0004")
    behind = schema_status(engine)
    assert (behind.current, behind.verdict) == (("0004",), "behind")
    assert behind.pending[0].revision == "0005" and behind.pending[-1].revision == newest()
    assert "run `peerkit db upgrade`" in behind.advice and "back up the store" in behind.advice

    migrate(engine)
    current = schema_status(engine)
    assert (current.current, current.verdict, current.pending) == ((newest(),), "up to date", ())

    stamp(engine, FUTURE)
    newer = schema_status(engine)
    assert (newer.verdict, newer.pending) == ("newer", ())
    assert "upgrade peerkit" in newer.advice and "restore the backup taken before the upgrade" in newer.advice


def test_migrating_reports_each_migration_once_and_again_does_nothing(engine: Engine) -> None:
    migrate(engine, older())
    heard: list[str] = []
    first = migrate(engine, applied=lambda step: heard.append(step.revision))
    assert (first.before, first.after, heard) == ((older(),), (newest(),), [newest()])
    assert [m.revision for m in first.applied] == [newest()] and first.applied[0].title  # its docstring's first line
    assert first.summary() == f"store upgraded from {older()} to {newest()} (1 migration)"
    again = migrate(engine, applied=lambda step: heard.append(step.revision))
    assert (again.before, again.after, again.applied, heard) == ((newest(),), (newest(),), (), [newest()])
    assert again.summary() == f"the store is up to date at {newest()}: nothing to do"


def test_opening_a_store_behind_upgrades_it_and_says_so_in_the_log(
    engine: Engine, store_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    migrate(engine, older())
    with caplog.at_level(logging.INFO, logger="peerkit.storage.engine"):
        SqlStore.open(store_url).close()
        SqlStore.open(store_url).close()  # at head: nothing to say
    said = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "peerkit.storage.engine"]
    assert len(said) == 1 and said[0][0] == logging.WARNING  # shown at the CLI's default level
    assert said[0][1].endswith(f"upgraded from {older()} to {newest()}") and said[0][1].startswith("store ")


def test_a_new_store_is_created_quietly(store_url: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="peerkit.storage.engine"):
        SqlStore.open(store_url).close()
    assert [r for r in caplog.records if r.name == "peerkit.storage.engine"] == []


def test_a_store_newer_than_this_peerkit_is_refused_with_both_revisions_and_left_alone(
    engine: Engine, store_url: str
) -> None:
    migrate(engine)
    stamp(engine, FUTURE)
    with pytest.raises(StorageError) as refused:
        SqlStore.open(store_url)
    message = str(refused.value)
    assert f"schema revision {FUTURE}, newer than this peerkit's newest ({newest()})" in message
    assert "Upgrade peerkit here to that release" in message and "restore the store's backup" in message
    assert "docs/upgrade.md" in message
    with pytest.raises(StorageError, match=f"schema revision {FUTURE}"):
        migrate(engine)
    assert schema_status(engine).current == (FUTURE,)  # nothing was changed
