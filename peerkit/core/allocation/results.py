"""From index arrays to an :class:`~peerkit.core.allocation.Allocation`: the one way results are made.

:func:`_finish` sorts the pairs and computes counts, shortfall and reports for every operation;
:func:`_best_possible` bounds the cross-circle count any allocation with the same loads could reach.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from peerkit.core.allocation.cohort import _Cohort
from peerkit.core.allocation.records import (
    Allocation,
    BoolArray,
    Counts,
    IntArray,
    Matching,
    Mixing,
    Pairs,
    Shortfall,
    _s,
)


def _finish(
    cohort: _Cohort,
    k: int,
    reviewer: IntArray,
    author: IntArray,
    is_author: BoolArray,
    is_pool: BoolArray,
    dropped: frozenset[str],
    mixing: Mixing | None = None,
    matched: int | None = None,
) -> Allocation:
    """Sort the pairs and compute counts, shortfall and reports: the one way results are made.

    ``mixing`` and ``matched`` describe these pairs when the caller kept them up to date (the
    exchange search does); otherwise they are counted here.
    """
    n = len(cohort.ids)
    keys = np.sort(reviewer.astype(np.int64) * n + author)  # sorting one key beats lexsort tenfold
    reviewer, author = np.divmod(keys, n)
    load = np.bincount(reviewer, minlength=n).astype(np.int64)
    received = np.bincount(author, minlength=n).astype(np.int64)
    pool_idx, author_idx = np.flatnonzero(is_pool), np.flatnonzero(is_author)
    pool_names, author_names = cohort.subset(pool_idx), cohort.subset(author_idx)
    active = is_pool & ~cohort.mask(dropped)
    n_active = int(active.sum())
    cap = _cap(k, len(author_idx), len(pool_idx))
    shortfall = []
    for a in author_idx[received[author_idx] < k].tolist():
        others = n_active - int(active[a])
        reason = (
            f"only {others} other learner{_s(others)} can review it; {k} reviewer{_s(k)} per submission "
            f"need at least {k + 1} learners who can review"
            if others < k
            else f"every other learner who can review it already has {cap} reviews to do, the most anyone is "
            "given; the missing reviewers come as learners join or return"
        )
        shortfall.append(Shortfall(cohort.ids[a], int(received[a]), k - int(received[a]), reason))
    return Allocation(
        k=k,
        assignments=Pairs(cohort.names, reviewer, author),
        authors=author_names,
        reviewers=pool_names,
        load=Counts(pool_names, load[pool_idx]),
        received=Counts(author_names, received[author_idx]),
        mixing=Mixing(
            cross_circle=int((cohort.circle[reviewer] != cohort.circle[author]).sum()),
            assignments=len(reviewer),
            best_possible=_best_possible(cohort, len(reviewer), load, received, is_author, is_pool),
        )
        if mixing is None
        else mixing,
        matching=Matching(
            matched=int(cohort.match(reviewer, author).sum()) if matched is None else matched,
            wanting=int(cohort.wants_any[author].sum()),
            assignments=len(reviewer),
        ),
        shortfall=tuple(shortfall),
        dropped=dropped,
        circles=MappingProxyType(cohort.circles),
        profiles=MappingProxyType(cohort.profiles),
    )


def _cap(k: int, n_authors: int, n_pool: int) -> int:
    """The most reviews anyone is ever given: ``k + 1`` when the authors review each other.

    With a separate pool the balanced load is ``⌈kA/R⌉``, which may exceed ``k``; one above it.
    """
    if n_pool <= 0:
        return k + 1
    return max(k, -(-k * n_authors // n_pool)) + 1


def _best_possible(
    cohort: _Cohort, m: int, load: IntArray, received: IntArray, is_author: BoolArray, is_pool: BoolArray
) -> int:
    """An upper bound on the cross-circle count of ``m`` assignments, from three lower bounds on same-circle pairs.

    For circle C: its authors' reviews plus its reviewers' loads minus all reviews (what C needs
    beyond what the outside can give or take); for each author in C, reviews beyond the number of
    reviewers outside C; for each reviewer in C, reviews beyond the number of authors outside C.
    The bound uses only the per-learner counts, so it holds for every allocation with those counts.
    """
    c, codes = cohort.circle, cohort.n_codes
    received_c = np.bincount(c, weights=received, minlength=codes)
    load_c = np.bincount(c, weights=load, minlength=codes)
    authors_c = np.bincount(c[is_author], minlength=codes)
    outside_authors = int(is_author.sum()) - authors_c[c]
    if is_pool is is_author:  # the authors review each other: the same counts
        outside_pool = outside_authors
    else:
        outside_pool = int(is_pool.sum()) - np.bincount(c[is_pool], minlength=codes)[c]
    per_author = np.bincount(c, weights=np.maximum(0, received - outside_pool) * is_author, minlength=codes)
    per_reviewer = np.bincount(c, weights=np.maximum(0, load - outside_authors) * is_pool, minlength=codes)
    same = np.maximum(np.maximum(received_c + load_c - m, 0), np.maximum(per_author, per_reviewer))
    return m - round(float(same.sum()))
