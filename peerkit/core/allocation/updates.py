"""Changes to a running round: late submitters, drop-outs, returners, rounds read back from storage.

:func:`rebuild` turns stored pairs back into an :class:`~peerkit.core.allocation.Allocation` for
the updates.

Updates
-------
:func:`add_late`, :func:`reassign` and :func:`rejoin` only add pairs (and :func:`reassign` removes
the open pairs of dropped reviewers). Every pick goes to an eligible learner with the fewest reviews
so far (then another circle, then a match, then ``seed``), and at most ``k`` learners are
ineligible for a pick. Nobody is ever given a review at the round's cap (``k + 1`` when the authors
review each other; one above the balanced load ``⌈kA/R⌉`` with a separate pool): where the cap
leaves a submission short, :attr:`Allocation.shortfall` says so and later calls top it up. Hence:

* one :func:`add_late` call with ``p`` newcomers, on a round with at least ``(k - 1)·p + k + 1``
  authors and as many reviewers, raises no load and no received count above ``max(M, k) + 1``,
  ``M`` the largest before;
* from a complete allocation where every count is ``k``, **no load ever exceeds** ``k + 1``,
  whatever joins, drops out or returns; a round that started with at least ``(k - 1)·P + k + 1``
  submitters takes ``P`` late submitters with every count in ``[k, k + 1]``;
* :func:`reassign` keeps every active load at most ``M + 1`` when at least ``q + k + 1``
  reviewers are active, ``q`` the number of reviews it moves.

Cost: reading the round once (a few array passes: tens of milliseconds at 100,000 learners), then
a constant cost per pick, whatever the size of the round (:mod:`peerkit.core.allocation.ledger`):
a moved review, a newcomer or a returner costs microseconds.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np

from peerkit.core.allocation.cohort import _Cohort
from peerkit.core.allocation.inputs import _check_k, _copy, _rng, _unique
from peerkit.core.allocation.ledger import _Dice, _Ledger
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
from peerkit.core.allocation.results import _cap, _finish


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
    reviewer who knows what the author wants, then ``seed``. Nobody is given more than the round's
    cap (``k + 1`` when the authors review each other): in a tiny round a newcomer may start short
    of reviewers (the round says so) and is topped up as others join.

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
    round_ = _Round.read(allocation, new_ids, circles_all, profiles_all)
    round_.dropped -= set(new_ids)  # submitting again is a sign of life
    ledger = round_.ledger(rng)
    cohort, k = round_.cohort, allocation.k
    new = rng.permutation(np.array([cohort.index[x] for x in new_ids], dtype=np.int64)).tolist()
    for x in new:  # something to review, fewest reviewers first
        _give_reviews(ledger, x, min(k, round_.n_authors - 1))
    short = [a for a in new if ledger.received[a] < k]
    old_short = [cohort.index[s.author] for s in allocation.shortfall]
    _top_up(ledger, round_, short + rng.permutation(np.array(old_short, dtype=np.int64)).tolist())
    return round_.update(ledger, removed=())


def reassign(
    allocation: Allocation,
    open_pairs: Iterable[Pair],
    dropped: Iterable[str],
    *,
    seed: int,
) -> Update:
    """Hand the open reviews of dropped-out reviewers to active learners.

    Completed reviews (pairs not in ``open_pairs``) never move, nor do open reviews of active
    reviewers. Each moved review goes to an active pool member who is not the author, does not
    review that author yet and has fewer reviews than the round's cap (``k + 1`` when the authors
    review each other): fewest reviews first, then fewest open reviews (learners who finish are
    likelier to finish again), then another circle, then a match, then ``seed``. A moved review
    costs the same whatever the size of the round (see :mod:`peerkit.core.allocation.ledger`).

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
    unknown_pairs = _unknown_pairs(allocation, open_set)
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
    round_ = _Round.read(allocation, [], dict(allocation.circles), dict(allocation.profiles))
    round_.dropped |= drop
    moving = sorted(p for p in open_set if p[0] in round_.dropped)
    index = round_.cohort.index
    still_open = [index[r] for r, _ in open_set if r not in round_.dropped]
    opened: list[int] = np.bincount(np.array(still_open, dtype=np.int64), minlength=len(index)).tolist()
    ledger = round_.ledger(rng, opened=opened)
    for reviewer, author in moving:
        ledger.remove(index[reviewer], index[author])
    for m in rng.permutation(len(moving)).tolist():
        a = index[moving[m][1]]
        r = ledger.pick_reviewer(a)
        if r is not None:
            ledger.add(r, a)
    return round_.update(ledger, removed=tuple(moving))


