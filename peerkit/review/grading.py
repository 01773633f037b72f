"""From a round's reviews to grades: one aggregation per rubric criterion, summed, with how sure it is.

The method is the path's ``review.method``: ``mean``, ``median``, ``trimmed``, ``calibrated``, or
``auto`` (the default): per criterion, the calibrated reviewer model or the median, whichever
predicts the round's held-out reviews better (each review from the others; facilitator-graded
examples, when there are any, count as reviews whose true score is known). Each criterion grade
records the method and why (:attr:`CriterionGrade.method`, :attr:`CriterionGrade.why`), and
:func:`grading_methods` sums that up for a round, for the dashboard and the round export. A
calibrated fit that does not converge is never the grade: the median is, and the reason says so.

Excluded reviews (careless, unkind, flagged and confirmed by the facilitator) take no part.
Each grade carries flags for a facilitator's look: fewer reviews than promised, reviewers who
disagree strongly on a criterion, an uncertain estimate. A score that is not a number or outside the
criterion's scale stops the round's grading with an error naming the criterion.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from peerkit.core.aggregation import Reviews, aggregate, combine_quality, flag, reviewer_agreement
from peerkit.core.errors import ValidationError
from peerkit.core.models import Course
from peerkit.core.review import CriterionGrade, Grade, Review
from peerkit.core.rubric import Criterion
from peerkit.review.practice import practice_inputs
from peerkit.storage.sql import SqlStore


def level_step(criterion: Criterion) -> float | None:
    """The spacing of a criterion's levels when they are evenly spaced (0, 1, 2 -> 1), else None."""
    points = [lv.points for lv in criterion.levels]
    gaps = {round(b - a, 9) for a, b in itertools.pairwise(points)}
    return gaps.pop() if len(gaps) == 1 else None


def method_for(course: Course, path_id: str) -> str:
    """The aggregation method configured for *path_id* (``auto`` unless the course says otherwise)."""
    path = course.path(path_id)
    return path.review.method if path.review else "auto"


@dataclass(frozen=True, slots=True)
class CriterionMethod:
    """Which method graded a criterion of a round, and why (from the stored grades)."""

    criterion: str
    method: str
    why: str


def grading_methods(grades: Sequence[Grade]) -> list[CriterionMethod]:
    """Per criterion, the method that graded the round and why, in the order the criteria appear.

    Every computed grade of a round records the same method per criterion; the first that has one
    is taken. Grades stored before methods were recorded give nothing.
    """
    found: dict[str, CriterionMethod] = {}
    for grade in grades:
        for key, criterion in grade.criteria.items():
            if key not in found and criterion.method is not None:
                found[key] = CriterionMethod(key, criterion.method, criterion.why or "")
    return list(found.values())


def criterion_reviews(
    reviews: Sequence[Review],
    criterion: Criterion,
    authors: Mapping[str, int],
    reviewers: Mapping[str, int],
    *,
    stepped: bool = True,
) -> Reviews | None:
    """The scores *reviews* gave on *criterion*, for :func:`~peerkit.core.aggregation.aggregate`
    (submissions and reviewers numbered by *authors* and *reviewers*); None when there are none.
    *stepped* tells the model the criterion's level spacing (rubric rounding)."""
    rows = [
        (authors[r.author], reviewers[r.reviewer], r.content.scores[criterion.id])
        for r in reviews
        if criterion.id in r.content.scores
    ]
    if not rows:
        return None
    sub, rev, score = (np.array(col) for col in zip(*rows, strict=True))
    try:
        return Reviews.from_arrays(
            sub,
            rev,
            score.astype(float),
            scale=(min(lv.points for lv in criterion.levels), criterion.max_points),
            n_submissions=len(authors),
            n_reviewers=len(reviewers),
            step=level_step(criterion) if stepped else None,
        )
    except (ValidationError, TypeError, ValueError) as exc:
        raise ValidationError(
            f"criterion {criterion.id!r} (“{criterion.title}”): {exc}; fix or exclude the review, "
            "then grade again: the round is not graded with it",
            field=criterion.id,
        ) from None


@dataclass(frozen=True, slots=True)
class ReviewerQuality:
    reviewer: str
    agreement: float | None
    helpfulness: float | None
    quality: float | None
    reviews: int


