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
