"""Migrations and models agree, and the schema is built through alembic's Python API."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from peerkit.storage.schema import Base
from peerkit.storage.sql import SqlStore, migrate, normalise_url


def test_migrated_database_matches_the_models(store_url: str) -> None:
    engine = create_engine(normalise_url(store_url))
    migrate(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_open_stamps_the_alembic_version(store_url: str) -> None:
    store = SqlStore.open(store_url)
    tables = set(inspect(store.engine).get_table_names())
    assert {"learner", "submission", "answer", "alembic_version"} <= tables
    store.close()
    SqlStore.open(store_url).close()  # a second open finds nothing to do


def test_submissions_stored_before_statuses_existed_are_judged_by_their_answers(tmp_path: object) -> None:
    from datetime import UTC, datetime
    from pathlib import Path

    from sqlalchemy import text

    url = f"sqlite:///{Path(str(tmp_path)) / 'old.db'}"
    engine = create_engine(url)
    migrate(engine, "0005")
    now = datetime(2026, 11, 22, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO learner (id, name, created_at) VALUES (1, 'ann', :t), (2, 'ben', :t)"), {"t": now}
        )
        connection.execute(
            text(
                "INSERT INTO submission (id, learner_id, path_id, submitted_at, ingested_at, current, source,"
                " checksum, sheet) VALUES (1, 1, 'p', :t, :t, 1, '', 'c1', '{}'),"
                " (2, 2, 'p', :t, :t, 1, '', 'c2', '{}')"
            ),
            {"t": now},
        )
        connection.execute(
            text(
                "INSERT INTO answer (submission_id, answer_id, kind, value, updated)"
                " VALUES (1, 'q', 'text', '\"x\"', :t)"
            ),
            {"t": now},
        )
    migrate(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, status, blank FROM submission ORDER BY id")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "complete", 0), (2, "no-answers", 0)]
