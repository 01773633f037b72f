"""Review rounds in the store (SQLite and PostgreSQL): assignments, forged tokens, reviews, versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from peerkit.core.answers import AnswerSheet
from peerkit.core.errors import Conflict, NotFound
from peerkit.core.review import NewReview
from peerkit.core.rubric import ReviewContent
from peerkit.core.store import NewSubmission
from peerkit.storage.sql import SqlStore

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
GOOD = ReviewContent(scores={"a": 2.0}, comments={"strengths": "clear example", "suggestion": "add a date"})


@pytest.fixture
def round_store(store: SqlStore) -> SqlStore:
    store.record_submissions(
        [
            NewSubmission(name, "p1", T0, AnswerSheet(path="p1"), channel_key=f"key-{name}")
            for name in ("amy", "ben", "cat")
        ]
    )
    store.open_round(
        "p1", rubric_id="default", per_submission=2, anonymity="double-blind", self_assessment=True, seed=7
    )
    return store


def test_round_is_opened_once(round_store: SqlStore) -> None:
    again = round_store.open_round(
        "p1", rubric_id="other", per_submission=5, anonymity="open", self_assessment=False, seed=1
    )
    assert (again.rubric_id, again.per_submission, again.seed) == ("default", 2, 7)
    assert round_store.review_round("p2") is None


def test_every_round_keeps_a_secret_of_its_own(round_store: SqlStore) -> None:
    """256 random bits per round, kept with it (the same each time the round is read), never the seed's."""
    first = round_store.review_round("p1")
    assert first is not None and len(first.secret) == 64 and int(first.secret, 16) >= 0
    assert (
        round_store.open_round(
            "p1", rubric_id="default", per_submission=2, anonymity="double-blind", self_assessment=True, seed=7
        ).secret
        == first.secret
    )
    other = round_store.open_round(
        "p2", rubric_id="default", per_submission=2, anonymity="double-blind", self_assessment=True, seed=7
    )
    assert other.secret != first.secret


def test_channel_keys_come_from_current_submissions(round_store: SqlStore) -> None:
    assert round_store.channel_keys("p1") == {"amy": "key-amy", "ben": "key-ben", "cat": "key-cat"}


def test_assignments_round_trip_and_refuse_nonsense(round_store: SqlStore) -> None:
    round_store.add_assignments("p1", [("amy", "ben", "t1"), ("ben", "cat", "t2")])
    assert [(a.reviewer, a.author, a.token, a.status) for a in round_store.assignments("p1")] == [
        ("amy", "ben", "t1", "open"),
        ("ben", "cat", "t2", "open"),
    ]
    with pytest.raises(Conflict, match="own submission"):
        round_store.add_assignments("p1", [("amy", "amy", "t3")])
    with pytest.raises(NotFound, match="no submission"):
        round_store.add_assignments("p1", [("amy", "dan", "t4")])
    with pytest.raises(Conflict):
        round_store.add_assignments("p1", [("cat", "amy", "t1")])  # token reused
    with pytest.raises(NotFound, match="no review round"):
        round_store.add_assignments("p9", [("amy", "ben", "t5")])


def test_reviews_mark_assignments_done_and_keep_versions(round_store: SqlStore) -> None:
    round_store.add_assignments("p1", [("amy", "ben", "t1")])
    first = NewReview("amy", "t1", GOOD, T0 + timedelta(hours=1))
    assert round_store.record_reviews("p1", [first]) == ["added"]
    assert round_store.record_reviews("p1", [first]) == ["unchanged"]
    better = NewReview("amy", "t1", ReviewContent(scores={"a": 1.0}, comments=GOOD.comments), T0 + timedelta(hours=2))
    assert round_store.record_reviews("p1", [better]) == ["replaced"]
    (assignment,) = round_store.assignments("p1")
    assert assignment.status == "done" and assignment.done_at == T0 + timedelta(hours=1)
    (review,) = round_store.reviews("p1")
    assert (review.reviewer, review.author, review.kind, review.content.scores) == ("amy", "ben", "peer", {"a": 1.0})
    assert len(round_store.reviews("p1", current_only=False)) == 2


def test_forged_or_foreign_tokens_are_refused(round_store: SqlStore) -> None:
    round_store.add_assignments("p1", [("amy", "ben", "t1")])
    with pytest.raises(Conflict, match="no review assignment"):
        round_store.record_reviews("p1", [NewReview("cat", "t1", GOOD, T0)])  # cat is not amy
    with pytest.raises(Conflict, match="no review assignment"):
        round_store.record_reviews("p1", [NewReview("amy", "made-up", GOOD, T0)])
    assert round_store.reviews("p1") == []


def test_self_assessment_and_replacement(round_store: SqlStore) -> None:
    round_store.add_assignments("p1", [("amy", "ben", "t1"), ("cat", "ben", "t2")])
    assert round_store.record_reviews("p1", [NewReview("ben", None, GOOD, T0)]) == ["added"]
    (own,) = round_store.reviews("p1")
    assert (own.reviewer, own.author, own.kind, own.token) == ("ben", "ben", "self", None)
    round_store.replace_assignments(["t2"])
    assert {a.token: a.status for a in round_store.assignments("p1")} == {"t1": "open", "t2": "replaced"}


def test_assignments_handed_over_are_replaced_with_their_successors_or_not_at_all(round_store: SqlStore) -> None:
    round_store.add_assignments("p1", [("amy", "ben", "t1")])
    with pytest.raises(NotFound, match="no submission"):  # the new assignments fail: the old one stays open
        round_store.add_assignments("p1", [("cat", "dan", "t2")], replaced=["t1"])
    assert [(a.token, a.status) for a in round_store.assignments("p1")] == [("t1", "open")]
    round_store.add_assignments("p1", [("cat", "ben", "t2")], replaced=["t1"])
    assert {a.token: a.status for a in round_store.assignments("p1")} == {"t1": "replaced", "t2": "open"}
