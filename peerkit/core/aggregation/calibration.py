"""The ``"calibrated"`` method: model PG1 of Piech et al. 2013, "Tuned Models of Peer Assessment in MOOCs".

Score ``z = s_u + b_v + e`` with a true score ``s_u ~ N(mu0, 1/gamma0)`` per submission, a bias
``b_v ~ N(beta, 1/eta0)`` and a reliability ``tau_v ~ Gamma(alpha0, beta0)`` per reviewer, and
``e ~ N(0, 1/tau_v)``. A careless reviewer (constant or random scores) fits badly everywhere,
gets a low reliability and so little weight. The hyper-parameters ``mu0, gamma0, eta0, beta0``
are estimated from the data (empirical Bayes) instead of being set by hand; ``alpha0`` is a
setting (:class:`CalibrationSettings`). The mean bias ``beta`` is 0 unless anchors are given.
Estimation is mean-field variational Bayes: coordinate ascent on the factorised posterior
``q(s) q(b) q(tau)``, with the hyper-parameters updated in the same sweep (variational EM) and
a first-order correction of the mean-field variances (see the code). Deterministic, vectorised
over reviews, typically 10-30 sweeps. Estimates are posterior means clipped to the scale: like PG1 they are
shrunk towards the cohort mean where the reviews are few or unreliable.

Anchors
-------
Facilitator-graded example submissions. The model treats them as observed
true scores: the reviews *of* anchors then measure each reviewer's bias directly, and the mean bias
``beta`` becomes estimable. Without anchors a shift shared by all reviewers cannot be told apart
from a cohort that is simply better or worse, and it stays in the grades. When the rubric step is
known (:attr:`Reviews.step`) a review of an anchor is read as "the reviewer's perception was within
half a step of this level" (interval censoring), because an anchor's true score often sits exactly
on a level, where plain rounding would hide any bias smaller than half a step.

Uncertainty
-----------
The posterior standard
deviation of ``s_u``, including (to first order) the uncertainty of the biases that were
subtracted. When the model holds, about 93 % of true scores fall within two of them (tests); with
heavy-tailed noise, careless reviewers and rubric rounding (``bench/aggregation.py``) 80-90 %:
read it as a lower bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy.special import log_ndtr

from peerkit.core.aggregation.grades import CalibratedFit, Grades, _finish
from peerkit.core.aggregation.reviews import FloatArray, IntArray, Reviews, _sum_by
from peerkit.core.errors import ValidationError


@dataclass(frozen=True, slots=True)
class CalibrationSettings:
    """Priors and stopping rule of the calibrated model. Scale-free: the model works on ``[0, 1]``.

    Attributes
    ----------
    reliability_shape : float
        ``alpha0``, the shape of the Gamma prior on each reviewer's precision: a reviewer starts
        with ``2 * alpha0`` pseudo-reviews at the cohort's typical noise level (the rate ``beta0``
        is estimated). Small values let a reviewer's own few reviews decide, and with 2-6 reviews
        each let empirical Bayes collapse onto a few "perfect" reviewers; 5 is stable.
    max_iter : int
        Sweeps at most; :attr:`CalibratedFit.converged` says whether ``tol`` was reached first.
    tol : float
        Stop when no submission estimate or bias moved by more than ``tol`` of the scale in a
        sweep. The last sweeps move mostly the hyper-parameters, slowly; at the default (0.1 % of
        the scale) the estimates differ from fully converged ones by 0.1-0.3 % of the scale (root
        mean square) in the benchmark's cohorts, and by about 1 % (single submissions up to 4 %)
        in sparse noisy ones (2 reviews each, 30 % careless): well inside their uncertainty, at a
        fifth of the sweeps.
    min_bias_sd : float
        Floor on the estimated spread of biases (fraction of the scale), so that empirical Bayes
        cannot shrink every bias to exactly zero and stall there.
    """

    reliability_shape: float = 5.0
    max_iter: int = 40
    tol: float = 1e-3
    min_bias_sd: float = 0.005

    def __post_init__(self) -> None:
        if not self.reliability_shape > 0:
            raise ValidationError("reliability_shape must be positive", field="reliability_shape")
        if self.max_iter < 1:
            raise ValidationError("max_iter must be at least 1", field="max_iter")
        if not self.tol > 0:
            raise ValidationError("tol must be positive", field="tol")
        if not self.min_bias_sd > 0:
            raise ValidationError("min_bias_sd must be positive", field="min_bias_sd")


def _dot(a: FloatArray, b: FloatArray) -> float:
    # Not ``a @ b``: BLAS may split a long dot product over threads, which costs more than it saves
    # here and makes the last digits depend on the machine. numpy's pairwise sum is deterministic.
    return float(np.sum(a * b))


_LOG_SQRT_2PI: Final = 0.5 * math.log(2.0 * math.pi)


def _truncated_standard_normal(a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
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


@dataclass(frozen=True, slots=True)
class _AnchorReviews:
    """Reviews of anchored submissions, on the unit scale: the only evidence of the mean bias.

    With a known rubric step the reported level only says that the reviewer's perception
    ``s + b + noise`` fell within half a step of it (interval censoring). This matters for anchors:
    their true score is known exactly and often sits on a level, where rounding hides any bias
    smaller than half a step, so treating the level as an exact reading underestimates biases.
    """

    reviewer: IntArray
    truth: FloatArray
    score: FloatArray
    low: FloatArray | None  # interval bounds when censored, else None
    high: FloatArray | None

    def terms(self, bias: FloatArray, precision: FloatArray, shift: float = 0.0) -> tuple[FloatArray, ...]:
        """Per review: ``E[y] - mu``, ``E[(y - mu)^2]`` and the share of information the level carries.

        ``mu = truth + bias + shift`` is the model's mean perception; ``y`` the perception given
        the report. Without censoring the report is ``y`` itself and carries full information.
        """
        mu = self.truth + bias[self.reviewer] + shift
        if self.low is None or self.high is None:
            e = self.score - mu
            return e, e * e, np.ones_like(e)
        sd = 1.0 / np.sqrt(precision)
        mean, var = _truncated_standard_normal((self.low - mu) / sd, (self.high - mu) / sd)
        return sd * mean, sd * sd * (var + mean * mean), np.maximum(1.0 - var, 1e-9)


def _calibrated(
    reviews: Reviews, anchor_idx: IntArray, anchor_val: FloatArray, settings: CalibrationSettings
) -> Grades:
    n_sub, n_rev, width = reviews.n_submissions, reviews.n_reviewers, reviews.width
    x = (reviews.score - reviews.lo) / width  # the model works on [0, 1]: priors are scale-free
    count_s = np.bincount(reviews.submission, minlength=n_sub)
    count_r = np.bincount(reviews.reviewer, minlength=n_rev).astype(np.float64)
    active = count_r > 0
    n_active = int(active.sum())
    pinned = np.zeros(n_sub, dtype=bool)
    pinned[anchor_idx] = True
    truth = np.zeros(n_sub)
    truth[anchor_idx] = (anchor_val - reviews.lo) / width
    free = (count_s > 0) & ~pinned
    on_anchor = pinned[reviews.submission]
    # Reviews of free submissions go through the vectorised sums below; reviews of anchors apart.
    sub, rev, xf = reviews.submission[~on_anchor], reviews.reviewer[~on_anchor], x[~on_anchor]
    count_f = np.bincount(rev, minlength=n_rev).astype(np.float64)
    anchor: _AnchorReviews | None = None
    if on_anchor.any():
        xa = x[on_anchor]
        low = high = None
        if reviews.step is not None:
            half = 0.5 * reviews.step / width
            low = np.where(xa <= 0.0, -np.inf, xa - half)  # the end levels are open: clipped perceptions
            high = np.where(xa >= 1.0, np.inf, xa + half)
        anchor = _AnchorReviews(reviews.reviewer[on_anchor], truth[reviews.submission[on_anchor]], xa, low, high)
    alpha0 = settings.reliability_shape

    # Start from the plain means, no bias, every reviewer at the cohort's pooled noise level.
    m = _sum_by(reviews.submission, x, n_sub) / np.maximum(count_s, 1)
    resid = x - m[reviews.submission]
    df = len(x) - int((count_s > 0).sum())
    noise_var = max(_dot(resid, resid) / df if df > 0 else 1.0 / 12.0, 1e-4)
    m[pinned] = truth[pinned]
    n_free_sub = int(free.sum())
    free_w = free / max(n_free_sub, 1)
    active_w = active / n_active
    count_sf = np.where(free, count_s, 0).astype(np.float64)
    n_free = max(float(count_f.sum()), 1.0)
    mu0 = float(m[free].mean()) if n_free_sub else 0.5
    var_s = max(float(m[free].var()) if n_free_sub > 1 else 1.0 / 12.0, 1e-4)
    beta0 = alpha0 * noise_var
    tau = np.full(n_rev, 1.0 / noise_var)
    c, v_b = np.zeros(n_rev), np.zeros(n_rev)
    beta, var_b = 0.0, 0.05**2
    converged, sweep = False, 0
    tau_r = tau[rev]
    for sweep in range(1, settings.max_iter + 1):  # noqa: B007 - reported after the loop
        # True scores given biases and reliabilities: precision-weighted, bias-corrected means.
        gamma0 = 1.0 / var_s
        tau_r = tau[rev]
        precision = gamma0 + _sum_by(sub, tau_r, n_sub)
        m_new = (gamma0 * mu0 + _sum_by(sub, tau_r * xf - (tau * c)[rev], n_sub)) / precision
        m_new[pinned] = truth[pinned]
        v_s = np.where(pinned, 0.0, 1.0 / precision)
        # Per reviewer: sum and sum of squares (plus posterior variance) of score minus true score.
        dev = xf - m_new[sub]
        s1 = _sum_by(rev, dev, n_rev)
        s2 = _sum_by(rev, dev * dev + v_s[sub], n_rev)
        # Biases given true scores; an anchor review enters as one Newton step on its own likelihood.
        eta0 = 1.0 / var_b
        num = eta0 * beta + tau * s1
        q = eta0 + tau * count_f
        if anchor is not None:
            lam_a = tau[anchor.reviewer]
            gap, _, info = anchor.terms(c, lam_a)
            num += _sum_by(anchor.reviewer, lam_a * (gap + info * c[anchor.reviewer]), n_rev)
            q += _sum_by(anchor.reviewer, lam_a * info, n_rev)
        c_new = num / q
        v_b = 1.0 / q
        if anchor is not None:
            # Moving every bias by d and every free true score by -d changes only the anchor
            # reviews' fit: solve for that direction exactly (Newton), since coordinate updates
            # crawl along it when the biases are strongly shrunk to their mean.
            d = 0.0
            for _ in range(3):
                gap, _, info = anchor.terms(c_new, lam_a, d)
                d += _dot(lam_a, gap) / max(_dot(lam_a, info), 1e-12)
            c_new += d
            m_new[free] -= d
            s2 += 2.0 * d * s1 + d * d * count_f  # dev grew by d on every free review
            s1 += d * count_f
        # Reliabilities from the expected squared residuals, posterior variances included.
        ssq = s2 - 2.0 * c_new * s1 + count_f * (c_new * c_new + v_b)
        if anchor is not None:
            _, e2a, _ = anchor.terms(c_new, lam_a)
            ssq += _sum_by(anchor.reviewer, e2a + v_b[anchor.reviewer], n_rev)
        # Empirical Bayes: hyper-parameters from the current posteriors (variational EM). Mean-field
        # variances ignore that a bias is estimated from uncertain true scores and vice versa; without
        # a first-order correction both spreads shrink sweep after sweep (the bias spread towards
        # zero). The corrections use review-averaged variances: close enough when allocations are
        # roughly balanced, and no extra pass over the reviews.
        # (Averages over free submissions and active reviewers are sums with 0/1 weights: boolean
        # indexing would copy the arrays several times per sweep.)
        mean_vs = _dot(count_sf, v_s) / n_free
        mean_tvb = _dot(count_f, tau * tau * v_b) / n_free
        if n_free_sub:
            mu0 = _dot(free_w, m_new)
            v_s_full = v_s * (1.0 + v_s * count_sf * mean_tvb)
            var_s = max(_dot(free_w, (m_new - mu0) ** 2 + v_s_full), 1e-6)
        if anchor is not None:
            beta = _dot(active_w, c_new)
        v_b_full = v_b * (1.0 + v_b * tau * tau * count_f * mean_vs)
        var_b = max(_dot(active_w, (c_new - beta) ** 2 + v_b_full), settings.min_bias_sd**2)
        tau = (alpha0 + 0.5 * count_r) / (beta0 + 0.5 * np.maximum(ssq, 0.0))
        beta0 = alpha0 / _dot(active_w, tau)
        delta = max(float(np.max(np.abs(m_new - m) * free)), float(np.max(np.abs(c_new - c) * active)))
        m, c = m_new, c_new
        if delta < settings.tol:
            converged = True
            break

    # First-order propagation of the biases' uncertainty into each true score: m_u is linear in the
    # biases of its reviewers, with weights tau_v / precision_u (the reliabilities m was computed with).
    var = v_s + _sum_by(sub, tau_r * tau_r * v_b[rev], n_sub) * v_s * v_s
    fit = CalibratedFit(
        true_mean=reviews.lo + mu0 * width,
        true_sd=math.sqrt(var_s) * width,
        bias_mean=beta * width,
        bias_sd=math.sqrt(var_b) * width,
        noise_sd=math.sqrt(beta0 / alpha0) * width,
        iterations=sweep,
        converged=converged,
    )
    return _finish(
        reviews,
        "calibrated",
        reviews.lo + m * width,
        np.sqrt(var) * width,
        count_s,
        (anchor_idx, anchor_val),
        reviewer_bias=np.where(active, c * width, np.nan),
        reviewer_reliability=np.where(active, tau / width**2, np.nan),
        fit=fit,
    )
