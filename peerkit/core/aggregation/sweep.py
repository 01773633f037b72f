"""One sweep of the calibrated model's variational updates, as a map from one state to the next.

The fit (``calibration``) is the fixed point of this map; writing the sweep as a pure function of a
:class:`State` lets the fit extrapolate along the path of successive states (SQUAREM, ``squarem``)
instead of crawling: the biases, the true scores and the bias spread feed each other, and plain
coordinate ascent moved them by a few per cent of the remaining distance per sweep (60 sweeps on a
million reviews where PG1's fixed hyper-parameters need 9).

Every pass over the reviews is one ``np.bincount`` or one gather; the passes that only anchors or
censored readings need are skipped when a round has none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from peerkit.core.aggregation.censoring import Censoring
from peerkit.core.aggregation.layout import Groups
from peerkit.core.aggregation.reviews import BoolArray, FloatArray, IntArray, _sum_by


def _dot(a: FloatArray, b: FloatArray) -> float:
    # Not ``a @ b``: BLAS may split a long dot product over threads, which costs more than it saves
    # here and makes the last digits depend on the machine. numpy's pairwise sum is deterministic.
    return float(np.sum(a * b))


class State(NamedTuple):
    """What one sweep needs from the last (unit scale): true scores, biases, reliabilities, hyper-parameters.

    ``hyper`` is ``[mu0, log var_s, beta, log var_b, log beta0]``: variances in logs, so that an
    extrapolated state stays valid.
    """

    m: FloatArray
    c: FloatArray
    log_tau: FloatArray
    hyper: FloatArray


class Aux(NamedTuple):
    """The by-products of a sweep that the posterior reports (computed with the state swept from)."""

    precision: FloatArray
    v_s: FloatArray
    v_b: FloatArray
    tau_m: FloatArray
    y: FloatArray
    ssq: FloatArray


@dataclass(frozen=True, slots=True, eq=False)
class Sweeper:
    """The round's constants (who reviewed what, anchors, counts) and the sweep over them."""

    x: FloatArray
    sub: IntArray
    rev: IntArray
    groups: Groups
    n_sub: int
    n_rev: int
    count_r: FloatArray
    active: BoolArray
    pinned: BoolArray
    truth: FloatArray
    free: BoolArray
    on_anchor: BoolArray
    censoring: Censoring
    min_bias_var: float
    count_sf: FloatArray  # per submission its reviews if free, else 0
    count_f: FloatArray  # per reviewer its reviews of free submissions
    min_true_var: float = 1e-6  # floor of the true scores' variance (the method-of-moments estimate)
    bias_df: float = math.inf  # degrees of freedom of the biases' Student t prior (inf: a normal prior)
    # Derived once: whether a round has anchors, and the reviewers / submissions the sums run over (None:
    # all of them, the usual round, where selecting by a mask of all True would copy every array per sweep).
    has_anchor: bool = field(init=False)
    act: IntArray | None = field(init=False)
    free_at: IntArray | None = field(init=False)
    count_a: FloatArray = field(init=False)  # per reviewer its reviews of anchors
    pinned_at: IntArray = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "has_anchor", bool(self.on_anchor.any()))
        object.__setattr__(self, "act", None if bool(self.active.all()) else np.flatnonzero(self.active))
        object.__setattr__(self, "free_at", None if bool(self.free.all()) else np.flatnonzero(self.free))
        object.__setattr__(self, "count_a", self.count_r - self.count_f)
        object.__setattr__(self, "pinned_at", np.flatnonzero(self.pinned))

    def sweep(self, state: State, alpha0: float) -> tuple[State, Aux, float]:
        """One coordinate-ascent sweep from *state*: the next state, its by-products, and the largest move
        of a free submission's true score (a grade)."""
        rev, n_rev, groups = self.rev, self.n_rev, self.groups
        m, c = state.m, state.c
        tau = np.exp(state.log_tau)
        mu0, var_s, beta, var_b, beta0 = (
            float(state.hyper[0]),
            float(np.exp(state.hyper[1])),
            float(state.hyper[2]),
            float(np.exp(state.hyper[3])),
            float(np.exp(state.hyper[4])),
        )
        anchors = self.has_anchor
        # Per-review work in place where it can be, per-reviewer values gathered by ``take`` (into a fresh
        # array: ``take(out=...)`` is slower): a million reviews make each temporary 8 MB, and a fresh one per
        # operation cost more than the arithmetic. Per-submission values and sums go over the runs of the
        # grouped reviews (``layout``).
        tau_r = tau.take(rev)
        y, y_var = self.x, None
        if len(self.censoring.index):
            y, y_var = self.readings(m, c, tau, tau_r)
        # True scores given biases and reliabilities: precision-weighted, bias-corrected means.
        gamma0 = 1.0 / var_s
        w = np.where(self.on_anchor, 0.0, tau_r) if anchors else tau_r
        precision = groups.sum(w)
        precision += gamma0
        work = c.take(rev)
        np.subtract(y, work, out=work)
        np.multiply(w, work, out=work)
        m_new = groups.sum(work)
        m_new += gamma0 * mu0
        m_new /= precision
        v_s = 1.0 / precision
        if len(self.pinned_at):
            m_new[self.pinned_at] = self.truth[self.pinned_at]
            v_s[self.pinned_at] = 0.0
        # Given the true scores, everything a reviewer's bias and reliability need is four sums over its reviews
        # (of the deviations from the true scores, of their squares with the true scores' variances, and the
        # same over reviews of anchors): one pass, after which the reviewers' side is solved on per-reviewer
        # arrays alone (``_reviewers``).
        dev = groups.spread(m_new)
        np.subtract(y, dev, out=dev)
        dev_sum = _sum_by(rev, dev, n_rev)
        resid2 = np.multiply(dev, dev, out=work)
        resid2 += groups.spread(v_s)
        if y_var is not None:
            resid2 += y_var
        stats = _ReviewerSums(
            dev=dev_sum,
            square=_sum_by(rev, resid2, n_rev),
            on_anchor=_sum_by(rev, np.where(self.on_anchor, dev, 0.0), n_rev) if anchors else None,
            censored_var=_sum_by(rev, y_var, n_rev) if y_var is not None else None,
        )
        count_sf, count_f = self.count_sf, self.count_f
        n_free = max(float(count_f.sum()), 1.0)
        mean_vs = _dot(count_sf, v_s) / n_free
        c_new, tau_new, v_b, ssq, beta, var_b, beta0, shift, left_out = self._reviewers(
            stats, c, tau, beta, var_b, beta0, alpha0, mean_vs
        )
        # Empirical Bayes for the true scores (variational EM), with the first-order correction of the
        # mean-field variances (see ``_reviewers``).
        free_at = self.free_at
        if free_at is None:
            m_new -= shift
            m_free, v_free, count_free, m_old = m_new, v_s, count_sf, m
        else:
            m_new[free_at] -= shift
            m_free, v_free, count_free, m_old = m_new[free_at], v_s[free_at], count_sf[free_at], m[free_at]
        delta = 0.0
        if len(m_free):
            mu0 = float(np.mean(m_free))
            v_s_full = v_free * (1.0 + v_free * count_free * left_out)
            spread_s = np.subtract(m_free, mu0)
            np.multiply(spread_s, spread_s, out=spread_s)
            spread_s += v_s_full
            var_s = max(float(np.mean(spread_s)), self.min_true_var)
            # The grades' move: a careless reviewer's bias, nearly unidentified and nearly without weight,
            # can drift on long after no grade changes.
            moved = np.subtract(m_free, m_old, out=v_s_full)
            delta = float(np.max(np.abs(moved, out=moved)))
        hyper = np.array([mu0, np.log(var_s), beta, np.log(var_b), np.log(beta0)])
        new = State(m_new, c_new, np.log(tau_new), hyper)
        return new, Aux(precision, v_s, v_b, tau, y, ssq), delta

    def readings(
        self, m: FloatArray, c: FloatArray, tau: FloatArray, tau_r: FloatArray | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """E-step of the censored readings given true scores *m*, biases *c* and reliabilities *tau* (*tau_r*: the
        same per review, when already gathered): per review the expected perception within its level's interval
        and its variance (``x`` and 0 for readings taken as exact)."""
        censoring, rev = self.censoring, self.rev
        if censoring.every:  # a coarse rubric: no gathers by index
            mu = self.groups.spread(m)
            mu += c.take(rev)
            sd = np.sqrt(tau_r if tau_r is not None else tau.take(rev))
        else:
            at = censoring.index
            rev_at = rev.take(at)
            mu = m.take(self.sub.take(at))
            mu += c.take(rev_at)
            sd = np.sqrt(tau_r.take(at) if tau_r is not None else tau.take(rev_at))
        return censoring.fill(self.x, mu, np.reciprocal(sd, out=sd))

    def _reviewers(
        self,
        sums: _ReviewerSums,
        c: FloatArray,
        tau: FloatArray,
        beta: float,
        var_b: float,
        beta0: float,
        alpha0: float,
        mean_vs: float,
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, float, float, float, float, float]:
        """The reviewers' side given the true scores: biases, reliabilities and their hyper-parameters, from
        per-reviewer arrays alone (no pass over the reviews). Solving this side to its own fixed point before the
        next pass over the reviews (several rounds per sweep) was measured: no fewer sweeps on a million
        reviews (9), so it is updated once.

        Returns the biases, reliabilities, the biases' variances, the expected residual sums of squares, the
        mean bias, the bias spread, the noise rate, the shift *d* of every bias (by which every free true
        score moves by ``-d``) and, for the true scores' correction, what their mean-field variances leave out per
        review and squared weight: ``tau^2 v_b`` (the biases subtracted) and ``tau^2 e^2 / shape`` (the
        reliabilities that weight them), review-averaged.
        """
        count, count_f, act = self.count_r, self.count_f, self.act
        anchors = sums.on_anchor is not None
        free_dev = sums.dev - sums.on_anchor if sums.on_anchor is not None else sums.dev
        n_free = max(float(count_f.sum()), 1.0)
        shape = alpha0 + 0.5 * count
        eta0: FloatArray | float = 1.0 / var_b
        wt: FloatArray | None = None
        if math.isfinite(self.bias_df):
            # The Student t prior as a scale mixture of normals (EM for the t): each bias's prior precision
            # is weighted by its mixing scale's expected precision given the last bias, so a reviewer far
            # off the rest keeps a large bias without widening the spread every other bias is shrunk with.
            nu = self.bias_df
            wt = np.subtract(c, beta)
            np.multiply(wt, wt, out=wt)
            wt *= 1.0 / var_b
            wt += nu
            np.divide(nu + 1.0, wt, out=wt)
            eta0 = wt / var_b
        dev = sums.dev
        q = tau * count
        q += eta0
        c = tau * dev
        c += eta0 * beta
        c /= q
        v_b = np.reciprocal(q, out=q)
        if sums.censored_var is not None:
            # A censored reading is known only as an interval: the bias it measures is as unsure as the
            # perception filled in for it (else the bias spread is learned too small, examples shrink the
            # biases too far, and the grades lose 1 % against a plain PG1 fit).
            v_b = v_b + tau * tau * sums.censored_var * v_b * v_b
        if sums.on_anchor is not None:
            # Moving every bias by d and every free true score by -d changes only the anchor reviews'
            # fit: solve for that direction exactly, since coordinate updates crawl along it when the
            # biases are strongly shrunk to their mean.
            count_a = self.count_a
            d = _dot(tau, sums.on_anchor - count_a * c) / _dot(tau, count_a)
        else:
            # Without anchors the same direction (every bias by d, every free true score and their prior
            # mean by -d) changes no review's fit, only the biases' prior: its optimum puts the prior-
            # weighted mean bias at beta. At the fixed point it is there already; on the way, a sweep moved
            # it only by the biases' shrinkage per sweep (about a quarter with four reviews each).
            c_act = _on(c, act)
            if wt is not None:
                weight = _on(wt, act)
                d = -(_dot(weight, c_act) - beta * float(np.sum(weight))) / float(np.sum(weight))
            else:
                d = -(float(np.mean(c_act)) - beta)
        c += d
        dev = dev + d * count_f
        # Expected squared residuals ``e = y - m - c``, posterior variances included: sum e^2 = sum (y - m)^2
        # - 2 c sum (y - m) + n c^2, where the free true scores moved by -d since the sums were taken.
        ssq = count * c
        ssq -= 2.0 * dev
        ssq *= c
        ssq += sums.square
        ssq += (2.0 * d) * free_dev
        ssq += (d * d) * count_f
        ssq += count * v_b
        # Empirical Bayes: hyper-parameters from the current posteriors (variational EM). Mean-field
        # variances ignore that a bias is estimated from uncertain true scores and vice versa; without a
        # first-order correction both spreads shrink sweep after sweep (the bias spread towards zero).
        # The corrections use review-averaged variances: close enough when allocations are roughly
        # balanced, and no extra pass over the reviews.
        tvb = tau * tau
        # A grade's reliabilities are known from a few reviews each: the delta-method term of the grades'
        # variance (``uncertainty``), sum over reviewers of tau^2 ssq / shape. Without it the true scores' spread
        # was learned shorter (20 % careless reviewers: 0.117 where the cohorts' is 0.147, now 0.120) and the
        # grades shrunk further (``bench/aggregation.py --reps-scale 3``: careless 0.972 -> 0.961 times PG1's
        # error, ten learners 1.003 -> 0.997, careless with examples 0.929 -> 0.922, none worse by more than 0.003).
        left_out = _dot(tvb / shape, ssq) / n_free
        tvb *= v_b
        left_out += _dot(count_f, tvb) / n_free
        if anchors:
            beta = float(np.mean(_on(c, act)))
        # v_b (1 + v_b tau^2 n_f mean_vs), in place of tau^2 v_b
        tvb *= count_f
        tvb *= mean_vs
        tvb += 1.0
        tvb *= v_b
        spread_b = np.subtract(c, beta)
        np.multiply(spread_b, spread_b, out=spread_b)
        spread_b += tvb
        if wt is not None:
            spread_b *= wt
        var_b = max(float(np.mean(_on(spread_b, act))), self.min_bias_var)
        # The cohort's noise level and the reliabilities it is the prior of, solved together: updated in
        # turn, each moved the other by a fixed share per sweep (about 0.7 with four reviews each).
        half_ssq = np.maximum(ssq, 0.0)
        half_ssq *= 0.5
        beta0 = _noise_rate(_on(shape, act), _on(half_ssq, act), alpha0, beta0)
        tau = np.add(half_ssq, beta0, out=half_ssq)
        np.divide(shape, tau, out=tau)
        beta0 = alpha0 / float(np.mean(_on(tau, act)))
        return c, tau, v_b, ssq, beta, var_b, beta0, d, left_out


def _on(values: FloatArray, at: IntArray | None) -> FloatArray:
    """*values* at positions *at* (all of them when None)."""
    return values if at is None else values[at]


class _ReviewerSums(NamedTuple):
    """Per reviewer, sums over its reviews given the true scores: of the deviations ``y - m``, of their squares
    plus the true scores' and the censored readings' variances, of the deviations on anchors (None without),
    and of the censored readings' variances (None without)."""

    dev: FloatArray
    square: FloatArray
    on_anchor: FloatArray | None
    censored_var: FloatArray | None


def _noise_rate(shape: FloatArray, half_ssq: FloatArray, alpha0: float, start: float) -> float:
    """The rate ``beta0`` of the reliabilities' Gamma prior that is consistent with the reliabilities it gives.

    Each active reviewer's reliability is ``shape_v / (beta0 + half_ssq_v)`` (its posterior mean) and
    ``beta0`` is ``alpha0`` over their mean: ``g(b) = b * mean(shape / (b + half_ssq)) - alpha0 = 0``. *g*
    increases with *b* and is concave, so Newton's method from *start* (the last sweep's rate, already
    close) converges in a few steps; a step never more than halves the rate. The slope
    ``mean(shape * half_ssq / (b + half_ssq)^2)`` is ``mean(shape * r) - b * mean(shape * r^2)`` with
    ``r = 1 / (b + half_ssq)``: five passes over the reviewers per step instead of eight.
    """
    b = start
    r = np.empty(len(half_ssq))
    sr = np.empty(len(half_ssq))
    for _ in range(60):
        np.add(half_ssq, b, out=r)
        np.reciprocal(r, out=r)
        np.multiply(shape, r, out=sr)
        mean_sr = float(np.mean(sr))
        g = b * mean_sr - alpha0
        np.multiply(sr, r, out=sr)
        dg = mean_sr - b * float(np.mean(sr))
        step = g / dg if dg > 0 else 0.0
        b_new = max(b - step, 0.5 * b)
        if abs(b_new - b) <= 1e-10 * b:
            return b_new
        b = b_new
    return b
