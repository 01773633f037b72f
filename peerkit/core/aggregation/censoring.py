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
from peerkit.core.aggregation.special import log_ndtr, normal_cdf, normal_density, normal_tail

_LOG_SQRT_2PI: Final = 0.5 * math.log(2.0 * math.pi)


def truncated_standard_normal(a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Mean and variance of a standard normal truncated to ``[a, b]`` (``a < b``, either may be infinite).

    Computed on the side of the mean nearer the interval. Where the interval keeps at least
    :data:`_DIRECT_MASS` of the normal (nearly every review: a level near what the model expects), from the
    tails directly (:func:`~peerkit.core.aggregation.special.normal_tail`, absolute accuracy 2e-16); intervals
    far in a tail (a careless review, an example rated far from its level) in log space, so that they neither
    underflow nor lose all precision. The direct route is what makes a coarse rubric's reviews affordable at
    scale: every review is such an interval, every sweep (a million reviews of a three-level criterion fitted in
    0.8 s, not 2.1 s; the moments agree with the log-space route's within 1e-15).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    flip = a > 0
    lo = np.where(flip, -b, a)  # lo <= 0 always
    hi = np.where(flip, -a, b)
    below_lo = normal_tail(-lo)  # Phi(lo)
    mass = normal_cdf(hi)
    mass -= below_lo
    dens_lo = normal_density(lo)
    dens_hi = normal_density(hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = dens_lo - dens_hi
        mean /= mass
        lo_dens, hi_dens = lo * dens_lo, hi * dens_hi
        if not (np.isfinite(a).all() and np.isfinite(b).all()):  # an open end: its density term is 0, not inf * 0
            lo_dens[~np.isfinite(lo)] = 0.0
            hi_dens[~np.isfinite(hi)] = 0.0
        moment = np.subtract(lo_dens, hi_dens, out=lo_dens)
        moment /= mass
    far = np.flatnonzero(~(mass >= _DIRECT_MASS))
    if len(far):
        mean[far], moment[far] = _log_space_moments(lo[far], hi[far])
    var = np.clip(1.0 + moment - mean * mean, 1e-12, 1.0)
    return np.where(flip, -mean, mean), var


_DIRECT_MASS: Final = 1e-3  # below, the tails' absolute error (2e-16) would be over 1e-13 of the mass


def _log_space_moments(lo: FloatArray, hi: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``E z`` and ``E z^2 - 1`` of a standard normal truncated to ``[lo, hi]`` (``lo <= 0``), in log space."""
    log_lo, log_hi = log_ndtr(lo), log_ndtr(hi)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        log_mass = log_hi + np.log1p(-np.exp(log_lo - log_hi))
        dens_lo = np.where(np.isfinite(lo), np.exp(-0.5 * lo * lo - _LOG_SQRT_2PI - log_mass), 0.0)
        dens_hi = np.where(np.isfinite(hi), np.exp(-0.5 * hi * hi - _LOG_SQRT_2PI - log_mass), 0.0)
        moment = np.where(np.isfinite(lo), lo * dens_lo, 0.0) - np.where(np.isfinite(hi), hi * dens_hi, 0.0)
    return dens_lo - dens_hi, moment


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
    total: int = 0  # reviews in the round

    @classmethod
    def of(cls, x: FloatArray, on_anchor: BoolArray, half: float | None) -> Censoring:
        """The censoring of reviews *x* (unit scale); *half* is half a step, None on a continuous scale."""
        idx = np.flatnonzero(on_anchor) if half is not None else np.zeros(0, dtype=np.intp)
        xi = x if len(idx) == len(x) else x[idx]
        return cls(idx, xi - (half or 0.0), xi + (half or 0.0), len(x))

    @property
    def every(self) -> bool:
        """Whether every review is censored (a coarse rubric): :attr:`index` is then ``0, 1, ..., n - 1``."""
        return bool(self.total) and len(self.index) == self.total

    def fill(self, x: FloatArray, mu: FloatArray, sd: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The expected perceptions and their variances, per review of *x*: ``x`` and 0 where uncensored.

        *mu* and *sd* are the model's mean and spread of each censored review's perception (in the order of
        :attr:`index`).
        """
        if not len(self.index):
            return x, np.zeros(len(x))
        mean, var = truncated_standard_normal((self.low - mu) / sd, (self.high - mu) / sd)
        mean *= sd
        mean += mu
        var *= sd
        var *= sd
        if self.every:  # whole arrays, no scatter
            return mean, var
        y, y_var = x.copy(), np.zeros(len(x))
        y[self.index] = mean
        y_var[self.index] = var
        return y, y_var
