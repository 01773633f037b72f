"""The ``"calibrated"`` method: model PG1 of Piech et al. 2013, "Tuned Models of Peer Assessment in MOOCs".

Score ``z = s_u + b_v + e`` with a true score ``s_u ~ N(mu0, 1/gamma0)`` per submission, a bias
``b_v ~ t_4(beta, 1/eta0)`` (a Student t, robust to a few reviewers far off the rest) and a reliability
``tau_v ~ Gamma(alpha0, beta0)`` per reviewer, and ``e ~ N(0, 1/tau_v)``. A careless reviewer (constant
or random scores) fits badly everywhere, gets a low reliability and so little weight. Every hyper-parameter
is estimated from the data (empirical Bayes): ``mu0, gamma0, eta0, beta0`` from the current posteriors, and the shape
``alpha0`` (how much reviewers differ in reliability) from the spread of the reviewers' log
residual variances, so that a cohort with careless or random reviewers lets their reliabilities
drop further than a cohort of careful ones. The mean bias ``beta`` is 0 unless anchors are given.

A review of an anchor is read as a censored perception (``censoring``): "within half a step of the
level", the end levels included, so that examples at the scale's ends cannot make the fit drift.
Estimation is mean-field variational Bayes with the censored perceptions filled in by their
expectations (EM): coordinate ascent on ``q(s) q(b) q(tau)``, hyper-parameters updated in the same
sweep, and a first-order correction of the mean-field variances (see the code). The spread of true
scores is never learned below its method-of-moments estimate (``start``). Deterministic,
vectorised over reviews. Estimates are the posterior means of the grades, each the true score capped at the
ends of the scale (``uncertainty.on_the_scale``): like PG1 they are shrunk towards the cohort mean where
the reviews are few or unreliable.

Anchors
-------
Facilitator-graded example submissions. The model treats them as observed
true scores: the reviews *of* anchors then measure each reviewer's bias directly, and the mean bias
``beta`` becomes estimable. Without anchors a shift shared by all reviewers cannot be told apart
from a cohort that is simply better or worse, and it stays in the grades.

Coarse rubrics
--------------
On a rubric of at most :data:`INTERVAL_LEVELS` levels (pass/fail; "not yet, partly, clearly", the
course's own), *every* review is read as a censored perception, as the examples' are: a level is a
third of the scale or more, rounding to it is most of a review's error, and reviewers of one
submission round alike, so read as exact values their agreeing reviews looked far more reliable than
they are. ``bench/aggregation.py`` at seed 2013, worst and mean over its 28 settings of auto's error
over the better of median and PG1: three levels (``--levels 2``) 1.177 and 1.014 read as values, 1.058
and 0.985 as intervals (a heavy ceiling 1.177 -> 0.920; strong bias, careless, harsh reviewers and
n = 500 went from 0.98-0.995 to 1.02-1.06), and the 2σ coverage's floor 0.644 -> 0.825; two levels
(``--levels 1``) 1.175 -> 0.949 worst, every setting better than both baselines (coverage 0.24-0.92 ->
0.38-0.997: still far from honest there). With four levels it was mixed, with five (the benchmark's
0-4) worse in most settings, so finer rubrics keep reading levels as values. An ordinal likelihood
chosen by evidence is the way past this switch. The intervals cost time at scale only: a million
reviews of a three-level criterion 0.8 s instead of 0.3 s (a truncated normal's moments per review and
sweep, from the tails directly where the interval holds most of the mass: ``censoring``; 2.1 s in log space).
Read as intervals, the reviews also inform each grade less than the perceptions filled in for them would:
the grade's variance counts the information each level leaves open (``uncertainty``,
``_censored_information_lost``), which took the 2σ coverage at three levels from 0.825-0.946 to
0.864-0.974 (seed 2013). Each grade being its true score capped at the scale's ends
(``uncertainty.on_the_scale``, 2026-12-05) took it to 0.882-0.975 (careless reviewers with examples still
0.882; a heavy ceiling 0.864 -> 0.909 and 0.888 -> 0.926, its error 0.920 -> 0.887 and 0.880 -> 0.849 times
the better baseline's).

On these rubrics the true scores' spread is never learned below a level's own, a score spread evenly over one
step (``step^2 / 12``, :func:`_level_spread`; on finer rubrics the method of moments alone is the floor): a
reading known only as its level's interval says nothing of where within the level a true score lies, and where
most reviews give one level the method of moments and empirical Bayes both found a spread near zero; every grade
was then pulled onto the cohort's mean and claimed to be sure of it. Pass/fail with nearly every learner passing
(``--levels 1``, heavy ceiling): 2σ coverage 0.41 -> 0.995, error 0.916 -> 0.690 times the better baseline's;
over that grid coverage 0.41-1.000 -> 0.91-1.000, worst 0.916 -> 0.746. Three levels: worst 1.058 -> 1.031
(seed 5: 1.075 -> 1.028), mean 0.982 -> 0.966, coverage 0.882-0.975 -> 0.941-0.979 (careless reviewers with
examples 0.882 -> 0.941, ten learners 1.04 -> 0.98 times; over 0.97 in 15-17 of 28 settings, by at most 0.009:
the floor is a level's whole spread where cohorts spread over less). Half of it (``step^2 / 24``) kept the three
levels' worst at 1.051 and their coverage from 0.903.

Convergence
-----------
The sweeps start near the fixed point (biases and their spread by the method of moments,
``start``, and each reviewer's reliability given the residuals from there) and are
extrapolated every two sweeps (SQUAREM, ``squarem``): on a million reviews 8 sweeps instead of 63 (with
the noise level solved in each sweep, ``sweep``).
:attr:`CalibratedFit.converged` says whether the grades stopped moving (``tol``) within ``max_iter``
sweeps. :func:`~peerkit.core.aggregation.aggregate` never returns an unconverged fit as the grades: it
falls back to the median and says why (``choice``).

Uncertainty
-----------
The posterior standard deviation of ``s_u``, including (to first order, the delta method) the
uncertainty of the biases that were subtracted and of the reliabilities that weighted the reviews,
then widened by a Student t factor: the reviews' noise levels are estimated from a few reviews each,
so the grade's posterior is a t, not a normal; its degrees of freedom are those of the grade's precision,
a sum of its reviewers' reliabilities (Satterthwaite: each reliability a Gamma with twice its shape in
degrees of freedom, independent between reviewers given the cohort's noise level, which moves them all
together); the reported standard deviation is the normal one with the t's 95 %
interval (``uncertainty``). Without it two standard deviations covered 83-90 % in cohorts
without bias or with ten learners (``bench/aggregation.py``).

What every grade shares, which the factorised posterior leaves out (``uncertainty``), is added to the
variance, never to the grades: the cohort's mean bias (its prior variance without examples, its
posterior variance with them), the estimated prior mean the grades are shrunk to, the rounding error
that careful reviewers of one submission share, and, with examples, how much noisier the learners'
reviews are than reliabilities partly learned on the examples' reviews. Without examples, a leniency
shared by the whole cohort cannot be measured at all (a lenient cohort looks like a good one): the
uncertainty then includes a *prior* on it, :attr:`CalibrationSettings.shared_bias_ratio` times the
spread of the individual biases. Its default (0.4) is chosen on the benchmark, where lenient cohorts are
lenient by half the individual spread; it makes a cohort that really shares no leniency over-cover where
grades are precise (eight reviews each: all within two standard deviations). ``bench/aggregation.py``,
2σ coverage: 0.77-0.97 before these terms, 0.89-0.98 with them.

Two more make it 0.90-0.97 (``--reps-scale 3``): the Student t's degrees of freedom count that the
cohort's noise level, which the reliabilities' prior carries, is itself estimated from the fit's
residual degrees of freedom (about ten in a ten-learner round, which covered 89 %); and a grade's
posterior is cut at the ends of the scale, where no true score lies (a heavy ceiling covered 98 %). Since
2026-12-05 the grade is the true score capped at the ends instead, its mean and variance both (the mass
past an end sits at the end: ``uncertainty.on_the_scale``), which grades a heavy ceiling better.

Tried and dropped: scaling by the ratio of held-out errors to the variances the model claims for
them (``heldout``; dominated by the reviewer's noise, it did not see what under-covers and
over-covered Gaussian cohorts); discounting the information of censored readings (over-covered
with strong biases); counting rounding on the examples' reviews (cost accuracy).

The learned reliability shape hardly moves the grades: the fit at the learned shape starts from the
converged fit at the default and stops when a sweep moves no grade by ``tol``, which is after a sweep
or two, while the fixed point at the learned shape lies further on; so the shape mostly sets the
Student t's degrees of freedom. Following it to that fixed point (a tenfold tighter ``tol`` for the
refit, or a refit from the start) was *worse* on the benchmark (``--reps-scale 3``: without bias 2σ
coverage 0.83-0.87 and 1.03× PG1's error, k = 2 1.044×), and so was learning the shape after four
sweeps (k = 2: 1.13×). Counting each reviewer's residual degrees of freedom (the leverage of the
grades and the bias) in the shape's likelihood gave smaller shapes and, fully refitted, 20 % careless
reviewers 0.95× PG1's error, but broke the cohort without bias the same way. A better shape estimate,
stable with three reviews each, is open.

The biases' Student t prior (``bias_df``, 4) made 20 % careless reviewers 1.02 -> 0.97× PG1's error and
harsh reviewers 0.96 -> 0.87× (``--reps-scale 3``; the rest within 0.01). Without examples the shared
leniency is a t predictive (``uncertainty``): ten learners 0.89 -> 0.92 within two sd. A cohort sharing no
leniency over-covered (plain, no examples: 0.972 at 150 cohorts; not the ``shared_bias_ratio`` prior, which at 0
still left 0.964), partly because the Student t's degrees of freedom were each reviewer's, averaged, as if the
reliabilities of a grade's three reviewers were one guess and not three (Satterthwaite's sum now, above; what is
left, below). Still open: k = 2
is 1.011× PG1 (its learned bias spread, 0.07, is short of the truth, 0.1, that PG1 is given).

A cohort without bias, with examples, under-covered (0.892-0.898 at 150 cohorts; its error 1.36 times the
variance claimed). Its grades whose reviews all give one level claimed 0.047 and missed by 0.061: careful
reviewers round the same perception to the same level, and the shared rounding term (``uncertainty``) took
each reviewer's perception noise as ``1 / tau``, which, learned from rounded reviews and shrunk to a Gamma
prior, damps the shared part nearly away (the simulated noise spans two orders of magnitude, and with six
reviews each every careful reviewer's ``1 / tau`` sits near the prior's floor: 0.23-0.29 levels where the
true median is 0.15). The term now takes the noise as ``s / tau``, ``s`` read from how often two reviewers
of one mid-scale submission give the same level (``rounding_noise_scale`` in ``uncertainty``), and counts
only the covariances between reviews (each review's own rounding is in its ``1 / tau`` already): 0.924 at
150 cohorts; ``--reps-scale 3``: without bias 0.93 with examples and 0.95 without (were 0.90 and 0.93), the
rest unchanged within 0.01, the grades unchanged. Tried before it: ``1 / tau`` less the rounding a reviewer
does not share (a fixed point per reviewer) gave 0.98 in most settings, error 0.78 of the claim here;
reading every review as its level's interval (``censoring``) left the coverage where it was and cost
accuracy everywhere (at worst 1.063× PG1's error, n = 10); averaging the damping over the reliabilities'
posterior changed nothing (shape ~5); the agreement read from pairs chosen by their own levels (ends
excluded) agreed by selection (a heavy ceiling then covered 0.975).

The degrees of freedom of the t by Satterthwaite (``uncertainty``) instead of the reviewers' weighted
average; the shared rounding damped by each reviewer's own residual noise instead of its shrunk reliability
(``_shared_rounding``); with examples, the cohort's mean bias as uncertain as the examples' reviews alone
leave it, not the biases' posterior variances averaged as if independent (``_mean_bias_variance``; ten
learners with examples claimed a third of what their grades shared). ``--reps-scale 3``, 2σ coverage at
seed 2013: 0.909-0.974 before, then 0.901-0.967, 0.906-0.968 and 0.915-0.968; over six seeds (2013, 5, 7,
11, 17, 23) the target is met at four where it was met at none (0.908-0.978 at worst before, 0.910-0.974
now). What is left is at the top: the plain cohort without examples, and "examples at ends" without
examples, the same cohort, at 0.960-0.974 (0.971 and 0.974 at seeds 5 and 23): a leniency prior it has no
use for (a tenth of its claimed variance; the strong-bias cohorts, lenient by half their spread, need it)
and errors with heavier tails than a normal (the reviews' noise is a t with 3 degrees of freedom: with the
variance matched, two standard deviations cover 0.957). Grades and speed unchanged.

Tried beside them and left out: turning each reviewer's shared rounding by its bias (two
reviewers half a step apart round in opposite directions) and reading the agreement of pairs given their
biases, the exact Fourier form: coverage within 0.003 (the agreement's noise scale had absorbed the biases'
differences already) at a quarter more time on a million reviews; damping the rounding as a Student t's
characteristic function would (the benchmark's noise is a t with 3 degrees of freedom): the cohort without
bias with examples 0.89 -> 0.93 but the plain one back over 0.97; the residual noise without the posterior
variances of the grades and biases: 0.005 more for the cohort without bias, as much more for the plain one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from peerkit.core.aggregation.censoring import Censoring
from peerkit.core.aggregation.grades import CalibratedFit
from peerkit.core.aggregation.layout import Groups
from peerkit.core.aggregation.reviews import BoolArray, FloatArray, IntArray, Reviews, _sum_by
from peerkit.core.aggregation.special import sum_log_gamma
from peerkit.core.aggregation.squarem import extrapolate
from peerkit.core.aggregation.start import _moment_true_var, start_state
from peerkit.core.aggregation.sweep import Aux, State, Sweeper
from peerkit.core.aggregation.uncertainty import on_the_scale, true_score_variance
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
        Stop when no grade (a free submission's estimate) moved by more than ``tol`` of the scale in a
        sweep. Not the biases: a careless reviewer's bias, nearly unidentified and nearly without weight,
        drifts on long after the grades have settled.
    min_bias_sd : float
        Floor on the estimated spread of biases (fraction of the scale), so that empirical Bayes
        cannot shrink every bias to exactly zero and stall there.
    shared_bias_ratio : float
        Without examples, the assumed spread of a leniency shared by the whole cohort, as a multiple
        of the estimated spread of the individual biases. It widens the uncertainty only (no grade
        moves): no review can reveal such a shift, so its size is a prior belief, not an estimate.
        0 claims the cohort has none. The default, 0.4, is the benchmark's (``bench/aggregation.py``:
        cohorts lenient by half the individual spread on average are then covered, see the module
        documentation); set it from your own courses if you have examples to measure it with.
    bias_df : float
        Degrees of freedom of the Student t prior on the biases (``math.inf``: a normal prior). A few
        reviewers far off the rest (one level given to everything, marking everyone down) would make a
        normal prior's spread large for all, so every careful reviewer's bias is shrunk too little;
        the t lets those few have their large bias and keeps the others' spread. 4 is the usual robust
        choice (Lange, Little and Taylor 1989).
    """

    reliability_shape: float | None = None
    min_reliability_shape: float = 2.0
    max_iter: int = 300
    tol: float = 1e-3
    min_bias_sd: float = 0.005
    shared_bias_ratio: float = 0.4
    bias_df: float = 4.0

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
        if not self.bias_df > 0:
            raise ValidationError("bias_df must be positive (math.inf for a normal prior)", field="bias_df")
        if not (math.isfinite(self.shared_bias_ratio) and self.shared_bias_ratio >= 0):
            raise ValidationError("shared_bias_ratio must be a finite number >= 0", field="shared_bias_ratio")


