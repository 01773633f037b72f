"""Alembic migrations of the peerkit store, run through alembic's Python API (see peerkit.storage.sql)."""
