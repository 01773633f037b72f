"""Peer reviews to grades: validation, known answers, the calibrated model, agreement, flags."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerkit.core.aggregation import (
    METHODS,
    VARIANCE_RATIO,
    CalibrationSettings,
    Grades,
    Method,
    Reviews,
    aggregate,
    combine_quality,
    flag,
    reviewer_agreement,
    variance_ratio,
)
from peerkit.core.errors import PeerkitError, ValidationError

# Tiny hand-made cohort on a 0-4 rubric. Submission 3 has no review; reviewer 5 reviewed nothing.
#   submission 0: 1, 2, 4     (reviewers 0, 1, 2)
#   submission 1: 3, 3        (reviewers 0, 1)
#   submission 2: 2           (reviewer 2)
#   submission 4: 0, 1, 3, 4, 4 (reviewers 0..4)
SUB = [0, 0, 0, 1, 1, 2, 4, 4, 4, 4, 4]
REV = [0, 1, 2, 0, 1, 2, 0, 1, 2, 3, 4]
SCORE = [1, 2, 4, 3, 3, 2, 0, 1, 3, 4, 4]


@pytest.fixture
def tiny() -> Reviews:
    return Reviews.from_arrays(SUB, REV, SCORE, scale=(0, 4), n_submissions=5, n_reviewers=6, step=1)


# Standard errors by hand: within-submission sums of squares 42/9, 0, 0, -, 13.2; pooled variance
# 17.8667 / 7 (11 reviews, 4 reviewed submissions); moderated variance (4 * pooled + ss) / (4 + n - 1).
POOLED = (42 / 9 + 13.2) / 7
MOD_VAR = [(4 * POOLED + 42 / 9) / 6, 4 * POOLED / 5, POOLED, math.nan, (4 * POOLED + 13.2) / 8]
COUNTS = [3, 2, 1, 0, 5]


def se(index: int, ratio: float = 1.0) -> float:
    return math.sqrt(MOD_VAR[index] * ratio / COUNTS[index])


@pytest.mark.parametrize(
    ("method", "estimate", "ratios"),
    [
        ("mean", [7 / 3, 3, 2, math.nan, 2.4], [1, 1, 1, 1, 1]),
        ("median", [2, 3, 2, math.nan, 3], [1.346, 1, 1, 1, 1.4342]),
        # trim 0.2: n=3 drops one at each end (the median), n=2 none, n=5 one: mean of 1, 3, 4.
        ("trimmed", [2, 3, 2, math.nan, 8 / 3], [1.346, 1, 1, 1, 1.1353]),
    ],
)
def test_simple_methods_known_answers(tiny: Reviews, method: str, estimate: list[float], ratios: list[float]) -> None:
    grades = aggregate(tiny, method)  # type: ignore[arg-type]
    assert grades.method == method
    np.testing.assert_allclose(grades.estimate, estimate, rtol=1e-12)
    expected_se = [se(i, r) if COUNTS[i] else math.inf for i, r in enumerate(ratios)]
    np.testing.assert_allclose(grades.uncertainty, expected_se, rtol=1e-12)
    np.testing.assert_array_equal(grades.n_reviews, COUNTS)
    np.testing.assert_array_equal(grades.spread, [3, 0, math.nan, math.nan, 4])
    assert not grades.anchored.any()
    assert grades.reviewer_bias is None and grades.reviewer_reliability is None and grades.fit is None


def test_hand_computed_standard_error_of_the_mean(tiny: Reviews) -> None:
    # Submission 0 spelled out: pooled 2.552381, moderated (10.209524 + 4.666667) / 6, over 3 reviews.
    assert aggregate(tiny, "mean").uncertainty[0] == pytest.approx(0.909096, abs=1e-6)


def test_trimming_rule_by_number_of_reviews() -> None:
    scores = [0.0, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]
    expected = {2: 0.5, 3: 1.0, 4: 1.5, 5: 7 / 3, 6: 11 / 4, 7: 3.0}  # 6 and 7 drop one at each end
    for n, value in expected.items():
        reviews = Reviews.from_arrays([0] * n, list(range(n)), scores[:n], scale=(0, 4))
        assert aggregate(reviews, "trimmed").estimate[0] == pytest.approx(value), n
    ten = Reviews.from_arrays([0] * 10, list(range(10)), [0, 0, 1, 2, 2, 2, 3, 4, 4, 4], scale=(0, 4))
    assert aggregate(ten, "trimmed").estimate[0] == pytest.approx(14 / 6)  # drops two at each end
    assert aggregate(ten, "trimmed", trim=0.0).estimate[0] == pytest.approx(2.2)


def test_zero_reviews_and_anchors_for_simple_methods(tiny: Reviews) -> None:
    for method in ("mean", "median", "trimmed"):
        grades = aggregate(tiny, method, anchors={3: 1.5, 0: 4.0})  # type: ignore[arg-type]
        assert grades.estimate[3] == 1.5 and grades.estimate[0] == 4.0
        assert grades.uncertainty[3] == 0.0 and grades.uncertainty[0] == 0.0
        assert grades.anchored.tolist() == [True, False, False, True, False]
        assert grades.estimate[1] == 3.0  # other submissions unchanged
    plain = aggregate(tiny, "median")
    assert math.isnan(plain.estimate[3]) and plain.uncertainty[3] == math.inf and plain.n_reviews[3] == 0


def test_grades_are_read_only(tiny: Reviews) -> None:
    grades = aggregate(tiny, "calibrated")
    for array in (grades.estimate, grades.uncertainty, grades.spread, grades.reviewer_bias, tiny.score):
        assert array is not None
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"submission": [], "reviewer": [], "score": []}, "no reviews"),
        ({"score": [1, 2]}, "differ in length"),
        ({"score": [1, 2, 5]}, "score 5 is outside the scale"),
        ({"score": [1, -0.5, 2]}, "score -0.5 is outside the scale"),
        ({"score": [1, math.nan, 2]}, "NaN or infinite"),
        ({"score": [1, math.inf, 2]}, "NaN or infinite"),
        ({"score": [1, "x", 2]}, "must be numbers"),
        ({"submission": [0, -1, 2]}, "submission index -1 is outside"),
        ({"reviewer": [0, 1, 9], "n_reviewers": 3}, "reviewer index 9 is outside 0..2"),
        ({"submission": [0.0, 1.0, 2.0]}, "indices must be integers"),
        ({"submission": [[0, 1, 2]]}, "one-dimensional"),
        ({"submission": [0, 0, 1], "reviewer": [1, 1, 0]}, "reviewer 1 reviewed submission 0 more than once"),
        ({"scale": (4, 0)}, "lo < hi"),
        ({"scale": (0, math.inf)}, "finite"),
        ({"step": 1.5}, "must divide the scale"),
        ({"score": [1, 2.5, 3], "step": 1}, "score 2.5 is not a rubric level"),
        ({"n_submissions": 2}, "submission index 2 is outside 0..1"),
        ({"n_submissions": 0}, "positive integer"),
    ],
)
def test_reviews_validation(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"submission": [0, 1, 2], "reviewer": [0, 1, 2], "score": [1, 2, 3], "scale": (0, 4)}
    args.update(kwargs)
    with pytest.raises(ValidationError, match=message) as raised:
        Reviews.from_arrays(**args)  # type: ignore[arg-type]
    assert isinstance(raised.value, PeerkitError) and raised.value.field


def test_direct_construction_validates_too() -> None:
    with pytest.raises(ValidationError, match="outside the scale"):
        Reviews(np.array([0]), np.array([0]), np.array([7.0]), 1, 1, 0.0, 4.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: aggregate(r, "mode"), "unknown method 'mode'"),
        (lambda r: aggregate(r, "trimmed", trim=0.5), "trim must be in"),
        (lambda r: aggregate(r, "mean", anchors={7: 1.0}), "anchor 7 is not a submission index 0..4"),
        (lambda r: aggregate(r, "mean", anchors={1: 9.0}), "anchor 1: score 9 is outside the scale"),
        (lambda r: aggregate(r, "mean", anchors={1: "high"}), "is not a number"),
        (lambda r: aggregate(r, "mean", anchors=[(1, 2.0)]), "must be a mapping"),
        (lambda r: aggregate("reviews", "mean"), "expected Reviews"),
        (lambda r: CalibrationSettings(max_iter=0), "max_iter"),
        (lambda r: CalibrationSettings(reliability_shape=0), "reliability_shape"),
        (lambda r: CalibrationSettings(shared_bias_ratio=-1), "shared_bias_ratio"),
        (lambda r: CalibrationSettings(bias_df=0), "bias_df"),
    ],
)
def test_aggregate_validation(tiny: Reviews, call: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        call(tiny)  # type: ignore[operator]


def test_variance_ratio_table_matches_simulation() -> None:
    rng = np.random.default_rng(7)
    for n in (3, 4, 5, 8):
        draws = np.sort(rng.standard_normal((200_000, n)), axis=1)
        for g in range((n - 1) // 2 + 1):
            simulated = n * draws[:, g : n - g].mean(axis=1).var()
            assert simulated == pytest.approx(VARIANCE_RATIO[n][g], rel=0.02), (n, g)
    assert variance_ratio(3, 1) == 1.346
    assert variance_ratio(40, 0) == 1.0
    assert variance_ratio(41, 20) == pytest.approx(math.pi / 2)  # the median, asymptotically
    assert 1.0 < variance_ratio(20, 4) < variance_ratio(20, 6) < math.pi / 2


# --- the calibrated model -----------------------------------------------------------------------


def cohort(
    rng: np.random.Generator,
    *,
    n: int = 300,
    k: int = 8,
    bias_mean: float = 0.0,
    bias_sd: float = 0.1,
    noise: float = 0.05,
    anchors: int = 0,
    step: float | None = None,
) -> tuple[Reviews, np.ndarray, np.ndarray, dict[int, float]]:
    """n learners on a 0-1 scale; each reviews k others at random (a random k-regular allocation)."""
    truth = np.clip(rng.normal(0.6, 0.15, n), 0, 1)
    bias = rng.normal(bias_mean, bias_sd, n)
    reviewers = np.empty((n, k), dtype=np.intp)
    for j in range(k):  # each round a permutation, conflicts (self, repeat) swapped away at random
        p = rng.permutation(n)
        while len(bad := np.flatnonzero((p == np.arange(n)) | (reviewers[:, :j] == p[:, None]).any(axis=1))):
            for a in bad:
                b = rng.integers(n)
                p[a], p[b] = p[b], p[a]
        reviewers[:, j] = p
    sub, rev = np.repeat(np.arange(n), k), reviewers.ravel()
    true_of_review = truth[sub]
    anchor_truth = np.linspace(0.25, 0.75, anchors)
    if anchors:
        sub = np.concatenate([sub, np.repeat(n + np.arange(anchors), n)])
        rev = np.concatenate([rev, np.tile(np.arange(n), anchors)])
        true_of_review = np.concatenate([true_of_review, np.repeat(anchor_truth, n)])
    score = true_of_review + bias[rev] + rng.normal(0, noise, len(sub))
    if step is not None:
        score = np.rint(score / step) * step
    reviews = Reviews.from_arrays(
        sub, rev, np.clip(score, 0, 1), scale=(0, 1), n_submissions=n + anchors, n_reviewers=n, step=step
    )
    return reviews, truth, bias, {n + i: float(a) for i, a in enumerate(anchor_truth)}


def test_calibrated_noise_free_known_answer() -> None:
    # Every reviewer sees all four submissions and adds their own constant bias; submission 0 is an
    # anchor. Scores are exactly s + b, so the answer is known: s = (1, 2, 3, 2.5), b = (+.5, -.5, 0).
    s = np.array([1.0, 2.0, 3.0, 2.5])
    b = np.array([0.5, -0.5, 0.0])
    sub, rev = np.meshgrid(np.arange(4), np.arange(3), indexing="ij")
    reviews = Reviews.from_arrays(sub.ravel(), rev.ravel(), (s[:, None] + b[None, :]).ravel(), scale=(0, 4))
    grades = aggregate(reviews, "calibrated", anchors={0: 1.0}, settings=CalibrationSettings(max_iter=500, tol=1e-7))
    assert grades.reviewer_bias is not None and grades.fit is not None
    np.testing.assert_allclose(grades.estimate, s, atol=0.02)
    np.testing.assert_allclose(grades.reviewer_bias, b, atol=0.02)
    assert grades.fit.bias_mean == pytest.approx(0.0, abs=0.02)
    assert grades.uncertainty[0] == 0.0 and (grades.uncertainty[1:] < 0.1).all()


def assert_moved_only_near_the_ends(one: Grades, other: Grades) -> None:
    """*one* and *other* differ only in their uncertainty and in the grades that uncertainty caps: equal where
    both posteriors are over five standard deviations from the ends, within a quarter of one elsewhere."""
    far = np.minimum(one.estimate, 1.0 - one.estimate) > 5.0 * np.maximum(one.uncertainty, other.uncertainty)
    assert far.sum() > 0.5 * len(far)
    np.testing.assert_array_equal(one.estimate[far], other.estimate[far])
    assert np.all(np.abs(one.estimate - other.estimate) <= 0.25 * np.maximum(one.uncertainty, other.uncertainty))


def test_calibrated_recovers_planted_biases() -> None:
    reviews, truth, bias, _ = cohort(np.random.default_rng(1))
    grades = aggregate(reviews, "calibrated")
    median = aggregate(reviews, "median")
    assert grades.reviewer_bias is not None and grades.fit is not None
    assert np.corrcoef(grades.reviewer_bias, bias)[0, 1] > 0.9
    assert grades.fit.bias_sd == pytest.approx(0.1, abs=0.03)
    rmse = float(np.sqrt(np.mean((grades.estimate - truth) ** 2)))
    assert rmse < 0.6 * float(np.sqrt(np.mean((median.estimate - truth) ** 2)))
    # Posterior standard deviations are roughly honest: close to 95 % of errors within 2 sd, once the
    # cohort is known to share no leniency (as simulated here) ...
    known = aggregate(reviews, "calibrated", settings=CalibrationSettings(shared_bias_ratio=0.0))
    inside = np.abs(known.estimate - truth) <= 2 * known.uncertainty
    assert 0.88 < inside.mean() <= 0.99
    # The prior widens; it moves no grade but those near an end, where a wider posterior caps less of it.
    assert_moved_only_near_the_ends(known, grades)
    # ... and by default wider: without examples the cohort's shared leniency is unknown.
    assert (grades.uncertainty > known.uncertainty).all()


def test_anchors_detect_a_global_shift() -> None:
    reviews, truth, _, anchors = cohort(np.random.default_rng(2), bias_mean=0.1, bias_sd=0.03, anchors=3)
    blind = aggregate(reviews, "calibrated")
    anchored = aggregate(reviews, "calibrated", anchors=anchors)
    assert blind.fit is not None and anchored.fit is not None
    n = len(truth)
    # Without anchors the shift is indistinguishable from a better cohort and stays in the grades.
    assert blind.fit.bias_mean == 0.0
    assert float(np.mean(blind.estimate[:n] - truth)) == pytest.approx(0.1, abs=0.02)
    # With them it is measured and removed.
    assert anchored.fit.bias_mean == pytest.approx(0.1, abs=0.015)
    assert abs(float(np.mean(anchored.estimate[:n] - truth))) < 0.015
    assert (anchored.estimate[n:] == list(anchors.values())).all()


def test_censored_anchor_reviews_see_a_bias_smaller_than_half_a_level() -> None:
    # A 5-level rubric (step 0.25), anchors exactly on levels, every reviewer 0.1 too generous with
    # little noise: most anchor reviews round back to the right level. Read as exact values they
    # would show a much smaller bias; read as "within half a step" they show it.
    reviews, _, _, anchors = cohort(
        np.random.default_rng(3), bias_mean=0.1, bias_sd=0.0, noise=0.06, anchors=3, step=0.25
    )
    censored = aggregate(reviews, "calibrated", anchors=anchors)
    as_exact = Reviews.from_arrays(
        reviews.submission, reviews.reviewer, reviews.score, scale=(0, 1), n_submissions=reviews.n_submissions
    )
    exact = aggregate(as_exact, "calibrated", anchors=anchors)
    assert censored.fit is not None and exact.fit is not None
    assert censored.fit.bias_mean == pytest.approx(0.1, abs=0.02)
    assert abs(exact.fit.bias_mean - 0.1) > abs(censored.fit.bias_mean - 0.1)


def test_careless_reviewers_get_low_reliability() -> None:
    rng = np.random.default_rng(4)
    reviews, truth, _, _ = cohort(rng, bias_sd=0.0)
    careless = rng.choice(reviews.n_reviewers, 30, replace=False)
    score = reviews.score.copy()
    hit = np.isin(reviews.reviewer, careless)
    score[hit] = rng.uniform(0, 1, int(hit.sum()))
    noisy = Reviews.from_arrays(reviews.submission, reviews.reviewer, score, scale=(0, 1))
    grades = aggregate(noisy, "calibrated")
    assert grades.reviewer_reliability is not None and grades.reviewer_noise_sd is not None
    careful = np.setdiff1d(np.arange(reviews.n_reviewers), careless)
    assert np.median(grades.reviewer_reliability[careless]) < 0.2 * np.median(grades.reviewer_reliability[careful])
    assert np.median(grades.reviewer_noise_sd[careful]) == pytest.approx(0.05, rel=0.5)
    mean_rmse = float(np.sqrt(np.mean((aggregate(noisy, "mean").estimate - truth) ** 2)))
    assert float(np.sqrt(np.mean((grades.estimate - truth) ** 2))) < 0.7 * mean_rmse


def test_calibrated_zero_reviews_and_idle_reviewers(tiny: Reviews) -> None:
    grades = aggregate(tiny, "calibrated")
    assert grades.reviewer_bias is not None and grades.reviewer_reliability is not None
    assert math.isnan(grades.estimate[3]) and grades.uncertainty[3] == math.inf
    assert math.isnan(grades.reviewer_bias[5]) and math.isnan(grades.reviewer_reliability[5])
    reviewed = [0, 1, 2, 4]
    assert np.isfinite(grades.estimate[reviewed]).all() and (grades.uncertainty[reviewed] > 0).all()
    assert ((grades.estimate[reviewed] >= 0) & (grades.estimate[reviewed] <= 4)).all()


def test_calibrated_is_deterministic_and_order_free() -> None:
    reviews, _, _, anchors = cohort(np.random.default_rng(5), n=80, k=4, anchors=2, step=0.25)
    first = aggregate(reviews, "calibrated", anchors=anchors)
    again = aggregate(reviews, "calibrated", anchors=anchors)
    np.testing.assert_array_equal(first.estimate, again.estimate)
    order = np.random.default_rng(6).permutation(len(reviews))
    shuffled = Reviews.from_arrays(
        reviews.submission[order],
        reviews.reviewer[order],
        reviews.score[order],
        scale=(0, 1),
        n_submissions=reviews.n_submissions,
        step=0.25,
    )
    np.testing.assert_allclose(aggregate(shuffled, "calibrated", anchors=anchors).estimate, first.estimate, atol=1e-9)


# --- properties ---------------------------------------------------------------------------------


@st.composite
def review_sets(draw: st.DrawFn) -> Reviews:
    n_sub = draw(st.integers(1, 6))
    n_rev = draw(st.integers(1, 6))
    pairs = draw(
        st.lists(st.tuples(st.integers(0, n_sub - 1), st.integers(0, n_rev - 1)), min_size=1, max_size=20, unique=True)
    )
    lo = draw(st.floats(-100, 100, allow_nan=False, allow_infinity=False))
    width = draw(st.floats(0.5, 100))
    scores = draw(st.lists(st.floats(lo, lo + width), min_size=len(pairs), max_size=len(pairs)))
    sub, rev = zip(*pairs, strict=True)
    return Reviews.from_arrays(sub, rev, scores, scale=(lo, lo + width), n_submissions=n_sub, n_reviewers=n_rev)


@settings(max_examples=60, deadline=None)
@given(reviews=review_sets(), shift=st.floats(-50, 50))
def test_shift_moves_simple_estimates_by_the_same_constant(reviews: Reviews, shift: float) -> None:
    moved = Reviews.from_arrays(
        reviews.submission,
        reviews.reviewer,
        reviews.score + shift,
        scale=(reviews.lo + shift, reviews.hi + shift),
        n_submissions=reviews.n_submissions,
    )
    for method in ("mean", "median", "trimmed"):
        before, after = aggregate(reviews, method), aggregate(moved, method)  # type: ignore[arg-type]
        np.testing.assert_allclose(after.estimate, before.estimate + shift, atol=1e-9 * (1 + abs(shift) + reviews.hi))
        np.testing.assert_allclose(after.uncertainty, before.uncertainty, rtol=1e-6, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(reviews=review_sets())
def test_estimates_stay_within_the_scale_and_the_reviews(reviews: Reviews) -> None:
    for method in METHODS:
        grades = aggregate(reviews, method)
        reviewed = grades.n_reviews > 0
        assert np.isnan(grades.estimate[~reviewed]).all() and (grades.uncertainty[~reviewed] == np.inf).all()
        est = grades.estimate[reviewed]
        assert ((est >= reviews.lo) & (est <= reviews.hi)).all(), method
        assert (np.isfinite(grades.uncertainty[reviewed]) & (grades.uncertainty[reviewed] >= 0)).all(), method
        if grades.method != "calibrated":  # a location estimate of the scores received ("auto" may be either)
            low = np.full(reviews.n_submissions, np.inf)
            high = np.full(reviews.n_submissions, -np.inf)
            np.minimum.at(low, reviews.submission, reviews.score)
            np.maximum.at(high, reviews.submission, reviews.score)
            slack = 1e-9 * (abs(reviews.lo) + abs(reviews.hi))
            assert (est >= low[reviewed] - slack).all() and (est <= high[reviewed] + slack).all()


# --- reviewer agreement, quality and flags ------------------------------------------------------


def test_reviewer_agreement_known_answer(tiny: Reviews) -> None:
    grades = aggregate(tiny, "median")  # estimates 2, 3, 2, -, 3
    agreement = reviewer_agreement(tiny, grades)
    # Reviewer 0: |1-2|, |3-3|, |0-3| -> mean 4/3; reviewer 2: |4-2|, |2-2|, |3-3| -> 2/3; reviewer 3: |4-3|.
    np.testing.assert_allclose(agreement.mean_abs_deviation, [4 / 3, 2 / 3, 2 / 3, 1, 1, math.nan])
    np.testing.assert_allclose(agreement.agreement, [1 / 3, 2 / 3, 2 / 3, 0.5, 0.5, math.nan])
    np.testing.assert_array_equal(agreement.n_compared, [3, 3, 3, 1, 1, 0])
    strict = reviewer_agreement(tiny, grades, strictness=4)
    np.testing.assert_allclose(strict.agreement[:3], [0, 1 / 3, 1 / 3])


def test_agreement_uses_the_facilitator_score_on_anchors(tiny: Reviews) -> None:
    agreement = reviewer_agreement(tiny, aggregate(tiny, "median", anchors={0: 4.0}))
    # Reviewer 2 gave 4 to submission 0: now exactly right there.
    assert agreement.mean_abs_deviation[2] == pytest.approx((0 + 0 + 0) / 3)
    assert agreement.mean_abs_deviation[0] == pytest.approx((3 + 0 + 3) / 3)


def test_reviewer_agreement_validation(tiny: Reviews) -> None:
    other = Reviews.from_arrays([0], [0], [1.0], scale=(0, 4))
    with pytest.raises(ValidationError, match="do not match"):
        reviewer_agreement(tiny, aggregate(other, "mean"))
    with pytest.raises(ValidationError, match="strictness"):
        reviewer_agreement(tiny, aggregate(tiny, "mean"), strictness=0)


def test_combine_quality() -> None:
    agreement = [1.0, 0.5, math.nan, 0.2, math.nan]
    helpfulness = [0.0, 0.5, 0.8, math.nan, math.nan]
    np.testing.assert_allclose(combine_quality(agreement, helpfulness), [0.5, 0.5, 0.8, 0.2, math.nan])
    np.testing.assert_allclose(combine_quality(agreement, helpfulness, weight=0.8)[:2], [0.8, 0.5])
    with pytest.raises(ValidationError, match="differ in shape"):
        combine_quality([0.5], [0.5, 0.5])
    with pytest.raises(ValidationError, match="helpfulness must lie in"):
        combine_quality([0.5], [1.5])
    with pytest.raises(ValidationError, match="weight"):
        combine_quality([0.5], [0.5], weight=2)


def test_flags(tiny: Reviews) -> None:
    grades = aggregate(tiny, "median")
    flags = flag(grades)  # spread > 1.6 points, or standard error > 0.4 points
    assert flags.disagreement.tolist() == [True, False, False, False, True]
    assert flags.uncertain.tolist() == [True, True, True, True, True]
    lenient = flag(grades, disagreement=0.8, uncertainty=0.3)  # spread > 3.2, se > 1.2
    assert lenient.disagreement.tolist() == [False, False, False, False, True]
    assert lenient.uncertain.tolist() == [False, False, True, True, False]
    assert lenient.submissions.tolist() == [2, 3, 4]
    anchored = flag(aggregate(tiny, "median", anchors={4: 2.0, 3: 1.0}), disagreement=0.8, uncertainty=0.3)
    assert anchored.submissions.tolist() == [2]
    with pytest.raises(ValidationError, match="disagreement"):
        flag(grades, disagreement=-0.1)
    with pytest.raises(ValidationError, match="uncertainty"):
        flag(grades, uncertainty=math.nan)


def test_grades_length_and_noise_sd(tiny: Reviews) -> None:
    grades: Grades = aggregate(tiny, "mean")
    assert len(grades) == 5 and len(tiny) == 11 and tiny.width == 4
    assert grades.reviewer_noise_sd is None


# --- issue 13: bounded levels, learned priors, evidence for the method, honest uncertainty ---------


def end_examples(rng: np.random.Generator, *, n: int = 100, k: int = 3) -> tuple[Reviews, np.ndarray, dict[int, float]]:
    """A 5-level 0-1 rubric; two examples at the scale's ends that every reviewer rates at their level."""
    reviews, truth, _, _ = cohort(rng, n=n, k=k, bias_sd=0.05, noise=0.08, step=0.25)
    sub = np.concatenate([reviews.submission, np.repeat([n, n + 1], n)])
    rev = np.concatenate([reviews.reviewer, np.tile(np.arange(n), 2)])
    score = np.concatenate([reviews.score, np.repeat([1.0, 0.0], n)])
    ends = Reviews.from_arrays(sub, rev, score, scale=(0, 1), n_submissions=n + 2, n_reviewers=n, step=0.25)
    return ends, truth, {n: 1.0, n + 1: 0.0}


