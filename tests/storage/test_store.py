"""The store's contract, against an SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from peerkit.core.answers import Answer, AnswerSheet
from peerkit.core.errors import IdentityError, StorageError
from peerkit.storage.sql import SqlStore, normalise_url, redact

T0 = datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=UTC)


def sheet(path: str = "p1", **answers: str) -> AnswerSheet:
    result = AnswerSheet(path=path)
    for key, text in answers.items():
        result = result.with_answer(key, Answer.make("text", text, updated="2026-11-22T09:00:00Z"))
    return result


def test_learners_are_registered_once_with_their_circle(store: SqlStore) -> None:
    store.add_learner("alice")
    store.add_learner("alice", circle="north library")
    store.add_learner("bob")
    assert [(lrn.name, lrn.circle) for lrn in store.learners()] == [("alice", "north library"), ("bob", None)]


def test_unsafe_learner_names_never_reach_the_store(store: SqlStore) -> None:
    with pytest.raises(IdentityError):
        store.add_learner("../../etc")
    with pytest.raises(IdentityError):
        store.record_submission("a b", "p1", submitted_at=T0, sheet=sheet())
    assert store.learners() == []


def test_reopening_keeps_everything(store_url: str) -> None:
    first = SqlStore.open(store_url)
    first.record_submission("alice", "p1", submitted_at=T0, sheet=sheet(q="kept"))
    first.close()
    again = SqlStore.open(store_url)
    assert again.submission("alice", "p1").sheet.get("q").value == "kept"  # type: ignore[union-attr]
    again.close()


def test_unreachable_database_is_a_clear_error_without_the_password() -> None:
    with pytest.raises(
        StorageError, match=re.escape("cannot open the store at postgresql+psycopg://u:***@127.0.0.1:9/x")
    ) as info:
        SqlStore.open("postgresql://u:secret@127.0.0.1:9/x")
    assert "secret" not in str(info.value)


def test_urls() -> None:
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("/tmp/x.db") == "sqlite:////tmp/x.db"
    assert redact("postgresql+psycopg://u:pw@h/db") == "postgresql+psycopg://u:***@h/db"
