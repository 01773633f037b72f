"""What the calibrated model's grades are unsure of beyond the factorised posterior: the terms of the uncertainty.

The mean-field posterior variance of a grade (``calibration``) leaves out what couples the grades: that
the reviewers' noise levels are estimated (a Student t rather than a normal, :func:`_student_inflation`),
what a level read as an interval leaves open (:func:`_censored_information_lost`), the rounding error careful
reviewers of one submission share (:func:`_shared_rounding`, with the noise that
decides it read from how often reviewers agree, :func:`rounding_noise_scale`), what every
grade shares (the cohort's mean bias, a leniency no review can measure, the prior mean,
:func:`_shared_variance`). Each widens or narrows the reported uncertainty only; no grade moves. Then the grade is
the true score capped at the ends of the scale (:func:`on_the_scale`), which moves the grades near an end and
narrows their uncertainty. Unit scale ``[0, 1]`` throughout.
Why each is there, with the benchmark's figures, is in the ``calibration`` module's documentation.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from peerkit.core.aggregation.layout import Groups
from peerkit.core.aggregation.reviews import BoolArray, FloatArray, IntArray, _sum_by
from peerkit.core.aggregation.special import _INV_SQRT_2PI, normal_cdf, normal_density, normal_tail
from peerkit.core.aggregation.sweep import Aux, State, Sweeper


def true_score_variance(
    model: Sweeper,
    state: State,
    aux: Aux,
    alpha0: float,
    *,
    step: float | None,
    shared_bias_ratio: float,
    bias_df: float,
) -> FloatArray:
    """Per submission the variance of its true score (unit scale), before the grade is capped at the scale's ends
    (:func:`on_the_scale`): the fit's mean-field variance with every term of this module, for the converged
    *state* of the round *model* (its by-products *aux*, the reliabilities' prior shape *alpha0*); *step* is
    the rubric's step on the unit scale (None: continuous), the last two are
    :class:`~peerkit.core.aggregation.calibration.CalibrationSettings`' fields of those names."""
    groups, rev, free, active, on_anchor = model.groups, model.rev, model.free, model.active, model.on_anchor
    count_r, x = model.count_r, model.x
    m, c = state.m, state.c
    var_s, var_b = math.exp(float(state.hyper[1])), math.exp(float(state.hyper[3]))
    # First-order propagation of the biases' uncertainty into each true score: m_u is linear in the
    # biases of its reviewers, with weights tau_v / precision_u (the reliabilities m was computed with).
    # Likewise the reliabilities' (delta method): d m_u / d tau_v = e_r / precision_u, and q(tau_v) is a
    # Gamma with shape alpha0 + n_v / 2, so var(tau_v) = tau_v^2 / shape. A reviewer known from three
    # reviews is weighted by a guess: without this term the grades of the submissions such reviewers
    # disagree on claimed far too little (careless reviewers, small cohorts: 75 % within two sd).
    # Per review through the grouped runs and one gather per reviewer array (``layout``): a million reviews.
    anchored = model.has_anchor
    tau_r = aux.tau_m.take(rev)
    tau_free = np.where(on_anchor, 0.0, tau_r) if anchored else tau_r
    e = aux.y - groups.spread(m)
    e -= c.take(rev)
    shape = alpha0 + 0.5 * count_r
    tau2 = aux.tau_m * aux.tau_m
    tau_var = (tau2 / shape).take(rev)  # per review its reviewer's var(tau)
    spread = e * e
    spread *= tau_var
    spread += (tau2 * aux.v_b).take(rev)
    if anchored:
        # A reviewer's reliability is partly learned from reviews of examples, read as intervals (perception
        # noise only) and agreed on more than the learners' work, while it weights the learners' reviews,
        # read as exact levels (rounding included). Measure how much noisier those are than the reliabilities
        # claim: residuals of the learners' reviews, each unshrunk for its own weight in its grade.
        free_r = ~on_anchor
        lev = np.clip(tau_r * groups.spread(aux.v_s), 0.0, 0.9)
        ratio = float(np.mean((tau_r * e * e / (1.0 - lev))[free_r])) if free_r.any() else 1.0
        if ratio > 1.0:
            spread += np.where(free_r, tau_r * (ratio - 1.0), 0.0)
        spread[on_anchor] = 0.0
    var = aux.v_s + groups.sum(spread) * aux.v_s**2
    # A level read as an interval tells less than the perception filled in for it (coarse rubrics).
    reading_var = _reading_variance(model, state, aux)
    var += _censored_information_lost(model, state, aux, reading_var)
    # Degrees of freedom of the reliabilities (in a ten-learner round the cohort's noise level, which they
    # share, is a guess too: two normal standard deviations covered 89 %).
    fitted = float(np.sum(np.clip(1.0 - aux.v_s[free] / var_s, 0.0, 1.0)))
    fitted_biases = float(np.sum(np.clip(1.0 - aux.v_b[active] / var_b, 0.0, 1.0)))
    fitted += fitted_biases
    weight, weight_per_df = _precision_df(
        groups, rev, aux.tau_m, tau_free, tau_var, shape, alpha0, len(x) - fitted, on_anchor if anchored else None
    )
    var *= _student_inflation(weight, weight_per_df)
    if step is not None:
        # Whether careful reviewers round alike is decided by each one's own noise, its residual variance, not
        # its reliability, which the prior pulls towards the cohort's (``_shared_rounding``).
        own = (count_r / np.maximum(aux.ssq, 1e-300)).take(rev)
        if anchored:
            own[on_anchor] = 0.0
        scale = rounding_noise_scale(model.sub, model.x, own, m, free, step)
        var += _shared_rounding(tau_free, aux.v_s, model.sub, model.n_sub, step, scale, own)
    var += _shared_variance(
        aux.precision,
        var_s,
        var_b,
        _mean_bias_variance(model, aux, reading_var) if anchored else 0.0,
        int(free.sum()),
        int(active.sum()),
        anchored,
        shared_bias_ratio,
        fitted_biases,
        _t_variance(bias_df),
    )
    return var


def _precision_df(
    groups: Groups,
    rev: IntArray,
    tau: FloatArray,
    tau_r: FloatArray,
    tau_var_r: FloatArray,
    shape: FloatArray,
    alpha0: float,
    residual_df: float,
    on_anchor: BoolArray | None,
) -> tuple[FloatArray, FloatArray]:
    """Per submission, its reviews' precision ``W`` (the sum of their reviewers' reliabilities *tau*, per
    review *tau_r*, 0 on reviews of anchors; *tau_var_r* per review its reviewer's ``var(tau)``) and ``W / nu``,
    ``nu`` the degrees of freedom of ``W``
    (Satterthwaite: ``nu = 2 E[W]^2 / var(W)``), for :func:`_student_inflation`; reviews of anchors
    (*on_anchor*) left out.

    Each reliability is a Gamma with *shape* (``alpha0`` plus half the reviewer's reviews): its own
    reviews and ``2 * alpha0`` pseudo-reviews at the cohort's noise level, so ``var(tau) = tau^2 / shape``.
    Given that noise level the reviewers' reliabilities are independent, and three alike give their sum
    three times the degrees of freedom of one. The noise level itself is estimated from the fit's
    *residual_df* (reviews less the effective number of fitted scores and biases) and moves every
    reliability together, each by its share ``alpha0 / shape``: that part of ``var(W)`` is the square of a sum.
    """
    own = 0.5 * tau_var_r
    common = (tau * (alpha0 / shape)).take(rev)
    if on_anchor is not None:
        own[on_anchor] = 0.0
        common[on_anchor] = 0.0
    total = groups.sum(tau_r)
    per_df = groups.sum(common)
    per_df *= per_df
    per_df /= max(residual_df, 1.0)
    per_df += groups.sum(own)  # var(W) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        per_df /= total  # W / nu = var(W) / (2 W)
    return total, per_df


def _t_variance(df: float) -> float:
    """The variance of a Student t with *df* degrees of freedom and unit scale (a normal's 1 at ``df = inf``),
    taken at 3 degrees of freedom for fewer, where it is infinite."""
    df = max(df, 3.0)
    return df / (df - 2.0) if math.isfinite(df) else 1.0


def on_the_scale(m: FloatArray, var: FloatArray, free: BoolArray) -> tuple[FloatArray, FloatArray]:
    """The free grades' posterior means and variances on the scale: a grade is its true score capped at the
    ends, ``clip(t, 0, 1)`` with ``t ~ N(m, var)``; the rest (anchors, submissions without reviews) as given.

    The model's true scores are normal and unbounded; a rubric's are not: a perfect answer gets the top level
    and no more. Near an end the normal posterior puts mass where no grade is, so its mean is past the grades
    that could be (clipping it after was the grade until 2026-12-05: a heavy ceiling's grades below the top
    were read as near it) and its standard deviation overstates the error. The capped grade's moments take
    both from one distribution: the mass past an end sits at the end. ``bench/aggregation.py``, seed 2013:
    three levels (``--levels 2``), a heavy ceiling 0.920 -> 0.887 times the better baseline's error without
    examples and 0.880 -> 0.849 with, 2σ coverage 0.864 -> 0.909 and 0.888 -> 0.926, ten learners 1.047 ->
    1.037; on 0-4 no setting worse by more than 0.001, a heavy ceiling with examples 0.976 -> 0.967 (coverage
    0.921 -> 0.942). Cutting the posterior at the ends instead (the truncated normal's mean and variance, the
    variance alone being what the uncertainty took before) moved the three-level ceiling further (0.867) but
    cost the 0-4 one 3 % (1.004): there 16 % of the true scores sit at the top itself, where the cut puts none.
    """
    sd = np.sqrt(np.maximum(var, 1e-300))
    # Only grades within five standard deviations of an end: beyond, capping moves the mean and the variance
    # by less than 1e-6 of the standard deviation and the variance.
    near = np.flatnonzero(free & (np.minimum(m, 1.0 - m) < 5.0 * sd))
    mu, s = m[near], sd[near]
    # In standard units, clip(Z, a, b): the mass below a sits at a, above b at b. Neither a mean past an end
    # nor a posterior wider than the scale needs a route of its own (no division by the mass inside).
    a, b = -mu / s, (1.0 - mu) / s
    below, above = normal_cdf(a), normal_cdf(-b)
    dens_a, dens_b = normal_density(a), normal_density(b)
    inside = np.maximum(1.0 - below - above, 0.0)
    mean = a * below + b * above + dens_a - dens_b
    second = a * a * below + b * b * above + inside + a * dens_a - b * dens_b
    grade = m.copy()
    grade[near] = np.clip(mu + s * mean, 0.0, 1.0)  # far past an end, mu + s * a is 0 within rounding
    out = var.copy()
    out[near] = var[near] * np.clip(second - mean * mean, 1e-12, 1.0)
    return grade, out


def _student_inflation(weight: FloatArray, weight_per_df: FloatArray) -> FloatArray:
    """Per submission, the factor on a variance that makes two standard deviations cover as a Student t does.

    A grade is a weighted mean of reviews whose noise levels are estimated: its posterior is a Student t
    with ``nu`` degrees of freedom, given as *weight* (the precision, a sum of reliabilities) and
    *weight_per_df* (``weight / nu``). The returned factor is ``(t_nu / z)^2`` at the
    97.5 % point, so that the reported normal standard deviation has the t's 95 % interval. The t
    quantile is the Cornish-Fisher expansion in ``1 / nu`` (four terms: within 0.3 % of the exact quantile
    from ``nu = 4``, 0.02 % from ``nu = 8``).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_nu = np.where(weight > 0, weight_per_df / weight, 0.0)
    inv_nu = np.clip(inv_nu, 0.0, 0.25)  # nu >= 4: the expansion holds, and no factor above 1.4
    t_over_z = 1.0 + inv_nu * (_CF1 + inv_nu * (_CF2 + inv_nu * _CF3))  # Horner, over z
    out: FloatArray = t_over_z * t_over_z
    return out


_Z975: Final = 1.959963984540054
_CF1: Final = (_Z975**2 + 1) / 4.0
_CF2: Final = (5 * _Z975**4 + 16 * _Z975**2 + 3) / 96.0
_CF3: Final = (3 * _Z975**6 + 19 * _Z975**4 + 17 * _Z975**2 - 15) / 384.0


def _shared_rounding(
    tau_r: FloatArray,
    v_s: FloatArray,
    sub: IntArray,
    n_sub: int,
    step: float,
    noise_scale: float = 1.0,
    noise_tau: FloatArray | None = None,
) -> FloatArray:
    """Per submission, the variance of the rounding error its reviews share (reviews of anchors: *tau_r* 0).

    Careful reviewers of one submission round the same perception to the same level: that part of the
    rounding error is common to them, no reliability measures it and no number of reviews averages it
    away. Of a reviewer with noise ``sd`` the rounding error's systematic part is periodic in the true
    score, with Fourier terms ``(step / pi j) exp(-2 pi^2 j^2 sd^2 / step^2)``; over true scores spread
    across several levels the weighted sum's variance is the sum over ``j`` of half the squared weighted
    amplitudes (three terms), less each review's own square: the covariances between different reviews
    only, since the fit's variance already counts each review's rounding in its noise ``1 / tau``. The reviews
    weigh in by their reliabilities *tau_r*; the noise that damps them is ``noise_scale / noise_tau``
    (:func:`rounding_noise_scale`), *noise_tau* per review (None: *tau_r*). The grade variance passes each
    reviewer's own residual precision (reviews over residual sum of squares): the reliabilities are shrunk
    to a Gamma prior that a few noisy reviewers widen, so a careful reviewer's ``1 / tau`` sits near the
    prior's floor, several times its noise, and the damping, exponential in it, removed most of what
    careful reviewers share (a cohort without bias, with examples: 4.2e-4 of the scale squared, now 5.9e-4,
    where a simulation of its reviewers' rounding says 1e-3; 2σ covered 0.89-0.90, now 0.91-0.92).

    One exponential per review: the damping of term ``j`` is the first's to the power ``j^2``. A term is left
    out when it cannot reach 1e-17 of the first for any submission (its damping is at most the first's times
    the largest first damping to the power ``j^2 - 1``): below the rounding of the variance it is added to.
    """
    out = np.zeros(n_sub)
    if not len(tau_r):
        return out
    first = np.maximum(tau_r if noise_tau is None else noise_tau, 1e-12)
    np.divide(-2.0 * (math.pi / step) ** 2 * noise_scale, first, out=first)
    np.exp(first, out=first)
    largest = float(first.max())
    damp = first
    for j in (1, 2, 3):
        if j > 1 and largest ** (2 * (j * j - 1)) < 1e-17:
            break
        if j == 2:
            damp = np.square(np.square(first))
        elif j == 3:
            damp = np.square(damp) * first  # first ** 9 by products: np.power takes twice as long
        weighted = tau_r * damp
        amplitude = _sum_by(sub, weighted, n_sub)
        amplitude *= amplitude
        amplitude -= _sum_by(sub, np.square(weighted, out=weighted), n_sub)
        out += 0.5 * (step / (math.pi * j)) ** 2 * np.maximum(amplitude, 0.0) * v_s**2
    return out


MIN_PAIRS: Final = 50  # fewer pairs of reviews to read agreement from: the reliabilities' noise as it is
MAX_PAIRS: Final = 20_000  # a sample of pairs is enough for one number


def rounding_noise_scale(
    sub: IntArray, x: FloatArray, tau_r: FloatArray, m: FloatArray, free: BoolArray, step: float
) -> float:
    """How much of each reviewer's noise ``1 / tau`` to take as perception noise in :func:`_shared_rounding`
    (a factor in ``[1e-4, 1]``), read from how often two reviewers of one submission give the same level.

    *tau_r* is each review's reviewer's noise precision as measured (the grade variance passes the
    reviewers' own residual precisions, :func:`_shared_rounding`). Measured from rounded reviews, a careful
    reviewer's ``1 / tau`` still overstates the noise that decides whether it rounds as the others do, and
    the exponential damping then removes most of the shared rounding (a cohort without bias, with examples,
    damped by the shrunk reliabilities: its agreeing grades claimed 0.047 and missed by 0.061). Two reviewers
    whose perceptions differ by ``d`` give the same level with probability ``max(0, 1 - |d| / step)`` (the
    true score's place within its level spread evenly); with ``d ~ N(0, s^2 (1/tau_1 + 1/tau_2))`` its
    mean is closed-form and falls as ``s`` grows, and ``s^2`` is solved so that the mean over pairs
    matches the share of pairs that agree. Pairs of free reviews (*tau_r* > 0) of free submissions whose
    grade *m* lies at least one *step* inside the scale: at the ends the open levels agree more, and a
    pair chosen by its own levels agrees by selection. *sub* is grouped; reviewers agreeing less than
    their noise says (different biases) leave the noise as it is (1).
    """
    n = len(sub)
    stride = max(1, n // (2 * MAX_PAIRS))
    firsts: list[IntArray] = []
    seconds: list[IntArray] = []
    for d in range(1, 4):  # neighbours in the grouped order: each submission's first pairs
        i = np.arange(0, n - d, stride)
        j = i + d
        same = (sub.take(i) == sub.take(j)) & (tau_r.take(i) > 0) & (tau_r.take(j) > 0)
        firsts.append(i[same])
        seconds.append(j[same])
    i, j = np.concatenate(firsts), np.concatenate(seconds)
    owner = sub.take(i)
    grade = m.take(owner)
    keep = free.take(owner) & (grade >= step) & (grade <= 1.0 - step)
    i, j = i[keep], j[keep]
    if len(i) < MIN_PAIRS:
        return 1.0
    agree = float(np.mean(np.abs(x.take(i) - x.take(j)) < 0.5 * step))
    noise = 1.0 / tau_r.take(i) + 1.0 / tau_r.take(j)

    def predicted(scale: float) -> float:
        u = step / np.sqrt(scale * noise)
        same_level = 1.0 - 2.0 * normal_tail(u)
        same_level -= (2.0 / u) * (_INV_SQRT_2PI - normal_density(u))
        return float(np.mean(same_level))

    low, high = math.log(1e-4), 0.0
    if predicted(1.0) >= agree:
        return 1.0
    if predicted(1e-4) <= agree:
        return 1e-4
    for _ in range(30):  # bisection in log scale: 2^-30 of a factor 10^4
        mid = 0.5 * (low + high)
        if predicted(math.exp(mid)) > agree:
            low = mid
        else:
            high = mid
    return math.exp(0.5 * (low + high))


def _shared_variance(
    precision: FloatArray,
    var_s: float,
    var_b: float,
    bias_var: float,
    n_free: int,
    n_active: int,
    has_anchor: bool,
    shared_bias_ratio: float,
    bias_spread_df: float = math.inf,
    bias_variance: float = 1.0,
) -> FloatArray:
    """Per submission, the variance of what every grade shares, which mean-field leaves out.

    * The cohort's mean bias. Moving every bias by ``d`` and every grade (and ``mu0``) by ``-d`` fits the
      reviews equally well: only the bias prior pins that direction down, so its posterior variance is
      the prior variance of the mean of ``N`` biases, ``var_b / N``. The factorised posterior spreads it
      over the reviewers as if independent and reports almost none of it (ten learners: 77 % within two
      standard deviations). With examples the mean is measured, by the examples' reviews alone: *bias_var*
      (:func:`_mean_bias_variance`), never more than without examples. Under the biases' Student t prior
      ``var_b`` is its squared scale: the biases' variance is *bias_variance* (``nu / (nu - 2)``) times it.
    * Without examples both are a predictive of what no review measures, given a spread ``var_b`` that is
      itself estimated from about *bias_spread_df* biases (the effective number the fit pinned down): a
      Student t with that many degrees of freedom, not a normal, so the term is widened by the t's factor
      (:func:`_student_inflation`). Ten learners pin down some seven biases: 2σ covered 0.88, now 0.92.
    * Without examples, a leniency shared by the cohort (``shared_bias_ratio``): a prior, not an
      estimate (see :class:`~peerkit.core.aggregation.calibration.CalibrationSettings`).
    * The prior mean ``mu0``, estimated from ``n_free`` grades: a grade is shrunk towards it with weight
      ``gamma0 / precision``, so its error ``var_s / n_free`` enters with that weight squared.
    """
    shared = (bias_variance / max(n_active, 1) + shared_bias_ratio**2) * var_b
    if math.isfinite(bias_spread_df):
        one = np.ones(1)
        shared *= float(_student_inflation(one, one / max(bias_spread_df, 1e-9))[0])
    if has_anchor:
        shared = min(bias_var, shared)
    shrink = np.where(precision > 0, (1.0 / var_s) / np.maximum(precision, 1e-300), 0.0)
    out: FloatArray = shared + shrink * shrink * var_s / max(n_free, 1)
    return out


def _mean_bias_variance(model: Sweeper, aux: Aux, reading_var: FloatArray | None) -> float:
    """The posterior variance of the cohort's mean bias in a round with examples: of the shift that moves
    every bias by ``d`` and every learner's grade by ``-d``.

    That shift leaves the fit of every review of a learner's work as it was: only the reviews of examples
    (true scores known) measure it, each with the information its reviewer's reliability ``tau`` gives, less
    what a censored reading leaves open (``tau^2`` times the variance of the perception within its level's
    interval: a level given to an example sitting on it says only that the reviewer's bias is under half a
    step). The biases' posterior variances averaged over the reviewers, as if independent, claimed a
    third of it (ten learners with examples: 1.7e-4 of the scale squared shared where 4.8e-4 was seen, 2σ
    covered 0.90-0.92, now 0.92-0.93).
    """
    at = np.flatnonzero(model.on_anchor)
    tau = aux.tau_m.take(model.rev.take(at))
    left_open = reading_var.take(at) if reading_var is not None else 0.0
    information = float(np.sum(tau * np.clip(1.0 - tau * left_open, 0.0, 1.0)))
    return 1.0 / information if information > 0 else math.inf


def _reading_variance(model: Sweeper, state: State, aux: Aux) -> FloatArray | None:
    """Per review (grouped order), the variance of its perception within its level's interval at the converged
    *state*: the sweep's E-step once more (0 for readings taken as exact); None when no review is an interval."""
    if not len(model.censoring.index):
        return None
    return model.readings(state.m, state.c, aux.tau_m)[1]


def _censored_information_lost(model: Sweeper, state: State, aux: Aux, reading_var: FloatArray | None) -> FloatArray:
    """Per submission, what its grade's variance gains because its reviews are read as intervals.

    The fit weighs a reading by its reviewer's reliability ``tau`` as if the perception filled in for it were
    seen; a level read as an interval tells less: ``tau (1 - tau var(y | level))`` of information on the
    true score (Louis's missing information: *reading_var*, :func:`_reading_variance`). Zero where no
    learner's review is censored (rubrics of more than
    :data:`~peerkit.core.aggregation.calibration.INTERVAL_LEVELS` levels: only reviews of examples are, and
    an example's grade is known).
    """
    out = np.zeros(model.n_sub)
    if reading_var is None or len(model.censoring.index) <= float(model.count_a.sum()):
        return out  # no review of a learner's work is an interval
    tau_r = aux.tau_m.take(model.rev)
    lost = tau_r * tau_r
    lost *= reading_var
    lost = model.groups.sum(lost)  # reviews of examples count only towards examples, which are not free
    precision = aux.precision
    kept = np.maximum(precision - lost, np.minimum(precision, 1.0 / math.exp(float(state.hyper[1]))))
    with np.errstate(divide="ignore"):
        out = np.where(model.free & (kept > 0), 1.0 / kept - aux.v_s, 0.0)
    return np.maximum(out, 0.0)
