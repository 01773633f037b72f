"""The output of aggregation: :class:`Grades`, and the conventions every method shares.

Submissions without a review (and not anchored) get estimate NaN, uncertainty +inf and spread NaN;
reviewers without a review get bias and reliability NaN. ``spread`` (the disagreement measure) is
the range ``max - min`` of a submission's scores, NaN with fewer than two reviews. Anchored
submissions get the facilitator's score and uncertainty 0, whatever the method.

:class:`CalibratedFit` (:attr:`Grades.fit`; its symbols ``mu0``, ``gamma0``, ... are the model's, see
``calibration``) lives here rather than in ``calibration`` because that module builds
:class:`Grades`: a record in each module importing the other would be an import cycle.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from peerkit.core.aggregation.reviews import BoolArray, FloatArray, IntArray, Reviews


@dataclass(frozen=True, slots=True)
class CalibratedFit:
    """Cohort-level estimates of the calibrated model, on the score scale.

    Attributes
    ----------
    true_mean, true_sd : float
        ``mu0`` and ``1 / sqrt(gamma0)``: the spread of true scores.
    bias_mean, bias_sd : float
        ``beta`` (0 unless anchors were reviewed) and ``1 / sqrt(eta0)``.
    noise_sd : float
        The typical reviewer's noise scale, ``sqrt(beta0 / alpha0)``.
    iterations : int
        Sweeps run.
    converged : bool
        Whether ``tol`` was reached before ``max_iter``.
    reliability_shape : float
        ``alpha0`` as used (estimated unless set): small when reviewers differ much in reliability.
    last_change : float
        The largest move of an estimate or a bias in the last sweep, score units.
    heldout_spread : float
        Mean squared error of predicting held-out reviews over the variance the model claims for
        them: about 1 when the model's noise levels are right (NaN when not checked).
    """

    true_mean: float
    true_sd: float
    bias_mean: float
    bias_sd: float
    noise_sd: float
    iterations: int
    converged: bool
    reliability_shape: float = math.nan
    last_change: float = math.nan
    heldout_spread: float = math.nan


@dataclass(frozen=True, slots=True)
class MethodChoice:
    """Which method graded a criterion, and why: the evidence behind ``"auto"`` or a fallback.

    Attributes
    ----------
    method : str
        The method whose estimates are the grades.
    reason : str
        One sentence a facilitator can read, with the figures (``"calibrated: held-out error 0.41
        vs median 0.55 over 312 reviews"``).
    heldout : mapping of str to float
        Root mean squared error of predicting each review from the others, score units, by method.
    n_heldout : int
        Reviews the comparison was made on.
    """

    method: str
    reason: str
    heldout: Mapping[str, float] = field(default_factory=dict)
    n_heldout: int = 0


@dataclass(frozen=True, slots=True, eq=False)
class Grades:
    """Per-submission grades from :func:`aggregate`. Arrays are indexed by submission.

    Attributes
    ----------
    method : str
        The method that produced them.
    estimate : ndarray of float64
        The grade on the score scale; NaN for a submission without reviews (unless anchored).
    uncertainty : ndarray of float64
        Standard error or posterior standard deviation on the score scale; +inf without reviews,
        0 for anchored submissions.
    n_reviews : ndarray of intp
        Reviews received.
    spread : ndarray of float64
        ``max - min`` of the scores received; NaN with fewer than two reviews.
    anchored : ndarray of bool
        Whether the estimate is a facilitator's score.
    lo, hi : float
        The score scale.
    reviewer_bias, reviewer_reliability : ndarray of float64 or None
        Calibrated method only, indexed by reviewer: the estimated bias (score units, positive =
        generous) and reliability (precision of the reviewer's noise, in 1 / score units squared);
        NaN for reviewers without reviews.
    fit : CalibratedFit or None
        The calibrated model's cohort-level estimates and convergence, whenever it was fitted (also
        when ``"auto"`` chose another method, or an unconverged fit fell back to the median).
    choice : MethodChoice or None
        Why this method: set by ``"auto"`` and by a fallback, None when a method was asked for and used.
    """

    method: str
    estimate: FloatArray
    uncertainty: FloatArray
    n_reviews: IntArray
    spread: FloatArray
    anchored: BoolArray
    lo: float
    hi: float
    reviewer_bias: FloatArray | None = None
    reviewer_reliability: FloatArray | None = None
    fit: CalibratedFit | None = None
    choice: MethodChoice | None = None

    @property
    def reviewer_noise_sd(self) -> FloatArray | None:
        """Calibrated method only: each reviewer's noise scale ``1 / sqrt(reliability)``, score units."""
        if self.reviewer_reliability is None:
            return None
        with np.errstate(divide="ignore"):
            return 1.0 / np.sqrt(self.reviewer_reliability)

    def __len__(self) -> int:
        return len(self.estimate)


def _spread(reviews: Reviews, counts: IntArray) -> FloatArray:
    high = np.full(reviews.n_submissions, -np.inf)
    low = np.full(reviews.n_submissions, np.inf)
    np.maximum.at(high, reviews.submission, reviews.score)
    np.minimum.at(low, reviews.submission, reviews.score)
    return np.where(counts >= 2, high - low, np.nan)


def _finish(
    reviews: Reviews,
    method: str,
    estimate: FloatArray,
    uncertainty: FloatArray,
    counts: IntArray,
    anchors: tuple[IntArray, FloatArray],
    *,
    reviewer_bias: FloatArray | None = None,
    reviewer_reliability: FloatArray | None = None,
    fit: CalibratedFit | None = None,
    choice: MethodChoice | None = None,
) -> Grades:
    """Apply the conventions shared by every method: no reviews, anchors, spread, read-only arrays."""
    # Clipping only removes rounding (a mean of equal scores can land an ulp past the end of the
    # scale); for the calibrated model it also bounds a posterior mean pushed out by a bias.
    estimate = np.where(counts > 0, np.clip(estimate, reviews.lo, reviews.hi), np.nan)
    uncertainty = np.where(counts > 0, uncertainty, np.inf)
    anchored = np.zeros(reviews.n_submissions, dtype=bool)
    anchored[anchors[0]] = True
    estimate[anchors[0]] = anchors[1]
    uncertainty[anchors[0]] = 0.0
    n_reviews = counts.astype(np.intp)
    spread = _spread(reviews, counts)
    for arr in (estimate, uncertainty, n_reviews, spread, anchored, reviewer_bias, reviewer_reliability):
        if arr is not None:
            arr.flags.writeable = False
    return Grades(
        method=method,
        estimate=estimate,
        uncertainty=uncertainty,
        n_reviews=n_reviews,
        spread=spread,
        anchored=anchored,
        lo=reviews.lo,
        hi=reviews.hi,
        reviewer_bias=reviewer_bias,
        reviewer_reliability=reviewer_reliability,
        fit=fit,
        choice=choice,
    )
