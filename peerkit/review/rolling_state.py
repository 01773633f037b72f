"""What the rolling steward remembers of one path between ticks, and how it reads that from the store.

Everything here is also in the store (the round, the assignments, the feedback released); the steward
keeps it in memory so a tick costs what it touches, and reads it again when the round's stamp says
another process (a second replica, a facilitator's command) changed the round.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from peerkit.core import allocation as alloc
from peerkit.core.allocation.rolling import PairState, RollingPool, Stored
from peerkit.core.models import Course, LearningPath
from peerkit.core.packets import new_token
from peerkit.core.review import Round
from peerkit.nbgrader.learner import parse_exchange_time, read_stamp
from peerkit.review.profiles import learner_profiles
from peerkit.storage.sql import SqlStore

_STATE: dict[str, PairState] = {"open": "open", "done": "done", "replaced": "expired"}


@dataclass
class PathState:
    """What a steward remembers of one rolling path between ticks (all of it also in the store)."""

    round: Round
    pool: RollingPool
    stamp: tuple[int, ...]
    keys: dict[str, str]
    #: reviewer -> [token, ...] of their reviews that count (open or done), in the order given.
    tokens: dict[str, list[str]]
    #: token -> (reviewer, author, assigned_at) of open reviews.
    open: dict[str, tuple[str, str, datetime]]
    #: token -> (reviewer, author) of reviews whose lease ran out (a late review still counts).
    expired: dict[str, tuple[str, str]]
    released: dict[str, int]
    away_since: dict[str, datetime]
    #: assignment id -> learner -> the newest inbound entry taken in.
    seen: dict[str, dict[str, str]] = field(default_factory=dict)
    inbound_mtime: float = -1.0
    next_lease_check: datetime | None = None
    #: reviewer -> when they were last given a review (a "review another" asked before is answered).
    last_given: dict[str, datetime] = field(default_factory=dict)
    #: The last "review another" request acted on (activity id); -1 before the first look.
    request_mark: int = -1
    #: Whether learners read from the store owed work were given what there is (the first tick after loading).
    settled: bool = False


def inbound_time(name: str) -> datetime | None:
    """When nbgrader stamped the inbound entry *name* (``learner+assignment+time[+random]``)."""
    parts = name.split("+")
    return parse_exchange_time(parts[2]) if len(parts) >= 3 else None


def load_state(
    store: SqlStore,
    course: Course,
    path: LearningPath,
    *,
    needs_key: bool,
    course_root: Path,
    entries: Callable[[], Mapping[tuple[str, str], str]],
    now: datetime,
) -> PathState:
    """*path*'s state as the store holds it (its round opened if none is), with the inbound entries
    (*entries* lists them: ``(assignment, learner) -> newest entry``) already taken in marked as seen."""
    settings = path.review
    assert settings is not None  # noqa: S101 - rolling paths are reviewed
    round_ = store.open_round(
        path.id,
        rubric_id=course.rubric_for(path.id).id,
        per_submission=settings.per_submission,
        anonymity=settings.anonymity,
        self_assessment=settings.self_assessment,
        seed=int.from_bytes(os.urandom(4), "big") >> 1,
        now=now,
    )
    submitters = store.submitters(path.id)
    keys = {s.learner: s.channel_key for s in submitters if s.channel_key}
    joined = [s.learner for s in submitters if s.status != "no-answers" and (s.learner in keys or not needs_key)]
    assignments = store.assignments(path.id)
    order = {name: i for i, name in enumerate(joined)}
    assignments.sort(key=lambda a: (a.assigned_at, a.token))
    pairs = [Stored(a.reviewer, a.author, _STATE[a.status]) for a in assignments]
    # Away: a review handed back (its lease ran out then), and nothing given or finished since.
    lease = timedelta(hours=settings.lease_hours)
    expired_at: dict[str, datetime] = {}
    for a in assignments:  # in the order given
        if a.status == "replaced":
            expired_at[a.reviewer] = max(a.assigned_at + lease, expired_at.get(a.reviewer, a.assigned_at))
        elif a.reviewer in expired_at and max(a.assigned_at, a.done_at or a.assigned_at) > expired_at[a.reviewer]:
            del expired_at[a.reviewer]
    circles = {lrn.name: lrn.circle for lrn in store.learners() if lrn.circle}
    pool = RollingPool.restore(
        round_.per_submission,
        seed=round_.seed,
        arrivals=sorted(order, key=order.__getitem__),
        pairs=pairs,
        away=expired_at,
        circles=circles,
        profiles=learner_profiles(store, course),
    )
    tokens: dict[str, list[str]] = {}
    for a in assignments:
        if a.status != "replaced":
            tokens.setdefault(a.reviewer, []).append(a.token)
    state = PathState(
        round=round_,
        pool=pool,
        stamp=store.round_stamp(path.id),
        keys=keys,
        tokens=tokens,
        open={a.token: (a.reviewer, a.author, a.assigned_at) for a in assignments if a.status == "open"},
        expired={a.token: (a.reviewer, a.author) for a in assignments if a.status == "replaced"},
        released=store.feedback_released(path.id),
        away_since=expired_at,
    )
    for a in assignments:
        state.last_given[a.reviewer] = max(a.assigned_at, state.last_given.get(a.reviewer, a.assigned_at))
    stored = {s.learner: s.submitted_at for s in submitters}
    state.seen[path.id] = {}
    state.seen[path.review_id] = {}
    for (assignment, learner), name in entries().items():
        when = inbound_time(name)
        if assignment == path.id:
            if learner in stored and when is not None and when <= stored[learner]:
                state.seen[path.id][learner] = name
        else:
            taken = read_stamp(course_root / "submitted" / learner / path.review_id / "timestamp.txt")
            if taken is not None and when is not None and when <= taken:
                state.seen[path.review_id][learner] = name
    return state


def changed_k(path: LearningPath, round_: Round) -> str | None:
    """What a facilitator is told when course.yml's ``per_submission`` no longer matches the one *path*'s
    open rolling review was opened with (None: they match, or the path is closed). The pool keeps its own:
    who is given how many reviews, when an author's feedback is released and how sure a grade is all count
    on that one number, so it cannot change under learners who are reviewing."""
    wanted = path.review.per_submission if path.review is not None else round_.per_submission
    k = round_.per_submission
    if wanted == k or round_.closed_at is not None:
        return None
    return (
        f"course.yml says per_submission: {wanted} for {path.id}, but its rolling review opened with {k} and"
        f" keeps {k} for every learner, newcomers too (the number cannot change while learners review);"
        f" put per_submission: {k} back in course.yml"
    )


def settle(state: PathState) -> list[alloc.Pair]:
    """Once per load: learners in the store still owed reviews get what there is now. A steward
    that takes every submission in gives out work as each arrives, so this finds nothing; but
    submissions recorded before any steward looked (a facilitator's ``peerkit collect``, the
    demo's peers) would otherwise wait for newcomers that may never come."""
    if state.settled:
        return []
    state.settled = True
    return [pair for learner in state.pool.waiting() for pair in state.pool.rejoin(learner)]


def record_given(
    store: SqlStore, path_id: str, state: PathState, pairs: Iterable[alloc.Pair], *, now: datetime
) -> list[str]:
    """Write the reviews *pairs* gives out to the store and to *state*; return their new tokens."""
    rows = [(r, a, new_token()) for r, a in pairs]
    store.add_assignments(path_id, rows, now=now)
    for r, a, token in rows:
        state.tokens.setdefault(r, []).append(token)
        state.open[token] = (r, a, now)
        state.last_given[r] = now
    return [t for _, _, t in rows]