def rmse_of(grades: Grades, truth: np.ndarray) -> float:
    return float(np.sqrt(np.mean((grades.estimate[: len(truth)] - truth) ** 2)))


def test_examples_at_the_scale_ends_do_not_collapse_the_fit() -> None:
    # The production path: a perfect (and an empty) example answer that every reviewer rates at the
    # end of the scale. Read as "at least the top level" this made the shared bias drift without
    # limit: an error 5-7 times the median's and a fit that never converged. Read as a bounded level,
    # the fit converges and beats the median.
    for seed in (1, 2, 3):
        reviews, truth, anchors = end_examples(np.random.default_rng(seed))
        grades = aggregate(reviews, "calibrated", anchors=anchors)
        assert grades.method == "calibrated" and grades.fit is not None and grades.fit.converged
        assert abs(grades.fit.bias_mean) < 0.02
        assert rmse_of(grades, truth) < rmse_of(aggregate(reviews, "median"), truth)


def test_careless_reviewers_calibrated_beats_median_and_the_prior_shape_is_learned() -> None:
    rng = np.random.default_rng(8)
    reviews, truth, _, _ = cohort(rng, n=200, k=4, bias_sd=0.05, noise=0.06, step=0.25)
    careless = rng.choice(reviews.n_reviewers, 40, replace=False)  # 20 %: random levels
    score = reviews.score.copy()
    hit = np.isin(reviews.reviewer, careless)
    score[hit] = rng.integers(0, 5, int(hit.sum())) * 0.25
    noisy = Reviews.from_arrays(reviews.submission, reviews.reviewer, score, scale=(0, 1), step=0.25)
    grades = aggregate(noisy, "auto")
    assert grades.method == "calibrated" and grades.fit is not None
    assert grades.fit.reliability_shape < 100  # learned from the data, not the fixed 5
    assert rmse_of(grades, truth) < 0.9 * rmse_of(aggregate(noisy, "median"), truth)


