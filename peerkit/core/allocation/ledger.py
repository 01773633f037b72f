"""A running round as it changes: counts, who reviews whom and who is free, at O(1) per change.

The updates (:func:`~peerkit.core.allocation.add_late`, :func:`~peerkit.core.allocation.reassign`,
:func:`~peerkit.core.allocation.rejoin`) read the round once into a :class:`_Ledger` and then make
picks one pair at a time. A pick must not cost a pass over the round: 5 % of 100,000 learners
dropping out moves 15,000 reviews, and a pass per moved review made that a minute. So:

* loads and received counts are Python lists, changed in place;
* the learners who can still take a pair sit in *buckets* by count (an indexed list per count,
  swap-removal), so the least-loaded level is the first non-empty bucket;
* who already reviews whom is read from the round's pairs sorted once (CSR offsets) plus the
  pairs added or removed since.

A pick takes the least-loaded level exactly (a hard rule: it is what keeps loads balanced), and
among the learners of that level prefers another circle, then a match, then chance. A level of at
most :data:`_SCAN` learners is scanned whole; a larger one is sampled (:data:`_SAMPLE` draws), so
the preferences are exact in small rounds and nearly so in large ones, and a pick costs the same
at 1,000 and at 100,000 learners. Nobody is ever picked at or above the round's ``cap``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np

from peerkit.core.allocation.cohort import _Cohort
from peerkit.core.allocation.records import IntArray

#: A count level with at most this many learners is scanned whole (exact preferences).
_SCAN: Final = 64
#: Draws from a larger level; with 32 draws a level where one learner in ten is from another circle
#: and matched still yields one with probability 0.97.
_SAMPLE: Final = 32


class _Dice:
    """Uniform draws in [0, 1) from ``seed``'s generator, drawn in blocks (a numpy call per draw is slow)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._block: list[float] = []
        self._at = 0

    def roll(self) -> float:
        if self._at == len(self._block):
            self._block, self._at = self._rng.random(4096).tolist(), 0
        value = self._block[self._at]
        self._at += 1
        return value


class _Buckets:
    """Learners grouped by an integer key; add, remove and move in O(1), lowest keys first."""

    def __init__(self, n: int) -> None:
        self.members: dict[int, list[int]] = {}
        self.key: list[int] = [-1] * n
        self.pos: list[int] = [-1] * n

    def fill(self, learners: IntArray, keys: IntArray) -> None:
        """Put many learners at once (an empty structure): grouped by a sort, not one by one."""
        order = np.argsort(keys, kind="stable")
        learners, keys = learners[order], keys[order]
        levels, starts = np.unique(keys, return_index=True)
        bounds = [*starts.tolist(), len(keys)]
        for level, start, stop in zip(levels.tolist(), bounds, bounds[1:], strict=False):
            self.members[level] = learners[start:stop].tolist()
        key = np.full(len(self.key), -1, dtype=np.int64)
        pos = np.full(len(self.key), -1, dtype=np.int64)
        key[learners] = keys
        pos[learners] = np.arange(len(keys)) - np.repeat(starts, np.diff(bounds))
        self.key, self.pos = key.tolist(), pos.tolist()

    def put(self, learner: int, key: int) -> None:
        bucket = self.members.setdefault(key, [])
        self.key[learner], self.pos[learner] = key, len(bucket)
        bucket.append(learner)

    def take_out(self, learner: int) -> None:
        key = self.key[learner]
        if key < 0:
            return
        bucket = self.members[key]
        last = bucket.pop()
        if last != learner:
            at = self.pos[learner]
            bucket[at], self.pos[last] = last, at
        self.key[learner] = self.pos[learner] = -1

    def move(self, learner: int, key: int) -> None:
        self.take_out(learner)
        self.put(learner, key)

    def levels(self, below: int) -> list[int]:
        """Non-empty keys under ``below``, lowest first."""
        return sorted(key for key, bucket in self.members.items() if bucket and key < below)


