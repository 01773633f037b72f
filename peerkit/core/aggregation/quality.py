"""After aggregation: reviewer agreement with the grades, reviewer quality, submissions to look at.

:func:`reviewer_agreement` scores each reviewer by the distance of their scores from the grades
(Moodle Workshop's "grading evaluation"); :func:`combine_quality` mixes that with the authors'
helpfulness ratings (Peergrade); :func:`flag` picks the submissions a facilitator should look at.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from peerkit.core.aggregation.grades import Grades
from peerkit.core.aggregation.reviews import BoolArray, FloatArray, IntArray, Reviews, _sum_by
from peerkit.core.errors import ValidationError


@dataclass(frozen=True, slots=True, eq=False)
class ReviewerAgreement:
    """How closely each reviewer's scores agree with the aggregated grades.

    Attributes
    ----------
    agreement : ndarray of float64
        ``clip(1 - strictness * mean_abs_deviation / (hi - lo), 0, 1)``; NaN for a reviewer with no
        review of a graded submission.
    mean_abs_deviation : ndarray of float64
        Mean ``|score - grade|`` over the reviewer's reviews, in score units.
    n_compared : ndarray of intp
        Reviews that entered the mean.
    """

    agreement: FloatArray
    mean_abs_deviation: FloatArray
    n_compared: IntArray


def reviewer_agreement(reviews: Reviews, grades: Grades, *, strictness: float = 2.0) -> ReviewerAgreement:
    """Score each reviewer by the distance of their scores from the consensus grades.

    In the spirit of Moodle Workshop's "grading evaluation": a review's distance is
    ``|score - grade of that submission|``; a reviewer's distance is the mean over their reviews,
    normalised by the scale width; agreement is ``1 - strictness * distance`` clipped to
    ``[0, 1]``. With the default ``strictness = 2`` a reviewer who is off by a quarter of the scale
    on average scores 0.5, by half the scale or more 0. Reviews of anchored submissions are compared
    with the facilitator's score, which makes calibration examples count as they do in Calibrated
    Peer Review. Submissions without a grade (no reviews) are skipped.

    The consensus includes the reviewer's own score, so with two reviews per submission both
    reviewers are equally far from it (the case where Moodle says "you are both right"); the score
    separates good from poor reviewers only with three or more reviews, or with anchors.
    Systematic bias counts as disagreement even when the calibrated model corrects it.

    Parameters
    ----------
    reviews : Reviews
        The reviews the grades came from.
    grades : Grades
        Output of :func:`aggregate` for those reviews (any method).
    strictness : float
        Positive; larger is stricter (Moodle's "comparison of assessments" setting plays this role).

    Returns
    -------
    ReviewerAgreement

    Raises
    ------
    ValidationError
        The grades do not belong to the reviews, or ``strictness`` is not positive.
    """
    if len(grades) != reviews.n_submissions or (grades.lo, grades.hi) != (reviews.lo, reviews.hi):
        raise ValidationError("grades do not match the reviews (number of submissions or scale)", field="grades")
    if not strictness > 0:
        raise ValidationError(f"strictness must be positive, got {strictness!r}", field="strictness")
    target = grades.estimate[reviews.submission]
    usable = np.isfinite(target)
    rev = reviews.reviewer[usable]
    n = np.bincount(rev, minlength=reviews.n_reviewers)
    total = _sum_by(rev, np.abs(reviews.score[usable] - target[usable]), reviews.n_reviewers)
    with np.errstate(invalid="ignore", divide="ignore"):
        mad = np.where(n > 0, total / n, np.nan)
    agreement = np.clip(1.0 - strictness * mad / reviews.width, 0.0, 1.0)
    for arr in (agreement, mad, n):
        arr.flags.writeable = False
    return ReviewerAgreement(agreement=agreement, mean_abs_deviation=mad, n_compared=n.astype(np.intp))


def combine_quality(agreement: ArrayLike, helpfulness: ArrayLike, *, weight: float = 0.5) -> FloatArray:
    """Combine agreement with the authors' helpfulness ratings into one reviewer-quality score.

    ``weight * agreement + (1 - weight) * helpfulness``, both on ``[0, 1]`` (Peergrade's default
    split is 50/50). Where one of the two is NaN (no comparable review, no rating received) the
    other is used alone; where both are NaN the result is NaN.

    Parameters
    ----------
    agreement : array_like of float
        From :attr:`ReviewerAgreement.agreement`.
    helpfulness : array_like of float
        Mean helpfulness rating per reviewer, rescaled to ``[0, 1]``, NaN when unrated.
    weight : float
        Weight of agreement, in ``[0, 1]``.

    Returns
    -------
    ndarray of float64

    Raises
    ------
    ValidationError
        Mismatched shapes, values outside ``[0, 1]``, bad weight.
    """
    a = np.asarray(agreement, dtype=np.float64)
    h = np.asarray(helpfulness, dtype=np.float64)
    if a.shape != h.shape:
        raise ValidationError(f"agreement {a.shape} and helpfulness {h.shape} differ in shape", field="helpfulness")
    if not 0.0 <= weight <= 1.0:
        raise ValidationError(f"weight must be in [0, 1], got {weight!r}", field="weight")
    for name, arr in (("agreement", a), ("helpfulness", h)):
        if np.any((arr < 0) | (arr > 1)) or np.any(np.isinf(arr)):
            raise ValidationError(f"{name} must lie in [0, 1] (NaN for missing)", field=name)
    both = weight * a + (1.0 - weight) * h
    return np.where(np.isnan(a), h, np.where(np.isnan(h), a, both))


@dataclass(frozen=True, slots=True, eq=False)
class Flags:
    """Submissions that need a facilitator's look, with the reason.

    Attributes
    ----------
    disagreement : ndarray of bool
        The reviews' spread exceeds the threshold.
    uncertain : ndarray of bool
        The uncertainty exceeds the threshold (always so without reviews).
    """

    disagreement: BoolArray
    uncertain: BoolArray

    @property
    def submissions(self) -> IntArray:
        """Indices of flagged submissions, ascending."""
        return np.flatnonzero(self.disagreement | self.uncertain)


def flag(grades: Grades, *, disagreement: float = 0.4, uncertainty: float = 0.1) -> Flags:
    """Flag submissions whose reviews disagree strongly or whose grade is uncertain.

    A submission is flagged for disagreement when ``spread > disagreement * (hi - lo)``: with the
    default 0.4 on a 0-4 rubric, two reviews two or more levels apart. It is flagged as uncertain
    when ``uncertainty > uncertainty * (hi - lo)`` (a standard error above a tenth of the scale by
    default), which includes every submission without reviews. Anchored submissions are never
    flagged: a facilitator has graded them.

    Parameters
    ----------
    grades : Grades
        Output of :func:`aggregate`.
    disagreement, uncertainty : float
        Thresholds as fractions of the scale width, non-negative.

    Returns
    -------
    Flags

    Raises
    ------
    ValidationError
        A negative or NaN threshold.
    """
    for name, value in (("disagreement", disagreement), ("uncertainty", uncertainty)):
        if not value >= 0:
            raise ValidationError(f"{name} threshold must be a non-negative fraction of the scale", field=name)
    width = grades.hi - grades.lo
    with np.errstate(invalid="ignore"):
        wide = (grades.spread > disagreement * width) & ~grades.anchored
    unsure = (grades.uncertainty > uncertainty * width) & ~grades.anchored
    return Flags(disagreement=wide, uncertain=unsure)
