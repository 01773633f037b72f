"""Answering "review another" in rolling review: one more classmate's work for a learner whose reviews are done.

The learner asks on their review page (an activity event ``review-another``: through the hub
service's activity route, or on one host the learner's activity file); the steward acts on the
requests recorded since its last look and gives each the submission that needs reviews most. It
counts for them like any review.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from peerkit.core import allocation as alloc
from peerkit.core.models import LearningPath
from peerkit.review.rolling_state import PathState
from peerkit.storage.sql import SqlStore


def requested_reviews(store: SqlStore, path: LearningPath, state: PathState, *, now: datetime) -> list[alloc.Pair]:
    """Act on the "review another" requests recorded since the last look: each learner who asked,
    whose own reviews are done (none open, none owed), gets the submission needing reviews most.
    A request made before the learner was last given work is answered already (a restart)."""
    first = state.request_mark < 0
    assert path.review is not None  # noqa: S101 - rolling paths are reviewed
    since = now - timedelta(hours=path.review.lease_hours) if first else None
    requests = store.review_requests([path.id, path.review_id], after=state.request_mark, since=since)
    if not requests:
        state.request_mark = max(state.request_mark, 0)
        return []
    state.request_mark = requests[-1].id
    pairs: list[alloc.Pair] = []
    for request in requests:
        learner = request.learner
        if first and request.at <= state.last_given.get(learner, request.at - timedelta(seconds=1)):
            continue
        holding = any(t in state.open for t in state.tokens.get(learner, []))
        if learner not in state.pool or holding or state.pool.owed(learner):
            continue
        pair = state.pool.review_another(learner)
        if pair is not None:
            pairs.append(pair)
    return pairs
