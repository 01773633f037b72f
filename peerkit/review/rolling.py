"""Rolling review, the course's side: nobody waits for a facilitator to open a round.

A **steward** (``peerkit review watch``, the hub service's periodic step, the demo's autopilot)
calls :meth:`Steward.tick` every few seconds for each path with ``review: {mode: rolling}``. A tick:

1. notices new submissions in nbgrader's inbound folder (one listing, skipped when the folder has
   not changed) and takes in only those learners' (nbgrader collect of one learner, then ingest);
2. gives each newcomer up to ``k`` earlier submissions and gives their submission to earlier
   learners still owed reviews (:class:`~peerkit.core.allocation.rolling.RollingPool`), and
   delivers the packets and the round manifest (with ``mode``, ``per_submission`` and
   ``waiting_for``) through the course's exchange, as a round does;
3. takes in submitted reviews the same way (one learner at a time) and releases an author's
   feedback the moment ``k`` reviews are in: the feedback document with its grade fields null,
   since the grade comes when the path closes (:meth:`Facilitator.close_round`);
4. hands back reviews not started within ``lease_hours`` (no draft saved, no answer recorded): the
   slot goes to a learner still owed a review, or to the next one who submits; the reviewer is
   given work again once they come back;
5. acts on "review another": a learner whose reviews are done asks on their review page for one
   more classmate's work (an activity event ``review-another``: through the hub service's activity
   route, or on one host the learner's activity file, read at most every ``request_check_seconds``);
   they are given the submission that needs reviews most, and it counts for them.

The steward keeps each path's pool in memory and writes every change to the store; a stamp of the
round tells it when another process (a second replica, a facilitator's command) changed the round,
and it then reads the round again. Every step of a tick costs what it touches, not the cohort.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from traitlets.config import Config

from peerkit.core import allocation as alloc
from peerkit.core.allocation.rolling import PairState, RollingPool, Stored
from peerkit.core.errors import PeerkitError, WorkflowError
from peerkit.core.models import Course, LearningPath
from peerkit.core.packets import new_token
from peerkit.core.redaction import Person, Redactor
from peerkit.core.review import Grade, Round
from peerkit.exchange.base import CourseExchange, Parcel, feedback_file
from peerkit.nbgrader.collect import collect
from peerkit.nbgrader.ingest import Unreadable, path_requirements, read_submission
from peerkit.nbgrader.learner import parse_exchange_time
from peerkit.nbgrader.tasks import task_questions
from peerkit.review.channel import channel_files
from peerkit.review.collect import ingest_reviews
from peerkit.review.feedback import feedback_document, received_reviews
from peerkit.review.people import course_redactor
from peerkit.review.profiles import learner_profiles
from peerkit.storage.sql import SqlStore

ROLLING = "rolling"
_STATE: dict[str, PairState] = {"open": "open", "done": "done", "replaced": "expired"}


def is_rolling(path: LearningPath) -> bool:
    return path.review is not None and path.review.mode == ROLLING


@dataclass(frozen=True, slots=True)
class StewardReport:
    """What one tick did on one rolling path."""

    path_id: str
    taken_in: tuple[str, ...] = ()
    assigned: int = 0
    expired: int = 0
    reviews: int = 0
    released: tuple[str, ...] = ()
    #: Learners who asked for one more classmate's work and were given it.
    another: tuple[str, ...] = ()
    #: Learners still owed peers' work to review (the first of a cohort), longest waiting first.
    waiting: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    closed: bool = False
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.taken_in or self.assigned or self.expired or self.reviews or self.released)

    def summary(self) -> str:
        if self.closed:
            return f"{self.path_id}: closed, nothing more to allocate"
        parts = []
        if self.taken_in:
            parts.append(f"took in {', '.join(self.taken_in)}")
        if self.assigned:
            parts.append(f"{self.assigned} reviews given out")
        if self.reviews:
            parts.append(f"{self.reviews} reviews in")
        if self.released:
            parts.append(f"feedback to {', '.join(self.released)}")
        if self.another:
            parts.append(f"one more to review for {', '.join(self.another)}")
        if self.expired:
            parts.append(f"{self.expired} not started in time, back in the pool")
        if self.waiting:
            parts.append(f"{len(self.waiting)} waiting for peers' work")
        text = f"{self.path_id}: " + ("; ".join(parts) if parts else "nothing new")
        return "\n".join([text, *(f"  problem: {p}" for p in self.problems)])


@dataclass
class _PathState:
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


def _inbound_time(name: str) -> datetime | None:
    parts = name.split("+")
    return parse_exchange_time(parts[2]) if len(parts) >= 3 else None


class _Layered(Redactor):
    """A redactor as last built in full, plus a small one of names learnt since: a newcomer's names
    are removed at once without compiling every learner's names again. Scrubs with both."""

    def __init__(self, base: Redactor, extra: Redactor) -> None:
        super().__init__((), replacement=base.replacement)
        self.base, self.extra = base, extra
        self.size = base.size + extra.size
        self._atoms = base._atoms | extra._atoms
        self._pattern = base._pattern or extra._pattern

    @classmethod
    def over(cls, base: Redactor, people: Iterable[Person]) -> Redactor:
        terms = [t for p in people for t in p.terms()]
        return cls(base, Redactor(terms, replacement=base.replacement)) if terms else base

    def covering(self, terms: Iterable[str]) -> Redactor:
        terms = list(terms)
        if Redactor(terms)._atoms <= self._atoms:
            return self
        return _Layered(self.base, self.extra.covering(terms))

    def scrub_counted(self, text: str) -> tuple[str, int]:
        first, found = self.base.scrub_counted(text)
        second, more = self.extra.scrub_counted(first)
        return second, found + more


