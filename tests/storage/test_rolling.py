"""What rolling review reads and writes beyond a round's own tables (:mod:`peerkit.storage.rolling`),
against an SQLite file and a real PostgreSQL server."""

from __future__ import annotations

from datetime import timedelta

from peerkit.core.activity import new_event
from peerkit.storage.sql import SqlStore
from tests.storage.test_store import T0, sheet

TOKENS = ("a" * 32, "b" * 32, "c" * 32)


def open_path(store: SqlStore) -> None:
    """ana, bo and cy submitted p1 (cy first), each reviewing the next one."""
    for learner, minutes in (("cy", 0), ("ana", 5), ("bo", 10)):
        store.record_submission(learner, "p1", submitted_at=T0 + timedelta(minutes=minutes), sheet=sheet(q=learner))
    store.open_round("p1", rubric_id="r", per_submission=1, anonymity="double-blind", self_assessment=False, seed=1)
    pairs = [("ana", "bo", TOKENS[0]), ("bo", "cy", TOKENS[1]), ("cy", "ana", TOKENS[2])]
    store.add_assignments("p1", pairs, now=T0)


def test_submitters_are_the_current_submissions_oldest_first(store: SqlStore) -> None:
    open_path(store)
    store.record_submission("ana", "p1", submitted_at=T0 + timedelta(hours=1), sheet=sheet(q="again"))
    assert [s.learner for s in store.submitters("p1")] == ["cy", "bo", "ana"]
    only = store.submitters("p1", learners=["bo"])
    assert [(s.learner, s.submitted_at, s.status) for s in only] == [("bo", T0 + timedelta(minutes=10), "complete")]
    assert store.submitters("p2") == []


def test_the_stamp_changes_with_the_assignments_and_submissions_only(store: SqlStore) -> None:
    open_path(store)
    before = store.round_stamp("p1")
    assert store.round_stamp("p1") == before
    store.record_submission("dee", "p2", submitted_at=T0, sheet=sheet(path="p2"))
    assert store.round_stamp("p1") == before  # another path
    store.replace_assignments([TOKENS[0]])
    replaced = store.round_stamp("p1")
    assert replaced != before
    store.record_submission("dee", "p1", submitted_at=T0, sheet=sheet(q="dee"))
    assert store.round_stamp("p1") != replaced


def test_a_review_is_started_by_a_draft_or_an_answer_and_its_reviewer_is_active(store: SqlStore) -> None:
    open_path(store)
    assert store.started_reviews("p1", "p1-review", TOKENS) == set()
    assert store.started_reviews("p1", "p1-review", []) == set()
    store.save_draft("ana", "p1", f"r-{TOKENS[0]}", {"kind": "review"}, now=T0 + timedelta(minutes=30))
    answered = new_event("bo", "answered", "p1-review", f"r-{TOKENS[1]}", at=T0 + timedelta(hours=2))
    store.record_activity([answered, new_event("cy", "opened", "p2", at=T0 + timedelta(hours=3))])
    assert store.started_reviews("p1", "p1-review", TOKENS) == {TOKENS[0], TOKENS[1]}
    assert store.active_since("p1-review", "p1", ["ana", "bo", "cy"], T0) == {"ana", "bo"}  # cy's was elsewhere
    assert store.active_since("p1-review", "p1", ["ana", "bo", "cy"], T0 + timedelta(hours=1)) == {"bo"}
    assert store.active_since("p1-review", "p1", [], T0) == set()


def test_review_another_requests_after_a_mark_and_since_a_time(store: SqlStore) -> None:
    open_path(store)
    store.record_activity(
        [new_event("ana", "review-another", "p1-review", at=T0 + timedelta(minutes=m)) for m in (1, 2)]
    )
    store.record_activity(
        [new_event("bo", "answered", "p1-review", "x", at=T0), new_event("bo", "review-another", "p2")]
    )
    asked = store.review_requests(["p1", "p1-review"])
    assert [(r.learner, r.at) for r in asked] == [
        ("ana", T0 + timedelta(minutes=1)),
        ("ana", T0 + timedelta(minutes=2)),
    ]
    assert store.review_requests(["p1", "p1-review"], after=asked[0].id) == asked[1:]
    assert store.review_requests(["p1-review"], since=T0 + timedelta(minutes=2)) == asked[1:]


def test_feedback_released_is_recorded_per_author_and_updated(store: SqlStore) -> None:
    open_path(store)
    assert store.feedback_released("p1") == {}
    store.mark_feedback_released("p1", {"ana": 1, "bo": 2}, now=T0)
    store.mark_feedback_released("p1", {"ana": 2})
    store.mark_feedback_released("p1", {})
    assert store.feedback_released("p1") == {"ana": 2, "bo": 2}