@dataclass(frozen=True, slots=True, eq=False)
class Posterior:
    """The fitted calibrated model on the unit scale, as the grades and the held-out checks need it.

    ``m`` (the true scores' posterior means, unbounded: what predicts a review), ``v_s`` and ``precision`` per
    submission (anchors hold their truth, variance 0); ``grade`` and ``var`` per submission, the grade's
    posterior mean and variance, the true score capped at the scale's ends (``uncertainty.on_the_scale``);
    ``c``, ``v_b`` and ``tau`` per reviewer (``tau_m``: the reliabilities ``m`` and ``precision`` were computed
    with, one sweep older); ``y`` per review, the reported level or, for a censored reading, the expected
    perception.
    """

    m: FloatArray
    grade: FloatArray
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


#: Rubrics with at most this many levels read *every* review as its level's interval, not only the examples'
#: (see "Coarse rubrics" in the module documentation).
INTERVAL_LEVELS: Final = 3


def _coarse_step(reviews: Reviews) -> float | None:
    """The step between levels on the unit scale if the rubric has at most :data:`INTERVAL_LEVELS` levels, else
    None."""
    if reviews.step is None or reviews.width > (INTERVAL_LEVELS - 1) * reviews.step:
        return None
    return reviews.step / reviews.width


def _read_as_intervals(reviews: Reviews, on_anchor: BoolArray) -> BoolArray:
    """Which reviews are censored readings: the examples' always, every review on a rubric of at most
    :data:`INTERVAL_LEVELS` levels."""
    if _coarse_step(reviews) is not None:
        return np.ones_like(on_anchor)
    return on_anchor


