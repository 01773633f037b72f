"""Rolling review: who reviews whom, decided the moment each learner submits (no round to open).

A :class:`RollingPool` holds one path's submissions and who reviews which. Every change is one
call, and costs ``O(k log n)`` for ``n`` submissions (a heap of submissions keyed by how many live
reviews they have, then by arrival), never a pass over the cohort:

* :meth:`~RollingPool.submit`: learner L submits. L is given up to ``k`` earlier submissions to
  review, fewest live reviews first (done + open; an expired one no longer counts), then oldest,
  chosen at random among the top few of that level, preferring an author from another circle and
  one who wants to learn something L knows. Never L's own, never one L holds or held. L's
  submission joins the pool; while it needs reviews, earlier learners still owed reviews (the
  first of a cohort, who had too few peers) are given it, longest waiting first.
* :meth:`~RollingPool.review_another`: "review another" when nothing is owed; counts for the reviewer and
  goes to the submission that needs reviews most.
* :meth:`~RollingPool.expire`: a review not started within the lease goes back to the pool; its
  reviewer is taken out of the waiting line (they left) until :meth:`~RollingPool.rejoin`; the
  freed slot goes at once to a learner still owed a review, else to the next one who submits.
* :meth:`~RollingPool.finish`: a review is in (it keeps counting, for the reviewer and the author).

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
    ) -> None:
        if k < 1:
            raise AllocationRequestError(f"per_submission must be at least 1, not {k}")
        self.k = k
        self.top = max(1, top)
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
        """Learners owed reviews to do and not away, longest waiting first."""
        return tuple(r for _, r in sorted(self._waiting) if self._is_waiting(r))

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
        picked = self._pick_authors(reviewer, 1)
        return picked[0] if picked else None

    def finish(self, reviewer: str, author: str, *, expired: bool = False) -> None:
        """*reviewer*'s review of *author* is in. An open review counted already; one whose lease
        had run out (*expired*) counts again: a late review is never thrown away."""
        self._known_pair(reviewer, author)
        self._done[author] = self._done.get(author, 0) + 1
        if expired:
            self._given[reviewer] = self._given.get(reviewer, 0) + 1
            self._bump(author, +1)

    def expire(self, reviewer: str, author: str) -> tuple[Pair, ...]:
        """The open review of *author* by *reviewer* was not started in time: it stops counting,
        *reviewer* leaves the waiting line until they :meth:`rejoin`, and *author*'s freed slot goes
        to the learner owed a review longest, if any (else to whoever submits next)."""
        self._known_pair(reviewer, author)
        self._given[reviewer] -= 1
        self._away.add(reviewer)
        self._bump(author, -1)
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
    ) -> RollingPool:
        """The pool as stored: *arrivals* in the order they submitted, every pair and its state,
        the reviewers away. One pass and one heapify: ``O(n log n)``, done once per process."""
        pool = cls(k, seed=seed, circles=circles, profiles=profiles, top=top)
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
        self._live[author] += by
        self._version[author] += 1
        self._push(author)

    def _assign(self, reviewer: str, author: str) -> Pair:
        self._held.setdefault(reviewer, set()).add(author)
        self._given[reviewer] = self._given.get(reviewer, 0) + 1
        self._bump(author, +1)
        return reviewer, author

    def _score(self, reviewer: str, author: str) -> int:
        """0 is best: another circle (2) weighs more than a match (1)."""
        circle = self._circles.get(reviewer)
        same = circle is not None and circle == self._circles.get(author)
        knows = self._profiles.get(reviewer)
        wants = self._profiles.get(author)
        matched = bool(knows and wants and knows.knows & wants.wants)
        return 2 * same + (not matched)

    def _choose(self, reviewer: str, candidates: list[str], *, reviewer_is: bool) -> int:
        """Index of the best candidate (score, then chance)."""
        scores = [self._score(reviewer, c) if reviewer_is else self._score(c, reviewer) for c in candidates]
        best = min(scores)
        ties = [i for i, s in enumerate(scores) if s == best]
        return ties[self._rng.randrange(len(ties))]

    def _pick_authors(self, reviewer: str, count: int) -> list[Pair]:
        """Up to *count* authors for *reviewer*, each from the lowest live level (exactly), the
        oldest few of it, best preferred, ties at random."""
        added: list[Pair] = []
        for _ in range(count):
            excluded = self._held.get(reviewer, set())
            kept: list[tuple[int, int, int, str]] = []
            candidates: list[tuple[int, int, int, str]] = []
            level: int | None = None
            while self._heap and len(candidates) < self.top:
                entry = heapq.heappop(self._heap)
                live, _, version, author = entry
                if version != self._version[author]:
                    continue  # stale
                if author == reviewer or author in excluded:
                    kept.append(entry)
                    continue
                if level is None:
                    level = live
                elif live > level:
                    kept.append(entry)
                    break
                candidates.append(entry)
            for entry in kept:
                heapq.heappush(self._heap, entry)
            if not candidates:
                break
            chosen = self._choose(reviewer, [c[3] for c in candidates], reviewer_is=True)
            for i, entry in enumerate(candidates):
                if i != chosen:
                    heapq.heappush(self._heap, entry)
            added.append(self._assign(reviewer, candidates[chosen][3]))
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
