"""The ``"calibrated"`` method: model PG1 of Piech et al. 2013, "Tuned Models of Peer Assessment in MOOCs".

Score ``z = s_u + b_v + e`` with a true score ``s_u ~ N(mu0, 1/gamma0)`` per submission, a bias
``b_v ~ N(beta, 1/eta0)`` and a reliability ``tau_v ~ Gamma(alpha0, beta0)`` per reviewer, and
``e ~ N(0, 1/tau_v)``. A careless reviewer (constant or random scores) fits badly everywhere,
gets a low reliability and so little weight. Every hyper-parameter is estimated from the data
(empirical Bayes): ``mu0, gamma0, eta0, beta0`` from the current posteriors, and the shape
``alpha0`` (how much reviewers differ in reliability) from the spread of the reviewers' log
residual variances, so that a cohort with careless or random reviewers lets their reliabilities
drop further than a cohort of careful ones. The mean bias ``beta`` is 0 unless anchors are given.

A review of an anchor is read as a censored perception (``censoring``): "within half a step of the
level", the end levels included, so that examples at the scale's ends cannot make the fit drift.
Estimation is mean-field variational Bayes with the censored perceptions filled in by their
expectations (EM): coordinate ascent on ``q(s) q(b) q(tau)``, hyper-parameters updated in the same
sweep, and a first-order correction of the mean-field variances (see the code). Deterministic,
vectorised over reviews. Estimates are posterior means clipped to the scale: like PG1 they are
shrunk towards the cohort mean where the reviews are few or unreliable.

Anchors
-------
Facilitator-graded example submissions. The model treats them as observed
true scores: the reviews *of* anchors then measure each reviewer's bias directly, and the mean bias
``beta`` becomes estimable. Without anchors a shift shared by all reviewers cannot be told apart
from a cohort that is simply better or worse, and it stays in the grades.

Convergence
-----------
:attr:`CalibratedFit.converged` says whether the estimates stopped moving (``tol``) within
``max_iter`` sweeps. :func:`~peerkit.core.aggregation.aggregate` never returns an unconverged fit as
the grades: it falls back to the median and says why (``choice``).

Uncertainty
-----------
The posterior standard deviation of ``s_u``, including (to first order) the uncertainty of the
biases that were subtracted. Two of them cover the truth 92-95 % of the time in Gaussian cohorts
(tests) and in most of the benchmark's settings; less (75-87 %) with small cohorts or many careless
reviewers and no examples, and with examples but no real bias (``bench/aggregation.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from peerkit.core.aggregation.censoring import Censoring
from peerkit.core.aggregation.grades import CalibratedFit
from peerkit.core.aggregation.reviews import BoolArray, FloatArray, IntArray, Reviews, _sum_by
from peerkit.core.aggregation.special import sum_log_gamma
from peerkit.core.errors import ValidationError


@dataclass(frozen=True, slots=True)
class CalibrationSettings:
    """Priors and stopping rule of the calibrated model. Scale-free: the model works on ``[0, 1]``.

    Attributes
    ----------
    reliability_shape : float or None
        ``alpha0``, the shape of the Gamma prior on each reviewer's precision: a reviewer starts
        with ``2 * alpha0`` pseudo-reviews at the cohort's typical noise level. ``None`` (the
        default) estimates it from the data, within ``[min_reliability_shape, 100]``.
    min_reliability_shape : float
        Floor of the estimated shape: below about 2, with 2-6 reviews each, empirical Bayes can
        collapse onto a few reviewers who happen to look perfect.
    max_iter : int
        Sweeps at most; :attr:`CalibratedFit.converged` says whether ``tol`` was reached first.
    tol : float
        Stop when no submission estimate or bias moved by more than ``tol`` of the scale in a sweep.
    min_bias_sd : float
        Floor on the estimated spread of biases (fraction of the scale), so that empirical Bayes
        cannot shrink every bias to exactly zero and stall there.
    """

    reliability_shape: float | None = None
    min_reliability_shape: float = 2.0
    max_iter: int = 300
    tol: float = 1e-3
    min_bias_sd: float = 0.005

    def __post_init__(self) -> None:
        if self.reliability_shape is not None and not self.reliability_shape > 0:
            raise ValidationError("reliability_shape must be positive", field="reliability_shape")
        if not self.min_reliability_shape > 0:
            raise ValidationError("min_reliability_shape must be positive", field="min_reliability_shape")
        if self.max_iter < 1:
            raise ValidationError("max_iter must be at least 1", field="max_iter")
        if not self.tol > 0:
            raise ValidationError("tol must be positive", field="tol")
        if not self.min_bias_sd > 0:
            raise ValidationError("min_bias_sd must be positive", field="min_bias_sd")


@dataclass(frozen=True, slots=True, eq=False)
class Posterior:
    """The fitted calibrated model on the unit scale, as the held-out checks need it.

        ``m``, ``v_s`` and ``precision`` per submission (anchors hold their truth, variance 0); ``c``,
        ``v_b`` and ``tau`` per reviewer (``tau_m``: the reliabilities ``m`` and ``precision`` were computed
    with, one sweep older); ``y`` per review, the reported level or, for a censored
        reading, the expected perception; ``var`` per submission, the uncertainty before scaling.
    """

    m: FloatArray
    v_s: FloatArray
    precision: FloatArray
    var: FloatArray
    c: FloatArray
    v_b: FloatArray
    tau: FloatArray
    tau_m: FloatArray
    y: FloatArray
    beta: float
    fit: CalibratedFit


def _dot(a: FloatArray, b: FloatArray) -> float:
    # Not ``a @ b``: BLAS may split a long dot product over threads, which costs more than it saves
    # here and makes the last digits depend on the machine. numpy's pairwise sum is deterministic.
    return float(np.sum(a * b))


_SHAPES: Final = np.geomspace(1.0, 100.0, 25)


def _learned_shape(ssq: FloatArray, count: FloatArray, active: BoolArray, floor: float) -> float:
    """``alpha0`` by maximum marginal likelihood of the reviewers' residual sums of squares.

    Given ``tau_v ~ Gamma(alpha0, beta0)`` and ``n_v`` residuals, ``ssq_v / 2`` is Gamma-Gamma
    distributed; its log likelihood is profiled over ``beta0`` (a fixed point) on a grid of shapes.
    Estimated once, from a fit at the default shape: estimated sweep after sweep, the shape and the
    reliabilities feed each other (a small shape lets careful reviewers fit tighter, which looks like
    more spread) and the fit either swings between two states or collapses onto a few reviewers.
    """
    ok = active & (ssq > 0)
    if int(ok.sum()) < 5:
        return 5.0
    half_ssq, half_n = 0.5 * ssq[ok], 0.5 * count[ok]
    best, best_ll = 5.0, -math.inf
    for shape in _SHAPES[floor <= _SHAPES]:
        rate = shape * float(np.mean(1.0 / np.maximum(half_ssq / half_n, 1e-12))) ** -1
        for _ in range(20):
            rate = shape * len(half_ssq) / float(np.sum((shape + half_n) / (rate + half_ssq)))
        ll = (
            sum_log_gamma(shape + half_n)
            - len(half_n) * math.lgamma(shape)
            + float(np.sum(shape * math.log(rate) - (shape + half_n) * np.log(rate + half_ssq)))
        )
        if ll > best_ll:
            best, best_ll = float(shape), ll
    return best


def fit_calibrated(
    reviews: Reviews, anchor_idx: IntArray, anchor_val: FloatArray, settings: CalibrationSettings
) -> Posterior:
    """Fit the calibrated model (see the module documentation) and return its posterior."""
    n_sub, n_rev, width = reviews.n_submissions, reviews.n_reviewers, reviews.width
    x = (reviews.score - reviews.lo) / width  # the model works on [0, 1]: priors are scale-free
    sub, rev = reviews.submission, reviews.reviewer
    count_s = np.bincount(sub, minlength=n_sub)
    count_r = np.bincount(rev, minlength=n_rev).astype(np.float64)
    active = count_r > 0
    n_active = int(active.sum())
    pinned = np.zeros(n_sub, dtype=bool)
    pinned[anchor_idx] = True
    truth = np.zeros(n_sub)
    truth[anchor_idx] = (anchor_val - reviews.lo) / width
    free = (count_s > 0) & ~pinned
    on_anchor = pinned[sub]
    censoring = Censoring.of(x, on_anchor, None if reviews.step is None else 0.5 * reviews.step / width)
    has_anchor = bool(on_anchor.any())
    anchor_rev = rev[on_anchor]
    free_r = (~on_anchor).astype(np.float64)

    # Start from the plain means, no bias, every reviewer at the cohort's pooled noise level.
    m = _sum_by(sub, x, n_sub) / np.maximum(count_s, 1)
    resid = x - m[sub]
    df = len(x) - int((count_s > 0).sum())
    noise_var = max(_dot(resid, resid) / df if df > 0 else 1.0 / 12.0, 1e-4)
    m[pinned] = truth[pinned]
    n_free_sub = int(free.sum())
    free_w = free / max(n_free_sub, 1)
    active_w = active / n_active
    count_sf = np.where(free, count_s, 0).astype(np.float64)
    count_f = _sum_by(rev, free_r, n_rev)
    n_free = max(float(count_f.sum()), 1.0)
    mu0 = float(m[free].mean()) if n_free_sub else 0.5
    var_s = max(float(m[free].var()) if n_free_sub > 1 else 1.0 / 12.0, 1e-4)
    alpha0 = settings.reliability_shape or 5.0
    learn = settings.reliability_shape is None
    beta0 = alpha0 * noise_var
    tau = np.full(n_rev, 1.0 / noise_var)
    c, v_b = np.zeros(n_rev), np.zeros(n_rev)
    v_s = np.where(pinned, 0.0, var_s)
    beta, var_b = 0.0, 0.05**2
    converged, sweep, delta = False, 0, math.inf
    y, y_var = x.copy(), np.zeros_like(x)
    precision, tau_m = np.ones(n_sub), tau
    for sweep in range(1, settings.max_iter + 1):  # noqa: B007 - reported after the loop
        # E-step of the censored readings: the expected perception given the level's interval.
        tau_r, tau_m = tau[rev], tau
        y, y_var = censoring.fill(x, m[sub] + c[rev], 1.0 / np.sqrt(tau_r), y, y_var)
        # True scores given biases and reliabilities: precision-weighted, bias-corrected means.
        gamma0 = 1.0 / var_s
        precision = gamma0 + _sum_by(sub, tau_r * free_r, n_sub)
        m_new = (gamma0 * mu0 + _sum_by(sub, tau_r * (y - c[rev]) * free_r, n_sub)) / precision
        m_new[pinned] = truth[pinned]
        v_s = np.where(pinned, 0.0, 1.0 / precision)
        # Biases given true scores (reviews of anchors included: their true score is known).
        dev = y - m_new[sub]
        eta0 = 1.0 / var_b
        q = eta0 + tau * count_r
        c_new = (eta0 * beta + tau * _sum_by(rev, dev, n_rev)) / q
        v_b = 1.0 / q
        if has_anchor:
            # Moving every bias by d and every free true score by -d changes only the anchor
            # reviews' fit: solve for that direction exactly, since coordinate updates crawl along
            # it when the biases are strongly shrunk to their mean.
            lam = tau[anchor_rev]
            d = _dot(lam, dev[on_anchor] - c_new[anchor_rev]) / _dot(lam, np.ones_like(lam))
            c_new += d
            m_new[free] -= d
        # Reliabilities from the expected squared residuals, posterior variances included.
        e = y - m_new[sub] - c_new[rev]
        ssq = _sum_by(rev, e * e + y_var + v_s[sub], n_rev) + count_r * v_b
        # Empirical Bayes: hyper-parameters from the current posteriors (variational EM). Mean-field
        # variances ignore that a bias is estimated from uncertain true scores and vice versa; without
        # a first-order correction both spreads shrink sweep after sweep (the bias spread towards
        # zero). The corrections use review-averaged variances: close enough when allocations are
        # roughly balanced, and no extra pass over the reviews.
        mean_vs = _dot(count_sf, v_s) / n_free
        mean_tvb = _dot(count_f, tau * tau * v_b) / n_free
        if n_free_sub:
            mu0 = _dot(free_w, m_new)
            v_s_full = v_s * (1.0 + v_s * count_sf * mean_tvb)
            var_s = max(_dot(free_w, (m_new - mu0) ** 2 + v_s_full), 1e-6)
        if has_anchor:
            beta = _dot(active_w, c_new)
        v_b_full = v_b * (1.0 + v_b * tau * tau * count_f * mean_vs)
        var_b = max(_dot(active_w, (c_new - beta) ** 2 + v_b_full), settings.min_bias_sd**2)
        tau = (alpha0 + 0.5 * count_r) / (beta0 + 0.5 * np.maximum(ssq, 0.0))
        beta0 = alpha0 / _dot(active_w, tau)
        delta = max(float(np.max(np.abs(m_new - m) * free)), float(np.max(np.abs(c_new - c) * active)))
        m, c = m_new, c_new
        if delta < settings.tol:
            if not learn:
                converged = True
                break
            # Converged at the default shape: now learn the shape from this fit, once, and go on
            # unless it is within a quarter of the default (the fit would hardly move).
            learned, learn = _learned_shape(ssq, count_r, active, settings.min_reliability_shape), False
            if abs(math.log(learned / alpha0)) < math.log(1.25):
                converged = True
                break
            alpha0 = learned

    # First-order propagation of the biases' uncertainty into each true score: m_u is linear in the
    # biases of its reviewers, with weights tau_v / precision_u (the reliabilities m was computed with).
    tau_r = tau_m[rev]
    var = v_s + _sum_by(sub, tau_r * tau_r * v_b[rev] * free_r, n_sub) * v_s * v_s
    fit = CalibratedFit(
        true_mean=reviews.lo + mu0 * width,
        true_sd=math.sqrt(var_s) * width,
        bias_mean=beta * width,
        bias_sd=math.sqrt(var_b) * width,
        noise_sd=math.sqrt(beta0 / alpha0) * width,
        iterations=sweep,
        converged=converged,
        reliability_shape=alpha0,
        last_change=delta * width,
    )
    return Posterior(
        m=m, v_s=v_s, precision=precision, var=var, c=c, v_b=v_b, tau=tau, tau_m=tau_m, y=y, beta=beta, fit=fit
    )
