"""The calibrated model's special functions agree with scipy's (installed with the test extra only)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from peerkit.core.aggregation.special import log_erfc, log_ndtr, normal_tail, sum_log_gamma

special = pytest.importorskip("scipy.special")


def test_log_ndtr_matches_scipy_from_the_far_lower_tail_to_the_upper() -> None:
    x = np.concatenate([np.linspace(-60.0, 40.0, 100_001), [-1e3, -1e5, 0.0, -2.0 * math.sqrt(2.0)]])
    ours, theirs = log_ndtr(x), special.log_ndtr(x)
    # absolute error on log Phi is relative error on Phi: what the truncated-normal moments need
    assert np.max(np.abs(ours - theirs)) < 1e-12
    big = np.abs(theirs) > 1.0
    assert np.max(np.abs(ours[big] - theirs[big]) / np.abs(theirs[big])) < 1e-13


def test_log_ndtr_at_the_infinities_and_nan() -> None:
    out = log_ndtr(np.array([-np.inf, np.inf, np.nan]))
    assert out[0] == -np.inf and out[1] == 0.0 and np.isnan(out[2])


def test_log_erfc_matches_scipy_where_erfc_does_not_underflow() -> None:
    t = np.linspace(0.0, 25.0, 50_001)
    assert np.max(np.abs(log_erfc(t) - np.log(special.erfc(t)))) < 1e-12


def test_normal_tail_matches_scipy_to_the_last_bit_of_a_half() -> None:
    x = np.concatenate([np.linspace(0.0, 12.0, 200_001), [1.0 / 128, 10.0, 10.0078, 10.008, 40.0, 1e300, np.inf]])
    ours, theirs = normal_tail(x), special.ndtr(-x)
    assert np.max(np.abs(ours - theirs)) < 2e-16  # absolute: what a kept mass of a half or more needs
    assert ours[0] == 0.5 and ours[-1] == 0.0


def test_sum_log_gamma_matches_scipy() -> None:
    values = 2.5 + 0.5 * np.random.default_rng(1).integers(1, 40, 1000)
    assert sum_log_gamma(values) == pytest.approx(float(np.sum(special.gammaln(values))), rel=1e-13)


def test_core_aggregation_does_not_import_scipy() -> None:
    import subprocess
    import sys

    code = "import sys, peerkit.core.aggregation as a; assert not any(m.startswith('scipy') for m in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
