"""SQUAREM (Varadhan & Roland 2008): extrapolate a slowly converging fixed-point iteration.

From a state ``s0`` two sweeps give ``s1 = F(s0)`` and ``s2 = F(s1)``; with ``r = s1 - s0`` and
``v = s2 - s1 - r`` the step ``s0 - 2 a r + a^2 v`` with ``a = -|r| / |v|`` jumps along the direction in
which the iteration crawls (scheme S3), and one more sweep from there keeps the result a state the
sweep itself produced. The fixed point is the same: only the path to it is shorter. The step is
capped (``max_step``, doubled each time a full step is taken) and an extrapolated state that moves
more than the plain sweeps did is dropped for ``s2``.
"""

from __future__ import annotations

import math
from typing import NamedTuple, TypeVar

import numpy as np

from peerkit.core.aggregation.reviews import FloatArray

S = TypeVar("S", bound=NamedTuple)


def _combine(s0: S, r: list[FloatArray], v: list[FloatArray], a: float) -> S:
    parts = [x0 - 2.0 * a * ri + a * a * vi for x0, ri, vi in zip(s0, r, v, strict=True)]
    return type(s0)(*parts)


def extrapolate(s0: S, s1: S, s2: S, max_step: float) -> tuple[S, float] | None:
    """The SQUAREM-S3 point from three successive states, and the step length used; None if it would
    not move (the sweeps already agree) or is not finite."""
    r = [b - a for a, b in zip(s0, s1, strict=True)]
    v = [c - 2.0 * b + a for a, b, c in zip(s0, s1, s2, strict=True)]
    rr = sum(float(np.sum(x * x)) for x in r)
    vv = sum(float(np.sum(x * x)) for x in v)
    if not (vv > 0 and math.isfinite(rr) and math.isfinite(vv)):
        return None
    a = -min(max(math.sqrt(rr / vv), 1.0), max_step)
    out = _combine(s0, r, v, a)
    if not all(np.all(np.isfinite(x)) for x in out):
        return None
    return out, -a
