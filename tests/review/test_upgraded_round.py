"""A review round opened before migration 0008 (no round secret) goes on after the upgrade as it was:
its learners' own-packet tokens are the ones they were delivered, and nothing delivered is owed again."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from peerkit.exchange.base import packet_file, round_file
from peerkit.review.channel import self_token
from peerkit.review.round import owed
from peerkit.storage.engine import make_engine, migrate, schema_status
from peerkit.storage.revision import newest
from peerkit.storage.sql import SqlStore

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SEED = 1042085715
#: The own-packet token as peerkit up to revision 0007 hashed it (what the learners hold).
LEGACY = {name: hashlib.sha256(f"self\0essay\0{SEED}\0{name}".encode()).hexdigest()[:32] for name in ("ann", "ben")}
SHEET = '{"format": "peerkit-answers", "version": 1, "path": "essay", "revision": 1, "answers": {}}'
PEER = {"ann": "a" * 32, "ben": "b" * 32}  # ann reviews ben through "a…", ben reviews ann through "b…"


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    opened = make_engine(store_url)
    yield opened
    opened.dispose()


def store_at_0007(engine: Engine) -> None:
    """What peerkit at 0007 left: an open round of "essay" with self-assessment, both learners' peer
    packets and own packets (legacy tokens) and manifests delivered."""
    migrate(engine, "0007")
    t = {"t": T0}
    with engine.begin() as db:
        db.execute(text("INSERT INTO learner (id, name, created_at) VALUES (1, 'ann', :t), (2, 'ben', :t)"), t)
        db.execute(
            text(
                "INSERT INTO submission (id, learner_id, path_id, submitted_at, ingested_at, current, source,"
                " checksum, sheet, channel_key, status, blank) VALUES"
                " (1, 1, 'essay', :t, :t, :yes, '', 'c1', :sheet, 'key-ann', 'complete', 0),"
                " (2, 2, 'essay', :t, :t, :yes, '', 'c2', :sheet, 'key-ben', 'complete', 0)"
            ),
            {**t, "yes": True, "sheet": SHEET},
        )
        db.execute(
            text(
                "INSERT INTO review_round (id, path_id, rubric_id, per_submission, anonymity, self_assessment,"
                " seed, opened_at, closed_at) VALUES (1, 'essay', 'default', 1, 'double-blind', :yes, :seed, :t, NULL)"
            ),
            {**t, "yes": True, "seed": SEED},
        )
        db.execute(
            text(
                "INSERT INTO review_assignment (id, round_id, reviewer_id, author_id, submission_id, token, status,"
                " assigned_at, done_at) VALUES (1, 1, 1, 2, 2, :a, 'open', :t, NULL),"
                " (2, 1, 2, 1, 1, :b, 'open', :t, NULL)"
            ),
            {**t, "a": PEER["ann"], "b": PEER["ben"]},
        )
        for lid, name in ((1, "ann"), (2, "ben")):
            for doc_name in (round_file("essay"), packet_file(PEER[name]), packet_file(LEGACY[name])):
                db.execute(
                    text(
                        "INSERT INTO delivered_document (learner_id, name, doc, updated_at)"
                        " VALUES (:lid, :name, :doc, :t)"
                    ),
                    {**t, "lid": lid, "name": doc_name, "doc": f'{{"name": "{doc_name}"}}'},
                )


def test_a_round_opened_before_the_secret_keeps_its_own_packet_tokens_and_owes_nothing(
    engine: Engine, store_url: str
) -> None:
    store_at_0007(engine)
    SqlStore.open(store_url).close()  # what any command of the new release does first
    assert schema_status(engine).current == (newest(),)

    store = SqlStore.open(store_url)
    try:
        round_ = store.review_round("essay")
        assert round_ is not None and (round_.secret, round_.seed, round_.closed_at) == ("", SEED, None)
        # `peerkit review open` run again finds the round as it was: no secret is made up for it
        again = store.open_round(
            "essay", rubric_id="default", per_submission=1, anonymity="double-blind", self_assessment=True, seed=7
        )
        assert (again.secret, again.seed) == ("", SEED)
        assert {name: self_token(name, again) for name in LEGACY} == LEGACY
        submissions = {s.learner: s for s in store.submissions("essay")}
        assert owed(store, "essay", again, store.assignments("essay"), submissions) == (set(), set())
        for name in LEGACY:
            names = [packet_file(LEGACY[name]), packet_file(PEER[name]), round_file("essay")]
            assert store.documents(name, names) == {n: {"name": n} for n in names}
    finally:
        store.close()