def compute_grades(store: SqlStore, course: Course, path_id: str, *, now: datetime | None = None) -> list[Grade]:
    """Grades of every submitter of *path_id* from its current, non-excluded peer reviews."""
    rubric = course.rubric_for(path_id)
    path = course.path(path_id)
    review_round = store.review_round(path_id)  # the round's own k (review open --per-submission)
    k = review_round.per_submission if review_round else path.review.per_submission if path.review else 3
    reviews = [r for r in store.reviews(path_id) if r.kind == "peer" and not r.excluded]
    anchors: dict[str, Mapping[str, float]] = dict(store.anchors(path_id))
    # Practice ratings of the course's examples count as reviews of submissions whose true score is
    # known (the model review's), like a facilitator's own grading: they tell the model about reviewers.
    practice = practice_inputs(store, course, path_id)
    reviews += practice.reviews
    anchors.update(practice.anchors)
    authors = sorted({s.learner for s in store.submissions(path_id)} | set(anchors))
    reviewers = sorted({r.reviewer for r in reviews})
    a_index = {name: i for i, name in enumerate(authors)}
    r_index = {name: i for i, name in enumerate(reviewers)}
    method = method_for(course, path_id)
    used: dict[str, str] = {}
    per_author: dict[str, dict[str, CriterionGrade]] = {a: {} for a in authors}
    flags: dict[str, list[str]] = {a: [] for a in authors}
    for criterion in rubric.criteria:
        data = criterion_reviews(reviews, criterion, a_index, r_index)
        if data is None:
            for a in authors:
                per_author[a][criterion.id] = CriterionGrade(None, None, 0)
            continue
        anchor_scores = {a_index[a]: s[criterion.id] for a, s in anchors.items() if criterion.id in s}
        result = aggregate(data, method, anchors=anchor_scores or None)  # type: ignore[arg-type]
        used[criterion.id] = result.method
        why = result.choice.reason if result.choice is not None else f"{result.method}: the course's setting"
        # Spread over half the scale is a real disagreement (0 vs 2 on 0..2); with three reviews an
        # uncertainty of a tenth of the scale is the norm, so a quarter is what deserves a look.
        marked = flag(result, disagreement=0.5, uncertainty=0.25)
        for a, i in a_index.items():
            estimate = float(result.estimate[i])
            uncertainty = float(result.uncertainty[i])
            spread = float(result.spread[i])
            per_author[a][criterion.id] = CriterionGrade(
                estimate=None if math.isnan(estimate) else round(estimate, 3),
                uncertainty=None if not math.isfinite(uncertainty) else round(uncertainty, 3),
                reviews=int(result.n_reviews[i]),
                spread=None if math.isnan(spread) else spread,
                method=result.method,
                why=why,
            )
            if marked.disagreement[i] and result.n_reviews[i] > 0:
                flags[a].append(f"reviewers disagree on “{criterion.title}”")
            elif marked.uncertain[i] and result.n_reviews[i] > 0:
                flags[a].append(f"uncertain on “{criterion.title}”")
    methods = set(used.values())
    round_method = methods.pop() if len(methods) == 1 else "per criterion" if methods else method
    grades = []
    when = now or datetime.now(UTC)
    received_by = Counter(r.author for r in reviews)  # one pass, not one per author
    for a in authors:
        if a in practice.anchors:
            continue  # an example: it informed the model and gets no grade
        criteria = per_author[a]
        received = received_by[a]
        estimates = [c.estimate for c in criteria.values()]
        points = None if any(e is None for e in estimates) else round(sum(e for e in estimates if e is not None), 2)
        variances = [c.uncertainty**2 for c in criteria.values() if c.uncertainty is not None]
        total_uncertainty = round(math.sqrt(sum(variances)), 3) if points is not None and variances else None
        if received < k and a not in anchors:
            flags[a].insert(0, f"{received} of {k} reviews")
        grades.append(
            Grade(
                author=a,
                method="facilitator" if a in anchors else round_method,
                points=points,
                max_points=rubric.max_points,
                uncertainty=total_uncertainty,
                criteria=criteria,
                reviews=received,
                flags=tuple(dict.fromkeys(flags[a])),
                computed_at=when,
            )
        )
    return grades


def reviewer_quality(store: SqlStore, course: Course, path_id: str) -> list[ReviewerQuality]:
    """Each reviewer's agreement with the consensus (averaged over criteria) and authors' helpfulness
    ratings (1-5 mapped to 0..1), combined half and half where both exist."""
    rubric = course.rubric_for(path_id)
    reviews = [r for r in store.reviews(path_id) if r.kind == "peer" and not r.excluded]
    authors = sorted({r.author for r in reviews})
    reviewers = sorted({r.reviewer for r in reviews})
    if not reviews:
        return []
    a_index = {n: i for i, n in enumerate(authors)}
    r_index = {n: i for i, n in enumerate(reviewers)}
    agreement_sum = np.zeros(len(reviewers))
    agreement_n = np.zeros(len(reviewers))
    for criterion in rubric.criteria:
        data = criterion_reviews(reviews, criterion, a_index, r_index, stepped=False)
        if data is None:
            continue
        agreement = reviewer_agreement(data, aggregate(data, "median")).agreement
        ok = ~np.isnan(agreement)
        agreement_sum[ok] += agreement[ok]
        agreement_n[ok] += 1
    agreement_mean = np.where(agreement_n > 0, agreement_sum / np.maximum(agreement_n, 1), np.nan)
    token_reviewer = {r.token: r.reviewer for r in reviews if r.token}
    helpful: dict[str, list[float]] = {}
    for rating in store.ratings(path_id):
        if rating.helpful is not None and rating.token in token_reviewer:
            helpful.setdefault(token_reviewer[rating.token], []).append((rating.helpful - 1) / 4)
    helpfulness = np.array([np.mean(helpful[n]) if n in helpful else np.nan for n in reviewers])
    combined = combine_quality(agreement_mean, helpfulness)
    counts: Mapping[str, int] = {n: sum(1 for r in reviews if r.reviewer == n) for n in reviewers}
    return [
        ReviewerQuality(
            reviewer=n,
            agreement=None if math.isnan(agreement_mean[i]) else round(float(agreement_mean[i]), 3),
            helpfulness=None if math.isnan(helpfulness[i]) else round(float(helpfulness[i]), 3),
            quality=None if math.isnan(combined[i]) else round(float(combined[i]), 3),
            reviews=counts[n],
        )
        for i, n in enumerate(reviewers)
    ]
