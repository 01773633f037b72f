"""Reviews grouped by submission: per-submission sums over contiguous runs, per-submission values repeated.

The calibrated fit passes over every review several times per sweep. With the reviews of each submission
next to each other, a per-submission value is spread to its reviews by ``np.repeat``, and a per-submission
sum reads the reviews in order: when every submission has the same number *k* of reviews (a round's usual
allocation) the reviews are a table of *k* columns, summed column by column; otherwise one ``np.bincount``
over the grouped submissions, in order. A gather by index costs two to three times more on a million
reviews (random access); so did ``np.add.reduceat`` over the runs (numpy 2.4: 2.9 ms, the columns 0.5 ms,
the in-order count 1.6 ms). Reviews usually arrive grouped (a round's reviews are listed submission by
submission); otherwise :meth:`Groups.of` sorts them once and the caller maps per-review results back with
:attr:`Groups.order`.
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
    submission : ndarray of intp
        Per review (grouped order), its submission: non-decreasing.
    k : int
        The number of reviews every submission has, when they all have the same (at least one); 0 otherwise.
    """

    order: IntArray | None
    counts: IntArray
    submission: IntArray
    k: int

    @classmethod
    def of(cls, sub: IntArray, n_sub: int) -> Groups:
        """The groups of reviews of submissions *sub* (any order; sorted stably when not grouped)."""
        order = None
        if len(sub) > 1 and bool(np.any(sub[1:] < sub[:-1])):
            order = np.argsort(sub, kind="stable").astype(np.intp, copy=False)
            sub = sub[order]
        counts = np.bincount(sub, minlength=n_sub).astype(np.intp, copy=False)
        k = int(counts[0]) if n_sub and len(sub) else 0
        return cls(order, counts, sub, k if k and bool(np.all(counts == k)) else 0)

    def sum(self, values: FloatArray) -> FloatArray:
        """Per submission, the sum of *values* (one per review, grouped order); 0 without reviews.

        Either way each submission's reviews are added one after the other, in the grouped order: the same
        sums to the last digit.
        """
        if not self.k:
            return np.bincount(self.submission, values, len(self.counts)).astype(np.float64, copy=False)
        table = values.reshape(-1, self.k)
        out = table[:, 0].copy()
        for j in range(1, self.k):
            out += table[:, j]
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
