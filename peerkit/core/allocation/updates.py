"""Changes to a running round: late submitters, drop-outs, and rounds read back from storage.

:func:`rebuild` turns stored pairs back into an :class:`~peerkit.core.allocation.Allocation` for
the two updates.

Updates
-------
:func:`add_late` and :func:`reassign` only add pairs (and :func:`reassign` removes the open pairs
of dropped reviewers). Every pick goes to an eligible learner with the fewest reviews so far (then
another circle, then a match, then ``seed``), and at most ``k`` learners are ineligible for a
pick. Hence:

* one :func:`add_late` call with ``p`` newcomers, on a round with at least ``(k - 1)·p + k + 1``
  authors and as many reviewers, raises no load and no received count above ``max(M, k) + 1``,
  ``M`` the largest before;
* from a complete allocation where every count is ``k``, after any number of calls bringing ``P``
  late submitters in total, **no count exceeds** ``k + 1`` **as long as the round started with
  at least** ``(k - 1)·P + k + 1`` **submitters**; beyond that, counts keep rising evenly;
* :func:`reassign` keeps every active load at most ``M + 1`` when at least ``q + k + 1``
  reviewers are active, ``q`` the number of reviews it moves.

Each newcomer costs a few passes over the round's arrays (milliseconds at 100,000 learners) on
top of reading the round once: :func:`add_late` suits learners trickling in.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Final

import numpy as np
import numpy.typing as npt

from peerkit.core.allocation.cohort import _Cohort
from peerkit.core.allocation.inputs import _check_k, _copy, _rng, _unique
from peerkit.core.allocation.records import (
    Allocation,
    AllocationRequestError,
    BoolArray,
    IntArray,
    Pair,
    Profile,
    Update,
    _few,
    _s,
)
from peerkit.core.allocation.results import _finish

_NO_CANDIDATE: Final = np.inf


def add_late(
    allocation: Allocation,
    newcomers: Iterable[str],
    *,
    seed: int,
    circles: Mapping[str, str] | None = None,
    profiles: Mapping[str, Profile] | None = None,
) -> Update:
    """Bring late submitters into a round without changing any existing pair.

    Each newcomer joins the authors and the reviewer pool, gets up to ``k`` submissions to review
    (those with the fewest reviewers first) and ``k`` reviewers (the least-loaded first); earlier
    submissions that were short of reviewers are topped up too. Ties prefer another circle, then a
    reviewer who knows what the author wants, then ``seed``.

    Parameters
    ----------
    allocation : Allocation
        The round so far.
    newcomers : iterable of str
        Learners who just submitted; none may be an author already.
    seed : int
        Seed of this call's tie-breaks.
    circles, profiles : Mapping, optional
        Circles and profiles of the newcomers (or corrections), merged over the stored ones.

    Returns
    -------
    Update
        The new allocation and the added pairs. See the module notes for the load bound.

    Raises
    ------
    AllocationRequestError
        A newcomer who is already an author of the round, one listed twice, or ``seed < 0``.
    """
    rng = _rng(seed)
    new_ids = _unique(newcomers, "newcomers")
    again = sorted(set(new_ids).intersection(allocation.authors))
    if again:
        raise AllocationRequestError(
            f"{len(again)} newcomer{_s(len(again))} already submitted in this round: {_few(again)}", learners=again[:5]
        )
    circles_all = {**allocation.circles, **(circles or {})}
    profiles_all = {**allocation.profiles, **(profiles or {})}
    state = _State.of(allocation, new_ids, circles_all, profiles_all)
    state.dropped -= set(new_ids)  # submitting again is a sign of life
    k, cohort = allocation.k, state.cohort
    new = rng.permutation(np.array([cohort.index[x] for x in new_ids], dtype=np.int64)).tolist()
    active = state.active()
    authors_total = int(state.is_author.sum())
    for x in new:  # something to review, fewest reviews first
        need = min(k, authors_total - 1) - int(state.load[x])
        if need > 0:
            done = state.reviews_by(x)
            picks = state.pick(state.received, state.is_author, [x, *done], need, rng, reviewer=x)
            state.add([x] * len(picks), picks)
    short = [a for a in new if state.received[a] < k]
    old_short = [cohort.index[s.author] for s in allocation.shortfall]
    for a in short + rng.permutation(np.array(old_short, dtype=np.int64)).tolist():  # reviewers, least-loaded first
        eligible = int(active.sum()) - int(active[a])
        need = min(k, eligible) - int(state.received[a])
        if need > 0:
            picks = state.pick(state.load, active, [a, *state.reviewers_of(a)], need, rng, author=a)
            state.add(picks, [a] * len(picks))
    return state.update(k, removed=())


def reassign(
    allocation: Allocation,
    open_pairs: Iterable[Pair],
    dropped: Iterable[str],
    *,
    seed: int,
) -> Update:
    """Hand the open reviews of dropped-out reviewers to active learners.

    Completed reviews (pairs not in ``open_pairs``) never move, nor do open reviews of active
    reviewers. Each moved review goes to an active pool member who is not the author and does not
    review that author yet: fewest reviews first, then fewest open reviews (learners who finish
    are likelier to finish again), then another circle, then a match, then ``seed``.

    Parameters
    ----------
    allocation : Allocation
        The round so far.
    open_pairs : iterable of (reviewer, author)
        Assignments not yet reviewed; each must be in ``allocation``.
    dropped : iterable of str
        Reviewers considered gone; added to :attr:`Allocation.dropped`.
    seed : int
        Seed of this call's tie-breaks.

    Returns
    -------
    Update
        ``removed`` are the dropped reviewers' open pairs, ``added`` their replacements. A review
        that nobody can take leaves its author in :attr:`Allocation.shortfall`.

    Raises
    ------
    AllocationRequestError
        An open pair that is not in the allocation, a dropped id not in the reviewer pool, or
        ``seed < 0``.
    """
    rng = _rng(seed)
    open_set = set(open_pairs)
    unknown_pairs = sorted(p for p in open_set if p not in allocation.assignments)
    if unknown_pairs:
        raise AllocationRequestError(
            f"{len(unknown_pairs)} open pair{_s(len(unknown_pairs))} not in this allocation: {_few(unknown_pairs)}",
            learners=sorted({x for p in unknown_pairs[:5] for x in p}),
        )
    drop = set(dropped)
    unknown = sorted(drop.difference(allocation.reviewers))
    if unknown:
        raise AllocationRequestError(
            f"{len(unknown)} dropped learner{_s(len(unknown))} not in the reviewer pool: {_few(unknown)}",
            learners=unknown[:5],
        )
    state = _State.of(allocation, [], dict(allocation.circles), dict(allocation.profiles))
    state.dropped |= drop
    moving = sorted(p for p in open_set if p[0] in state.dropped)
    cohort = state.cohort
    index = cohort.index
    state.remove([index[r] for r, _ in moving], [index[a] for _, a in moving])
    still_open = np.zeros(len(cohort.ids), dtype=np.int64)
    for r, _ in open_set:
        if r not in state.dropped:
            still_open[index[r]] += 1
    active = state.active()
    for m in rng.permutation(len(moving)).tolist():
        a = index[moving[m][1]]
        # Fewest reviews first; among equals, fewest still open. Both are small integers, so one
        # float key orders them exactly.
        key = state.load.astype(np.float64) * (int(still_open.max()) + 2) + still_open
        picks = state.pick(key, active, [a, *state.reviewers_of(a)], 1, rng, author=a)
        state.add(picks, [a] * len(picks))
        still_open[picks] += 1
    return state.update(allocation.k, removed=tuple(moving))


def rebuild(
    pairs: Iterable[Pair],
    *,
    k: int,
    authors: Iterable[str],
    reviewers: Iterable[str] | None = None,
    circles: Mapping[str, str] | None = None,
    profiles: Mapping[str, Profile] | None = None,
    dropped: Iterable[str] = (),
) -> Allocation:
    """An :class:`Allocation` from stored pairs, checked: for updates on a round read back from storage.

    Parameters
    ----------
    pairs : iterable of (reviewer, author)
        The stored assignments, in any order.
    k : int
        Reviewers per submission asked for in this round.
    authors, reviewers : iterable of str
        The submitters and the reviewer pool (the submitters when not given).
    circles, profiles : Mapping, optional
        As for :func:`allocate`.
    dropped : iterable of str
        Reviewers taken out by earlier :func:`reassign` calls.

    Raises
    ------
    AllocationRequestError
        A self-review, a pair listed twice, a reviewer outside the pool, an author outside the
        authors, or a dropped learner outside the pool.
    """
    _check_k(k)
    author_ids = _unique(authors, "authors")
    pool_ids = author_ids if reviewers is None else _unique(reviewers, "reviewers")
    pair_list = list(pairs)
    twice = sorted(p for p, count in Counter(pair_list).items() if count > 1)
    selfs = sorted(p for p in pair_list if p[0] == p[1])
    pool_set, author_set = set(pool_ids), set(author_ids)
    strangers = sorted(p for p in pair_list if p[0] not in pool_set or p[1] not in author_set)
    for problem, found in (("listed twice", twice), ("self-reviews", selfs), ("outside the round", strangers)):
        if found:
            raise AllocationRequestError(
                f"pairs {problem}: {_few(found)}", learners=sorted({x for p in found[:5] for x in p})
            )
    drop = frozenset(dropped)
    if not drop <= pool_set:
        ghosts = sorted(drop - pool_set)
        raise AllocationRequestError(f"dropped learners not in the reviewer pool: {_few(ghosts)}", learners=ghosts[:5])
    cohort = _Cohort(sorted(set(author_ids).union(pool_ids)), _copy(circles), _copy(profiles))
    reviewer = np.array([cohort.index[r] for r, _ in pair_list], dtype=np.int64)
    author = np.array([cohort.index[a] for _, a in pair_list], dtype=np.int64)
    return _finish(cohort, k, reviewer, author, cohort.mask(author_ids), cohort.mask(pool_ids), drop)


# --- incremental state shared by add_late and reassign ---------------------------------------


class _State:
    """A round as index arrays, grown or shrunk pair by pair by the updates."""

    def __init__(self, cohort: _Cohort, reviewer: IntArray, author: IntArray) -> None:
        self.cohort = cohort
        n = len(cohort.ids)
        self.reviewer, self.author = reviewer, author
        self.load = np.bincount(reviewer, minlength=n).astype(np.int64)
        self.received = np.bincount(author, minlength=n).astype(np.int64)
        self.is_author = np.zeros(n, dtype=np.bool_)
        self.is_pool = np.zeros(n, dtype=np.bool_)
        self.dropped: set[str] = set()
        self.new_r: list[int] = []
        self.new_a: list[int] = []

    @classmethod
    def of(
        cls, allocation: Allocation, newcomers: list[str], circles: dict[str, str], profiles: dict[str, Profile]
    ) -> _State:
        old = allocation.assignments
        known = old._names  # sorted: every author and reviewer of the allocation
        extra = [x for x in newcomers if not _has(known, x)]
        cohort = _Cohort(sorted([*known, *extra]), circles, profiles)
        # Old learner i moves up by the number of newcomers sorted before it.
        shift = np.zeros(len(known) + 1, dtype=np.int64)
        np.add.at(shift, [bisect.bisect_left(known, x) for x in extra], 1)
        remap = np.arange(len(known), dtype=np.int64) + np.cumsum(shift)[:-1]
        state = cls(cohort, remap[old._r], remap[old._a])
        state.is_author = cohort.mask([*allocation.authors, *newcomers])  # newcomers are not authors yet
        state.is_pool = cohort.mask(
            [*allocation.reviewers, *(x for x in newcomers if not _has(allocation.reviewers, x))]
        )
        state.dropped = set(allocation.dropped)
        return state

    def active(self) -> BoolArray:
        return self.is_pool & ~self.cohort.mask(self.dropped)

    def reviews_by(self, reviewer: int) -> list[int]:
        old: list[int] = self.author[self.reviewer == reviewer].tolist()
        return old + [a for r, a in zip(self.new_r, self.new_a, strict=True) if r == reviewer]

    def reviewers_of(self, author: int) -> list[int]:
        old: list[int] = self.reviewer[self.author == author].tolist()
        return old + [r for r, a in zip(self.new_r, self.new_a, strict=True) if a == author]

    def pick(
        self,
        count: npt.NDArray[np.int64] | npt.NDArray[np.float64],
        eligible: BoolArray,
        excluded: list[int],
        need: int,
        rng: np.random.Generator,
        *,
        reviewer: int | None = None,
        author: int | None = None,
    ) -> list[int]:
        """Up to ``need`` eligible learners with the lowest ``count``; ties: other circle, match, random."""
        c = self.cohort
        everyone = np.arange(len(c.ids), dtype=np.int64)
        if reviewer is not None:  # picking authors for this reviewer
            same = c.circle == c.circle[reviewer]
            matched = c.match(np.array([reviewer]), everyone)
        elif author is not None:  # picking reviewers for this author
            same = c.circle == c.circle[author]
            matched = c.match(everyone, np.array([author]))
        else:
            raise TypeError("pick() needs the reviewer or the author it picks for")
        # count dominates (ties below add less than 4), so the least-loaded level always wins.
        key = np.asarray(count, dtype=np.float64) * 4 + same * 2 + ~matched + rng.random(len(c.ids))
        key[~eligible] = _NO_CANDIDATE
        key[excluded] = _NO_CANDIDATE
        take = min(need, int(np.isfinite(key).sum()))
        if take <= 0:
            return []
        chosen = np.argpartition(key, take - 1)[:take]
        picked: list[int] = chosen[np.argsort(key[chosen])].tolist()
        return picked

    def add(self, reviewers: list[int], authors: list[int]) -> None:
        self.new_r += reviewers
        self.new_a += authors
        np.add.at(self.load, reviewers, 1)
        np.add.at(self.received, authors, 1)

    def remove(self, reviewers: list[int], authors: list[int]) -> None:
        n = len(self.cohort.ids)
        gone = np.isin(self.reviewer * n + self.author, np.array(reviewers, dtype=np.int64) * n + authors)
        self.reviewer, self.author = self.reviewer[~gone], self.author[~gone]
        np.subtract.at(self.load, reviewers, 1)
        np.subtract.at(self.received, authors, 1)

    def update(self, k: int, *, removed: tuple[Pair, ...]) -> Update:
        names = self.cohort.ids
        reviewer = np.concatenate((self.reviewer, np.array(self.new_r, dtype=np.int64)))
        author = np.concatenate((self.author, np.array(self.new_a, dtype=np.int64)))
        allocation = _finish(self.cohort, k, reviewer, author, self.is_author, self.is_pool, frozenset(self.dropped))
        added = tuple(sorted((names[r], names[a]) for r, a in zip(self.new_r, self.new_a, strict=True)))
        return Update(allocation, added, removed)


def _has(sorted_ids: tuple[str, ...], learner: str) -> bool:
    at = bisect.bisect_left(sorted_ids, learner)
    return at < len(sorted_ids) and sorted_ids[at] == learner
