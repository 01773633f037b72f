"""Reviews grouped by submission: per-submission sums over contiguous runs, per-submission values repeated.

The calibrated fit passes over every review several times per sweep. With the reviews of each submission
next to each other, a per-submission sum is one ``np.add.reduceat`` over the runs and a per-submission
value is spread to its reviews by ``np.repeat``; a ``np.bincount`` and a gather by index cost two to four
times more on a million reviews (random access). Reviews usually arrive grouped (a round's reviews are
listed submission by submission); otherwise :meth:`Groups.of` sorts them once and the caller maps
per-review results back with :attr:`Groups.order`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from peerkit.core.aggregation.reviews import FloatArray, IntArray


@dataclass(frozen=True, slots=True, eq=False)
class Groups:
    """The runs of reviews per submission, in the grouped order.

    Attributes
    ----------
    order : ndarray of intp or None
        The grouped order as positions in the original reviews; None when they were grouped already.
    counts : ndarray of intp
        Reviews per submission.
    starts : ndarray of intp
        Where each non-empty run starts.
    nonempty : ndarray of intp or None
        The submissions with a review, None when every submission has one.
    """

    order: IntArray | None
    counts: IntArray
    starts: IntArray
    nonempty: IntArray | None

    @classmethod
    def of(cls, sub: IntArray, n_sub: int) -> Groups:
        """The groups of reviews of submissions *sub* (any order; sorted stably when not grouped)."""
        order = None
        if len(sub) > 1 and bool(np.any(sub[1:] < sub[:-1])):
            order = np.argsort(sub, kind="stable").astype(np.intp, copy=False)
            sub = sub[order]
        counts = np.bincount(sub, minlength=n_sub).astype(np.intp, copy=False)
        ends = np.cumsum(counts)
        starts = ends - counts
        has = counts > 0
        if bool(has.all()):
            return cls(order, counts, starts, None)
        return cls(order, counts, starts[has], np.flatnonzero(has))

    def sum(self, values: FloatArray) -> FloatArray:
        """Per submission, the sum of *values* (one per review, grouped order); 0 without reviews."""
        runs = np.add.reduceat(values, self.starts) if len(self.starts) else np.zeros(0)
        if self.nonempty is None:
            return runs
        out = np.zeros(len(self.counts))
        out[self.nonempty] = runs
        return out

    def spread(self, per_submission: FloatArray) -> FloatArray:
        """Per review (grouped order), its submission's value."""
        return np.repeat(per_submission, self.counts)

    def ungroup(self, per_review: FloatArray) -> FloatArray:
        """*per_review* (grouped order) in the original order of the reviews."""
        if self.order is None:
            return per_review
        out = np.empty_like(per_review)
        out[self.order] = per_review
        return out
