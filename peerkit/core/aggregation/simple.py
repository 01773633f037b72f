"""The simple methods: mean, median and trimmed mean of each submission's scores, with standard errors.

Methods
-------
``"mean"``
    The plain mean of a submission's scores (Moodle Workshop, Peergrade).
``"median"``
    The median; with an even number of reviews the mean of the two middle scores (ORA2 takes the
    *ceiling* of that mean, on integer points; here it is not rounded).
``"trimmed"``
    A trimmed mean: the ``g = min(floor(trim * n + 1/2), (n - 1) // 2)`` lowest and as many highest
    of the ``n`` scores are dropped and the rest averaged (``trim = 0.2`` by default). With 2
    reviews nothing is dropped (the mean, which is also the median); with 3 or 4 reviews one is
    dropped at each end, which is the median; with 5 to 7 the mean of all but the extremes.

Uncertainty
-----------
An analytic standard error ``sd_u * sqrt(v(n, g) / n)`` on the score scale:
``sd_u`` is the submission's own standard deviation moderated towards the pooled within-submission
standard deviation of the whole cohort with :data:`PRIOR_DF` pseudo degrees of freedom (the
"moderated" variance of Smyth 2004, so 2 or 3 reviews that happen to agree do not claim certainty);
``v(n, g)`` is the variance of the estimator relative to the mean for normal scores: 1 for the mean,
1.346 for the median of 3 and so on (:data:`VARIANCE_RATIO`, exact from normal order statistics up
to 12 reviews, the asymptotic trimmed-mean formula beyond). If every submission has a single review
the pooled standard deviation falls back to ``(hi - lo) / sqrt(12)``, a uniform score; it is 0 only
if every review in the cohort agrees with the other reviews of its submission.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Final

import numpy as np

from peerkit.core.aggregation.grades import Grades, _finish
from peerkit.core.aggregation.reviews import FloatArray, IntArray, Reviews, _sum_by

#: Pseudo degrees of freedom given to the pooled standard deviation when moderating a
#: submission's own standard deviation (simple methods' standard errors).
PRIOR_DF: Final = 4.0

#: ``VARIANCE_RATIO[n][g]``: variance of the mean of the middle ``n - 2g`` of ``n`` independent
#: standard normal scores, times ``n`` (so 1 for the plain mean). Computed by numerical integration
#: of the joint density of normal order statistics; ``g = (n - 1) // 2`` is the median.
VARIANCE_RATIO: Final[dict[int, tuple[float, ...]]] = {
    1: (1.0,),
    2: (1.0,),
    3: (1.0, 1.346),
    4: (1.0, 1.1928),
    5: (1.0, 1.1353, 1.4342),
    6: (1.0, 1.1042, 1.2885),
    7: (1.0, 1.0846, 1.2222, 1.4731),
    8: (1.0, 1.071, 1.1816, 1.3455),
    9: (1.0, 1.061, 1.1537, 1.2805, 1.4949),
    10: (1.0, 1.0535, 1.1331, 1.2377, 1.3833),
    11: (1.0, 1.0475, 1.1173, 1.2065, 1.3222, 1.5088),
    12: (1.0, 1.0426, 1.1047, 1.1825, 1.2798, 1.4102),
}


def variance_ratio(n: int, g: int) -> float:
    """Variance of a ``g``-trimmed mean of ``n`` normal scores relative to the plain mean.

    Parameters
    ----------
    n : int
        Number of scores, at least 1.
    g : int
        Scores dropped at each end, ``0 <= g <= (n - 1) // 2``.

    Returns
    -------
    float
        ``n * Var(estimator) / sigma**2``: exact (4 decimals) up to ``n = 12``, beyond that the
        asymptotic variance of the ``g / n`` trimmed mean, ``pi / 2`` for the median.
    """
    if n in VARIANCE_RATIO:
        return VARIANCE_RATIO[n][g]
    alpha = g / n
    if alpha <= 0.0:
        return 1.0
    if 2 * g >= n - 1:
        return math.pi / 2
    c = NormalDist().inv_cdf(1.0 - alpha)
    winsorized = (1.0 - 2.0 * alpha) - 2.0 * c * NormalDist().pdf(c) + 2.0 * alpha * c * c
    return winsorized / (1.0 - 2.0 * alpha) ** 2


def _within_submission_order(
    reviews: Reviews, among: IntArray | None = None
) -> tuple[IntArray, FloatArray, IntArray, IntArray]:
    """Reviews sorted by submission, then by score: submission, score, rank inside the submission, and
    the order itself (positions in *reviews*).

    *among* (positions in *reviews*, every review of each submission it touches) sorts only those: a
    held-out sample needs the order of the submissions it draws from, not a sort of every review.
    """
    submission, score = reviews.submission, reviews.score
    if among is not None:
        submission, score = submission[among], score[among]
    n = len(score)
    by_score = np.argsort(score)
    rank = np.empty(n, dtype=np.int64)
    rank[by_score] = np.arange(n)
    bits = max(n - 1, 1).bit_length()
    if (reviews.n_submissions - 1).bit_length() + bits <= 62:
        # Sorting one packed int64 key is several times faster than lexsort or a stable argsort.
        packed = np.sort((submission.astype(np.int64) << bits) | rank)
        order = by_score[packed & ((1 << bits) - 1)]
    else:  # pragma: no cover - cohorts beyond 2**62 reviews x submissions
        order = np.lexsort((score, submission))
    sub = submission[order]
    counts = np.bincount(sub, minlength=reviews.n_submissions)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    if among is not None:
        order = among[order]
    return sub, reviews.score[order], np.arange(n) - starts[sub], order.astype(np.intp, copy=False)


def _simple(
    reviews: Reviews,
    method: str,
    trim: float,
    anchor_idx: IntArray,
    anchor_val: FloatArray,
    order: tuple[IntArray, FloatArray, IntArray, IntArray] | None = None,
) -> Grades:
    """Grades by *method*; *order* is :func:`_within_submission_order` of *reviews* when already known."""
    n_sub, sub = reviews.n_submissions, reviews.submission
    counts = np.bincount(sub, minlength=n_sub)
    has = counts > 0
    safe = np.maximum(counts, 1)
    mean = _sum_by(sub, reviews.score, n_sub) / safe
    ss = _sum_by(sub, (reviews.score - mean[sub]) ** 2, n_sub)
    df = int(len(reviews) - has.sum())
    pooled = float(ss.sum() / df) if df > 0 else reviews.width**2 / 12.0
    var = (PRIOR_DF * pooled + ss) / (PRIOR_DF + safe - 1)
    # g (scores dropped at each end) depends on n only: one small table over n, no loop over submissions.
    sizes = np.arange(int(counts.max()) + 1)
    half_n = np.maximum(sizes - 1, 0) // 2
    if method == "mean":
        g_of_n = np.zeros_like(sizes)
    elif method == "median":
        g_of_n = half_n
    else:
        g_of_n = np.minimum(np.floor(trim * sizes + 0.5).astype(np.intp), half_n)
    g = g_of_n[counts]
    if method == "mean":
        estimate = mean
    else:
        sorted_sub, ordered, rank, _ = order or _within_submission_order(reviews)
        keep = (rank >= g[sorted_sub]) & (rank < counts[sorted_sub] - g[sorted_sub])
        estimate = _sum_by(sorted_sub[keep], ordered[keep], n_sub) / (safe - 2 * g)
    ratio_of_n = np.array([variance_ratio(max(int(n), 1), int(k)) for n, k in zip(sizes, g_of_n, strict=True)])
    ratios = ratio_of_n[counts]
    uncertainty = np.sqrt(var * ratios / safe)
    return _finish(reviews, method, estimate, uncertainty, counts, (anchor_idx, anchor_val))
