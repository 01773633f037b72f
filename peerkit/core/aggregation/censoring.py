"""Reviews of anchors as censored readings: which perceptions a reported level allows, and their moments.

A reviewer perceives ``y = s + b + noise`` on a continuous scale and reports a level. On an anchor
(a facilitator-graded example, true score known) the level is read as an interval when the rubric
step is known: the perception was within half a step of the level reported. Anchors often sit
exactly on a level, where plain rounding would hide any bias smaller than half a step.

The end levels are read as *bounded* intervals too, ``[hi - step / 2, hi + step / 2]``: a reviewer's
perception of an example does not go past the end of the scale by more than half a level. Read as
open intervals (``y >= hi - step / 2``), an example at the top rated at the top by every reviewer
says only "nobody is harsh", which the model explains best with a shared bias growing without
limit; the fit then drifted and every grade with it (issue 13: an error five to seven times the
median's, and a fit that never converged).

Reviews of the learners' own submissions are read as exact levels, the ends included: reading the
ends as open intervals there too was measured (``bench/aggregation.py``, heavy ceiling) and was
slightly *less* accurate, and costs a truncated-normal expectation per review and sweep.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from peerkit.core.aggregation.reviews import BoolArray, FloatArray, IntArray
from peerkit.core.aggregation.special import log_ndtr

_LOG_SQRT_2PI: Final = 0.5 * math.log(2.0 * math.pi)


def truncated_standard_normal(a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Mean and variance of a standard normal truncated to ``[a, b]`` (``a < b``, either may be infinite).

    Computed in log space, on the side of the mean nearer the interval, so that intervals far in a
    tail (a careless review of an anchor) neither underflow nor lose all precision.
    """
    flip = a > 0
    lo = np.where(flip, -b, a)
    hi = np.where(flip, -a, b)
    log_lo, log_hi = log_ndtr(lo), log_ndtr(hi)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        log_mass = log_hi + np.log1p(-np.exp(log_lo - log_hi))
        dens_lo = np.where(np.isfinite(lo), np.exp(-0.5 * lo * lo - _LOG_SQRT_2PI - log_mass), 0.0)
        dens_hi = np.where(np.isfinite(hi), np.exp(-0.5 * hi * hi - _LOG_SQRT_2PI - log_mass), 0.0)
        moment = np.where(np.isfinite(lo), lo * dens_lo, 0.0) - np.where(np.isfinite(hi), hi * dens_hi, 0.0)
    mean = dens_lo - dens_hi
    var = np.clip(1.0 + moment - mean * mean, 1e-12, 1.0)
    return np.where(flip, -mean, mean), var


@dataclass(frozen=True, slots=True, eq=False)
class Censoring:
    """Which reviews are censored readings, and the interval each allows (unit scale).

    Attributes
    ----------
    index : ndarray of intp
        The censored reviews (positions in the review arrays).
    low, high : ndarray of float64
        Per censored review, the perceptions its level allows (either may be infinite).
    """

    index: IntArray
    low: FloatArray
    high: FloatArray

    @classmethod
    def of(cls, x: FloatArray, on_anchor: BoolArray, half: float | None) -> Censoring:
        """The censoring of reviews *x* (unit scale); *half* is half a step, None on a continuous scale."""
        idx = np.flatnonzero(on_anchor) if half is not None else np.zeros(0, dtype=np.intp)
        xi = x[idx]
        return cls(idx, xi - (half or 0.0), xi + (half or 0.0))

    def fill(
        self, x: FloatArray, mu: FloatArray, sd: FloatArray, y: FloatArray, y_var: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Write the expected perception and its variance into *y* and *y_var* for the censored reviews.

        *mu* and *sd* are the model's mean and spread of each censored review's perception (in the order of
        :attr:`index`); uncensored reviews keep ``y = x`` and variance 0.
        """
        if not len(self.index):
            return y, y_var
        m, s = mu, sd
        mean, var = truncated_standard_normal((self.low - m) / s, (self.high - m) / s)
        y[self.index] = m + s * mean
        y_var[self.index] = s * s * var
        return y, y_var