class Steward:
    """The course's rolling paths, kept moving. One per process; :meth:`tick` under the caller's lock."""

    def __init__(
        self,
        store: SqlStore,
        course: Course,
        *,
        config: Config,
        course_root: Path,
        inbound: Path,
        exchange: CourseExchange,
        unix_users: Mapping[str, str] | None = None,
        people: Callable[[], Mapping[str, Person]] | None = None,
        lease_check_seconds: float = 60.0,
    ) -> None:
        self.store, self.course, self.config = store, course, config
        self.course_root, self.inbound, self.exchange = course_root, inbound, exchange
        self.unix_users = dict(unix_users or {})
        self._people = people or dict
        self.lease_check_seconds = lease_check_seconds
        #: On one host, seconds between two reads of the learners' activity files for "review another".
        self.request_check_seconds = 10.0
        self._activity_read = -float("inf")
        self._paths: dict[str, _PathState] = {}
        self._questions: dict[str, dict[str, tuple[str, str]]] = {}
        self._required: dict[str, tuple[str, ...] | None] = {}
        self._redactor: tuple[float, Redactor] | None = None
        self._people_cache: dict[str, Person] = {}
        self._joined: set[str] = set()  # learners taken in since the redactor was last built in full
        #: Seconds between two full builds of the course's redactor and roster.
        self.refresh_seconds = 300.0

    def paths(self) -> list[LearningPath]:
        return [p for p in self.course.reviewed_paths() if is_rolling(p)]

    # -- the tick -----------------------------------------------------------------------------------

    def tick(self, path_id: str, *, now: datetime | None = None) -> StewardReport:
        """One look at *path_id*: new submissions and reviews in, reviews out, leases, feedback."""
        started = time.perf_counter()
        path = self.course.path(path_id)
        if not is_rolling(path):
            raise WorkflowError(f"path {path_id!r} is not reviewed in rolling mode (review: {{mode: rolling}})")
        now = now or datetime.now(UTC)
        state = self._state(path, now)
        state.round = self.store.review_round(path_id) or state.round  # closed by the facilitator since?
        if state.round.closed_at is not None:
            return StewardReport(path_id, closed=True)
        problems: list[str] = []
        owed = self._settle(state)
        new_subs, new_reviews = self._arrivals(path, state)
        taken, added = self._take_in(path, state, new_subs, now, problems)
        added = owed + added
        done, rejoined, late = self._take_reviews(path, state, new_reviews, problems)
        back = rejoined
        expired: list[str] = []
        if state.next_lease_check is None or now >= state.next_lease_check:
            state.next_lease_check = now + timedelta(seconds=self.lease_check_seconds)
            refill, expired, returned = self._leases(path, state, now)
            added += refill
            back += returned
        for learner in back:
            added += state.pool.rejoin(learner)
            state.away_since.pop(learner, None)
        another = self._review_another(path, state, now)
        added += another
        tokens = self._record(path, state, added, now)
        # Who gets a fresh manifest: whoever got reviews to do, newcomers, and those whose lease ran out.
        concerned = {r for r, _ in added} | set(taken) | {state.expired[t][0] for t in expired}
        released = self._feedback(path, state, {a for _, a in done} | late, now)
        self._deliver(path, state, concerned, new_tokens=set(tokens), newcomers=set(taken))
        state.stamp = self.store.round_stamp(path_id)
        return StewardReport(
            path_id,
            taken_in=tuple(taken),
            assigned=len(added),
            expired=len(expired),
            reviews=len(done),
            released=tuple(released),
            another=tuple(r for r, _ in another),
            waiting=state.pool.waiting(),
            problems=tuple(problems),
            seconds=time.perf_counter() - started,
        )

    def review_another(self, path_id: str, learner: str, *, now: datetime | None = None) -> str | None:
        """Give *learner* one more submission to review (none owed to them): the token, or None when
        there is nothing left they have not reviewed."""
        path = self.course.path(path_id)
        state = self._state(path, now or datetime.now(UTC))
        pair = state.pool.review_another(learner)
        if pair is None:
            return None
        tokens = self._record(path, state, [pair], now or datetime.now(UTC))
        self._deliver(path, state, {learner}, new_tokens=set(tokens), newcomers=set())
        state.stamp = self.store.round_stamp(path_id)
        return tokens[0]

    def _review_another(self, path: LearningPath, state: _PathState, now: datetime) -> list[alloc.Pair]:
        """Act on the "review another" requests recorded since the last look: each learner who asked,
        whose own reviews are done (none open, none owed), gets the submission needing reviews most.
        A request made before the learner was last given work is answered already (a restart)."""
        if self.exchange.backend != "hub":  # one host: the request is in the learner's activity file
            if time.monotonic() - self._activity_read < self.request_check_seconds:
                return []
            self._activity_read = time.monotonic()
            self.exchange.collect_activity(self.store)
        first = state.request_mark < 0
        assert path.review is not None  # noqa: S101 - rolling paths are reviewed
        since = now - timedelta(hours=path.review.lease_hours) if first else None
        requests = self.store.review_requests([path.id, path.review_id], after=state.request_mark, since=since)
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

    def short_of(self, path_id: str, learner: str) -> int:
        """How many more reviews *learner*'s submission needs to reach ``k`` (0 once it has them, or
        before it is in the pool)."""
        state = self._paths.get(path_id)
        if state is None or learner not in state.pool:
            return 0
        return max(0, state.pool.k - state.pool.live(learner))

    # -- loading ------------------------------------------------------------------------------------

    def _state(self, path: LearningPath, now: datetime) -> _PathState:
        """The path's state, read from the store at first and whenever another process changed it."""
        known = self._paths.get(path.id)
        if known is not None and known.stamp == self.store.round_stamp(path.id):
            return known
        settings = path.review
        assert settings is not None  # noqa: S101 - rolling paths are reviewed
        round_ = self.store.open_round(
            path.id,
            rubric_id=self.course.rubric_for(path.id).id,
            per_submission=settings.per_submission,
            anonymity=settings.anonymity,
            self_assessment=settings.self_assessment,
            seed=int.from_bytes(os.urandom(4), "big") >> 1,
            now=now,
        )
        submitters = self.store.submitters(path.id)
        needs_key = self.exchange.needs_channel_key
        keys = {s.learner: s.channel_key for s in submitters if s.channel_key}
        joined = [s.learner for s in submitters if s.status != "no-answers" and (s.learner in keys or not needs_key)]
        assignments = self.store.assignments(path.id)
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
        circles = {lrn.name: lrn.circle for lrn in self.store.learners() if lrn.circle}
        pool = RollingPool.restore(
            round_.per_submission,
            seed=round_.seed,
            arrivals=sorted(order, key=order.__getitem__),
            pairs=pairs,
            away=expired_at,
            circles=circles,
            profiles=learner_profiles(self.store, self.course),
        )
        tokens: dict[str, list[str]] = {}
        for a in assignments:
            if a.status != "replaced":
                tokens.setdefault(a.reviewer, []).append(a.token)
        state = _PathState(
            round=round_,
            pool=pool,
            stamp=self.store.round_stamp(path.id),
            keys=keys,
            tokens=tokens,
            open={a.token: (a.reviewer, a.author, a.assigned_at) for a in assignments if a.status == "open"},
            expired={a.token: (a.reviewer, a.author) for a in assignments if a.status == "replaced"},
            released=self.store.feedback_released(path.id),
            away_since=expired_at,
        )
        for a in assignments:
            state.last_given[a.reviewer] = max(a.assigned_at, state.last_given.get(a.reviewer, a.assigned_at))
        stored = {s.learner: s.submitted_at for s in submitters}
        state.seen[path.id] = {}
        state.seen[path.review_id] = {}
        for (assignment, learner), name in self._inbound_entries(path).items():
            when = _inbound_time(name)
            if assignment == path.id:
                if learner in stored and when is not None and when <= stored[learner]:
                    state.seen[path.id][learner] = name
            else:
                stamp = self.course_root / "submitted" / learner / path.review_id / "timestamp.txt"
                taken = parse_exchange_time(stamp.read_text()) if stamp.is_file() else None
                if taken is not None and when is not None and when <= taken:
                    state.seen[path.review_id][learner] = name
        self._paths[path.id] = state
        return state

    @staticmethod
    def _settle(state: _PathState) -> list[alloc.Pair]:
        """Once per load: learners in the store still owed reviews get what there is now. A steward
        that takes every submission in gives out work as each arrives, so this finds nothing; but
        submissions recorded before any steward looked (a facilitator's ``peerkit collect``, the
        demo's peers) would otherwise wait for newcomers that may never come."""
        if state.settled:
            return []
        state.settled = True
        return [pair for learner in state.pool.waiting() for pair in state.pool.rejoin(learner)]

    def _inbound_entries(self, path: LearningPath) -> dict[tuple[str, str], str]:
        """The newest inbound entry of each learner, for the path and its review assignment."""
        newest: dict[tuple[str, str], str] = {}
        wanted = {path.id, path.review_id}
        try:
            entries = os.scandir(self.inbound)
        except FileNotFoundError:
            return newest
        with entries:
            for entry in entries:
                parts = entry.name.split("+")
                if len(parts) < 3 or parts[1] not in wanted:
                    continue
                key = (parts[1], parts[0])
                if entry.name > newest.get(key, ""):
                    newest[key] = entry.name
        return newest

    def _arrivals(self, path: LearningPath, state: _PathState) -> tuple[list[str], list[str]]:
        """Learners with a submission, and learners with reviews, newer than the ones taken in."""
        try:
            mtime = self.inbound.stat().st_mtime
        except FileNotFoundError:
            return [], []
        if mtime == state.inbound_mtime:
            return [], []
        state.inbound_mtime = mtime
        subs: list[str] = []
        reviews: list[str] = []
        for (assignment, learner), name in sorted(self._inbound_entries(path).items()):
            if state.seen[assignment].get(learner) == name:
                continue
            state.seen[assignment][learner] = name
            (subs if assignment == path.id else reviews).append(learner)
        return subs, reviews

    # -- submissions --------------------------------------------------------------------------------

    def _take_in(
        self, path: LearningPath, state: _PathState, learners: list[str], now: datetime, problems: list[str]
    ) -> tuple[list[str], list[alloc.Pair]]:
        if not learners:
            return [], []
        if path.id not in self._required:
            self._required[path.id] = path_requirements(self.course_root, path.id)
        items = []
        for learner in learners:
            try:
                run = collect(self.config, path.id, unix_users=self.unix_users, learner=learner)
            except PeerkitError as exc:
                problems.append(f"{learner}: could not collect ({exc})")
                continue
            problems += [str(entry) for entry in run.refused]
            for found_folder in run.collected:
                try:
                    found = read_submission(found_folder.folder, path.id, required=self._required[path.id])
                except Unreadable as skip:
                    problems.append(f"{learner}: {skip}")
                    continue
                items.append(found.submission(path.id))
        self.store.record_submissions(items)
        new_people = [i.learner for i in items if i.learner not in state.pool]
        if new_people:
            circles = {lrn.name: lrn.circle for lrn in self.store.learners() if lrn.circle and lrn.name in new_people}
            profiles = learner_profiles(self.store, self.course)
            state.pool.know(circles=circles, profiles={n: p for n, p in profiles.items() if n in new_people})
        taken: list[str] = []
        added: list[alloc.Pair] = []
        for item in items:
            if item.channel_key:
                state.keys[item.learner] = item.channel_key
            if item.status == "no-answers":
                problems.append(f"{item.learner}: a submission without answers is not sent for review")
                continue
            if self.exchange.needs_channel_key and item.learner not in state.keys:
                problems.append(f"{item.learner}: submitted without nbgrader's secret; cannot deliver to them")
                continue
            if item.learner not in state.pool:
                taken.append(item.learner)
                added += state.pool.submit(item.learner)
        return taken, added

    def _record(self, path: LearningPath, state: _PathState, pairs: Iterable[alloc.Pair], now: datetime) -> list[str]:
        rows = [(r, a, new_token()) for r, a in pairs]
        self.store.add_assignments(path.id, rows, now=now)
        for r, a, token in rows:
            state.tokens.setdefault(r, []).append(token)
            state.open[token] = (r, a, now)
            state.last_given[r] = now
        return [t for _, _, t in rows]

    # -- reviews and leases -------------------------------------------------------------------------

    def _take_reviews(
        self, path: LearningPath, state: _PathState, learners: list[str], problems: list[str]
    ) -> tuple[list[alloc.Pair], list[str], set[str]]:
        """Collect and record the reviews of *learners*; return the pairs now done, the reviewers
        back after a lease ran out, and authors whose late review counts again."""
        if not learners:
            return [], [], set()
        for learner in learners:
            try:
                collect(self.config, path.review_id, unix_users=self.unix_users, learner=learner)
            except PeerkitError as exc:
                problems.append(f"{learner}: could not collect reviews ({exc})")
        report = ingest_reviews(self.store, self.course, self.course_root, path.id, learners=learners)
        problems += [f"{p.learner}: {p.reason}" for p in report.problems]
        done: list[alloc.Pair] = []
        late: set[str] = set()
        for a in self.store.assignments(path.id, reviewers=learners):
            if a.status != "done":
                continue
            if a.token in state.open:
                del state.open[a.token]
                state.pool.finish(a.reviewer, a.author)
                done.append((a.reviewer, a.author))
            elif a.token in state.expired:
                del state.expired[a.token]
                state.pool.finish(a.reviewer, a.author, expired=True)
                state.tokens.setdefault(a.reviewer, []).append(a.token)
                done.append((a.reviewer, a.author))
                late.add(a.author)
        back = [r for r in learners if state.pool.away(r)]
        return done, back, late

    def _leases(
        self, path: LearningPath, state: _PathState, now: datetime
    ) -> tuple[list[alloc.Pair], list[str], list[str]]:
        """Hand back reviews not started within the lease; bring back reviewers active again."""
        assert path.review is not None  # noqa: S101
        deadline = now - timedelta(hours=path.review.lease_hours)
        due = [t for t, (_, _, at) in state.open.items() if at <= deadline]
        if not due and not state.away_since:
            return [], [], []
        if self.exchange.backend != "hub":  # one host: what learners' pages did is in their activity files
            self.exchange.collect_activity(self.store)
        started = self.store.started_reviews(path.id, path.review_id, due)
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
        self.store.replace_assignments(expired)
        returned: list[str] = []
        waiting_since = {r: at for r, at in state.away_since.items() if r not in {state.expired[t][0] for t in expired}}
        if waiting_since:
            since = min(waiting_since.values())
            active = self.store.active_since(path.review_id, path.id, list(waiting_since), since)
            returned = sorted(r for r in active if r in waiting_since)
        return refill, expired, returned

    # -- feedback -----------------------------------------------------------------------------------

    def _feedback(self, path: LearningPath, state: _PathState, authors: set[str], now: datetime) -> list[str]:
        """Release the feedback of every author among *authors* with ``k`` finished reviews."""
        k = state.round.per_submission
        ready = sorted(a for a in authors if state.pool.done(a) >= k and state.released.get(a) != state.pool.done(a))
        if not ready:
            return []
        rubric = self.course.rubric_for(path.id)
        people = self._people_cache
        parcels = []
        counts = {}
        for author in ready:
            reviews = received_reviews(self.store, path.id, author, people=people)
            pending = Grade(
                author=author,
                method="pending",
                points=None,
                max_points=rubric.max_points,
                uncertainty=None,
                criteria={},
                reviews=len(reviews),
            )
            document = feedback_document(self.course, path.id, pending, reviews)
            parcels.append(Parcel(author, {feedback_file(path.id): document}, state.keys.get(author)))
            counts[author] = state.pool.done(author)
        self.exchange.deliver(parcels)
        self.store.mark_feedback_released(path.id, counts, now=now)
        state.released.update(counts)
        return ready

    # -- delivery -----------------------------------------------------------------------------------

    def _redactor_now(self, newcomers: Iterable[str]) -> Redactor:
        """The course's redactor: built in full now and then (a pattern of every learner's names
        takes seconds to compile at 10,000 learners), with learners who joined since layered on."""
        if self._redactor is None or time.monotonic() - self._redactor[0] > self.refresh_seconds:
            self._people_cache = dict(self._people())
            self._redactor = (time.monotonic(), course_redactor(self.store, self.course, self._people_cache))
            self._joined = set()
        self._joined.update(newcomers)
        return _Layered.over(self._redactor[1], [Person(n, hub_user=n) for n in sorted(self._joined)])

    def _deliver(
        self, path: LearningPath, state: _PathState, learners: set[str], *, new_tokens: set[str], newcomers: set[str]
    ) -> None:
        """New packets and a fresh manifest to each of *learners*; a self packet to *newcomers*."""
        learners = {x for x in learners if x}
        if not learners:
            return
        round_ = state.round
        redactor = self._redactor_now(newcomers)
        if path.id not in self._questions:
            self._questions[path.id] = {q.answer_id: (q.title, q.text) for q in task_questions(path.notebook).values()}
        questions = self._questions[path.id]
        rubric = self.course.rubric_for(path.id)
        wanted = {state.open[t][1] for t in new_tokens if t in state.open} | learners
        sheets = {s.learner: s for s in (self.store.submission(name, path.id) for name in sorted(wanted)) if s}
        parcels = []
        for learner in sorted(learners):
            mine = state.tokens.get(learner, [])
            files = channel_files(
                learner,
                path=path,
                round_=round_,
                rubric=rubric,
                questions=questions,
                redactor=redactor,
                new_packets=[(t, sheets[state.open[t][1]]) for t in mine if t in new_tokens and t in state.open],
                packets=mine,
                own=sheets.get(learner),
                newcomer=learner in newcomers,
                assessed=learner in state.pool,
                mode=ROLLING,
                per_submission=round_.per_submission,
                waiting_for=state.pool.owed(learner),
            )
            parcels.append(Parcel(learner, files, state.keys.get(learner)))
        self.exchange.deliver(parcels)