def test_a_few_harsh_reviewers_do_not_loosen_everyone_s_bias_prior() -> None:
    # 20 % mark everyone down by 0.3: under a normal bias prior their biases widen the spread for all, and
    # every careful reviewer's bias is shrunk too little; the Student t prior keeps the bulk's spread.
    rng = np.random.default_rng(22)
    reviews, truth, _, _ = cohort(rng, n=150, k=3, bias_sd=0.05, noise=0.06, step=0.25)
    harsh = np.isin(reviews.reviewer, rng.choice(reviews.n_reviewers, 30, replace=False))
    score = np.rint(np.clip(np.where(harsh, reviews.score - 0.3, reviews.score), 0, 1) * 4) / 4
    marked = Reviews.from_arrays(reviews.submission, reviews.reviewer, score, scale=(0, 1), step=0.25)
    robust = aggregate(marked, "calibrated")
    normal = aggregate(marked, "calibrated", settings=CalibrationSettings(bias_df=math.inf))
    assert robust.fit is not None and normal.fit is not None
    assert rmse_of(robust, truth) < 0.95 * rmse_of(normal, truth)
    assert robust.fit.bias_sd < normal.fit.bias_sd


def two_sd_coverage(method: Method, rng: np.random.Generator, *, rounds: int, n: int, k: int) -> float:
    """The share of true scores within two stated uncertainties of *method*'s grades, over *rounds*
    simulated cohorts of *n* learners reviewed *k* times each (biased reviewers, rounded levels)."""
    inside = []
    for _ in range(rounds):
        reviews, truth, _, _ = cohort(rng, n=n, k=k, bias_sd=0.08, noise=0.07, step=0.25)
        grades = aggregate(reviews, method)
        inside.append(np.abs(grades.estimate - truth) <= 2 * grades.uncertainty)
    return float(np.mean(inside))


