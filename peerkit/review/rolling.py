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

Once the facilitator has closed the path, a tick does nothing but say so on the course's public
board, once per process (:func:`~peerkit.review.closing.announce_closed`): a learner who submits
after it is told that no classmates' work and no reviewers will come.

The steward keeps each path's pool in memory and writes every change to the store; a stamp of the
round tells it when another process (a second replica, a facilitator's command) changed the round,
and it then reads the round again. Every step of a tick costs what it touches, not the cohort.

This module is the steward itself (the tick, and delivery); its steps stand beside it:
:mod:`~peerkit.review.rolling_state` (what it remembers of a path, read from the store),
:mod:`~peerkit.review.intake` (1, 3: submissions and reviews in), :mod:`~peerkit.review.pending_feedback`
(3: feedback out), :mod:`~peerkit.review.leases` (4) and :mod:`~peerkit.review.another` (5).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from traitlets.config import Config

from peerkit.core import allocation as alloc
from peerkit.core.activity import activity_paths
from peerkit.core.errors import PeerkitError, WorkflowError
from peerkit.core.models import Course, LearningPath
from peerkit.core.redaction import Person, Redactor
from peerkit.exchange.base import CourseExchange, Parcel
from peerkit.nbgrader.tasks import task_questions
from peerkit.review import intake
from peerkit.review.another import requested_reviews
from peerkit.review.channel import channel_files
from peerkit.review.closing import announce_closed
from peerkit.review.leases import hand_back
from peerkit.review.pending_feedback import release_pending
from peerkit.review.people import LayeredRedactor, course_people, course_redactor
from peerkit.review.rolling_state import PathState, changed_k, load_state, record_given, settle
from peerkit.storage.sql import SqlStore

ROLLING = "rolling"


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
    #: On a closed path, learners who submitted after it closed and are not taken in: nobody will review them,
    #: a facilitator grades them by hand.
    late: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.taken_in or self.assigned or self.expired or self.reviews or self.released)

    def summary(self) -> str:
        if self.closed:
            closed = f"{self.path_id}: closed, nothing more to allocate"
            late = (
                [
                    f"  submitted after it closed, nobody will review them: {', '.join(self.late)}; to grade them"
                    f" yourself: peerkit collect {self.path_id}, peerkit review close {self.path_id}, then"
                    f" peerkit override {self.path_id} LEARNER POINTS --reason TEXT"
                ]
                if self.late
                else []
            )
            return "\n".join([closed, *late, *(f"  problem: {p}" for p in self.problems)])
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
        self.intake = intake.Intake(store, course, config, dict(unix_users or {}), course_root)
        self._people = people or dict
        self.lease_check_seconds = lease_check_seconds
        #: On one host, seconds between two reads of the learners' activity files for "review another".
        self.request_check_seconds = 10.0
        self._activity_read = -float("inf")
        self._paths: dict[str, PathState] = {}
        self._questions: dict[str, dict[str, tuple[str, str]]] = {}
        self._redactor: tuple[float, Redactor] | None = None
        self._people_cache: dict[str, Person] = {}
        self._joined: set[str] = set()  # learners taken in since the redactor was last built in full
        self._announced: set[str] = set()  # closed paths this process has said are closed
        self._late_seen: dict[str, tuple[tuple[float, tuple[int, ...]], tuple[str, ...]]] = {}
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
            if path_id not in self._announced:
                try:
                    announce_closed(self.exchange, path_id, state.round.closed_at)
                except PeerkitError as exc:  # said again at the next look
                    return StewardReport(path_id, closed=True, problems=(f"learners not told it closed: {exc}",))
                self._announced.add(path_id)
            return StewardReport(path_id, closed=True, late=self._late(path, state))
        problems: list[str] = []
        if (note := changed_k(path, state.round)) is not None:
            problems.append(note)
        owed = settle(state)
        new_subs, new_reviews = intake.arrivals(self.inbound, path, state)
        taken, added = self.intake.take_in(
            path, state, new_subs, needs_key=self.exchange.needs_channel_key, problems=problems
        )
        added = owed + added
        done, rejoined, late = self.intake.take_reviews(path, state, new_reviews, problems=problems)
        back = rejoined
        expired: list[str] = []
        if state.next_lease_check is None or now >= state.next_lease_check:
            state.next_lease_check = now + timedelta(seconds=self.lease_check_seconds)
            refill, expired, returned = hand_back(self.store, self.exchange, path, state, now=now)
            added += refill
            back += returned
        for learner in back:
            added += state.pool.rejoin(learner)
            state.away_since.pop(learner, None)
        another = self._review_another(path, state, now)
        added += another
        tokens = record_given(self.store, path.id, state, added, now=now)
        # Who gets a fresh manifest: whoever got reviews to do, newcomers, and those whose lease ran out.
        concerned = {r for r, _ in added} | set(taken) | {state.expired[t][0] for t in expired}
        released = release_pending(
            self.store,
            self.course,
            self.exchange,
            path,
            state,
            {a for _, a in done} | late,
            people=self._known_people(),
            now=now,
        )
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

    def _late(self, path: LearningPath, state: PathState) -> tuple[str, ...]:
        """Who submitted *path* (closed) and is not taken in: looked up again only when the inbound folder or the
        path's submissions changed (a facilitator's collect takes them in)."""
        try:
            mtime = self.inbound.stat().st_mtime
        except FileNotFoundError:
            return ()
        known = self._late_seen.get(path.id)
        if known is not None and known[0] == (mtime, state.stamp):
            return known[1]
        taken = state.seen.get(path.id, {})
        late = tuple(
            sorted(
                learner
                for (assignment, learner), name in intake.inbound_entries(self.inbound, path).items()
                if assignment == path.id and taken.get(learner) != name
            )
        )
        self._late_seen[path.id] = ((mtime, state.stamp), late)
        return late

    def review_another(self, path_id: str, learner: str, *, now: datetime | None = None) -> str | None:
        """Give *learner* one more submission to review (none owed to them): the token, or None when
        there is nothing left they have not reviewed."""
        path = self.course.path(path_id)
        state = self._state(path, now or datetime.now(UTC))
        pair = state.pool.review_another(learner)
        if pair is None:
            return None
        tokens = record_given(self.store, path.id, state, [pair], now=now or datetime.now(UTC))
        self._deliver(path, state, {learner}, new_tokens=set(tokens), newcomers=set())
        state.stamp = self.store.round_stamp(path_id)
        return tokens[0]

    def _review_another(self, path: LearningPath, state: PathState, now: datetime) -> list[alloc.Pair]:
        """The "review another" requests since the last look, answered (:mod:`peerkit.review.another`).
        On one host the requests are in the learners' activity files, read at most every
        :attr:`request_check_seconds`."""
        if self.exchange.backend != "hub":  # one host: the request is in the learner's activity file
            if time.monotonic() - self._activity_read < self.request_check_seconds:
                return []
            self._activity_read = time.monotonic()
            self.exchange.collect_activity(self.store, activity_paths(self.course.paths))
        return requested_reviews(self.store, path, state, now=now)

    def short_of(self, path_id: str, learner: str) -> int:
        """How many more reviews *learner*'s submission needs to reach ``k`` (0 once it has them, or
        before it is in the pool)."""
        state = self._paths.get(path_id)
        if state is None or learner not in state.pool:
            return 0
        return max(0, state.pool.k - state.pool.live(learner))

    # -- loading ------------------------------------------------------------------------------------

    def _state(self, path: LearningPath, now: datetime) -> PathState:
        """The path's state, read from the store at first and whenever another process changed it."""
        known = self._paths.get(path.id)
        if known is not None and known.stamp == self.store.round_stamp(path.id):
            return known
        state = load_state(
            self.store,
            self.course,
            path,
            needs_key=self.exchange.needs_channel_key,
            course_root=self.course_root,
            entries=lambda: intake.inbound_entries(self.inbound, path),
            now=now,
        )
        self._paths[path.id] = state
        return state

    # -- delivery -----------------------------------------------------------------------------------

    def _known_people(self) -> dict[str, Person]:
        """Every name the course knows each learner by (the gradebook's, the profiles'), as last built in
        full: built now if it never was or is stale, before any feedback of this look goes out."""
        self._redactor_now(())
        return self._people_cache

    def _redactor_now(self, newcomers: Iterable[str]) -> Redactor:
        """The course's redactor: built in full now and then (a pattern of every learner's names
        takes seconds to compile at 10,000 learners), with learners who joined since layered on."""
        if self._redactor is None or time.monotonic() - self._redactor[0] > self.refresh_seconds:
            self._people_cache = course_people(self.store, self._people())  # profile names too: feedback
            self._redactor = (time.monotonic(), course_redactor(self.store, self.course, self._people_cache))
            self._joined = set()
        self._joined.update(newcomers)
        return LayeredRedactor.over(self._redactor[1], [Person(n, hub_user=n) for n in sorted(self._joined)])

    def _deliver(
        self, path: LearningPath, state: PathState, learners: set[str], *, new_tokens: set[str], newcomers: set[str]
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
