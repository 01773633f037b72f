"""Open a review round, keep it going, and say where everybody stands.

``open_round`` is safe to run again and again (a facilitator's cron, ``peerkit review open --watch``):

* the first time, every submitter gets ``k`` reviewers (allocation in :mod:`peerkit.core.allocation`:
  no self review, balanced loads, other circles preferred, profiles matched);
* later, learners who submitted since get reviewers and something to review at once, without any
  existing assignment moving;
* reviews still open ``replace_after_hours`` after they were assigned go to other, active learners
  (the old assignment is marked replaced; if its reviewer finishes anyway, the review still counts);
* every new assignment's packet is built from the author's current submission and delivered, with
  the reviewer's round manifest, to the reviewer's own channel; each submitter also gets a packet
  of their own submission for the self-assessment.

With fewer than ``k + 1`` submitters the round still opens, with the shortfall stated, and fills
up as more learners submit.

A submission without any answer (``no-answers``) is not sent to reviewers, whose time it would waste:
its author still reviews others but receives no reviews, the report names them, and once they submit
answers the next run brings them in as a late submitter. Partly blank submissions are reviewed.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from peerkit.core import allocation as alloc
from peerkit.core.errors import WorkflowError
from peerkit.core.models import Course, LearningPath
from peerkit.core.packets import new_token
from peerkit.core.progress import Progress, stage
from peerkit.core.redaction import Person, Redactor
from peerkit.core.review import Assignment, Round
from peerkit.core.store import StoredSubmission
from peerkit.core.topics import matched_share
from peerkit.exchange.base import CourseExchange, Parcel, packet_file
from peerkit.exchange.registry import open_course_exchange
from peerkit.nbgrader.tasks import task_questions
from peerkit.review.channel import channel_files, in_given_order, self_token
from peerkit.review.people import course_redactor
from peerkit.review.profiles import learner_profiles
from peerkit.review.rolling import is_rolling
from peerkit.review.rolling_state import changed_k
from peerkit.review.round_closed import late_reviews
from peerkit.storage.sql import SqlStore


@dataclass(frozen=True, slots=True)
class OpenReport:
    path_id: str
    round: Round
    submitters: int
    added: int
    replaced: int
    newcomers: tuple[str, ...]
    dropped: tuple[str, ...]
    shortfall: tuple[str, ...]
    no_channel: tuple[str, ...]
    cross_circle_share: float
    #: Share of authors (who want to learn something) with a reviewer who knows some of it
    #: (:func:`peerkit.core.topics.matched_share`).
    matched_share: float
    delivered_to: int
    returned: tuple[str, ...] = ()
    #: Learners whose submission holds no answers: not sent for review (they review others).
    without_answers: tuple[str, ...] = ()

    def summary(self) -> str:
        lines = [
            f"{self.path_id}: {self.submitters} submitters, {self.added} review assignments added"
            + (f", {self.replaced} replaced" if self.replaced else ""),
            f"  across circles: {self.cross_circle_share:.0%} of assignments; matched: {self.matched_share:.0%} of "
            "authors have a reviewer who knows something they want to learn",
            f"  packets delivered to {self.delivered_to} learners",
        ]
        if self.newcomers:
            lines.append(f"  late submitters brought in: {', '.join(self.newcomers)}")
        if self.dropped:
            lines.append(f"  reviews handed over from: {', '.join(self.dropped)}")
        if self.returned:
            lines.append(f"  back after dropping out, reviewing again: {', '.join(self.returned)}")
        if self.shortfall:
            lines.append("  not enough reviewers yet: " + "; ".join(self.shortfall))
        if self.no_channel:
            lines.append(f"  cannot deliver to (submitted without nbgrader's secret): {', '.join(self.no_channel)}")
        if self.without_answers:
            count = len(self.without_answers)
            these = "1 submission without answers is" if count == 1 else f"{count} submissions without answers are"
            lines.append(f"  {these} not sent for review: {', '.join(self.without_answers)}")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class LearnerStatus:
    learner: str
    to_do: int
    done: int
    received: int
    expected: int
    #: Rolling review: how many more peers' submissions this learner is still to be given (the first
    #: learners of a cohort, and those whose reviews were handed back); 0 in a round.
    waiting_for: int = 0
    #: When the oldest review this learner has still to do was given to them (None: none open).
    oldest_open_at: datetime | None = None
    #: When this learner started waiting (their submission): for reviews, or for peers' work to review.
    waiting_since: datetime | None = None

    @property
    def waiting(self) -> bool:
        """Has submitted but has fewer completed reviews than the round promises."""
        return self.received < self.expected


@dataclass(frozen=True, slots=True)
class RoundStatus:
    path_id: str
    round: Round | None
    learners: tuple[LearnerStatus, ...] = field(default_factory=tuple)
    #: ``"rolling"`` (learners waiting longest first, with ages) or ``"round"`` (by name).
    mode: str = "round"
    #: When the status was read: the ages are counted to this moment.
    now: datetime | None = None
    #: What the facilitator should know before reading the table (course.yml unreadable, or its
    #: ``per_submission`` no longer the round's), one line each.
    notes: tuple[str, ...] = ()
    #: A closed round: reviewers who submitted reviews after the close that no grade holds yet
    #: (:func:`~peerkit.review.round_closed.late_reviews`); the next ``peerkit review close`` takes them in.
    late_reviews: tuple[str, ...] = ()

    def closed_lines(self) -> list[str]:
        """On a closed round: when it closed, and the reviews submitted since that wait for the next close."""
        if self.round is None or self.round.closed_at is None:
            return []
        when = self.round.closed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        if not self.late_reviews:
            return [f"closed {when}"]
        count = len(self.late_reviews)
        return [
            f"closed {when}; {count} learner{'s' if count != 1 else ''} submitted reviews since, in no grade yet:"
            f" {', '.join(self.late_reviews)} (`peerkit review close {self.path_id}` takes them in and grades again)"
        ]

    def waiting_longest(self) -> tuple[LearnerStatus, ...]:
        """Learners still waiting (for reviews, or for peers' work to review), longest first."""
        waits = [s for s in self.learners if s.waiting_since is not None]
        return tuple(sorted(waits, key=lambda s: (s.waiting_since, s.learner)))

    def table(self) -> str:
        notes = [f"note: {n}" for n in self.notes]
        if self.round is None and self.mode == "rolling":
            return "\n".join(
                [
                    f"{self.path_id}: reviewed in rolling mode (course.yml: review: {{mode: rolling}}), and the"
                    " steward has not looked at it yet: run `peerkit review watch` (it keeps every rolling path"
                    f" moving; `peerkit review watch --once {self.path_id}` looks once); under JupyterHub the"
                    " course service's steward does it on its own",
                    *notes,
                ]
            )
        if self.round is None:
            return "\n".join([f"{self.path_id}: no review round open yet (peerkit review open {self.path_id})", *notes])
        if self.mode == "rolling":
            return self._rolling_table()
        width = max([len("learner"), *(len(s.learner) for s in self.learners)])
        lines = [*notes, f"{'learner':<{width}}  to do  done  received  waiting"]
        for s in self.learners:
            flag = "yes" if s.waiting else ""
            lines.append(f"{s.learner:<{width}}  {s.to_do:>5}  {s.done:>4}  {s.received:>4}/{s.expected:<3}  {flag}")
        stuck = [s.learner for s in self.learners if s.to_do]
        waiting = [s.learner for s in self.learners if s.waiting]
        lines.append(f"reviews still to do: {sum(s.to_do for s in self.learners)} by {len(stuck)} learners")
        lines.append(f"waiting for reviews: {len(waiting)} learners")
        return "\n".join([*lines, *self.closed_lines()])

    def _rolling_table(self) -> str:
        """Given, received, waiting for, the age of the oldest open review and of the wait; the
        learners waiting longest first, then everyone else by name."""
        now = self.now or datetime.now(UTC)
        k = self.round.per_submission if self.round else 0
        width = max([len("learner"), *(len(s.learner) for s in self.learners)])
        head = f"{'learner':<{width}}  given  to do  received  waiting for  oldest open  waiting"
        lines = [f"{self.path_id}: rolling review, {k} reviews each way", *(f"note: {n}" for n in self.notes), head]
        for s in self.learners:
            open_age = age(now - s.oldest_open_at) if s.oldest_open_at else ""
            waited = age(now - s.waiting_since) if s.waiting_since else ""
            lines.append(
                f"{s.learner:<{width}}  {s.done:>5}  {s.to_do:>5}  {s.received:>4}/{s.expected:<3}"
                f"  {s.waiting_for or '':>11}  {open_age:>11}  {waited:>7}"
            )
        longest = self.waiting_longest()
        opened = [s.oldest_open_at for s in self.learners if s.oldest_open_at]
        lines.append(
            f"reviews still to do: {sum(s.to_do for s in self.learners)}"
            + (f", the oldest given {age(now - min(opened))} ago" if opened else "")
        )
        reviews = [(s.learner, s.waiting_since) for s in longest if s.waiting and s.waiting_since]
        lines.append(
            f"waiting for reviews: {len(reviews)} learners"
            + (f", longest {reviews[0][0]} ({age(now - reviews[0][1])})" if reviews else "")
        )
        work = [s for s in longest if s.waiting_for]
        if work:
            lines.append(
                f"waiting for peers' work to review: {len(work)} learners ({sum(s.waiting_for for s in work)} reviews)"
            )
        return "\n".join([*lines, *self.closed_lines()])


def age(delta: timedelta) -> str:
    """A duration the way a facilitator reads it: ``40 s``, ``12 min``, ``5 h``, ``3 d``."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def _members(assignments: Iterable[Assignment]) -> set[str]:
    return {name for a in assignments for name in (a.reviewer, a.author)}


def refuse_rolling(path: LearningPath) -> None:
    """Refuse a round on *path* when it is reviewed in rolling mode (before anything is collected)."""
    if is_rolling(path):
        raise WorkflowError(
            f"path {path.id!r} is reviewed in rolling mode (course.yml: review: {{mode: rolling}}): no round is"
            " opened, the steward gives reviews out as learners submit; run `peerkit review watch` to keep it"
            " moving, or set mode: round on the path in course.yml to review it in a round"
        )


def open_round(
    store: SqlStore,
    course: Course,
    path_id: str,
    *,
    exchange_root: Path | None = None,
    exchange: CourseExchange | None = None,
    per_submission: int | None = None,
    seed: int | None = None,
    now: datetime | None = None,
    people: Mapping[str, Person] | None = None,
    progress: Progress | None = None,
) -> OpenReport:
    """Open the round of *path_id*, or bring it up to date; deliver every new packet through the
    course's *exchange*. *people* are the course's learners as the gradebook knows them (names,
    e-mail): with every learner's id, profile name and the course's ``redact`` list, no packet
    shows any of them (see :func:`course_redactor`).

    Without an *exchange*, *exchange_root* picks one as the course's build does: the files exchange
    there (each learner's review channel beside nbgrader's exchange, and a copy in the store), or,
    when it is None (under JupyterHub, where learners share one Unix user), the hub exchange: the
    store the course service serves from.
    """
    path = course.path(path_id)
    if path.review is None:
        raise WorkflowError(f"path {path_id!r} is not peer reviewed (set peer_review: true in course.yml)")
    settings = path.review
    rubric = course.rubric_for(path_id)
    now = now or datetime.now(UTC)
    review_round = store.open_round(
        path_id,
        rubric_id=rubric.id,
        per_submission=per_submission or settings.per_submission,
        anonymity=settings.anonymity,
        self_assessment=settings.self_assessment,
        seed=seed if seed is not None else random.SystemRandom().randrange(2**31),
        now=now,
    )
    k = review_round.per_submission
    if exchange is None:
        exchange = open_course_exchange(course_id=course.id, exchange_root=exchange_root, store=store)
    submissions = {s.learner: s for s in store.submissions(path_id)}
    keys = store.channel_keys(path_id)
    no_channel: tuple[str, ...] = ()
    if not exchange.needs_channel_key:  # delivered by learner name (the hub service): no key needed
        pool = sorted(submissions)
    else:
        pool = sorted(name for name in submissions if name in keys)
        no_channel = tuple(sorted(set(submissions) - set(keys)))
    circles = {lrn.name: lrn.circle for lrn in store.learners() if lrn.circle}
    profiles = learner_profiles(store, course)
    existing = store.assignments(path_id)
    live = [a for a in existing if a.status != "replaced"]
    members = _members(existing)
    # An empty submission's author only reviews (the pool), unless it was reviewed before they emptied it.
    in_round = {a.author for a in existing}
    without_answers = tuple(sorted(n for n, s in submissions.items() if s.status == "no-answers" and n not in in_round))
    authors = [name for name in pool if name not in without_answers]
    reviewers_only = tuple(name for name in pool if name in without_answers and name not in members)
    # Reviewers whose reviews were handed over stay out of the pool until they finish one; those who
    # finish one after their reviews fell overdue are back, and get reviews to do again.
    finished = {a.reviewer for a in existing if a.status == "done"}
    gone = {a.reviewer for a in existing if a.status == "replaced"} - finished
    returned = _returners(existing, timedelta(hours=settings.replace_after_hours))
    newcomers = tuple(a for a in authors if a not in in_round)
    dropped: tuple[str, ...] = ()
    removed: tuple[tuple[str, str], ...] = ()
    if not existing:
        allocation = alloc.allocate(
            authors, k, seed=review_round.seed, reviewers=pool, circles=circles, profiles=profiles
        )
        added = tuple(allocation.assignments)
        newcomers = ()
    else:
        allocation = alloc.rebuild(
            [(a.reviewer, a.author) for a in live],
            k=k,
            authors=sorted(in_round & set(authors)),
            reviewers=sorted((members & set(pool)) | set(reviewers_only)),
            circles=circles,
            profiles=profiles,
            dropped=sorted(gone & members & set(pool)),
        )
        added = ()
        returned = tuple(sorted(set(returned) & set(allocation.reviewers)))
        if returned:
            update = alloc.rejoin(allocation, returned, seed=review_round.seed)
            allocation, added = update.allocation, update.added
            returned = tuple(sorted({r for r, _ in update.added if r in returned}))  # those given reviews
        if reviewers_only:  # submitted without answers since: reviews to do, none to receive
            update = alloc.rejoin(allocation, reviewers_only, seed=review_round.seed)
            allocation, added = update.allocation, added + update.added
        if newcomers:
            update = alloc.add_late(allocation, newcomers, seed=review_round.seed, circles=circles, profiles=profiles)
            allocation, added = update.allocation, added + update.added
        deadline = now - timedelta(hours=settings.replace_after_hours)
        overdue = [
            a for a in live if a.status == "open" and a.assigned_at <= deadline and a.author in allocation.authors
        ]
        if overdue:
            dropped = tuple(sorted({a.reviewer for a in overdue}))
            update = alloc.reassign(
                allocation, [(a.reviewer, a.author) for a in overdue], dropped, seed=review_round.seed
            )
            allocation, added, removed = update.allocation, added + update.added, update.removed
    tokens = [(reviewer, author, new_token()) for reviewer, author in added]
    removed_set = set(removed)
    store.add_assignments(
        path_id,
        tokens,
        now=now,
        replaced=[a.token for a in live if a.status == "open" and (a.reviewer, a.author) in removed_set],
    )
    reviewed = {n: s for n, s in submissions.items() if n not in without_answers}
    owed_packets, owed_self = owed(store, path_id, review_round, existing, reviewed)
    delivered = deliver(
        store,
        course,
        path_id,
        exchange=exchange,
        round_=review_round,
        submissions=reviewed,
        keys=keys,
        new_tokens={t for _, _, t in tokens} | owed_packets,
        newcomers=set(newcomers) | (set(authors) if not existing else set()) | owed_self,
        redactor=course_redactor(store, course, people or {}),
        progress=progress,
    )
    shortfall = tuple(f"{s.author} has {s.reviewers} of {k} ({s.reason})" for s in allocation.shortfall)
    return OpenReport(
        path_id=path_id,
        round=review_round,
        submitters=len(submissions),
        added=len(tokens),
        replaced=len(removed),
        newcomers=newcomers,
        dropped=dropped,
        shortfall=shortfall,
        no_channel=no_channel,
        cross_circle_share=allocation.mixing.share,
        matched_share=matched_share(allocation.assignments, profiles),
        delivered_to=delivered,
        returned=returned,
        without_answers=without_answers,
    )


def owed(
    store: SqlStore,
    path_id: str,
    round_: Round,
    existing: Iterable[Assignment],
    submissions: Mapping[str, StoredSubmission],
) -> tuple[set[str], set[str]]:
    """What an earlier run recorded but never delivered (it was killed between the two): the tokens of
    *existing* assignments whose packet the reviewer does not have, and the authors in the round
    without their self packet. The store holds every delivery (the files exchange writes it there
    last, in one transaction), so what it lacks never reached the learner whole."""
    pending = {
        (a.reviewer, packet_file(a.token)): a.token
        for a in existing
        if a.status != "replaced" and a.author in submissions
    }
    own = (
        {(a, packet_file(self_token(a, round_))): a for a in {a.author for a in existing} & set(submissions)}
        if round_.self_assessment
        else {}
    )
    have = store.delivered([*pending, *own])
    return {t for key, t in pending.items() if key not in have}, {a for key, a in own.items() if key not in have}


def _returners(existing: Iterable[Assignment], grace: timedelta) -> tuple[str, ...]:
    """Reviewers with reviews handed over who finished a review after those fell overdue: they are back.

    Finishing one before (then going quiet) is not coming back, and neither is being replaced again
    after returning: only a review finished after the latest handed-over one fell due counts.
    """
    handed_over: dict[str, datetime] = {}
    last_done: dict[str, datetime] = {}
    for a in existing:
        if a.status == "replaced":
            handed_over[a.reviewer] = max(a.assigned_at, handed_over.get(a.reviewer, a.assigned_at))
        elif a.status == "done" and a.done_at is not None:
            last_done[a.reviewer] = max(a.done_at, last_done.get(a.reviewer, a.done_at))
    return tuple(sorted(r for r, due in handed_over.items() if r in last_done and last_done[r] >= due + grace))


def deliver(
    store: SqlStore,
    course: Course,
    path_id: str,
    *,
    exchange: CourseExchange,
    round_: Round,
    submissions: dict[str, StoredSubmission],
    keys: dict[str, str],
    new_tokens: set[str],
    newcomers: set[str],
    redactor: Redactor | None = None,
    progress: Progress | None = None,
) -> int:
    """Deliver new packets, self packets for *newcomers*, and fresh manifests for every reviewer
    concerned, through the course's *exchange*. Returns how many learners got something.

    Peer packets are scrubbed by *redactor* (default: :func:`course_redactor` without the gradebook's
    names); each author's manifest says how many names were taken out of their submission."""
    if redactor is None:
        redactor = course_redactor(store, course, {})
    path = course.path(path_id)
    rubric = course.rubric_for(path_id)
    questions = {q.answer_id: (q.title, q.text) for q in task_questions(path.notebook).values()}
    by_reviewer: dict[str, list[Assignment]] = defaultdict(list)
    for assignment in store.assignments(path_id):
        if assignment.status != "replaced":
            by_reviewer[assignment.reviewer].append(assignment)
    concerned = {r for r, items in by_reviewer.items() if any(a.token in new_tokens for a in items)} | newcomers
    parcels: list[Parcel] = []
    stage(progress, "publishing packets", len(concerned))
    for learner in sorted(concerned):
        if progress is not None and parcels:
            progress(len(parcels), len(concerned))
        mine = by_reviewer.get(learner, [])
        files = channel_files(
            learner,
            path=path,
            round_=round_,
            rubric=rubric,
            questions=questions,
            redactor=redactor,
            new_packets=[(a.token, submissions[a.author]) for a in mine if a.token in new_tokens],
            packets=in_given_order(mine),
            own=submissions.get(learner),
            newcomer=learner in newcomers,
            assessed=learner in submissions,
        )
        parcels.append(Parcel(learner, files, keys.get(learner)))
    exchange.deliver(parcels)
    if progress is not None:
        progress(len(parcels), len(concerned))
    return len(concerned)


def round_status(
    store: SqlStore,
    path_id: str,
    *,
    course: Course | None = None,
    now: datetime | None = None,
    notes: Sequence[str] = (),
    inbound: Path | None = None,
) -> RoundStatus:
    """Where every learner of *path_id*'s round stands. With the *course*, a path reviewed in rolling
    mode also shows, per learner, how many peers' submissions they still wait for, when their oldest
    open review was given and since when they wait; the learners waiting longest come first. *notes*
    go above the table (and a rolling path whose ``per_submission`` course.yml changed says so). With
    the course and nbgrader's *inbound* folder, a closed round lists the reviews submitted since."""
    now = now or datetime.now(UTC)
    review_round = store.review_round(path_id)
    path = course.path(path_id) if course is not None else None
    rolling = path is not None and path.review is not None and path.review.mode == "rolling"
    mode = "rolling" if rolling else "round"
    if review_round is None:
        return RoundStatus(path_id, None, mode=mode, now=now, notes=tuple(notes))
    late: tuple[str, ...] = ()
    if review_round.closed_at is not None and course is not None and path is not None and inbound is not None:
        rubric = course.rubric_for(path_id)
        late = late_reviews(inbound, path.review_id, rubric, review_round.closed_at, store.reviews(path_id))
    if rolling and path is not None and (note := changed_k(path, review_round)) is not None:
        notes = (*notes, note)
    to_do: dict[str, int] = defaultdict(int)
    done: dict[str, int] = defaultdict(int)
    received: dict[str, int] = defaultdict(int)
    oldest: dict[str, datetime] = {}
    assignments = store.assignments(path_id)
    for a in assignments:
        if a.status == "open":
            to_do[a.reviewer] += 1
            oldest[a.reviewer] = min(a.assigned_at, oldest.get(a.reviewer, a.assigned_at))
        elif a.status == "done":
            done[a.reviewer] += 1
            received[a.author] += 1
    submitted = store.submissions(path_id)
    in_round = {a.author for a in assignments}
    # Nobody waits for reviews of a submission without answers: it is not reviewed.
    submitters = {s.learner for s in submitted if s.status != "no-answers" or s.learner in in_round}
    names = sorted({s.learner for s in submitted} | set(to_do) | set(done))
    k = review_round.per_submission
    rows = tuple(
        LearnerStatus(n, to_do[n], done[n], received[n], k if n in submitters else 0, oldest_open_at=oldest.get(n))
        for n in names
    )
    if not rolling:
        return RoundStatus(path_id, review_round, rows, now=now, notes=tuple(notes), late_reviews=late)
    since = {s.learner: s.submitted_at for s in submitted}
    closed = review_round.closed_at is not None
    rolled = []
    for row in rows:
        owed = 0 if closed or row.learner not in submitters else max(0, k - row.to_do - row.done)
        waits = row.learner in since and not closed and (row.waiting or owed > 0)
        rolled.append(replace(row, waiting_for=owed, waiting_since=since[row.learner] if waits else None))
    first = {s.learner: i for i, s in enumerate(sorted((r for r in rolled if r.waiting_since), key=_wait_key))}
    ordered = sorted(rolled, key=lambda r: (first.get(r.learner, len(first)), r.learner))
    return RoundStatus(path_id, review_round, tuple(ordered), mode=mode, now=now, notes=tuple(notes), late_reviews=late)


def _wait_key(row: LearnerStatus) -> tuple[datetime, str]:
    return (row.waiting_since or datetime.max.replace(tzinfo=UTC), row.learner)