def test_two_uncertainties_cover_about_95_percent_on_a_simulated_cohort() -> None:
    assert 0.90 <= two_sd_coverage("auto", np.random.default_rng(11), rounds=6, n=150, k=4) <= 0.97


def test_an_unconverged_fit_is_never_the_grade() -> None:
    reviews, _, _, _ = cohort(np.random.default_rng(12), n=100, k=3)
    for method in ("calibrated", "auto"):
        grades = aggregate(reviews, method, settings=CalibrationSettings(max_iter=2))  # type: ignore[arg-type]
        assert grades.fit is not None and not grades.fit.converged
        assert grades.method == "median" and grades.reviewer_bias is None
        assert grades.choice is not None and "did not converge in 2 sweeps" in grades.choice.reason
        np.testing.assert_array_equal(grades.estimate, aggregate(reviews, "median").estimate)


def test_auto_chooses_by_held_out_reviews_and_says_why() -> None:
    reviews, _, _, _ = cohort(np.random.default_rng(13), n=200, k=4, bias_sd=0.1)
    grades = aggregate(reviews)  # "auto" is the default
    assert grades.method == "calibrated" and grades.choice is not None
    assert grades.choice.n_heldout == len(reviews)
    assert grades.choice.heldout["calibrated"] < grades.choice.heldout["median"]
    assert grades.choice.reason.startswith("calibrated: held-out error ")
    assert f"over {len(reviews)} reviews" in grades.choice.reason
    # One review per submission: nothing can be held out, the median grades and says so.
    single = Reviews.from_arrays([0, 1, 2], [1, 2, 0], [1.0, 2.0, 3.0], scale=(0, 4))
    fallback = aggregate(single)
    assert fallback.method == "median" and fallback.choice is not None
    assert "no review can be predicted" in fallback.choice.reason
    # Few reviews and no examples: predicting a review from one or two others says little, the median grades.
    few = aggregate(Reviews.from_arrays(SUB, REV, SCORE, scale=(0, 4), n_submissions=5, step=1))
    assert few.method == "median" and few.choice is not None
    assert few.choice.reason.startswith("median: too few reviews to judge the calibrated model")
    # A method asked for by name is used, and still reports the evidence.
    asked = aggregate(reviews, "calibrated")
    assert asked.choice is not None and "the course's setting" in asked.choice.reason
    assert aggregate(reviews, "median").choice is None