def rejoin(allocation: Allocation, returners: Iterable[str], *, seed: int) -> Update:
    """Bring learners who dropped out back into the round: reviewers again, with reviews to do.

    Each returner leaves :attr:`Allocation.dropped` and is given reviews up to ``k`` (counting the
    reviews they kept: those they finished), submissions with the fewest reviewers first; then
    submissions still short of reviewers are topped up, the returners now among the candidates. No
    existing pair moves. A learner who is not dropped is topped up the same way, so calling it
    again changes nothing.

    Parameters
    ----------
    allocation : Allocation
        The round so far.
    returners : iterable of str
        Members of the reviewer pool who are back.
    seed : int
        Seed of this call's tie-breaks.

    Raises
    ------
    AllocationRequestError
        A returner outside the reviewer pool, one listed twice, or ``seed < 0``.
    """
    rng = _rng(seed)
    back = _unique(returners, "returners")
    strangers = sorted(set(back).difference(allocation.reviewers))
    if strangers:
        raise AllocationRequestError(
            f"{len(strangers)} returner{_s(len(strangers))} not in the reviewer pool: {_few(strangers)}",
            learners=strangers[:5],
        )
    round_ = _Round.read(allocation, [], dict(allocation.circles), dict(allocation.profiles))
    round_.dropped -= set(back)
    ledger = round_.ledger(rng)
    cohort, k = round_.cohort, allocation.k
    balanced = max(k, k * round_.n_authors // max(round_.n_pool, 1))
    for x in rng.permutation(np.array([cohort.index[x] for x in back], dtype=np.int64)).tolist():
        _give_reviews(ledger, x, min(balanced, round_.n_authors - int(round_.is_author[x])))
    short = [a for a in np.flatnonzero(round_.is_author).tolist() if ledger.received[a] < k]
    _top_up(ledger, round_, rng.permutation(np.array(short, dtype=np.int64)).tolist())
    return round_.update(ledger, removed=())


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


# --- reading a round once, for the updates ----------------------------------------------------


def _give_reviews(ledger: _Ledger, reviewer: int, target: int) -> None:
    """Reviews for ``reviewer`` up to ``target``, submissions with the fewest reviewers first.

    Only loads are capped: in a saturated round a submission may get a ``k + 2``-th reviewer rather
    than a newcomer or returner go without reviews to do (reviewing is half of what they learn).
    """
    while ledger.load[reviewer] < min(target, ledger.cap):
        author = ledger.pick_author(reviewer, below=len(ledger.load) + 1)
        if author is None:
            return
        ledger.add(reviewer, author)


def _top_up(ledger: _Ledger, round_: _Round, authors: list[int]) -> None:
    """Reviewers for short submissions, the least-loaded first, as many as the active pool allows."""
    active = round_.active()
    n_active = int(active.sum())
    for a in authors:
        need = min(ledger.k, n_active - int(active[a])) - ledger.received[a]
        for _ in range(need):
            r = ledger.pick_reviewer(a)
            if r is None:
                break
            ledger.add(r, a)


def _unknown_pairs(allocation: Allocation, pairs: set[Pair]) -> list[Pair]:
    """The pairs that are not assignments of ``allocation``, sorted; one vectorised lookup."""
    if not pairs:
        return []
    old = allocation.assignments
    names = old._names
    index = dict(zip(names, range(len(names)), strict=True))
    listed = list(pairs)
    r = np.fromiter((index.get(p[0], -1) for p in listed), dtype=np.int64, count=len(listed))
    a = np.fromiter((index.get(p[1], -1) for p in listed), dtype=np.int64, count=len(listed))
    keys = r * len(names) + a
    at = np.minimum(np.searchsorted(old._keys, keys), max(len(old._keys) - 1, 0))
    found = (r >= 0) & (a >= 0) & (old._keys[at] == keys) if len(old._keys) else np.zeros(len(listed), dtype=np.bool_)
    return sorted(listed[i] for i in np.flatnonzero(~found).tolist())


class _Round:
    """A round read back into index space: its cohort, pairs, authors, pool and drop-outs."""

    def __init__(self, cohort: _Cohort, reviewer: IntArray, author: IntArray) -> None:
        self.cohort = cohort
        self.reviewer, self.author = reviewer, author
        n = len(cohort.ids)
        self.is_author = np.zeros(n, dtype=np.bool_)
        self.is_pool = np.zeros(n, dtype=np.bool_)
        self.dropped: set[str] = set()
        self.k = 1

    @classmethod
    def read(
        cls, allocation: Allocation, newcomers: list[str], circles: dict[str, str], profiles: dict[str, Profile]
    ) -> _Round:
        old = allocation.assignments
        known = old._names  # sorted: every author and reviewer of the allocation
        extra = [x for x in newcomers if not _has(known, x)]
        cohort = _Cohort(sorted([*known, *extra]), circles, profiles)
        # Old learner i moves up by the number of newcomers sorted before it.
        shift = np.zeros(len(known) + 1, dtype=np.int64)
        np.add.at(shift, [bisect.bisect_left(known, x) for x in extra], 1)
        remap = np.arange(len(known), dtype=np.int64) + np.cumsum(shift)[:-1]
        round_ = cls(cohort, remap[old._r], remap[old._a])
        round_.k = allocation.k
        round_.is_author = cohort.mask([*allocation.authors, *newcomers])
        round_.is_pool = cohort.mask(
            [*allocation.reviewers, *(x for x in newcomers if not _has(allocation.reviewers, x))]
        )
        round_.dropped = set(allocation.dropped)
        return round_

    @property
    def n_authors(self) -> int:
        return int(self.is_author.sum())

    @property
    def n_pool(self) -> int:
        return int(self.is_pool.sum())

    def active(self) -> BoolArray:
        return self.is_pool & ~self.cohort.mask(self.dropped)

    def ledger(self, rng: np.random.Generator, *, opened: list[int] | None = None) -> _Ledger:
        return _Ledger(
            self.cohort,
            self.reviewer,
            self.author,
            k=self.k,
            cap=_cap(self.k, self.n_authors, self.n_pool),
            active=np.flatnonzero(self.active()).tolist(),
            authors=np.flatnonzero(self.is_author).tolist(),
            dice=_Dice(rng),
            opened=opened,
        )

    def update(self, ledger: _Ledger, *, removed: tuple[Pair, ...]) -> Update:
        names, index = self.cohort.ids, self.cohort.index
        reviewer, author = self.reviewer, self.author
        if removed:
            n = len(names)
            gone = np.array([index[r] * n + index[a] for r, a in removed], dtype=np.int64)
            keep = ~np.isin(reviewer * n + author, gone)
            reviewer, author = reviewer[keep], author[keep]
        reviewer = np.concatenate((reviewer, np.array(ledger.new_r, dtype=np.int64)))
        author = np.concatenate((author, np.array(ledger.new_a, dtype=np.int64)))
        allocation = _finish(
            self.cohort, self.k, reviewer, author, self.is_author, self.is_pool, frozenset(self.dropped)
        )
        added = tuple(sorted((names[r], names[a]) for r, a in zip(ledger.new_r, ledger.new_a, strict=True)))
        return Update(allocation, added, removed)


def _has(sorted_ids: tuple[str, ...], learner: str) -> bool:
    at = bisect.bisect_left(sorted_ids, learner)
    return at < len(sorted_ids) and sorted_ids[at] == learner
