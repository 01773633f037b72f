"""The first allocation of a round: :func:`allocate`, a circulant design on a ring of circles.

Algorithm
---------
Learners are laid on a ring grouped by circle (circle order and order inside a circle drawn from
``seed``); authors and reviewers keep that order. Author ``i`` of ``A`` gets the ``k`` consecutive
reviewers that start half-way round the reviewer ring, at ``⌊iR/A⌋ + R/2``: a circulant design.
The ``k`` reviewers are distinct, loads are balanced (with the authors as the pool it is a shift
design: exactly ``k`` each and never oneself), every circle up to about half the round is reviewed
entirely from outside, and a circle of ``s > n/2`` learners gets the fewest same-circle reviews
possible, ``k(2s - n)``. A bounded local search (:mod:`peerkit.core.allocation.search`) then
exchanges reviewers between seats to improve mixing and matching. With a separate pool the (rare)
self-reviews of learners who are both author and reviewer are exchanged away the same way, with
an exact augmenting-path repair as the last resort for tiny rounds. Everything is numpy on whole
arrays; the per-learner Python work is reading the inputs.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Mapping
from itertools import chain

import numpy as np

from peerkit.core.allocation.cohort import _Cohort
from peerkit.core.allocation.inputs import _check_k, _copy, _rng, _sorted_unique
from peerkit.core.allocation.records import Allocation, AllocationRequestError, IntArray, Mixing, Profile
from peerkit.core.allocation.results import _best_possible, _finish
from peerkit.core.allocation.search import DEFAULT_MATCH_ROUNDS, _exchange, _improve, _propose_mixing


def allocate(
    authors: Iterable[str],
    k: int,
    *,
    seed: int,
    reviewers: Iterable[str] | None = None,
    circles: Mapping[str, str] | None = None,
    profiles: Mapping[str, Profile] | None = None,
    match_rounds: int = DEFAULT_MATCH_ROUNDS,
) -> Allocation:
    """Give every submission ``k`` reviewers.

    Parameters
    ----------
    authors : iterable of str
        Learners who submitted (opaque ids, each once). Their order does not matter.
    k : int
        Reviewers per submission, at least 1.
    seed : int
        Same inputs and seed, same allocation; another seed, (almost always) another one.
    reviewers : iterable of str, optional
        The reviewer pool when it is not the authors (facilitators, learners who did not submit).
    circles : Mapping[str, str], optional
        Learner id to circle name; missing learners are a circle of one.
    profiles : Mapping[str, Profile], optional
        Learner id to profile, for matching.
    match_rounds : int
        Rounds of the exchange search that improves mixing and matching (0 turns it off).

    Returns
    -------
    Allocation
        Complete when at least ``k + 1`` learners can review; otherwise every submission gets
        every eligible reviewer and :attr:`Allocation.shortfall` says who is short and why.

    Raises
    ------
    AllocationRequestError
        ``k < 1``, ``seed < 0``, ``match_rounds < 0``, a learner listed twice, or an id that is not
        a string.
    """
    _check_k(k)
    rng = _rng(seed)
    if match_rounds < 0:
        raise AllocationRequestError(f"match_rounds must be 0 or more, not {match_rounds}")
    author_ids = _sorted_unique(authors, "authors")
    pool_ids = author_ids if reviewers is None else _sorted_unique(reviewers, "reviewers")
    ids = author_ids if reviewers is None else sorted(set(author_ids).union(pool_ids))
    cohort = _Cohort(ids, _copy(circles), _copy(profiles))
    is_author = cohort.mask(author_ids)
    is_pool = is_author if reviewers is None else cohort.mask(pool_ids)
    n_authors, n_pool = len(author_ids), len(pool_ids)
    if n_authors == 0 or n_pool <= k:
        # Too few reviewers for k each: every eligible pair, which is the only balanced answer.
        au, ar = np.flatnonzero(is_author), np.flatnonzero(is_pool)
        reviewer, author = np.repeat(ar, len(au)), np.tile(au, len(ar))
        keep = reviewer != author
        return _finish(cohort, k, reviewer[keep], author[keep], is_author, is_pool, frozenset())
    ring = _ring(cohort, rng)
    au, ar = ring[is_author[ring]], ring[is_pool[ring]]
    rev = ar[_circulant(n_authors, n_pool, k)]
    if not np.array_equal(is_author, is_pool):
        rev = _repair_self(rev, au, ar, k, cohort, rng)
    filled = rev >= 0
    mixing, matched = None, None
    if match_rounds and filled.all():
        # Exchanges keep every count, so the bound on the cross-circle count holds for the result too.
        load = np.bincount(rev.ravel(), minlength=len(ids)).astype(np.int64)
        received = np.zeros(len(ids), dtype=np.int64)
        received[au] = k
        best = _best_possible(cohort, rev.size, load, received, is_author, is_pool)
        cross, matched = _improve(rev, au, cohort, rng, match_rounds, best)
        mixing = Mixing(cross_circle=cross, assignments=rev.size, best_possible=best)
    reviewer, author = rev[filled], np.broadcast_to(au[:, None], rev.shape)[filled]
    return _finish(cohort, k, reviewer, author, is_author, is_pool, frozenset(), mixing, matched)


def _ring(cohort: _Cohort, rng: np.random.Generator) -> IntArray:
    """Learners grouped by circle, circles in random order, random order inside each circle."""
    circle_rank = rng.permutation(cohort.n_codes)
    return np.argsort((circle_rank[cohort.circle] << 32) | rng.integers(0, 1 << 32, len(cohort.ids))).astype(np.int64)


def _circulant(n_authors: int, n_pool: int, k: int) -> IntArray:
    """Reviewer-ring positions (authors × k): ``k`` consecutive seats half-way round from the author.

    Reviewer ``p`` is picked by the authors whose base ``⌊iR/A⌋`` lies in a window of ``k``
    consecutive values, so its load is ``⌈(p+1)A/R⌉ - ⌈(p+1-k)A/R⌉``-like, i.e. ``⌊kA/R⌋`` or
    ``⌈kA/R⌉``. Needs ``n_pool > k``; the shift lies in ``[1, R - k]``, so with the authors as the
    pool nobody reviews themselves.
    """
    base = np.arange(n_authors, dtype=np.int64) * n_pool // n_authors
    shift = min(max((n_pool - k + 1) // 2, 1), n_pool - k)
    return np.asarray((base[:, None] + shift + np.arange(k, dtype=np.int64)) % n_pool, dtype=np.int64)


def _repair_self(
    rev: IntArray, au: IntArray, ar: IntArray, k: int, cohort: _Cohort, rng: np.random.Generator
) -> IntArray:
    """Remove self-reviews (possible only with a separate pool), keeping loads and distinct reviewers."""
    for _ in range(20):
        if not (rev == au[:, None]).any() or _exchange(rev, au, cohort, _propose_mixing(rev, au, cohort, rng))[0] == 0:
            break
    n = len(au)
    for i, j in zip(*np.nonzero(rev == au[:, None]), strict=True):
        if rev[i, j] != au[i]:
            continue  # fixed on the way by an earlier exchange
        # Exhaustive search for a partner seat: its reviewer is new to row i and not author i,
        # and row i2 does not contain author i as a reviewer yet.
        a = au[i]
        ok = (rev != a) & ~np.isin(rev, rev[i]) & ~(rev == a).any(axis=1, keepdims=True)
        ok[i] = False
        found = np.flatnonzero(ok)
        if len(found):
            i2, j2 = divmod(int(found[0]), k)
            rev[i, j], rev[i2, j2] = rev[i2, j2], rev[i, j]
    if not (rev == au[:, None]).any():
        return rev
    return _flow(au, ar, k, n)  # tiny rounds where no exchange exists


def _flow(au: IntArray, ar: IntArray, k: int, n: int) -> IntArray:
    """Exact b-matching by augmenting paths: rows filled first to the lower, then the upper load.

    Only for tiny rounds that the circulant plus exchanges cannot serve; ``-1`` marks a seat
    nobody can take (never expected while the pool has more than ``k`` members).
    """
    authors, pool = au.tolist(), ar.tolist()
    members = set(pool)
    wanted = [min(k, len(pool) - (a in members)) for a in authors]
    rows: list[list[int]] = [[] for _ in authors]
    low, high = sum(wanted) // len(pool), -(-sum(wanted) // len(pool))
    load: Counter[int] = Counter()
    # Filling everyone up to the lower load first, then the upper, keeps loads within one; higher
    # caps are a safety net for a balance that cannot exist (not expected: exclusions form a matching).
    for cap in chain((low, high), range(high + 1, n + 2)):
        for i in range(len(rows)):
            while len(rows[i]) < wanted[i] and _augment(i, rows, authors, pool, load, cap):
                pass
        if all(len(row) >= want for row, want in zip(rows, wanted, strict=True)):
            break
    return np.array([row + [-1] * (k - len(row)) for row in rows], dtype=np.int64).reshape(len(rows), k)


def _augment(
    start: int, rows: list[list[int]], authors: list[int], pool: list[int], load: Counter[int], cap: int
) -> bool:
    """One more reviewer for row ``start`` along a shortest alternating path (breadth-first)."""
    holders: defaultdict[int, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        for r in row:
            holders[r].append(i)
    parent: dict[int, tuple[int, int]] = {start: (-1, -1)}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        for r in pool:
            if r == authors[u] or r in rows[u]:
                continue
            if load[r] < cap:
                rows[u].append(r)
                load[r] += 1
                while u != start:  # each row on the path hands its reviewer back and keeps the new one
                    prev, given = parent[u]
                    rows[u].remove(given)
                    rows[prev].append(given)
                    u = prev
                return True
            for v in holders[r]:
                if v not in parent:
                    parent[v] = (u, r)
                    queue.append(v)
    return False