def test_loo_median_known_answer(tiny: Reviews) -> None:
    from peerkit.core.aggregation.heldout import loo_median

    # submission 0: 1, 2, 4 -> without each: 3, 2.5, 1.5; submission 1: 3, 3 -> 3, 3; 2: alone;
    # submission 4: 0, 1, 3, 4, 4 -> without each: 3.5, 3.5, 2.5, 2, 2.
    expected = [3, 2.5, 1.5, 3, 3, math.nan, 3.5, 3.5, 2.5, 2, 2]
    np.testing.assert_allclose(loo_median(tiny), expected)


def test_held_out_on_a_sample_is_the_same_check_on_fewer_reviews() -> None:
    from peerkit.core.aggregation.calibration import fit_calibrated
    from peerkit.core.aggregation.heldout import held_out, loo_median, sample

    reviews, _, _, _ = cohort(np.random.default_rng(15), n=300, k=4, bias_sd=0.1)
    assert sample(len(reviews), len(reviews)) is None
    pick = sample(len(reviews), 500)
    assert pick is not None and len(np.unique(pick)) == 500
    np.testing.assert_array_equal(pick, sample(len(reviews), 500))  # the same round, the same sample
    np.testing.assert_allclose(loo_median(reviews, pick=pick), loo_median(reviews)[pick])
    # A sample sorts only its submissions' reviews: the same medians, whatever the order the reviews came in.
    mixed = np.random.default_rng(3).permutation(len(reviews))
    shuffled = Reviews.from_arrays(
        reviews.submission[mixed], reviews.reviewer[mixed], reviews.score[mixed], scale=(reviews.lo, reviews.hi)
    )
    np.testing.assert_array_equal(loo_median(shuffled, pick=pick), loo_median(shuffled)[pick])
    np.testing.assert_array_equal(loo_median(shuffled, pick=pick), loo_median(reviews)[mixed[pick]])
    none = np.zeros(0, dtype=np.intp)
    post = fit_calibrated(reviews, none, np.zeros(0), CalibrationSettings())
    full = held_out(reviews, post, none, np.zeros(0), loo_median(reviews))
    part = held_out(reviews, post, none, np.zeros(0), loo_median(reviews, pick=pick), pick)
    assert part.n == 500
    np.testing.assert_allclose(part.calibrated, full.calibrated[pick])
    np.testing.assert_allclose(part.median, full.median[pick])


def test_the_fit_needs_few_sweeps_and_extrapolation_keeps_its_fixed_point(monkeypatch: pytest.MonkeyPatch) -> None:
    from peerkit.core.aggregation import calibration

    reviews, _, _, _ = cohort(np.random.default_rng(14), n=3000, k=4, bias_sd=0.1, noise=0.07, step=0.25)
    fast = aggregate(reviews, "calibrated")
    assert fast.fit is not None and fast.fit.converged and fast.fit.iterations <= 25
    # Plain sweeps (no extrapolation) to a tight tolerance reach the same grades.
    monkeypatch.setattr(calibration, "extrapolate", lambda *args: None)
    slow = aggregate(reviews, "calibrated", settings=CalibrationSettings(tol=1e-6, max_iter=2000))
    assert slow.fit is not None and slow.fit.converged and slow.fit.iterations > fast.fit.iterations
    assert float(np.max(np.abs(fast.estimate - slow.estimate))) < 0.01


def test_the_spread_of_true_scores_is_not_learned_too_small_with_constant_reviewers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two reviews each, a fifth of the reviewers giving one level near the cohort's mean to everything: such a
    # reviewer fits with a bias and no noise, and mean-field updates alone learned a spread of true scores
    # 0.084 for a 0.14 truth, pulling every grade towards the cohort mean; 0.098 since their correction counts
    # the reliabilities' uncertainty too (``sweep``). The method-of-moments floor holds it.
    from peerkit.core.aggregation import calibration

    rng = np.random.default_rng(21)
    reviews, truth, _, _ = cohort(rng, n=300, k=2, bias_sd=0.1, noise=0.08, step=0.25)
    constant = rng.choice(reviews.n_reviewers, 60, replace=False)
    level = np.clip(np.rint((0.6 + 0.5 * rng.normal(0, 0.15, reviews.n_reviewers)) * 4), 0, 4) * 0.25
    score = np.where(np.isin(reviews.reviewer, constant), level[reviews.reviewer], reviews.score)
    lazy = Reviews.from_arrays(reviews.submission, reviews.reviewer, score, scale=(0, 1), step=0.25)
    grades = aggregate(lazy, "calibrated")
    assert grades.fit is not None and grades.fit.converged
    counts = np.bincount(lazy.submission, minlength=lazy.n_submissions)
    means = np.bincount(lazy.submission, lazy.score, lazy.n_submissions) / counts
    floor = calibration._moment_true_var(lazy.score, lazy.submission, means, counts, counts > 0)
    assert grades.fit.true_sd == pytest.approx(math.sqrt(floor), rel=1e-6)  # 0.113: the floor binds
    monkeypatch.setattr(calibration, "_moment_true_var", lambda *args: 0.0)
    unfloored = aggregate(lazy, "calibrated")
    assert unfloored.fit is not None and 0.095 < unfloored.fit.true_sd < 0.1
    assert rmse_of(grades, truth) < 0.97 * rmse_of(unfloored, truth)  # 0.0919 and 0.0954 (0.1017 before)


@given(
    st.floats(-0.5, 1.5),
    st.floats(1e-4, 0.5),
)
@settings(max_examples=60, deadline=None)
def test_a_grade_on_the_scale_stays_on_it_never_claims_more_and_is_unchanged_far_from_the_ends(
    m: float, sd: float
) -> None:
    from peerkit.core.aggregation.uncertainty import on_the_scale

    var = np.array([sd * sd, sd * sd])
    grade, out = on_the_scale(np.array([m, m]), var, np.array([True, False]))
    assert 0.0 <= grade[0] <= 1.0
    assert 0 < out[0] <= var[0] * (1 + 1e-9)
    assert grade[1] == m and out[1] == var[1]  # not free (an anchor or no review): untouched
    if min(m, 1 - m) > 6 * sd:
        assert grade[0] == pytest.approx(m, abs=1e-9 * sd) and out[0] == pytest.approx(var[0], rel=1e-6)


