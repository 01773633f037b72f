"""Where the calibrated fit starts (``peerkit.core.aggregation.start``): near its end."""

from __future__ import annotations

import math

import numpy as np
import pytest

from peerkit.core.aggregation import Reviews, aggregate, calibration
from peerkit.core.aggregation.start import _moment_true_var
from peerkit.core.aggregation.sweep import State


def test_moment_true_var_known_answer() -> None:
    # Plain means 1, 2, 3 (variance 2/3); within-submission variance 0.5 pooled, two reviews each: 2/3 - 1/4.
    x = np.array([0.5, 1.5, 1.5, 2.5, 2.5, 3.5])
    sub = np.array([0, 0, 1, 1, 2, 2])
    counts = np.array([2, 2, 2])
    means = np.array([1.0, 2.0, 3.0])
    assert _moment_true_var(x, sub, means, counts, np.ones(3, dtype=bool)) == pytest.approx(2 / 3 - 0.25)
    # Fewer than three submissions with two reviews: no estimate, no floor.
    assert _moment_true_var(x[:4], sub[:4], means[:2], counts[:2], np.ones(2, dtype=bool)) == 0.0


def test_the_start_knows_the_biases_and_weighs_a_random_reviewer_down(monkeypatch: pytest.MonkeyPatch) -> None:
    # 400 learners, four reviews each, biases with spread 0.1, and ten reviewers who give random levels: before
    # the first sweep the biases already follow the truth, their spread is about right, and the random
    # reviewers start far less reliable than the others.
    rng = np.random.default_rng(5)
    n, k = 400, 4
    truth = rng.normal(0.6, 0.15, n)
    bias = rng.normal(0.0, 0.1, n)
    sub = np.repeat(np.arange(n), k)
    rev = (sub + rng.permutation(np.arange(1, n))[:k][np.tile(np.arange(k), n)]) % n  # never the author
    score = np.clip(truth[sub] + bias[rev] + rng.normal(0, 0.05, len(sub)), 0, 1)
    random = np.arange(10)
    score = np.where(np.isin(rev, random), rng.random(len(sub)), score)
    reviews = Reviews.from_arrays(sub, rev, score, scale=(0, 1))
    started: list[State] = []
    iterate = calibration._iterate

    def first(model: calibration.Sweeper, state: State, *args: object) -> object:
        started.append(state)
        return iterate(model, state, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(calibration, "_iterate", first)
    grades = aggregate(reviews, "calibrated")
    assert grades.fit is not None and grades.fit.converged
    start = started[0]
    careful = np.setdiff1d(np.arange(n), random)
    assert np.corrcoef(start.c[careful], bias[careful])[0, 1] > 0.6
    assert 0.06 < math.exp(float(start.hyper[3])) ** 0.5 < 0.14  # the bias spread, truth 0.1
    reliability = np.exp(start.log_tau)
    assert np.median(reliability[random]) < 0.5 * np.median(reliability[careful])  # not one level for all
