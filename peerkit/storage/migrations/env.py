"""Alembic environment: peerkit passes an open connection in ``config.attributes["connection"]``."""

from __future__ import annotations

from alembic import context

from peerkit.storage.schema import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - peerkit always passes one
    raise RuntimeError("peerkit runs its migrations through peerkit.storage.engine.migrate(), with a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
    # peerkit.storage.engine.migrate hears each migration as it is applied (for its progress and log)
    on_version_apply=context.config.attributes.get("on_version_apply"),
)
with context.begin_transaction():
    context.run_migrations()
