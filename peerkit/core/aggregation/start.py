"""Where the calibrated fit starts: near its fixed point, so that few sweeps remain.

Started from the plain means with no bias and every reviewer at the cohort's noise level, the fit spent
most of its sweeps growing the bias spread from a guess and then weighing careless reviewers down. Here
the biases and their spread come from the method of moments (:func:`_moment_start`), the spread of true
scores from the plain means less the reviews' own noise (:func:`_moment_true_var`, also a floor the fit
keeps), and each reviewer's reliability from its residuals at that start: a million reviews converge in
8 sweeps (``calibration``).
"""

from __future__ import annotations

import math

import numpy as np

from peerkit.core.aggregation.layout import Groups
from peerkit.core.aggregation.reviews import BoolArray, FloatArray, IntArray, _sum_by
from peerkit.core.aggregation.sweep import State, Sweeper


def start_state(model: Sweeper, plain: FloatArray, alpha0: float) -> State:
    """The state the sweeps start from, given the round (*model*), its submissions' plain means and the
    reliabilities' prior shape *alpha0*."""
    x, groups, rev = model.x, model.groups, model.rev
    count_s, count_r, free = groups.counts, model.count_r, model.free
    m = plain.copy()
    resid = x - groups.spread(m)
    df = len(x) - int((count_s > 0).sum())
    noise_var = max(float(np.sum(resid * resid)) / df if df > 0 else 1.0 / 12.0, 1e-4)
    m[model.pinned] = model.truth[model.pinned]
    mu0 = float(m[free].mean()) if free.any() else 0.5
    var_s = max(float(m[free].var()) if int(free.sum()) > 1 else 1.0 / 12.0, 1e-4)
    if model.min_true_var > 1e-6:  # the moment estimate: plain means' variance less the reviews' own noise
        var_s = model.min_true_var
    var_b, c = _moment_start(x, m, groups, rev, count_s, count_r, free, noise_var, model.min_bias_var)
    var_e = max(noise_var - var_b, 0.25 * noise_var)
    hyper = np.array([mu0, math.log(var_s), 0.0, math.log(var_b), math.log(alpha0 * var_e)])
    # Each reviewer's reliability starts at its posterior given the start's residuals (not at the cohort's
    # level): a careless reviewer is weighted down from the first sweep, one sweep fewer on a million reviews.
    resid = x - groups.spread(m)
    resid -= c.take(rev)
    half_ssq = _sum_by(rev, resid * resid, model.n_rev)
    half_ssq *= 0.5
    log_tau0 = np.log((alpha0 + 0.5 * count_r) / (alpha0 * var_e + half_ssq))
    return State(m, c, log_tau0, hyper)


def _moment_true_var(x: FloatArray, sub: IntArray, mean: FloatArray, count_s: IntArray, free: BoolArray) -> float:
    """The spread of true scores by the method of moments: the variance of the plain means *mean* less the part
    of it the reviews' own spread explains (pooled within-submission variance over the reviews each).

    A floor for the empirical-Bayes ``var_s``: mean-field updates underestimate it where reviews are few
    or a careless reviewer looks reliable (a constant reviewer fits with a bias and no noise), and the
    grades were then shrunk too far towards the cohort mean (k = 2: the true spread 0.59, the fit's
    0.52 points; 20 % careless reviewers: 0.59 and 0.43; 3 % less accurate than a plain PG1 fit).
    """
    use = free & (count_s >= 2)
    if int(use.sum()) < 3:
        return 0.0
    within = _sum_by(sub, (x - mean[sub]) ** 2, len(mean))
    pooled = float(within[use].sum()) / float((count_s[use] - 1).sum())
    return max(float(mean[use].var()) - pooled * float(np.mean(1.0 / count_s[use])), 0.0)


def _moment_start(
    x: FloatArray,
    m: FloatArray,
    groups: Groups,
    rev: IntArray,
    count_s: IntArray,
    count_r: FloatArray,
    free: BoolArray,
    noise_var: float,
    floor: float,
) -> tuple[float, FloatArray]:
    """A starting bias spread and biases by the method of moments, so that the fit starts near its end.

    A reviewer's mean deviation from the plain means ``R_v`` has ``E R_v^2 = var_b ((1 - f)^2 + f (1 - f)
    / n_v) + var_e (1 - f) / n_v`` (``f`` one over the reviews per submission, ``n_v`` the reviewer's
    reviews) and the pooled within-submission variance is ``var_b + var_e``: solve for ``var_b``. Started
    at a fixed small spread instead, the fit spent most of its sweeps growing it.
    """
    use_s = free & (count_s >= 2)
    use = groups.spread(use_s.astype(np.float64))  # 1 on a review that counts, else 0
    n_v = _sum_by(rev, use, len(count_r))
    ok = n_v > 0
    start = min(0.05**2, noise_var)
    if int(ok.sum()) < 5:
        return max(start, floor), np.zeros(len(count_r))
    f = _sum_by(rev, groups.spread(np.where(use_s, 1.0 / np.maximum(count_s, 1), 0.0)), len(count_r))[ok] / n_v[ok]
    dev = x - groups.spread(m)
    dev *= use
    r = _sum_by(rev, dev, len(count_r))[ok] / n_v[ok]
    n = n_v[ok]
    a = float(np.mean((1.0 - f) ** 2 + f * (1.0 - f) / n - (1.0 - f) / n))
    b = float(np.mean((1.0 - f) / n)) * noise_var
    var_b = min(max((float(np.mean(r * r)) - b) / a if a > 0 else start, floor), noise_var)
    # Biases: each reviewer's mean deviation, unshrunk for the share of it the plain means absorbed,
    # then shrunk as a posterior mean would be.
    raw = r / np.maximum(1.0 - f, 0.5)
    noise_of_raw = (noise_var - var_b) * (1.0 - f) / n / np.maximum(1.0 - f, 0.5) ** 2
    c = np.zeros(len(count_r))
    c[ok] = raw * var_b / (var_b + noise_of_raw)
    return var_b, c
