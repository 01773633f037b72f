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
    empirical-Bayes priors, so that careless reviewers get little weight. Estimates are shrunk
    towards the cohort mean where the reviews are few or unreliable. Defined in ``calibration``.

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
* ``calibration``: the calibrated model (:class:`CalibrationSettings`, the variational updates,
  anchors as censored observations);
* ``quality``: after aggregation, :func:`reviewer_agreement`, :func:`combine_quality` and
  :func:`flag`;
* this ``__init__``: :data:`METHODS` and :func:`aggregate`, which checks the request and dispatches
  to ``simple`` or ``calibration``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final, Literal

import numpy as np

from peerkit.core.aggregation.calibration import CalibrationSettings, _calibrated
from peerkit.core.aggregation.grades import CalibratedFit, Grades
from peerkit.core.aggregation.quality import Flags, ReviewerAgreement, combine_quality, flag, reviewer_agreement
from peerkit.core.aggregation.reviews import FloatArray, IntArray, Reviews
from peerkit.core.aggregation.simple import PRIOR_DF, VARIANCE_RATIO, _simple, variance_ratio
from peerkit.core.errors import ValidationError

__all__ = [
    "METHODS",
    "PRIOR_DF",
    "VARIANCE_RATIO",
    "CalibratedFit",
    "CalibrationSettings",
    "Flags",
    "Grades",
    "Method",
    "ReviewerAgreement",
    "Reviews",
    "aggregate",
    "combine_quality",
    "flag",
    "reviewer_agreement",
    "variance_ratio",
]

Method = Literal["mean", "median", "trimmed", "calibrated"]
METHODS: Final[tuple[Method, ...]] = ("mean", "median", "trimmed", "calibrated")


def aggregate(
    reviews: Reviews,
    method: Method = "median",
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
    method : {"mean", "median", "trimmed", "calibrated"}
        See the module documentation.
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
    if method == "calibrated":
        return _calibrated(reviews, anchor_idx, anchor_val, settings or CalibrationSettings())
    return _simple(reviews, method, trim, anchor_idx, anchor_val)


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
