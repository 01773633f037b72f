"""Rolling review: who reviews whom, decided the moment each learner submits (no round to open).

A :class:`RollingPool` holds one path's submissions and who reviews which. Every change is one
call, and costs ``O(k (s + top) log n)`` for ``n`` submissions and a room ``s`` for matching (a
heap of submissions keyed by how many live reviews they have, then by arrival: a pick reads the
few still short and the oldest few of the rest), never a pass over the cohort:

* :meth:`~RollingPool.submit`: learner L submits. L is given up to ``k`` earlier submissions to
  review (never L's own, never one L holds or held), each one of those still short of ``k`` live
  reviews (done + open; an expired one no longer counts), preferring an author from another
  circle, then an author nobody reviewing them can teach what they want to learn and L can, at
  random among the oldest few of the fewest reviews that are equal. L's submission joins the pool;
  while it needs reviews, earlier learners still owed reviews (the first of a cohort, who had too
  few peers) are given it, longest waiting first.
* :meth:`~RollingPool.review_another`: "review another" when nothing is owed; counts for the reviewer and
  goes to the submission that needs reviews most.
* :meth:`~RollingPool.expire`: a review not started within the lease goes back to the pool; its
  reviewer is taken out of the waiting line (they left) until :meth:`~RollingPool.rejoin`; the
  freed slot goes at once to a learner still owed a review, else to the next one who submits.
* :meth:`~RollingPool.finish`: a review is in (it keeps counting, for the reviewer and the author).

Matching needs room. With every submission given only when it is the fewest reviewed, each is
reviewed by the next ``k`` learners to submit, whoever they are: a reviewer who knows what the
author wants to learn came by chance (bench/matching: 41 % of authors at 1,000, as random). So a
submission short of reviews may wait for a reviewer who can teach its author something, and a
submitter may be given a submission that has its ``k`` reviews already (its ``k + 1``-th; first one
whose author none of them can teach and the submitter can): the pool then runs short by one more
review, which makes room for choice among the submissions short of reviews, never by more than
``slack`` (``8 k``) nor one per ``SHARE`` (8) submissions, and a submission passed over by
``patience`` (24) newcomers is given before any other. The bound on balance, checked by
tests/core/test_rolling_allocation.py: each pick is a submission short of ``k``; or one at ``k``
while the pool is short of less than that room; or, none eligible short, one of the fewest live
reviews. The price: an author waits for about a dozen newcomers rather than two, and the last
``8 k`` reviews of a cohort are short at its end (the facilitator's status lists who waits; "review
another" and :meth:`~RollingPool.review_another` go to them first). Bench: 87 % matched at 1,000.

Why this design (see docs/facilitator-guide.md, "Rolling review"): fewest-live-first with random
ties among the top few balances reviews and keeps submit timing from choosing one's reviewer
(MOOC.fi shuffles its top ten); leases stop a reviewer who left from holding a slot (ORA2, MOOC.fi);
extra reviews go where they are needed (ORA2's over-grading) so nobody is blocked by the queue.
Pure: standard library only, opaque learner ids, a seeded generator.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from peerkit.core.allocation.records import AllocationRequestError, Pair, Profile

#: How many candidates at the lowest level one draw chooses among (MOOC.fi uses 10; a few suffice
#: to make the pick unpredictable while keeping the oldest submissions first).
TOP: Final = 5

#: Room for matching, per review a submission needs: a submitter may be given a submission that has
#: its ``k`` reviews already (a match first) while the pool is short of fewer than ``SLACK * k`` reviews
#: in all (summed over its submissions) and of fewer than one per ``SHARE`` submissions.
SLACK: Final = 8
SHARE: Final = 8

#: After how many newcomers passed a submission still short of reviews over, it is given first.
PATIENCE: Final = 24

PairState = Literal["open", "done", "expired"]


@dataclass(frozen=True, slots=True)
class Stored:
    """One stored pair, to :meth:`RollingPool.restore` a pool: ``expired`` pairs no longer count."""

    reviewer: str
    author: str
    state: PairState


class RollingPool:
    """One path's rolling review: submissions, who reviews whom, who is still owed reviews.

    ``k`` is both how many reviews each learner gives and how many each submission needs. The
    pool changes only through its methods, each returning the ``(reviewer, author)`` pairs it
    added, in the order they were picked.
    """

    def __init__(
        self,
        k: int,
        *,
        seed: int,
        circles: Mapping[str, str] | None = None,
        profiles: Mapping[str, Profile] | None = None,
        top: int = TOP,
        slack: int | None = None,
        patience: int = PATIENCE,
    ) -> None:
        if k < 1:
            raise AllocationRequestError(f"per_submission must be at least 1, not {k}")
        self.k = k
        self.top = max(1, top)
        self.slack = SLACK * k if slack is None else max(0, slack)
        self.patience = max(1, patience)
        self._rng = random.Random(seed)  # noqa: S311 - seeded draws, not secrets
        self._circles = dict(circles or {})
        self._profiles = dict(profiles or {})
        self._arrival: dict[str, int] = {}  # author -> arrival number (their submission is in the pool)
        self._live: dict[str, int] = {}  # author -> done + open reviews of their submission
        self._version: dict[str, int] = {}
        self._heap: list[tuple[int, int, int, str]] = []  # (live, arrival, version, author)
        self._held: dict[str, set[str]] = {}  # reviewer -> every author they hold or held
        self._given: dict[str, int] = {}  # reviewer -> done + open reviews they give
        self._away: set[str] = set()  # reviewers whose lease ran out, until they come back
        self._waiting: list[tuple[int, str]] = []  # (arrival, reviewer) owed reviews, lazily cleaned
        self._done: dict[str, int] = {}  # author -> finished reviews received
        self._matched: dict[str, int] = {}  # author -> live reviews by a reviewer who knows what they want
        self._short = 0  # sum over the pool of max(0, k - live): reviews still needed

    # -- questions ----------------------------------------------------------------------------------

    def __contains__(self, learner: object) -> bool:
        return learner in self._arrival

    def __len__(self) -> int:
        return len(self._arrival)

    def live(self, author: str) -> int:
        """Reviews of *author*'s submission that count: finished or open and not expired."""
        return self._live.get(author, 0)

    def done(self, author: str) -> int:
        """Finished reviews of *author*'s submission."""
        return self._done.get(author, 0)

    def given(self, reviewer: str) -> int:
        """Reviews *reviewer* gives that count (finished or open, extra ones included)."""
        return self._given.get(reviewer, 0)

    def short(self) -> int:
        """Reviews the pool's submissions still need to reach ``k`` each, in all."""
        return self._short

    def owed(self, reviewer: str) -> int:
        """How many more submissions *reviewer* is still to be given (0 before they submit)."""
        if reviewer not in self._arrival:
            return 0
        return max(0, self.k - self._given.get(reviewer, 0))

    def away(self, reviewer: str) -> bool:
        return reviewer in self._away

    def holds(self, reviewer: str) -> frozenset[str]:
        """Every author *reviewer* holds or held (never given to them again)."""
        return frozenset(self._held.get(reviewer, ()))

    def waiting(self) -> tuple[str, ...]:
        """Learners owed reviews to do and not away, longest waiting first (each once: the line is
        cleaned lazily, so a learner who came back may be in it twice)."""
        return tuple(dict.fromkeys(r for _, r in sorted(self._waiting) if self._is_waiting(r)))

    # -- changes ------------------------------------------------------------------------------------

    def know(self, *, circles: Mapping[str, str] | None = None, profiles: Mapping[str, Profile] | None = None) -> None:
        """Learn (or update) circles and profiles, for learners who joined the course since."""
        self._circles.update(circles or {})
        self._profiles.update(profiles or {})

    def submit(self, learner: str) -> tuple[Pair, ...]:
        """*learner* submits: their reviews to do, then earlier learners given their submission.

        Submitting again (a new version) adds nothing: the pairs stand, and the new version is the
        one reviewed from now on (the caller's business)."""
        if learner in self._arrival:
            return ()
        added = list(self._pick_authors(learner, self.k))
        self._arrival[learner] = len(self._arrival)
        self._live[learner] = 0
        self._version[learner] = 0
        self._short += self.k
        self._push(learner)
        if self.owed(learner):
            heapq.heappush(self._waiting, (self._arrival[learner], learner))
        added += self._top_up(learner)
        return tuple(added)

    def review_another(self, reviewer: str) -> Pair | None:
        """One more review for *reviewer* ("review another"): to the submission needing it most."""
        if reviewer not in self._arrival:
            raise AllocationRequestError(f"{reviewer!r} has not submitted: nothing to review yet", learners=[reviewer])
        self._away.discard(reviewer)
        picked = self._pick_authors(reviewer, 1, strict=True)
        return picked[0] if picked else None

    def finish(self, reviewer: str, author: str, *, expired: bool = False) -> None:
        """*reviewer*'s review of *author* is in. An open review counted already; one whose lease
        had run out (*expired*) counts again: a late review is never thrown away."""
        self._known_pair(reviewer, author)
        self._done[author] = self._done.get(author, 0) + 1
        if expired:
            self._given[reviewer] = self._given.get(reviewer, 0) + 1
            self._bump(author, +1)
            if self._matches(reviewer, author):
                self._matched[author] = self._matched.get(author, 0) + 1

    def expire(self, reviewer: str, author: str) -> tuple[Pair, ...]:
        """The open review of *author* by *reviewer* was not started in time: it stops counting,
        *reviewer* leaves the waiting line until they :meth:`rejoin`, and *author*'s freed slot goes
        to the learner owed a review longest, if any (else to whoever submits next)."""
        self._known_pair(reviewer, author)
        self._given[reviewer] -= 1
        self._away.add(reviewer)
        self._bump(author, -1)
        if self._matches(reviewer, author) and self._matched.get(author):
            self._matched[author] -= 1
        return tuple(self._top_up(author))

    def rejoin(self, reviewer: str) -> tuple[Pair, ...]:
        """*reviewer* is back (they finished a review or opened their reviews after a lease ran out):
        they are given what they are still owed."""
        if reviewer not in self._arrival:
            return ()
        self._away.discard(reviewer)
        added = self._pick_authors(reviewer, self.owed(reviewer))
        if self.owed(reviewer):
            heapq.heappush(self._waiting, (self._arrival[reviewer], reviewer))
        return tuple(added)

    # -- restoring a stored pool --------------------------------------------------------------------

    @classmethod
    def restore(
        cls,
        k: int,
        *,
        seed: int,
        arrivals: Iterable[str],
        pairs: Iterable[Stored],
        away: Iterable[str] = (),
        circles: Mapping[str, str] | None = None,
        profiles: Mapping[str, Profile] | None = None,
        top: int = TOP,
        slack: int | None = None,
        patience: int = PATIENCE,
    ) -> RollingPool:
        """The pool as stored: *arrivals* in the order they submitted, every pair and its state,
        the reviewers away. One pass and one heapify: ``O(n log n)``, done once per process."""
        pool = cls(k, seed=seed, circles=circles, profiles=profiles, top=top, slack=slack, patience=patience)
        for learner in arrivals:
            if learner not in pool._arrival:
                pool._arrival[learner] = len(pool._arrival)
                pool._live[learner] = 0
                pool._version[learner] = 0
        for pair in pairs:
            pool._held.setdefault(pair.reviewer, set()).add(pair.author)
            if pair.state == "expired":
                continue
            pool._given[pair.reviewer] = pool._given.get(pair.reviewer, 0) + 1
            if pair.author in pool._live:
                pool._live[pair.author] += 1
            if pair.state == "done":
                pool._done[pair.author] = pool._done.get(pair.author, 0) + 1
            if pool._matches(pair.reviewer, pair.author):
                pool._matched[pair.author] = pool._matched.get(pair.author, 0) + 1
        pool._short = sum(max(0, k - live) for live in pool._live.values())
        pool._away = {r for r in away if r in pool._arrival}
        pool._heap = [(pool._live[a], n, 0, a) for a, n in pool._arrival.items()]
        heapq.heapify(pool._heap)
        pool._waiting = [(n, r) for r, n in pool._arrival.items() if pool.owed(r)]
        heapq.heapify(pool._waiting)
        return pool

    # -- inside -------------------------------------------------------------------------------------

    def _known_pair(self, reviewer: str, author: str) -> None:
        if author not in self._held.get(reviewer, ()):
            raise AllocationRequestError(f"{reviewer!r} was never given {author!r}", learners=[reviewer, author])

    def _is_waiting(self, reviewer: str) -> bool:
        return reviewer not in self._away and self.owed(reviewer) > 0

    def _push(self, author: str) -> None:
        heapq.heappush(self._heap, (self._live[author], self._arrival[author], self._version[author], author))
        if len(self._heap) > 4 * len(self._arrival) + 64:  # drop stale entries now and then
            self._heap = [e for e in self._heap if e[2] == self._version[e[3]]]
            heapq.heapify(self._heap)

    def _bump(self, author: str, by: int) -> None:
        self._short += max(0, self.k - self._live[author] - by) - max(0, self.k - self._live[author])
        self._live[author] += by
        self._version[author] += 1
        self._push(author)

    def _assign(self, reviewer: str, author: str) -> Pair:
        self._held.setdefault(reviewer, set()).add(author)
        self._given[reviewer] = self._given.get(reviewer, 0) + 1
        self._bump(author, +1)
        if self._matches(reviewer, author):
            self._matched[author] = self._matched.get(author, 0) + 1
        return reviewer, author

    def _matches(self, reviewer: str, author: str) -> bool:
        knows = self._profiles.get(reviewer)
        wants = self._profiles.get(author)
        return bool(knows and wants and knows.knows & wants.wants)

    def _score(self, reviewer: str, author: str) -> int:
        """0 is best: another circle (2) weighs more than a match (1)."""
        circle = self._circles.get(reviewer)
        same = circle is not None and circle == self._circles.get(author)
        return 2 * same + (not self._matches(reviewer, author))

    def _useful(self, reviewer: str, author: str) -> bool:
        """*reviewer* knows something *author* wants to learn, and nobody who does reviews them yet."""
        return not self._matched.get(author) and self._matches(reviewer, author)

    def _choose(self, reviewer: str, candidates: list[str], *, reviewer_is: bool) -> int:
        """Index of the best candidate (score, then chance)."""
        scores = [self._score(reviewer, c) if reviewer_is else self._score(c, reviewer) for c in candidates]
        best = min(scores)
        ties = [i for i, s in enumerate(scores) if s == best]
        return ties[self._rng.randrange(len(ties))]

    def _rank(self, reviewer: str, entry: tuple[int, int, int, str], newest: int) -> tuple[int, int]:
        """How good a pick *entry* is for *reviewer* (lowest first), see :meth:`_pick_one`."""
        live, arrival, _, author = entry
        circle = self._circles.get(reviewer)
        same = int(circle is not None and circle == self._circles.get(author))
        useful = self._useful(reviewer, author)
        if live < self.k:
            if arrival <= newest - self.patience:
                return (0, arrival)  # passed over long enough: first, the oldest first
            return (1, 4 * same + 3 * (not useful))
        if live == self.k and self._short < self._room():
            return (1, 4 * same + 1 + 2 * (not useful))  # within the room for matching
        return (2, 4 * same + (not useful))

    def _room(self) -> int:
        """How many reviews the pool may run short of in all for matches: ``slack``, less in a small
        cohort (one per ``SHARE`` submissions), so the last learners of a small class do not wait."""
        return min(self.slack, len(self._arrival) // SHARE)

    def _pick_one(self, reviewer: str, *, strict: bool) -> str | None:
        """One author for *reviewer*, or None.

        *strict* (an extra review): the lowest live level exactly, its oldest few, best preferred.
        Otherwise the candidates are every submission still short of ``k`` (up to a bounded scan) and
        the oldest few at the lowest level of those that are not. First a short submission passed
        over by ``patience`` newcomers (the oldest). Then, another circle before the same one: a
        short one whose author nobody reviewing them can teach what they want and *reviewer* can;
        one at ``k`` with such an author while the pool is short by less than :meth:`_room`; any
        short one, or one at ``k`` within that room; and (nobody eligible short) the lowest level.
        Equals: at random among the first ``top`` in order of live reviews, then arrival."""
        excluded = self._held.get(reviewer, set())
        popped: list[tuple[int, int, int, str]] = []
        short: list[tuple[int, int, int, str]] = []
        rest: list[tuple[int, int, int, str]] = []
        level: int | None = None
        scan = self.top + 2 * self.slack + 2 * self.k
        while self._heap:
            entry = heapq.heappop(self._heap)
            live, _, version, author = entry
            if version != self._version[author]:
                continue  # stale
            popped.append(entry)
            if author == reviewer or author in excluded:
                continue
            if live < self.k and not strict:
                short.append(entry)
                if len(short) >= scan:
                    break
                continue
            if level is None:
                level = live
            elif live > level:
                break
            rest.append(entry)
            if len(rest) >= self.top:
                break
        candidates = short + rest
        chosen: tuple[int, int, int, str] | None = None
        if candidates:
            newest = len(self._arrival)
            ranks = [self._rank(reviewer, c, newest) for c in candidates]
            best = min(ranks)
            ties = [c for c, r in zip(candidates, ranks, strict=True) if r == best][: self.top]
            chosen = ties[self._rng.randrange(len(ties))]
        for entry in popped:
            if entry is not chosen:
                heapq.heappush(self._heap, entry)
        return None if chosen is None else chosen[3]

    def _pick_authors(self, reviewer: str, count: int, *, strict: bool = False) -> list[Pair]:
        """Up to *count* authors for *reviewer*, one :meth:`_pick_one` each."""
        added: list[Pair] = []
        for _ in range(count):
            author = self._pick_one(reviewer, strict=strict)
            if author is None:
                break
            added.append(self._assign(reviewer, author))
        return added

    def _top_up(self, author: str) -> list[Pair]:
        """While *author*'s submission needs reviews, give it to learners still owed reviews: the
        longest waiting few, best preferred (another circle, a match), ties at random."""
        added: list[Pair] = []
        while self._live[author] < self.k:
            kept: list[tuple[int, str]] = []
            candidates: list[tuple[int, str]] = []
            while self._waiting and len(candidates) < self.top:
                entry = heapq.heappop(self._waiting)
                reviewer = entry[1]
                if not self._is_waiting(reviewer):
                    continue  # no longer owed, or away: dropped (rejoin puts them back)
                if reviewer == author or author in self._held.get(reviewer, ()):
                    kept.append(entry)
                    continue
                candidates.append(entry)
            for entry in kept:
                heapq.heappush(self._waiting, entry)
            if not candidates:
                break
            chosen = self._choose(author, [c[1] for c in candidates], reviewer_is=False)
            reviewer = candidates[chosen][1]
            added.append(self._assign(reviewer, author))
            for entry in candidates:
                if self._is_waiting(entry[1]):
                    heapq.heappush(self._waiting, entry)
        return added