class _Ledger:
    """The pairs of a round, the counts, and buckets of who can still review and be reviewed.

    ``reviewer`` and ``author`` are the round's pairs as positions in ``cohort``; ``active`` are the
    pool members who may be picked as reviewers (the dropped are not), ``authors`` those who may be
    picked as authors. ``opened`` (optional) counts each reviewer's reviews still open: among equal
    loads, fewer open reviews first.
    """

    def __init__(
        self,
        cohort: _Cohort,
        reviewer: IntArray,
        author: IntArray,
        *,
        k: int,
        cap: int,
        active: list[int],
        authors: list[int],
        dice: _Dice,
        opened: list[int] | None = None,
    ) -> None:
        n = len(cohort.ids)
        self.k, self.cap, self.n, self.dice = k, cap, n, dice
        self.load: list[int] = np.bincount(reviewer, minlength=n).tolist()
        self.received: list[int] = np.bincount(author, minlength=n).tolist()
        self.opened = opened if opened is not None else [0] * n
        self.circle: list[int] = cohort.circle.tolist()
        self.knows: list[int] = _bits(cohort, "knows") if cohort.tagged else [0] * n
        self.wants: list[int] = _bits(cohort, "wants") if cohort.tagged else [0] * n
        # Who reviews whom: sorted once, then what was added and removed since.
        by_r = np.argsort(reviewer, kind="stable")
        by_a = np.argsort(author, kind="stable")
        self._r_author = author[by_r]
        self._r_start = np.searchsorted(reviewer[by_r], np.arange(n + 1)).tolist()
        self._a_reviewer = reviewer[by_a]
        self._a_start = np.searchsorted(author[by_a], np.arange(n + 1)).tolist()
        self._added_by: dict[int, list[int]] = {}
        self._added_of: dict[int, list[int]] = {}
        self._removed: set[tuple[int, int]] = set()
        self.new_r: list[int] = []
        self.new_a: list[int] = []
        # Keys: the reviewer's load (then open reviews) and the author's received count.
        self._width = max(cap, max(self.load, default=0)) + 2
        self.free_reviewers = _Buckets(n)
        pool = np.array(active, dtype=np.int64)
        loads, opens = np.array(self.load, dtype=np.int64)[pool], np.array(self.opened, dtype=np.int64)[pool]
        self.free_reviewers.fill(pool, loads * self._width + np.minimum(opens, self._width - 1))
        self.free_authors = _Buckets(n)
        submitted = np.array(authors, dtype=np.int64)
        self.free_authors.fill(submitted, np.array(self.received, dtype=np.int64)[submitted])

    def _reviewer_key(self, r: int) -> int:
        return self.load[r] * self._width + min(self.opened[r], self._width - 1)

    # --- who reviews whom -------------------------------------------------------------------

    def reviews_by(self, r: int) -> list[int]:
        old: list[int] = self._r_author[self._r_start[r] : self._r_start[r + 1]].tolist()
        mine = [a for a in old if (r, a) not in self._removed] if self._removed else old
        return mine + self._added_by.get(r, [])

    def reviewers_of(self, a: int) -> list[int]:
        old: list[int] = self._a_reviewer[self._a_start[a] : self._a_start[a + 1]].tolist()
        mine = [r for r in old if (r, a) not in self._removed] if self._removed else old
        return mine + self._added_of.get(a, [])

    # --- changes ----------------------------------------------------------------------------

    def add(self, r: int, a: int) -> None:
        self.new_r.append(r)
        self.new_a.append(a)
        self._added_by.setdefault(r, []).append(a)
        self._added_of.setdefault(a, []).append(r)
        self.load[r] += 1
        self.received[a] += 1
        self.opened[r] += 1
        if self.free_reviewers.key[r] >= 0:
            self.free_reviewers.move(r, self._reviewer_key(r))
        if self.free_authors.key[a] >= 0:
            self.free_authors.move(a, self.received[a])

    def remove(self, r: int, a: int) -> None:
        """Take out a pair of the round as read (the open review of a reviewer who dropped out)."""
        self._removed.add((r, a))
        self.load[r] -= 1
        self.received[a] -= 1
        if self.free_reviewers.key[r] >= 0:
            self.free_reviewers.move(r, self._reviewer_key(r))
        if self.free_authors.key[a] >= 0:
            self.free_authors.move(a, self.received[a])

    # --- picks ------------------------------------------------------------------------------

    def pick_reviewer(self, a: int) -> int | None:
        """The least-loaded active learner below the cap who is not ``a`` and does not review ``a`` yet."""
        taken = {a, *self.reviewers_of(a)}
        wants, circle = self.wants[a], self.circle[a]
        knows, circles = self.knows, self.circle

        def score(r: int) -> int:
            return 2 * (circles[r] == circle) + ((knows[r] & wants) == 0)

        return self._pick(self.free_reviewers, self.cap * self._width, taken, score)

    def pick_author(self, r: int, *, below: int) -> int | None:
        """The author with the fewest reviewers (fewer than ``below``) whom ``r`` may review and does not yet."""
        taken = {r, *self.reviews_by(r)}
        knows, circle = self.knows[r], self.circle[r]
        wants, circles = self.wants, self.circle

        def score(a: int) -> int:
            return 2 * (circles[a] == circle) + ((knows & wants[a]) == 0)

        return self._pick(self.free_authors, below, taken, score)

    def _pick(self, buckets: _Buckets, below: int, taken: set[int], score: Callable[[int], int]) -> int | None:
        roll = self.dice.roll
        for level in buckets.levels(below):
            bucket = buckets.members[level]
            size = len(bucket)
            if size <= _SCAN:  # the whole level, from a random place on (ties go to the first met)
                found = _best(bucket, int(roll() * size), taken, score)
            else:  # random draws: the first met among the best is itself random
                found = _drawn(bucket, roll, taken, score)
                if found is None:  # every draw was excluded (at most k + 2 learners are): look at all
                    found = _best(bucket, 0, taken, score)
            if found is not None:
                return found
        return None


def _best(candidates: list[int], start: int, taken: set[int], score: Callable[[int], int]) -> int | None:
    """The first candidate with the lowest score, going round from ``start``, not in ``taken``."""
    best, best_score = None, 4
    for c in candidates[start:] + candidates[:start] if start else candidates:
        if c in taken:
            continue
        s = score(c)
        if s < best_score:
            best, best_score = c, s
            if s == 0:  # another circle and a match: nothing beats it
                break
    return best


def _drawn(bucket: list[int], roll: Callable[[], float], taken: set[int], score: Callable[[int], int]) -> int | None:
    """The best of :data:`_SAMPLE` random draws from a large level (stopping at a perfect one)."""
    best, best_score, size = None, 4, len(bucket)
    for _ in range(_SAMPLE):
        c = bucket[int(roll() * size)]
        if c in taken:
            continue
        s = score(c)
        if s < best_score:
            best, best_score = c, s
            if s == 0:
                break
    return best


def _bits(cohort: _Cohort, which: str) -> list[int]:
    """Tag bitsets as Python ints (rows of 64-bit words joined), one per learner."""
    words = cohort.knows if which == "knows" else cohort.wants
    if words.shape[1] == 1:
        out: list[int] = words[:, 0].tolist()
        return out
    rows: list[list[int]] = words.tolist()
    return [sum(word << (64 * i) for i, word in enumerate(row)) for row in rows]