def test_a_grade_on_the_scale_is_the_mean_and_variance_of_the_capped_true_score() -> None:
    from scipy import integrate, stats

    from peerkit.core.aggregation.uncertainty import on_the_scale

    # Means inside, at and past the ends, a posterior wider than the scale, one far past the top: against the
    # integrals of clip(t, 0, 1) under the normal posterior.
    m = np.array([0.02, -0.03, 0.5, 0.97, 1.01, 0.4, 1.0, 1.3, 0.999])
    sd = np.array([0.04, 0.04, 0.04, 0.04, 0.04, 0.7, 0.1, 0.05, 0.0005])
    grade, var = on_the_scale(m, sd**2, np.ones(len(m), dtype=bool))
    for i in range(len(m)):
        law = stats.norm(m[i], sd[i])
        lo, hi = law.cdf(0.0), law.sf(1.0)
        first = integrate.quad(lambda t, law=law: t * law.pdf(t), 0.0, 1.0, points=[m[i]], epsabs=1e-13)[0] + hi
        second = integrate.quad(lambda t, law=law: t * t * law.pdf(t), 0.0, 1.0, points=[m[i]], epsabs=1e-13)[0] + hi
        assert lo + hi <= 1.0
        assert grade[i] == pytest.approx(first, abs=1e-10), i
        assert var[i] == pytest.approx(max(second - first * first, 1e-12 * sd[i] ** 2), rel=1e-6, abs=1e-13), i


def test_shared_rounding_is_the_three_fourier_terms_from_one_exponential() -> None:
    from peerkit.core.aggregation.uncertainty import _shared_rounding

    rng = np.random.default_rng(31)
    sub = rng.integers(0, 50, 400)
    v_s = rng.uniform(0.001, 0.01, 50)
    for step, top in ((0.25, 100.0), (0.25, 3e4), (0.05, 1000.0)):  # the third term left out, kept; the second out
        tau_r = rng.uniform(0.0, top, 400)
        tau_r[:20] = 0.0  # reviews of anchors
        for scale in (1.0, 0.3):
            expected = np.zeros(50)
            for j in (1, 2, 3):
                w = tau_r * v_s[sub] * np.exp(-2.0 * (math.pi * j / step) ** 2 * scale / np.maximum(tau_r, 1e-12))
                pairs = np.bincount(sub, w, 50) ** 2 - np.bincount(sub, w * w, 50)  # between reviews only
                expected += 0.5 * (step / (math.pi * j)) ** 2 * pairs
            shared = _shared_rounding(tau_r, v_s, sub, 50, step, scale)
            np.testing.assert_allclose(shared, expected, rtol=1e-12, atol=1e-18)
    one_review = _shared_rounding(np.array([50.0, 80.0]), v_s, np.array([3, 7]), 50, 0.25)
    assert not one_review.any()  # a review alone shares its rounding with no other
    assert not _shared_rounding(np.zeros(0), v_s, np.zeros(0, dtype=np.intp), 50, 0.25).any()


def test_the_shared_rounding_is_damped_by_each_reviewer_s_own_noise_and_weighted_by_its_reliability() -> None:
    """Reviews weigh in by their reliabilities; what decides whether they round alike is the noise given apart
    (each reviewer's own residual noise in the grade variance): careful reviewers whose reliabilities the prior
    pulled down share more rounding than those reliabilities say."""
    from peerkit.core.aggregation.uncertainty import _shared_rounding

    rng = np.random.default_rng(41)
    sub = rng.integers(0, 30, 200)
    v_s = rng.uniform(0.001, 0.01, 30)
    tau_r = rng.uniform(100.0, 400.0, 200)  # shrunk: every reviewer near the cohort's noise
    own = tau_r * rng.uniform(1.0, 20.0, 200)  # their own residuals: most far more careful
    step, scale = 0.25, 0.5
    expected = np.zeros(30)
    for j in (1, 2, 3):
        w = tau_r * v_s[sub] * np.exp(-2.0 * (math.pi * j / step) ** 2 * scale / own)
        expected += 0.5 * (step / (math.pi * j)) ** 2 * (np.bincount(sub, w, 30) ** 2 - np.bincount(sub, w * w, 30))
    shared = _shared_rounding(tau_r, v_s, sub, 30, step, scale, own)
    np.testing.assert_allclose(shared, expected, rtol=1e-12, atol=1e-18)
    assert shared.sum() > 2.0 * _shared_rounding(tau_r, v_s, sub, 30, step, scale).sum()


def test_the_precision_of_alike_reviewers_has_their_degrees_of_freedom_added() -> None:
    """Satterthwaite: three reviewers alike give the sum of their reliabilities three times one's degrees of
    freedom; the part that the cohort's noise level moves together does not average away."""
    from peerkit.core.aggregation.layout import Groups
    from peerkit.core.aggregation.uncertainty import _precision_df

    sub = np.array([0, 1, 1, 1])
    rev = np.array([0, 1, 2, 3])
    tau = np.full(4, 100.0)
    shape = np.full(4, 6.5)
    groups = Groups.of(sub, 2)
    weight, per_df = _precision_df(groups, rev, tau, tau, tau * tau / shape, shape, 5.0, 1e12, None)
    nu = weight / per_df
    np.testing.assert_allclose(weight, [100.0, 300.0])
    np.testing.assert_allclose(nu, [13.0, 39.0])
    weight, per_df = _precision_df(groups, rev, tau, tau, tau * tau / shape, shape, 5.0, 20.0, None)
    inv_nu = per_df / weight
    common = (5.0 / 6.5) ** 2 / 20.0
    np.testing.assert_allclose(inv_nu, [1 / 13 + common, 1 / 39 + common])
    # Reviews of anchors are left out of both.
    on_anchor = np.array([False, True, False, False])
    weight, per_df = _precision_df(
        groups, rev, tau, np.where(on_anchor, 0.0, tau), tau * tau / shape, shape, 5.0, 1e12, on_anchor
    )
    np.testing.assert_allclose(weight / per_df, [13.0, 26.0])


def rounded_cohort(perception_sd: float, n_sub: int = 400, k: int = 4, seed: int = 5) -> tuple[np.ndarray, ...]:
    """Reviews of *n_sub* mid-scale submissions by unbiased reviewers with *perception_sd*, rounded to a 0-4
    rubric on the unit scale: (sub, x, m, free)."""
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0.3, 0.7, n_sub)
    sub = np.repeat(np.arange(n_sub), k)
    x = np.clip(np.rint((truth[sub] + rng.normal(0.0, perception_sd, len(sub))) * 4) / 4, 0.0, 1.0)
    return sub, x, truth, np.ones(n_sub, dtype=bool)


@pytest.mark.parametrize(
    ("perception_sd", "claimed_sd", "low", "high"), [(0.025, 0.08, 0.05, 0.2), (0.08, 0.08, 0.8, 1.0)]
)
def test_the_rounding_noise_is_read_from_how_often_reviewers_agree(
    perception_sd: float, claimed_sd: float, low: float, high: float
) -> None:
    """Careful reviewers whose reliabilities claim three times their noise agree as often as a ninth of it
    says; reviewers as noisy as claimed keep their noise."""
    from peerkit.core.aggregation.uncertainty import rounding_noise_scale

    sub, x, m, free = rounded_cohort(perception_sd)
    tau = np.full(len(sub), 1.0 / claimed_sd**2)
    assert low <= rounding_noise_scale(sub, x, tau, m, free, 0.25) <= high


