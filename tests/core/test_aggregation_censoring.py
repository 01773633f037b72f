"""Censored readings: the truncated normal's moments by both routes agree with scipy's; a coarse rubric's
reviews are filled in whole."""

from __future__ import annotations

import numpy as np
import pytest

from peerkit.core.aggregation.censoring import _DIRECT_MASS, Censoring, truncated_standard_normal

stats = pytest.importorskip("scipy.stats")


def test_truncated_moments_match_scipy_near_the_mean_and_far_in_the_tails() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(0.0, 4.0, 20_000)
    b = a + rng.uniform(0.05, 4.0, 20_000)
    a[:50], b[50:100] = -np.inf, np.inf  # open ends
    a[100:150], b[100:150] = 30.0, 31.0  # far in the upper tail: the log-space route
    a[150:200], b[150:200] = -45.0, -44.5  # and in the lower
    mean, var = truncated_standard_normal(a, b)
    expected_mean, expected_var = stats.truncnorm.stats(a, b, moments="mv")
    np.testing.assert_allclose(mean, expected_mean, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(var, expected_var, rtol=1e-6)
    mass = stats.norm.cdf(b) - stats.norm.cdf(a)
    assert (mass < _DIRECT_MASS).sum() > 200 and (mass >= _DIRECT_MASS).sum() > 10_000  # both routes ran


def test_a_coarse_rubric_fills_every_review_without_a_scatter() -> None:
    x = np.array([0.0, 0.5, 1.0, 0.5])
    every = Censoring.of(x, np.ones(4, dtype=bool), 0.25)
    some = Censoring.of(x, np.array([False, True, False, True]), 0.25)
    none = Censoring.of(x, np.zeros(4, dtype=bool), None)
    assert every.every and not some.every and not none.every
    mu, sd = np.full(4, 0.45), np.full(4, 0.2)
    y_all, var_all = every.fill(x, mu, sd)
    y_some, var_some = some.fill(x, mu[[1, 3]], sd[[1, 3]])
    assert np.all(np.abs(y_all - x) <= 0.25) and np.all((var_all > 0) & (var_all < 0.25**2 * 4 / 12 + 1e-12))
    np.testing.assert_allclose(y_some[[1, 3]], y_all[[1, 3]], rtol=1e-15)
    assert y_some[[0, 2]].tolist() == [0.0, 1.0] and var_some[[0, 2]].tolist() == [0.0, 0.0]
    y_none, var_none = none.fill(x, mu[:0], sd[:0])
    assert y_none is x and not var_none.any()
