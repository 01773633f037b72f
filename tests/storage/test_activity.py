"""The store keeps a bounded number of each learner's events of one path and kind: a flood of made-up
events cannot grow it (or slow the dashboard that reads every event) without end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from peerkit.core.activity import MAX_PER_KIND, new_event
from peerkit.storage.sql import SqlStore

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_at_most_cap_events_of_one_learner_path_and_kind_are_kept(store: SqlStore) -> None:
    flood = [new_event("ana", "opened", "essay", at=T0 + timedelta(seconds=i)) for i in range(5)]
    assert store.record_activity(flood[:2], cap=3) == 2
    assert store.record_activity(flood[2:], cap=3) == 1  # the earliest kept, up to the cap
    assert store.record_activity(flood, cap=3) == 0  # already known, or over the cap
    others = [
        new_event("ana", "answered", "essay", "story", at=T0),  # another kind
        new_event("ana", "opened", "essay-review", at=T0),  # another path
        new_event("bo", "opened", "essay", at=T0),  # another learner
    ]
    assert store.record_activity(others, cap=3) == 3
    kept = [e for e in store.activity() if (e.learner, e.event, e.path_id) == ("ana", "opened", "essay")]
    assert [e.id for e in kept] == [e.id for e in flood[:3]]


def test_the_default_cap_leaves_room_for_every_real_visit() -> None:
    assert 200 <= MAX_PER_KIND <= 1000
