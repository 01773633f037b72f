"""Leases in rolling review: a review not started in time goes back to the pool.

A review given out and not started within the path's ``lease_hours`` (no draft saved, no answer
recorded) is handed back: the slot goes to a learner still owed a review, or to the next one who
submits, and the reviewer is away until they are active again, then given work once more. A review
handed back and finished late still counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from peerkit.core import allocation as alloc
from peerkit.core.activity import activity_paths
from peerkit.core.models import LearningPath
from peerkit.exchange.base import CourseExchange
from peerkit.review.rolling_state import PathState
from peerkit.storage.sql import SqlStore


def hand_back(
    store: SqlStore, exchange: CourseExchange, path: LearningPath, state: PathState, *, now: datetime
) -> tuple[list[alloc.Pair], list[str], list[str]]:
    """Hand back reviews not started within the lease; bring back reviewers active again. Returns the
    reviews given out in their place, the tokens handed back and the reviewers back."""
    assert path.review is not None  # noqa: S101
    deadline = now - timedelta(hours=path.review.lease_hours)
    due = [t for t, (_, _, at) in state.open.items() if at <= deadline]
    if not due and not state.away_since:
        return [], [], []
    if exchange.backend != "hub":  # one host: what learners' pages did is in their activity files
        exchange.collect_activity(store, activity_paths([path]))
    started = store.started_reviews(path.id, path.review_id, due)
    refill: list[alloc.Pair] = []
    expired: list[str] = []
    for token in due:
        if token in started:
            continue
        reviewer, author, _ = state.open.pop(token)
        state.expired[token] = (reviewer, author)
        state.tokens[reviewer].remove(token)
        state.away_since[reviewer] = now
        refill += state.pool.expire(reviewer, author)
        expired.append(token)
    store.replace_assignments(expired)
    returned: list[str] = []
    waiting_since = {r: at for r, at in state.away_since.items() if r not in {state.expired[t][0] for t in expired}}
    if waiting_since:
        since = min(waiting_since.values())
        active = store.active_since(path.review_id, path.id, list(waiting_since), since)
        returned = sorted(r for r in active if r in waiting_since)
    return refill, expired, returned
