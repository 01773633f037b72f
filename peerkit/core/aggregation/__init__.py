"""Peer reviews to grades: simple aggregates, a calibrated reviewer model, reviewer agreement, flags.

One rubric criterion at a time. :class:`Reviews` holds the validated reviews of one criterion
(who reviewed which submission, and the score given, on a known scale ``[lo, hi]``);
:func:`aggregate` turns them into :class:`Grades`, one estimate and one uncertainty per submission.

Methods
-------
``"mean"``, ``"median"``, ``"trimmed"``
    The plain mean (Moodle Workshop, Peergrade), the median (as ORA2, not rounded) or a trimmed
    mean of a submission's scores, with an analytic standard error. Defined in ``simple``.
``"calibrated"``
    Model PG1 of Piech et al. 2013, "Tuned Models of Peer Assessment in MOOCs": a true score per
    submission, a bias and a reliability per reviewer, estimated together by variational Bayes with
    empirical-Bayes priors (the reliability prior's shape included), so that careless reviewers get
    little weight; reviews of examples are read as levels, bounded at the ends. Estimates are shrunk towards the
    cohort mean where the reviews are few or unreliable. Defined in ``calibration``. A fit that does
    not converge is never the grade: the median is, and :attr:`Grades.choice` says why.
``"auto"`` (the default)
    The calibrated model or the median, whichever predicts held-out reviews better in this round
    (each review from the others, ``heldout``); :attr:`Grades.choice` holds the decision and the
    figures behind it.

Anchors
-------
Facilitator-graded example submissions (``{submission index: true score}``). Every method reports
the facilitator's score for them (uncertainty 0). The calibrated model also treats them as observed
true scores, which measures each reviewer's bias directly and makes a bias shared by all reviewers
estimable (see ``calibration``).

Uncertainty
-----------
A standard deviation on the score scale: an analytic standard error for the simple methods
(``simple``), the posterior standard deviation for the calibrated model (``calibration``).
Submissions without a review and not anchored get estimate NaN and uncertainty +inf (``grades``).

Modules
-------
Import from this package; the modules are its implementation, one concept each:

* ``reviews``: the input, :class:`Reviews`, and its validation;
* ``grades``: the output, :class:`Grades` and :class:`CalibratedFit`, and the conventions every
  method shares (no reviews, anchors, spread);
* ``simple``: mean, median and trimmed mean, their standard errors, :func:`variance_ratio` and its
  table of normal order statistics;
* ``censoring``: which levels are censored readings, and the truncated-normal moments;
* ``calibration``: the calibrated model (:class:`CalibrationSettings`, the variational updates);
* ``sweep`` and ``squarem``: one sweep of its updates, and the extrapolation along successive sweeps;
* ``layout``: the reviews grouped by submission, so that the sweeps sum and spread over contiguous runs;
* ``uncertainty``: the terms of its grades' uncertainty beyond the factorised posterior;
* ``heldout``: leave-one-review-out predictions, the evidence for ``"auto"``;
* ``quality``: after aggregation, :func:`reviewer_agreement`, :func:`combine_quality` and
  :func:`flag`;
* this ``__init__``: :data:`METHODS` and :func:`aggregate`, which checks the request, dispatches
  to ``simple`` or ``calibration`` and makes the choice.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Final, Literal

import numpy as np

from peerkit.core.aggregation.calibration import CalibrationSettings, Posterior, fit_calibrated
from peerkit.core.aggregation.grades import CalibratedFit, Grades, MethodChoice, _finish
from peerkit.core.aggregation.heldout import held_out, loo_median, sample
from peerkit.core.aggregation.quality import Flags, ReviewerAgreement, combine_quality, flag, reviewer_agreement
from peerkit.core.aggregation.reviews import FloatArray, IntArray, Reviews
from peerkit.core.aggregation.simple import (
    PRIOR_DF,
    VARIANCE_RATIO,
    _simple,
    _within_submission_order,
    variance_ratio,
)
from peerkit.core.errors import ValidationError

__all__ = [
    "HELDOUT_SAMPLE",
    "METHODS",
    "MIN_HELDOUT",
    "PRIOR_DF",
    "VARIANCE_RATIO",
    "CalibratedFit",
    "CalibrationSettings",
    "Flags",
    "Grades",
    "Method",
    "MethodChoice",
    "ReviewerAgreement",
    "Reviews",
    "aggregate",
    "combine_quality",
    "flag",
    "reviewer_agreement",
    "variance_ratio",
]

Method = Literal["mean", "median", "trimmed", "calibrated", "auto"]
METHODS: Final[tuple[Method, ...]] = ("mean", "median", "trimmed", "calibrated", "auto")

#: Held-out reviews from which ``"auto"`` prefers the calibrated model unless the median is clearly
#: better. With fewer, the median grades unless the examples' reviews (true scores known) show the
#: calibrated model clearly better (by one standard error of the paired difference).
MIN_HELDOUT: Final = 20

#: Held-out reviews ``"auto"`` checks at most (a seeded sample of larger rounds): the paired comparison's
#: standard error on 50,000 reviews is already far below any gap worth a decision.
HELDOUT_SAMPLE: Final = 50_000


def aggregate(
    reviews: Reviews,
    method: Method = "auto",
    *,
    anchors: Mapping[int, float] | None = None,
    trim: float = 0.2,
    settings: CalibrationSettings | None = None,
) -> Grades:
    """Aggregate one criterion's reviews into per-submission grades.

    Parameters
    ----------
    reviews : Reviews
        The validated reviews.
    method : {"mean", "median", "trimmed", "calibrated", "auto"}
        See the module documentation; ``"auto"`` by default.
    anchors : mapping of int to float, optional
        Facilitator scores of example submissions, ``{submission index: score}`` on the same
        scale. Reported as those submissions' grades by every method; the calibrated model also
        uses them to estimate reviewer biases, including a bias shared by all reviewers.
    trim : float
        Trimming proportion of ``"trimmed"``, ``0 <= trim < 0.5``; ignored by other methods.
    settings : CalibrationSettings, optional
        Priors and stopping rule of ``"calibrated"``.

    Returns
    -------
    Grades

    Raises
    ------
    ValidationError
        Unknown method, bad ``trim``, anchors outside the cohort or the scale.
    """
    if not isinstance(reviews, Reviews):
        raise ValidationError(f"expected Reviews, got {type(reviews).__name__}", field="reviews")
    if method not in METHODS:
        raise ValidationError(f"unknown method {method!r} (known: {', '.join(METHODS)})", field="method")
    if not 0.0 <= trim < 0.5:
        raise ValidationError(f"trim must be in [0, 0.5), got {trim!r}", field="trim")
    anchor_idx, anchor_val = _anchors(anchors, reviews)
    if method in ("calibrated", "auto"):
        return _calibrated(reviews, anchor_idx, anchor_val, settings or CalibrationSettings(), auto=method == "auto")
    return _simple(reviews, method, trim, anchor_idx, anchor_val)


def _calibrated(
    reviews: Reviews, anchor_idx: IntArray, anchor_val: FloatArray, settings: CalibrationSettings, *, auto: bool
) -> Grades:
    """Fit the calibrated model, check it on held-out reviews, and grade with it or with the median."""
    post = fit_calibrated(reviews, anchor_idx, anchor_val, settings)
    pick = sample(len(reviews), HELDOUT_SAMPLE)
    # Every review in order within its submission (a sort of all of them): shared by the held-out medians and
    # the median grades when every review is held out; with a sample, only for the median grades, if chosen.
    order = _within_submission_order(reviews) if pick is None else None

    def median() -> Grades:  # graded only when it is the choice
        return _simple(reviews, "median", 0.0, anchor_idx, anchor_val, order)

    held = held_out(reviews, post, anchor_idx, anchor_val, loo_median(reviews, order, pick), pick)
    fit = dataclasses.replace(post.fit, heldout_spread=held.spread_ratio())
    width = reviews.width
    errors = {"calibrated": held.rmse("calibrated") * width, "median": held.rmse("median") * width}
    figures = f"held-out error {{}} {errors['calibrated']:.3g} vs median {errors['median']:.3g} over {held.n} reviews"
    if not fit.converged:
        reason = (
            f"median: the calibrated fit did not converge in {fit.iterations} sweeps "
            f"(estimates still moving by {fit.last_change:.2g} points), so it is not used"
        )
        return dataclasses.replace(median(), fit=fit, choice=MethodChoice("median", reason, errors, held.n))
    if auto and held.n == 0:
        reason = "median: no review can be predicted from the others (a single review per submission)"
        return dataclasses.replace(median(), fit=fit, choice=MethodChoice("median", reason, errors, held.n))
    if auto and held.n < MIN_HELDOUT:
        # Few reviews: predicting one from the others says little (the median of two is a mean), so
        # only the examples, whose true scores are known, count as evidence.
        on_examples = held.only(np.isin(reviews.submission, anchor_idx))
        gap = (on_examples.rmse("median") ** 2 - on_examples.rmse("calibrated") ** 2) * width**2
        if on_examples.n and gap > on_examples.paired_se() * width**2:
            e_cal, e_med = on_examples.rmse("calibrated") * width, on_examples.rmse("median") * width
            reason = (
                f"calibrated: held-out error on the examples' reviews {e_cal:.3g} vs median {e_med:.3g} "
                f"over {on_examples.n} reviews"
            )
            return _calibrated_grades(reviews, post, anchor_idx, anchor_val, fit, reason, errors, held.n)
        reason = (
            f"median: too few reviews to judge the calibrated model ({held.n}; it needs {MIN_HELDOUT}, "
            "or examples that show it better)"
        )
        return dataclasses.replace(median(), fit=fit, choice=MethodChoice("median", reason, errors, held.n))
    mse_gap = (held.rmse("median") ** 2 - held.rmse("calibrated") ** 2) * width**2
    if auto and mse_gap < -held.paired_se() * width**2:
        reason = (
            f"median: held-out error {errors['median']:.3g} vs calibrated {errors['calibrated']:.3g}"
            f" over {held.n} reviews"
        )
        return dataclasses.replace(median(), fit=fit, choice=MethodChoice("median", reason, errors, held.n))
    why = "calibrated: " + (figures.format("") if auto else figures.format("(the course's setting)"))
    return _calibrated_grades(reviews, post, anchor_idx, anchor_val, fit, " ".join(why.split()), errors, held.n)


def _calibrated_grades(
    reviews: Reviews,
    post: Posterior,
    anchor_idx: IntArray,
    anchor_val: FloatArray,
    fit: CalibratedFit,
    reason: str,
    errors: dict[str, float],
    n_heldout: int,
) -> Grades:
    width = reviews.width
    counts = np.bincount(reviews.submission, minlength=reviews.n_submissions)
    active = np.zeros(reviews.n_reviewers, dtype=bool)
    active[reviews.reviewer] = True
    return _finish(
        reviews,
        "calibrated",
        reviews.lo + post.grade * width,
        np.sqrt(post.var) * width,
        counts,
        (anchor_idx, anchor_val),
        reviewer_bias=np.where(active, post.c * width, np.nan),
        reviewer_reliability=np.where(active, post.tau / width**2, np.nan),
        fit=fit,
        choice=MethodChoice("calibrated", reason, errors, n_heldout),
    )


def _anchors(anchors: Mapping[int, float] | None, reviews: Reviews) -> tuple[IntArray, FloatArray]:
    if anchors is None:
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    if not isinstance(anchors, Mapping):
        raise ValidationError("anchors must be a mapping {submission index: score}", field="anchors")
    idx: list[int] = []
    val: list[float] = []
    for key, value in anchors.items():
        if isinstance(key, bool) or not isinstance(key, int | np.integer) or not 0 <= key < reviews.n_submissions:
            raise ValidationError(
                f"anchor {key!r} is not a submission index 0..{reviews.n_submissions - 1}", field="anchors"
            )
        try:
            score = float(value)
        except (TypeError, ValueError):
            raise ValidationError(f"anchor {key}: score {value!r} is not a number", field="anchors") from None
        if not (math.isfinite(score) and reviews.lo <= score <= reviews.hi):
            raise ValidationError(
                f"anchor {key}: score {score:g} is outside the scale [{reviews.lo:g}, {reviews.hi:g}]",
                field="anchors",
            )
        idx.append(int(key))
        val.append(score)
    return np.asarray(idx, dtype=np.intp), np.asarray(val, dtype=np.float64)