def test_the_rounding_noise_stays_without_enough_pairs_or_mid_scale_grades() -> None:
    from peerkit.core.aggregation.uncertainty import rounding_noise_scale

    sub, x, m, free = rounded_cohort(0.01)
    tau = np.full(len(sub), 1.0 / 0.08**2)
    assert rounding_noise_scale(sub[:32], x[:32], tau[:32], m, free, 0.25) == 1.0  # 8 submissions: 48 pairs
    assert rounding_noise_scale(sub, x, tau, np.full(len(m), 0.95), free, 0.25) == 1.0  # every grade at an end
    assert rounding_noise_scale(sub, x, np.zeros(len(sub)), m, free, 0.25) == 1.0  # reviews of anchors only
    assert rounding_noise_scale(sub, x, tau, m, np.zeros(len(m), dtype=bool), 0.25) == 1.0


def test_a_grade_at_the_top_of_the_scale_is_the_capped_true_score(monkeypatch: pytest.MonkeyPatch) -> None:
    # Heavy ceiling: most true scores near the top. A grade is its true score capped at the top, so near it the
    # grade is below the normal posterior's mean (clipped, as the grade was before) and claims less uncertainty;
    # grades far from the ends do not move.
    from peerkit.core.aggregation import calibration

    rng = np.random.default_rng(22)
    reviews, _, _, _ = cohort(rng, n=200, k=4, bias_sd=0.05, noise=0.08, step=0.25)
    top = Reviews.from_arrays(
        reviews.submission, reviews.reviewer, np.minimum(reviews.score + 0.25, 1.0), scale=(0, 1), step=0.25
    )
    grades = aggregate(top, "calibrated")
    monkeypatch.setattr(calibration, "on_the_scale", lambda m, var, free: (m, var))
    uncapped = aggregate(top, "calibrated")
    at_top, middle = uncapped.estimate >= 0.97, np.abs(uncapped.estimate - 0.6) <= 0.1
    assert at_top.sum() >= 10 and middle.sum() >= 5
    assert np.all(grades.estimate[at_top] < uncapped.estimate[at_top])
    assert np.all(grades.uncertainty[at_top] < 0.9 * uncapped.uncertainty[at_top])
    np.testing.assert_allclose(grades.estimate[middle], uncapped.estimate[middle], atol=1e-6)
    np.testing.assert_allclose(grades.uncertainty[middle], uncapped.uncertainty[middle], rtol=1e-3)