def _level_spread(reviews: Reviews) -> float:
    """On a coarse rubric, the variance of a true score spread evenly over one level (``step^2 / 12``, unit
    scale), the floor of the true scores' spread; 0 on finer rubrics and continuous scores.

    Every review read as an interval says nothing of where within its level a true score lies, so the reviews
    cannot show a spread smaller than a level's; the method of moments, read off the levels, and empirical
    Bayes both found it near zero where most reviews give one level, and the grades were then all pulled onto
    the cohort's mean and claimed to be sure of it (see "Coarse rubrics").
    """
    step = _coarse_step(reviews)
    return 0.0 if step is None else step * step / 12.0


_SHAPES: Final = np.geomspace(1.0, 100.0, 25)
_SHAPE_SAMPLE: Final = 5000


def _learned_shape(ssq: FloatArray, count: FloatArray, active: BoolArray, floor: float) -> float:
    """``alpha0`` by maximum marginal likelihood of the reviewers' residual sums of squares.

    Given ``tau_v ~ Gamma(alpha0, beta0)`` and ``n_v`` residuals, ``ssq_v / 2`` is Gamma-Gamma
    distributed; its log likelihood is profiled over ``beta0`` (a fixed point) on a grid of shapes.
    Estimated once, from a fit at the default shape: estimated sweep after sweep, the shape and the
    reliabilities feed each other (a small shape lets careful reviewers fit tighter, which looks like
    more spread) and the fit either swings between two states or collapses onto a few reviewers.
    """
    ok = np.flatnonzero(active & (ssq > 0))
    if len(ok) < 5:
        return 5.0
    # A shape is one number: a few thousand reviewers pin it down as well as a million (an even spread
    # of them, so the same round always gets the same shape).
    ok = ok[:: max(1, len(ok) // _SHAPE_SAMPLE)]
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
    # Reviews grouped by submission (``layout``): the sweeps sum and spread over contiguous runs.
    groups = Groups.of(reviews.submission, n_sub)
    sub, rev, score = reviews.submission, reviews.reviewer, reviews.score
    if groups.order is not None:
        sub, rev, score = sub[groups.order], rev[groups.order], score[groups.order]
    x = (score - reviews.lo) / width  # the model works on [0, 1]: priors are scale-free
    count_s = groups.counts
    count_r = np.bincount(rev, minlength=n_rev).astype(np.float64)
    active = count_r > 0
    pinned = np.zeros(n_sub, dtype=bool)
    pinned[anchor_idx] = True
    truth = np.zeros(n_sub)
    truth[anchor_idx] = (anchor_val - reviews.lo) / width
    free = (count_s > 0) & ~pinned
    on_anchor = pinned[sub]
    plain = groups.sum(x) / np.maximum(count_s, 1)
    model = Sweeper(
        x=x,
        sub=sub,
        rev=rev,
        groups=groups,
        n_sub=n_sub,
        n_rev=n_rev,
        count_r=count_r,
        active=active,
        pinned=pinned,
        truth=truth,
        free=free,
        on_anchor=on_anchor,
        censoring=Censoring.of(
            x, _read_as_intervals(reviews, on_anchor), None if reviews.step is None else 0.5 * reviews.step / width
        ),
        min_bias_var=settings.min_bias_sd**2,
        count_sf=np.where(free, count_s, 0).astype(np.float64),
        count_f=_sum_by(rev, (~on_anchor).astype(np.float64), n_rev) if on_anchor.any() else count_r,
        min_true_var=max(_moment_true_var(x, sub, plain, count_s, free), _level_spread(reviews), 1e-6),
        bias_df=settings.bias_df,
    )

    # Start near the end (``start``): a million reviews converge in 8 sweeps.
    alpha0 = settings.reliability_shape or 5.0
    state = start_state(model, plain, alpha0)
    learn = settings.reliability_shape is None
    state, aux, delta, sweeps, converged = _iterate(model, state, alpha0, settings, settings.max_iter)
    if converged and learn:
        # Converged at the default shape: now learn the shape from this fit, once, and go on unless it
        # is within a quarter of the default (the fit would hardly move).
        learned = _learned_shape(aux.ssq, count_r, active, settings.min_reliability_shape)
        if abs(math.log(learned / alpha0)) >= math.log(1.25):
            alpha0 = learned
            state, aux, delta, more, converged = _iterate(model, state, alpha0, settings, settings.max_iter - sweeps)
            sweeps += more

    m, c, tau = state.m, state.c, np.exp(state.log_tau)
    mu0, var_s, beta, var_b, beta0 = (float(h) for h in state.hyper)
    var_s, var_b, beta0 = math.exp(var_s), math.exp(var_b), math.exp(beta0)
    var = true_score_variance(
        model,
        state,
        aux,
        alpha0,
        step=None if reviews.step is None else reviews.step / width,
        shared_bias_ratio=settings.shared_bias_ratio,
        bias_df=settings.bias_df,
    )
    grade, var = on_the_scale(m, var, model.free)
    fit = CalibratedFit(
        true_mean=reviews.lo + mu0 * width,
        true_sd=math.sqrt(var_s) * width,
        bias_mean=beta * width,
        bias_sd=math.sqrt(var_b) * width,
        noise_sd=math.sqrt(beta0 / alpha0) * width,
        iterations=sweeps,
        converged=converged,
        reliability_shape=alpha0,
        last_change=delta * width,
    )
    return Posterior(
        m=m,
        grade=grade,
        v_s=aux.v_s,
        precision=aux.precision,
        var=var,
        c=c,
        v_b=aux.v_b,
        tau=tau,
        tau_m=aux.tau_m,
        y=groups.ungroup(aux.y),
        beta=beta,
        fit=fit,
    )


def _iterate(
    model: Sweeper, state: State, alpha0: float, settings: CalibrationSettings, budget: int
) -> tuple[State, Aux, float, int, bool]:
    """Sweep from *state* until no estimate moves by more than ``tol`` in a sweep, at most *budget* sweeps,
    extrapolating every two sweeps (``squarem``). Returns the last state, its by-products, the last move,
    the sweeps run and whether ``tol`` was reached."""
    sweeps, max_step = 0, 4.0
    while True:
        s1, aux, delta = model.sweep(state, alpha0)
        sweeps += 1
        if delta < settings.tol or sweeps >= budget:
            return s1, aux, delta, sweeps, delta < settings.tol
        s2, aux, delta2 = model.sweep(s1, alpha0)
        sweeps += 1
        if delta2 < settings.tol or sweeps >= budget:
            return s2, aux, delta2, sweeps, delta2 < settings.tol
        jump = extrapolate(state, s1, s2, max_step)
        state, last = s2, (aux, delta2)
        if jump is not None:
            s3, aux3, delta3 = model.sweep(jump[0], alpha0)
            sweeps += 1
            if delta3 <= 10 * max(delta, delta2):  # the jump landed nearer the fixed point than the sweeps were
                state, last = s3, (aux3, delta3)
                if delta3 < settings.tol:
                    return s3, aux3, delta3, sweeps, True
                if jump[1] >= max_step:
                    max_step *= 2.0
            else:
                max_step = max(1.0, max_step / 2.0)
        if sweeps >= budget:
            return state, last[0], last[1], sweeps, False
