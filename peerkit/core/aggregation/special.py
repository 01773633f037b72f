"""The special functions the calibrated model needs, in numpy: ``log Phi``, the normal tail, a sum of ``log Gamma``.

Why not scipy: the core layer is numpy only, and a learner's install should not carry scipy's 110 MB
for three functions. All are accurate to about 1e-12 or better (``tests/core/test_aggregation_special.py``
checks them against scipy, which the test extra still installs).

``log_ndtr(x)`` is ``log Phi(x)`` of the standard normal, without underflow far in the lower tail
(a careless review of an example can sit 40 standard deviations out). Everything reduces to
``erfc(t)`` for ``t >= 0``: below ``t = 2`` as ``1 - erf(t)`` from erf's everywhere-positive series
``erf(t) = 2/sqrt(pi) exp(-t^2) sum_n (2 t^2)^n t / (2n + 1)!!`` (no cancellation; erfc(2) = 0.005, so
at most two digits are lost to the subtraction); from ``t = 2`` by erfc's continued fraction, evaluated
backwards with a fixed depth and kept in log space: ``log erfc(t) = -t^2 - log(sqrt(pi)) - log K(t)``.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from peerkit.core.aggregation.reviews import FloatArray

_SERIES_TERMS: Final = 40  # erf's series at t < 2: the terms fall below 1e-17 of the sum by n = 30
_CF_DEPTH: Final = 60  # erfc's continued fraction at t >= 2: converged to 1e-14 from t = 2
_SPLIT: Final = 2.0
_LOG_SQRT_PI: Final = 0.5 * math.log(math.pi)
_SQRT_HALF: Final = math.sqrt(0.5)


def _erf_series(t: FloatArray) -> FloatArray:
    """erf(t) for ``0 <= t < 2`` (larger t need more terms)."""
    two_t2 = 2.0 * t * t
    term = t.copy()
    total = t.copy()
    for n in range(1, _SERIES_TERMS):
        term = term * two_t2 / (2 * n + 1)
        total += term
    out: FloatArray = total * np.exp(-t * t) * (2.0 / math.sqrt(math.pi))
    return out


def _log_erfc_tail(t: FloatArray) -> FloatArray:
    """log erfc(t) for ``t >= 2``, by ``erfc(t) = exp(-t^2) / sqrt(pi) / K(t)`` with the continued fraction
    ``K(t) = t + (1/2) / (t + 1 / (t + (3/2) / (t + 2 / (t + ...))))``."""
    k = t.copy()
    for j in range(_CF_DEPTH, 0, -1):
        k = t + (0.5 * j) / k
    out: FloatArray = -t * t - _LOG_SQRT_PI - np.log(k)
    return out


def log_erfc(t: FloatArray) -> FloatArray:
    """log erfc(t), elementwise, for ``t >= 0``."""
    t = np.asarray(t, dtype=np.float64)
    out = np.empty_like(t)
    near = t < _SPLIT
    out[near] = np.log1p(-_erf_series(t[near]))
    out[~near] = _log_erfc_tail(t[~near])
    return out


def log_ndtr(x: FloatArray) -> FloatArray:
    """log Phi(x) of the standard normal, elementwise; ``-inf`` at ``-inf`` and 0 at ``+inf``."""
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros_like(x)
    finite = np.isfinite(x)
    out[x == -np.inf] = -np.inf
    xf = x[finite]
    t = np.abs(xf) * _SQRT_HALF
    log_tail = log_erfc(t) + math.log(0.5)  # log Phi(-|x|)
    # Phi(x) = 1 - Phi(-x) on the upper side: log1p of minus a small tail, no cancellation.
    out[finite] = np.where(xf < 0, log_tail, np.log1p(-np.exp(log_tail)))
    out[np.isnan(x)] = np.nan
    return out


def normal_density(x: FloatArray) -> FloatArray:
    """``phi(x)`` of the standard normal, elementwise."""
    out: FloatArray = np.exp(-0.5 * x * x)
    out *= _INV_SQRT_2PI
    return out


_INV_SQRT_2PI: Final = 1.0 / math.sqrt(2.0 * math.pi)


def _tail_table() -> FloatArray:
    """Row ``n`` of column ``i``: the coefficient of ``d^n`` in ``Q(i / 128 + d)``; a last column of zeros."""
    x0 = np.arange(_TAIL_NODES) / _TAIL_PER_UNIT
    table = np.zeros((_TAIL_TERMS + 1, _TAIL_NODES + 1))
    table[0, :-1] = [0.5 * math.erfc(v * _SQRT_HALF) for v in x0]
    # Q' = -phi and phi's n-th derivative is (-1)^n He_n phi (Hermite polynomials He_{n+1} = x He_n - n He_{n-1}).
    phi = normal_density(x0)
    he_prev, he = np.zeros_like(x0), np.ones_like(x0)
    for n in range(_TAIL_TERMS):
        table[n + 1, :-1] = -((-1) ** n) * he * phi / math.factorial(n + 1)
        he_prev, he = he, x0 * he - n * he_prev
    return table


_TAIL_PER_UNIT: Final = 128
_TAIL_NODES: Final = 10 * _TAIL_PER_UNIT + 1  # 0, 1/128, ..., 10; past 10 the tail is below 1e-23: zero
_TAIL_TERMS: Final = 5  # |d| <= 1/256: the next term is below 2e-17
_TAIL: Final = _tail_table()


def normal_tail(x: FloatArray) -> FloatArray:
    """``Q(x) = 1 - Phi(x)`` of the standard normal, elementwise, for ``x >= 0`` (up to +inf), within 2e-16 absolute.

    What truncated-normal moments need where the kept mass is at least about a half (absolute, not
    relative, accuracy), at a sixth of :func:`log_ndtr`'s cost: ``Q`` at the nearest point of a grid of
    1/128 steps (from :func:`math.erfc`, once) and its Taylor series in the distance to it, five terms.
    """
    x = np.minimum(x, 11.0)  # past 10 the column of zeros; a finite distance to it, also from +inf
    i = np.minimum(np.rint(x * _TAIL_PER_UNIT), _TAIL_NODES).astype(np.intp)
    d = x - i * (1.0 / _TAIL_PER_UNIT)
    out: FloatArray = _TAIL[_TAIL_TERMS].take(i)
    for n in range(_TAIL_TERMS - 1, -1, -1):  # Horner
        out *= d
        out += _TAIL[n].take(i)
    return out


def normal_cdf(x: FloatArray) -> FloatArray:
    """``Phi(x)`` of the standard normal for any *x*, within 2e-16 absolute: :func:`normal_tail` of ``|x|``, or one
    minus it above 0."""
    tail = normal_tail(np.abs(x))
    out: FloatArray = np.where(x > 0, 1.0 - tail, tail)
    return out


def sum_log_gamma(values: FloatArray) -> float:
    """``sum(log Gamma(values))`` for positive values, exactly as :func:`math.lgamma` per value.

    The values are few distinct numbers in practice (a shape plus half a reviewer's review count), so
    ``math.lgamma`` runs once per distinct value, weighted by how often it occurs.
    """
    unique, counts = np.unique(np.asarray(values, dtype=np.float64), return_counts=True)
    return math.fsum(float(c) * math.lgamma(float(u)) for u, c in zip(unique, counts, strict=True))