def graded_near_the_top(
    rng: np.random.Generator, *, step: float, centre: float = 0.9, rounds: int = 12
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Truths, calibrated grades and their uncertainties of *rounds* cohorts of 100 learners (three reviews each)
    whose true scores pile up near the top (``N(centre, 0.1)``, clipped), reviewed on a 0-1 rubric of *step*."""
    truths, estimates, sds = [], [], []
    for _ in range(rounds):
        reviews, _, _, _ = cohort(rng, n=100, k=3, bias_sd=0.05, noise=0.08)
        truth = np.clip(rng.normal(centre, 0.1, 100), 0.0, 1.0)
        perceived = truth[reviews.submission] + (reviews.score - reviews.score.mean()) * 0.5  # biased, noisy
        levels = np.clip(np.rint(perceived / step) * step, 0.0, 1.0)
        grades = aggregate(
            Reviews.from_arrays(reviews.submission, reviews.reviewer, levels, scale=(0, 1), step=step), "calibrated"
        )
        truths.append(truth)
        estimates.append(grades.estimate)
        sds.append(grades.uncertainty)
    return np.concatenate(truths), np.concatenate(estimates), np.concatenate(sds)


def test_a_heavy_ceiling_on_three_levels_is_graded_closer_and_honestly_by_the_capped_grade(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The course's own rubric (three levels), true scores piled at the top: the normal posterior's mean, clipped,
    # read the submissions below the top as near it, with too short intervals (2σ covered 0.86 in the benchmark).
    from peerkit.core.aggregation import calibration

    truth, capped, sd = graded_near_the_top(np.random.default_rng(40), step=0.5)
    monkeypatch.setattr(calibration, "on_the_scale", lambda m, var, free: (np.clip(m, 0.0, 1.0), var))
    _, clipped, _ = graded_near_the_top(np.random.default_rng(40), step=0.5)
    error = np.sqrt(np.mean((capped - truth) ** 2))
    assert error < 0.97 * np.sqrt(np.mean((clipped - truth) ** 2))
    assert 0.9 <= np.mean(np.abs(capped - truth) <= 2 * sd) <= 0.97


def test_a_pass_fail_criterion_nearly_everyone_passes_is_graded_without_false_certainty(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two levels, true scores piled near the top: nearly every review says "pass", which the method of moments and
    # empirical Bayes read as true scores that hardly differ. Without the floor of a level's own spread the grades
    # all sat on the cohort's mean, claimed within a few hundredths of the truth (the benchmark: 2σ covered 41 %).
    from peerkit.core.aggregation import calibration

    truth, floored, sd = graded_near_the_top(np.random.default_rng(41), step=1.0, centre=0.85)
    monkeypatch.setattr(calibration, "_level_spread", lambda reviews: 0.0)
    _, unfloored, sd_unfloored = graded_near_the_top(np.random.default_rng(41), step=1.0, centre=0.85)
    assert np.mean(np.abs(unfloored - truth) <= 2 * sd_unfloored) < 0.5  # 0.35 here
    assert 0.9 <= np.mean(np.abs(floored - truth) <= 2 * sd) <= 0.995  # 0.988
    assert np.sqrt(np.mean((floored - truth) ** 2)) < 0.8 * np.sqrt(np.mean((unfloored - truth) ** 2))  # 0.104, 0.155


def test_a_ten_learner_round_widens_for_its_guessed_noise_level() -> None:
    # Ten learners, three reviews each: the cohort's noise level comes from about ten residual degrees of
    # freedom, so the grades' intervals are a Student t's with about that many: wider than with 300 learners.
    assert 0.90 <= two_sd_coverage("calibrated", np.random.default_rng(23), rounds=40, n=10, k=3) <= 0.99


def test_noise_rate_is_consistent_with_the_reliabilities_it_gives() -> None:
    from peerkit.core.aggregation.sweep import _noise_rate

    rng = np.random.default_rng(24)
    shape = 5.0 + 0.5 * rng.integers(1, 8, 400)
    half_ssq = 0.5 * rng.gamma(2.0, 0.01, 400)
    for start in (1e-4, 0.05, 3.0):
        rate = _noise_rate(shape, half_ssq, 5.0, start)
        tau = shape / (rate + half_ssq)
        assert rate == pytest.approx(5.0 / float(np.mean(tau)), rel=1e-8)


def test_a_million_review_fit_settles_in_few_sweeps() -> None:
    # The noise level solved with the reliabilities in each sweep: 9 sweeps on the benchmark's million reviews,
    # where updating them in turn took 14. Here, a tenth of that.
    reviews, _, _, _ = cohort(np.random.default_rng(25), n=25_000, k=4, bias_sd=0.1, noise=0.07, step=0.25)
    grades = aggregate(reviews, "calibrated")
    assert grades.fit is not None and grades.fit.converged and grades.fit.iterations <= 12


def test_the_shared_leniency_is_a_predictive_given_the_biases_its_spread_is_estimated_from() -> None:
    from peerkit.core.aggregation.uncertainty import _shared_variance, _student_inflation, _t_variance

    assert (_t_variance(4.0), _t_variance(math.inf), _t_variance(1.0)) == (2.0, 1.0, 3.0)
    precision = np.array([0.0])  # no shrinkage term: only what the biases share
    plain = _shared_variance(precision, 0.02, 0.01, 0.0, 10, 10, False, 0.4)
    assert plain[0] == pytest.approx((0.1 + 0.16) * 0.01)
    t_biases = _shared_variance(precision, 0.02, 0.01, 0.0, 10, 10, False, 0.4, 7.0, 2.0)
    factor = float(_student_inflation(np.ones(1), np.ones(1) / 7.0)[0])
    assert factor == pytest.approx((2.365 / 1.96) ** 2, rel=0.01)  # t with 7 df, 97.5 %
    assert t_biases[0] == pytest.approx((0.2 + 0.16) * 0.01 * factor)
    # With examples the mean bias is measured: its posterior variance, neither the prior nor the t; never more
    # than without examples.
    measured = _shared_variance(precision, 0.02, 0.01, 0.003, 10, 10, True, 0.4, 7.0, 2.0)
    assert measured[0] == pytest.approx(0.003)
    unmeasured = _shared_variance(precision, 0.02, 0.01, math.inf, 10, 10, True, 0.4, 7.0, 2.0)
    assert unmeasured[0] == pytest.approx(t_biases[0])


@pytest.mark.parametrize("step", [None, 0.25])
def test_the_cohort_s_mean_bias_is_measured_by_the_examples_reviews_alone(
    monkeypatch: pytest.MonkeyPatch, step: float | None
) -> None:
    """Every bias up by d and every learner's grade down by d fits the learners' reviews as well: only the
    reviews of examples measure the shift, each by its reviewer's reliability (on a continuous scale), less what
    a level left open (on a rubric)."""
    from peerkit.core.aggregation import calibration, uncertainty

    seen: list[float] = []
    original = uncertainty._mean_bias_variance

    def spy(*args: object) -> float:
        seen.append(original(*args))  # type: ignore[arg-type]
        return seen[-1]

    monkeypatch.setattr(uncertainty, "_mean_bias_variance", spy)
    reviews, _, _, anchors = cohort(np.random.default_rng(17), n=12, k=3, bias_mean=0.05, anchors=3, step=step)
    idx = np.fromiter(anchors, dtype=np.intp)
    post = calibration.fit_calibrated(reviews, idx, np.fromiter(anchors.values(), float), CalibrationSettings())
    on_anchor = np.isin(reviews.submission, idx)
    exact = 1.0 / float(np.sum(post.tau_m[reviews.reviewer[on_anchor]]))
    independent = float(np.mean(post.v_b)) / 12  # the biases' variances averaged as if independent
    assert len(seen) == 1 and seen[0] > 1.5 * independent
    if step is None:
        assert seen[0] == pytest.approx(exact, rel=1e-12)
    else:
        assert seen[0] > 1.5 * exact  # a level given to an example on it hides a bias under half a step


def test_rubrics_of_three_levels_or_fewer_read_every_review_as_its_interval() -> None:
    from peerkit.core.aggregation.calibration import _level_spread, _read_as_intervals

    on_anchor = np.array([True, False, False, False])
    sub, rev = [0, 1, 1, 2], [1, 0, 2, 0]
    for top, step, every in ((2, 1.0, True), (1, 1.0, True), (1, 0.5, True), (3, 1.0, False), (4, 1.0, False)):
        score = np.minimum([0, 1, 1, 2], top) * step
        reviews = Reviews.from_arrays(sub, rev, score, scale=(0, top * step), step=step)
        read = _read_as_intervals(reviews, on_anchor)
        assert read.tolist() == ([True] * 4 if every else on_anchor.tolist()), (top, step)
        # The true scores' spread is floored at a level's own (evenly over one step) on these rubrics only.
        assert _level_spread(reviews) == pytest.approx(1 / (12 * top * top) if every else 0.0), (top, step)
    continuous = Reviews.from_arrays(sub, rev, [0.1, 0.5, 0.7, 0.2], scale=(0, 1))
    assert _read_as_intervals(continuous, on_anchor).tolist() == on_anchor.tolist()
    assert _level_spread(continuous) == 0.0


def test_on_a_three_level_rubric_intervals_grade_closer_than_exact_values(monkeypatch: pytest.MonkeyPatch) -> None:
    # Levels 0, 0.5, 1: rounding is most of each review's error and reviewers of one submission round alike.
    # Read as exact values (the reading of finer rubrics, forced here), agreeing reviews looked reliable.
    from peerkit.core.aggregation import calibration

    rounds = [cohort(np.random.default_rng(seed), n=150, k=3, bias_sd=0.0, noise=0.08, step=0.5) for seed in (1, 2, 3)]
    interval = [aggregate(r, "calibrated") for r, *_ in rounds]
    monkeypatch.setattr(calibration, "INTERVAL_LEVELS", 2)
    value = [aggregate(r, "calibrated") for r, *_ in rounds]
    truths = [t for _, t, *_ in rounds]
    assert all(g.fit is not None and g.fit.converged for g in interval)
    error_interval = np.mean([rmse_of(g, t) for g, t in zip(interval, truths, strict=True)])
    error_value = np.mean([rmse_of(g, t) for g, t in zip(value, truths, strict=True)])
    assert error_interval < 0.95 * error_value

    def cover(grades: list[Grades]) -> float:
        return float(
            np.mean([np.abs(g.estimate - t) <= 2 * g.uncertainty for g, t in zip(grades, truths, strict=True)])
        )

    assert cover(interval) >= cover(value)


def _spy_on_information_lost(monkeypatch: pytest.MonkeyPatch) -> list[np.ndarray]:
    """Record what every call of ``uncertainty._censored_information_lost`` returns."""
    from peerkit.core.aggregation import uncertainty

    seen: list[np.ndarray] = []
    original = uncertainty._censored_information_lost

    def spy(*args: Any) -> np.ndarray:
        seen.append(original(*args))
        return seen[-1]

    monkeypatch.setattr(uncertainty, "_censored_information_lost", spy)
    return seen


def test_a_level_read_as_an_interval_widens_the_grade_by_the_information_it_leaves_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Louis's missing information: a reading known only as a level's interval informs the true score by
    ``tau (1 - tau var(y | level))``, not ``tau``. Without the term, the grades of a three-level rubric
    claimed too little (two standard deviations covered 0.92 here; the benchmark's 0-2 grid 0.83-0.95)."""
    from peerkit.core.aggregation import uncertainty

    rounds = [
        cohort(np.random.default_rng(seed), n=150, k=3, bias_sd=0.05, noise=0.08, step=0.5) for seed in (1, 2, 3, 4)
    ]
    truths = [t for _, t, *_ in rounds]

    def cover(grades: list[Grades]) -> float:
        return float(
            np.mean([np.abs(g.estimate - t) <= 2 * g.uncertainty for g, t in zip(grades, truths, strict=True)])
        )

    from peerkit.core.aggregation import calibration

    true_scores: list[list[float]] = []

    def spy(m: np.ndarray, var: np.ndarray, free: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        true_scores.append(m.tolist())
        return uncertainty.on_the_scale(m, var, free)

    monkeypatch.setattr(calibration, "on_the_scale", spy)
    seen = _spy_on_information_lost(monkeypatch)
    widened = [aggregate(r, "calibrated") for r, *_ in rounds]
    assert len(seen) == 4 and all(bool(np.all(s >= 0)) and float(s.mean()) > 0 for s in seen)
    monkeypatch.setattr(uncertainty, "_censored_information_lost", lambda model, *_: np.zeros(model.n_sub))
    narrow = [aggregate(r, "calibrated") for r, *_ in rounds]
    assert true_scores[:4] == true_scores[4:]  # no true score moves (the grades near an end are capped less)
    assert cover(narrow) < 0.94 <= cover(widened) <= 0.99


def test_finer_rubrics_lose_no_information_to_intervals(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _spy_on_information_lost(monkeypatch)
    reviews, _, _, anchors = cohort(np.random.default_rng(5), n=60, k=4, anchors=3, step=0.25)  # five levels
    aggregate(reviews, "calibrated", anchors=anchors)
    assert len(seen) == 1 and not seen[0].any()  # only the examples' reviews are intervals, and their grades are known
