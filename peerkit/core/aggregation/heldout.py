"""Evidence for the method: each review predicted from the others (leave one review out).

The round's own reviews decide between the calibrated model and the median. Each review ``r`` of a
submission ``u`` by reviewer ``v`` is predicted without itself: by the median of ``u``'s other scores,
and by the calibrated model's estimate of ``u`` refitted without ``r`` (exactly, for the precision-
weighted mean; the biases and reliabilities are kept) plus the mean bias ``beta``. A review of an
anchor is predicted by the facilitator's score (median) or that score plus ``beta`` (calibrated).

Why this measures the grades: ``x_r = s_u + b_v + e_r`` with ``r`` independent of the other reviews,
so the expected squared error of a prediction ``p`` of ``x_r`` is ``E(p - s_u - beta)^2 + E(b_v -
beta)^2 + E(e_r^2)``; the last two terms are the same for every method, so the method with the smaller
held-out error has the smaller error on the true scores (of submissions with one review fewer). On
anchors it is the error of the shared bias itself. The reviewer's own bias is deliberately *not* in
the prediction: predicting a reviewer's habits is not grading.

The comparison is paired (the same reviews) but noisy: with 30 reviews and heavy-tailed noise it is
nearly a coin toss. The calibrated model is the default (it was better than the median in every
simulated setting, ``bench/aggregation.py``) and the median replaces it when its held-out squared
error is lower by more than one standard error of the paired difference (:meth:`HeldOut.paired_se`);
below :data:`~peerkit.core.aggregation.MIN_HELDOUT` reviews only the examples' reviews count, and
the calibrated model must be clearly better on them.

Large rounds are checked on a seeded sample of their reviews (:func:`sample`, at most
:data:`~peerkit.core.aggregation.HELDOUT_SAMPLE`): the decision needs a standard error, not every review.

:attr:`HeldOut.calibrated_var` is the variance the model claims for each held-out error; the ratio
of the mean squared error to it (:meth:`HeldOut.spread_ratio`) is reported with the fit. It is *not*
used to scale the grades' uncertainty: the claimed variance is dominated by the reviewer's noise,
which the fit estimates in-sample, so the ratio overshoots (scaling by it over-covered Gaussian
cohorts, 99 % within two standard deviations) while not seeing what under-covers (``bench``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from peerkit.core.aggregation.calibration import Posterior
from peerkit.core.aggregation.reviews import BoolArray, FloatArray, IntArray, Reviews
from peerkit.core.aggregation.simple import _within_submission_order


@dataclass(frozen=True, slots=True, eq=False)
class HeldOut:
    """Per review, the leave-one-out predictions (unit scale) where both methods can make one.

    Attributes
    ----------
    usable : ndarray of bool
        Reviews of a submission with another review, or of an anchor.
    median, calibrated : ndarray of float64
        Predictions of the usable reviews (NaN elsewhere).
    calibrated_var : ndarray of float64
        The calibrated model's variance of its prediction error (NaN elsewhere).
    x : ndarray of float64
        The reviews on the unit scale.
    """

    usable: BoolArray
    median: FloatArray
    calibrated: FloatArray
    calibrated_var: FloatArray
    x: FloatArray

    @property
    def n(self) -> int:
        return int(self.usable.sum())

    def only(self, keep: BoolArray) -> HeldOut:
        """The same predictions, restricted to the reviews in *keep*."""
        return HeldOut(self.usable & keep, self.median, self.calibrated, self.calibrated_var, self.x)

    def paired_se(self) -> float:
        """Standard error of the mean difference of squared errors (median's minus calibrated's)."""
        d = ((self.x - self.median) ** 2 - (self.x - self.calibrated) ** 2)[self.usable]
        return math.sqrt(float(np.var(d)) / len(d)) if len(d) > 1 else math.inf

    def spread_ratio(self) -> float:
        """Mean squared held-out error of the calibrated model over the variance it claims for it."""
        ok = self.usable & np.isfinite(self.calibrated_var)
        if not ok.any():
            return math.nan
        return float(np.mean(((self.x - self.calibrated) ** 2)[ok]) / np.mean(self.calibrated_var[ok]))

    def rmse(self, which: str) -> float:
        """Root mean squared held-out error of *which* (``"median"`` or ``"calibrated"``), unit scale."""
        pred = self.median if which == "median" else self.calibrated
        err = (self.x - pred)[self.usable]
        return math.sqrt(float(np.mean(err * err))) if len(err) else math.nan


def loo_median(
    reviews: Reviews,
    known: tuple[IntArray, FloatArray, IntArray, IntArray] | None = None,
    pick: IntArray | None = None,
) -> FloatArray:
    """Per review, the median of the *other* scores of its submission (NaN when it is the only one); *known*
    is ``_within_submission_order(reviews)`` when already known; *pick* restricts it to those reviews.

    Without *known*, a *pick* sorts only the reviews of the submissions it draws from (a fifth of a large
    round's reviews for a sample of one in twenty, at four reviews each).
    """
    if known is None and pick is not None:
        drawn = np.zeros(reviews.n_submissions, dtype=bool)
        drawn[reviews.submission[pick]] = True
        known = _within_submission_order(reviews, np.flatnonzero(drawn[reviews.submission]))
    sub, ordered, rank, order = known or _within_submission_order(reviews)
    counts = np.bincount(sub, minlength=reviews.n_submissions)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    if pick is None:
        at: IntArray = np.arange(len(sub))
    else:
        where = np.empty(len(reviews), dtype=np.intp)
        where[order] = np.arange(len(order))
        at = where[pick]
    s = sub[at]
    n = counts[s] - 1  # the others
    start = starts[s]
    r = rank[at]

    def other(i: IntArray) -> FloatArray:  # the i-th smallest of the others
        return ordered[np.minimum(start + i + (i >= r), len(ordered) - 1)]

    half = np.maximum(n - 1, 0) // 2
    low = other(half)
    high = other(np.where(n % 2 == 0, half + 1, half))
    found = np.where(n >= 1, 0.5 * (low + high), np.nan)
    if pick is not None:
        return found
    out = np.empty(len(reviews))
    out[order] = found
    return out


def sample(n_reviews: int, size: int) -> IntArray | None:
    """At most *size* reviews, the same for the same round (seeded, sorted); None when all of them fit."""
    if n_reviews <= size:
        return None
    return np.sort(np.random.default_rng(n_reviews).choice(n_reviews, size, replace=False))


def held_out(
    reviews: Reviews,
    post: Posterior,
    anchor_idx: IntArray,
    anchor_val: FloatArray,
    loo_med: FloatArray,
    pick: IntArray | None = None,
) -> HeldOut:
    """Leave-one-review-out predictions of both methods (see the module documentation), for the reviews in
    *pick* (all when None; *loo_med* is then given for those only)."""
    width = reviews.width
    sub, rev, score = reviews.submission, reviews.reviewer, reviews.score
    y = post.y
    if pick is not None:
        sub, rev, score, y = sub[pick], rev[pick], score[pick], y[pick]
    x = (score - reviews.lo) / width
    pinned = np.zeros(reviews.n_submissions, dtype=bool)
    pinned[anchor_idx] = True
    truth = np.zeros(reviews.n_submissions)
    truth[anchor_idx] = (anchor_val - reviews.lo) / width
    on_anchor = pinned[sub]
    tau_r = post.tau_m[rev]
    p = post.precision[sub]
    # The precision-weighted mean without review r: remove its term from the sum and the precision.
    with np.errstate(divide="ignore", invalid="ignore"):
        rest = np.maximum(p - tau_r, 1e-12)
        m_loo = post.m[sub] + tau_r * (post.m[sub] - (y - post.c[rev])) / rest
        var_loo = 1.0 / rest
    usable = on_anchor | np.isfinite(loo_med)
    median = np.where(on_anchor, truth[sub], (loo_med - reviews.lo) / width)
    calibrated = np.where(on_anchor, truth[sub], m_loo) + post.beta
    bias_var = (post.fit.bias_sd / width) ** 2
    calibrated_var = np.where(on_anchor, 0.0, var_loo) + bias_var + 1.0 / post.tau[rev]
    nan = np.where(usable, 0.0, np.nan)
    return HeldOut(usable, median + nan, calibrated + nan, calibrated_var + nan, x)
