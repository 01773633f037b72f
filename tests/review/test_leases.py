"""Leases in rolling review (:func:`peerkit.review.leases.hand_back`) on a real store: a review not
started within the lease goes back to the pool, a started one stays, and a reviewer handed back is
back once they do something again."""

from __future__ import annotations

from datetime import timedelta

from peerkit.core.activity import new_event
from peerkit.exchange.registry import open_course_exchange
from peerkit.review.leases import hand_back
from tests.review.conftest import T0, RollingPath


def test_nothing_is_handed_back_before_the_lease_runs_out(rolling_path: RollingPath) -> None:
    rolling_path.submit("ana", "bo", "cy")
    state = rolling_path.state()
    assert len(state.open) == 6
    board = open_course_exchange(course_id="c", exchange_root=None, store=rolling_path.store)
    assert hand_back(rolling_path.store, board, rolling_path.path, state, now=T0 + timedelta(minutes=59)) == (
        [],
        [],
        [],
    )
    assert {a.status for a in rolling_path.store.assignments("essay")} == {"open"}


def test_a_review_not_started_in_time_is_handed_back_and_a_started_one_is_kept(rolling_path: RollingPath) -> None:
    rolling_path.submit("ana", "bo", "cy")
    state = rolling_path.state()
    store = rolling_path.store
    started = next(t for t, (reviewer, _, _) in state.open.items() if reviewer == "ana")
    store.save_draft("ana", "essay", f"r-{started}", {"kind": "review", "value": {}}, now=T0 + timedelta(minutes=5))
    board = open_course_exchange(course_id="c", exchange_root=None, store=store)
    later = T0 + timedelta(hours=2)

    _, expired, back = hand_back(store, board, rolling_path.path, state, now=later)

    assert started not in expired and len(expired) == 5 and back == []
    statuses = {a.token: a.status for a in store.assignments("essay")}
    assert statuses[started] == "open" and all(statuses[t] == "replaced" for t in expired)
    assert set(state.open) == {started} and set(state.expired) == set(expired)
    assert state.tokens["ana"] == [started] and state.tokens["bo"] == state.tokens["cy"] == []
    assert state.away_since == {"ana": later, "bo": later, "cy": later}


def test_a_reviewer_handed_back_is_back_once_they_do_something_again(rolling_path: RollingPath) -> None:
    rolling_path.submit("ana", "bo")
    state = rolling_path.state()
    store = rolling_path.store
    board = open_course_exchange(course_id="c", exchange_root=None, store=store)
    later = T0 + timedelta(hours=2)
    _, expired, _ = hand_back(store, board, rolling_path.path, state, now=later)
    assert len(expired) == 2 and set(state.away_since) == {"ana", "bo"}

    store.record_activity([new_event("bo", "opened", "essay-review", at=later + timedelta(minutes=10))])
    refill, expired_again, back = hand_back(store, board, rolling_path.path, state, now=later + timedelta(hours=1))

    assert (refill, expired_again, back) == ([], [], ["bo"])
