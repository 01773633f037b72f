"""Submissions in the store (:mod:`peerkit.storage.submissions`): recorded one at a time or in bulk,
the current version and the history, what a snapshot and the dashboard read, against an SQLite file
and a real PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from peerkit.core.answers import Answer, AnswerSheet
from peerkit.core.store import NewSubmission
from peerkit.storage.schema import SubmissionRecord
from peerkit.storage.sql import SqlStore
from tests.storage.test_store import T0, sheet


def test_first_submission_is_added_and_current(store: SqlStore) -> None:
    before = datetime.now(UTC)
    assert store.record_submission("alice", "p1", submitted_at=T0, sheet=sheet(q="hi"), source="ts") == "added"
    current = store.submission("alice", "p1")
    assert current is not None and current.current and current.sheet == sheet(q="hi")
    assert current.submitted_at == T0 and current.source == "ts"
    assert current.ingested_at.tzinfo is UTC and before <= current.ingested_at <= datetime.now(UTC)


def test_ingesting_the_same_submission_again_changes_nothing(store: SqlStore) -> None:
    store.record_submission("alice", "p1", submitted_at=T0, sheet=sheet(q="hi"))
    assert store.record_submission("alice", "p1", submitted_at=T0, sheet=sheet(q="hi")) == "unchanged"
    assert len(store.history("alice", "p1")) == 1


def test_resubmission_replaces_and_keeps_history(store: SqlStore) -> None:
    store.record_submission("alice", "p1", submitted_at=T0, sheet=sheet(q="first"))
    assert (
        store.record_submission("alice", "p1", submitted_at=T0 + timedelta(hours=1), sheet=sheet(q="second"))
        == "replaced"
    )
    assert store.submission("alice", "p1").sheet.get("q").value == "second"  # type: ignore[union-attr]
    history = store.history("alice", "p1")
    assert [h.sheet.get("q").value for h in history] == ["second", "first"]  # type: ignore[union-attr]
    assert [h.current for h in history] == [True, False]


def test_an_older_submission_arriving_late_stays_in_the_history(store: SqlStore) -> None:
    store.record_submission("alice", "p1", submitted_at=T0, sheet=sheet(q="newer"))
    assert (
        store.record_submission("alice", "p1", submitted_at=T0 - timedelta(days=1), sheet=sheet(q="older")) == "older"
    )
    assert store.submission("alice", "p1").sheet.get("q").value == "newer"  # type: ignore[union-attr]


def test_submissions_and_overview(store: SqlStore) -> None:
    store.record_submission("bob", "p1", submitted_at=T0, sheet=sheet(a="x", b="y"))
    store.record_submission("alice", "p1", submitted_at=T0, sheet=sheet(a="x"))
    store.record_submission("alice", "p1", submitted_at=T0 + timedelta(minutes=5), sheet=sheet(a="x2"))
    store.record_submission("alice", "p2", submitted_at=T0, sheet=sheet(path="p2"))
    assert [s.learner for s in store.submissions("p1")] == ["alice", "bob"]
    rows = store.overview()
    assert [(r.learner, r.path_id, r.answers, r.versions) for r in rows] == [
        ("alice", "p1", 1, 2),
        ("alice", "p2", 0, 1),
        ("bob", "p1", 2, 1),
    ]
    assert [r.path_id for r in store.overview(["p2"])] == ["p2"]


def test_every_kind_and_unicode_survive(store: SqlStore) -> None:
    full = AnswerSheet(path="p1")
    for key, kind, value in [
        ("t", "text", "Zoë’s <script>alert(1)</script> 日本語 \U0001f600"),
        ("s", "scale", None),
        ("c", "checklist", {"selected": ["a"], "other": ""}),
        ("pr", "profile", {"know": ["x"], "bring": [], "want": ["y"], "notes": ""}),
        ("pl", "plan", {"step": "go", "date": "2026-12-01", "checkin": "", "support": ""}),
        ("e", "example", {"title": "T", "story": "S", "tags": []}),
    ]:
        full = full.with_answer(key, Answer.make(kind, value, updated="2026-11-22T09:00:00Z"))
    store.record_submission("zoë", "p1", submitted_at=T0, sheet=full)
    assert store.submission("zoë", "p1").sheet == full  # type: ignore[union-attr]


def test_a_batch_is_recorded_in_order_in_one_go(store: SqlStore) -> None:
    store.record_submission("old", "p1", submitted_at=T0, sheet=sheet(q="stored before"))
    batch = [
        NewSubmission("amy", "p1", T0, sheet(q="amy 1")),
        NewSubmission("amy", "p1", T0 + timedelta(hours=1), sheet(q="amy 2")),
        NewSubmission("amy", "p1", T0 - timedelta(hours=1), sheet(q="amy 0")),
        NewSubmission("old", "p1", T0, sheet(q="stored before")),
        NewSubmission("old", "p1", T0 + timedelta(days=1), sheet(q="old, newer")),
        NewSubmission("ben", "p2", T0, sheet(path="p2", q="ben")),
    ]
    assert store.record_submissions(batch) == ["added", "replaced", "older", "unchanged", "replaced", "added"]
    assert store.submission("amy", "p1").sheet.get("q").value == "amy 2"  # type: ignore[union-attr]
    assert [h.current for h in store.history("amy", "p1")] == [True, False, False]
    assert store.submission("old", "p1").sheet.get("q").value == "old, newer"  # type: ignore[union-attr]
    assert store.record_submissions([]) == []


def test_repaired_submission_replaces_its_content(store: SqlStore) -> None:
    store.record_submission("amy", "p1", submitted_at=T0, sheet=sheet(q="broken"))
    assert store.record_submission("amy", "p1", submitted_at=T0, sheet=sheet(q="repaired", extra="x")) == "replaced"
    current = store.submission("amy", "p1")
    assert current is not None and current.sheet.get("q").value == "repaired"  # type: ignore[union-attr]
    assert [r.answers for r in store.overview()] == [2]


def test_each_submission_keeps_whether_it_is_complete(store: SqlStore) -> None:
    store.record_submissions(
        [
            NewSubmission("alice", "p1", T0, sheet(a="x", b="y"), status="complete"),
            NewSubmission("bob", "p1", T0, sheet(a="x"), status="incomplete", blank=1),
            NewSubmission("carol", "p1", T0, sheet(), status="no-answers", blank=2),
        ]
    )
    store.record_submission("dave", "p1", submitted_at=T0, sheet=sheet())  # unchecked: judged from the sheet
    store.record_submission("erin", "p1", submitted_at=T0, sheet=sheet(a="x"))
    states = {s.learner: (s.status, s.blank, s.complete) for s in store.submissions("p1")}
    assert states == {
        "alice": ("complete", 0, True),
        "bob": ("incomplete", 1, False),
        "carol": ("no-answers", 2, False),
        "dave": ("no-answers", 0, False),
        "erin": ("complete", 0, True),
    }
    assert [(r.learner, r.status, r.blank) for r in store.overview()][:3] == [
        ("alice", "complete", 0),
        ("bob", "incomplete", 1),
        ("carol", "no-answers", 2),
    ]
    # the same, without reading the answers: the current versions only, by learner name
    store.record_submission("alice", "p1", submitted_at=T0 + timedelta(hours=1), sheet=sheet(a="x"))
    store.record_submission("alice", "p2", submitted_at=T0, sheet=sheet(path="p2", a="x"))
    light = store.submission_states("p1")
    assert [(s.learner, s.path_id, s.submitted_at, s.status, s.blank) for s in light] == [
        (s.learner, s.path_id, s.submitted_at, s.status, s.blank) for s in store.submissions("p1")
    ]
    assert [s.learner for s in light] == ["alice", "bob", "carol", "dave", "erin"]
    assert light[0].submitted_at == T0 + timedelta(hours=1)


def test_ingesting_again_updates_the_status_of_an_unchanged_submission(store: SqlStore) -> None:
    store.record_submissions([NewSubmission("bob", "p1", T0, sheet(a="x"), status="complete")])
    outcome = store.record_submissions([NewSubmission("bob", "p1", T0, sheet(a="x"), status="incomplete", blank=2)])
    assert outcome == ["unchanged"]
    found = store.submission("bob", "p1")
    assert found is not None and (found.status, found.blank) == ("incomplete", 2)
    assert len(store.history("bob", "p1")) == 1


def test_no_submission_reads_as_none_and_an_empty_history(store: SqlStore) -> None:
    store.record_submission("alice", "p1", submitted_at=T0, sheet=sheet(q="hi"))
    assert store.submission("alice", "p2") is None and store.submission("bob", "p1") is None
    assert store.history("bob", "p1") == [] and store.submissions("p2") == [] and store.submission_states("p2") == []


def test_each_learner_s_profile_is_their_latest_one_in_a_current_submission(store: SqlStore) -> None:
    def profile(path: str, want: str, updated: str) -> AnswerSheet:
        value = {"know": [], "bring": [], "want": [want], "notes": ""}
        return AnswerSheet(path=path).with_answer("me", Answer.make("profile", value, updated=updated))

    store.record_submission("alice", "p1", submitted_at=T0, sheet=profile("p1", "first", "2026-11-22T09:00:00Z"))
    store.record_submission("alice", "p2", submitted_at=T0, sheet=profile("p2", "later", "2026-11-23T09:00:00Z"))
    store.record_submission("bob", "p1", submitted_at=T0, sheet=profile("p1", "replaced", "2026-11-24T09:00:00Z"))
    store.record_submission("bob", "p1", submitted_at=T0 + timedelta(hours=1), sheet=sheet(q="no profile now"))
    store.record_submission("cy", "p1", submitted_at=T0, sheet=sheet(q="never gave one"))
    assert store.profiles() == {"alice": {"know": [], "bring": [], "want": ["later"], "notes": ""}}


def test_a_stored_status_this_peerkit_does_not_know_never_reads_as_complete(store: SqlStore) -> None:
    store.record_submission("alice", "p1", submitted_at=T0, sheet=sheet(q="hi"))
    with store.transaction() as session:  # written by a newer peerkit, say
        session.execute(update(SubmissionRecord).values(status="withdrawn"))
    found = store.submission("alice", "p1")
    assert found is not None and found.status == "incomplete" and not found.complete
    assert [s.status for s in store.submission_states("p1")] == [r.status for r in store.overview()] == ["incomplete"]
