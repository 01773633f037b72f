"""Checks of a request before any work: learner ids, ``k`` and ``seed``; private copies of mappings.

Every malformed request raises :class:`AllocationRequestError` here, before anything is computed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TypeVar

import numpy as np

from peerkit.core.allocation.records import AllocationRequestError, _few

_V = TypeVar("_V")


def _rng(seed: int) -> np.random.Generator:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise AllocationRequestError(f"seed must be a whole number of at least 0, not {seed!r}")
    return np.random.default_rng(seed)


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise AllocationRequestError(f"k (reviewers per submission) must be a whole number of at least 1, not {k!r}")


def _unique(learners: Iterable[str], what: str) -> list[str]:
    out = list(learners)
    if not all(issubclass(t, str) for t in set(map(type, out))):
        strangers = [x for x in out if not isinstance(x, str)]
        raise AllocationRequestError(f"{what}: learner ids must be strings, not {_few([repr(x) for x in strangers])}")
    if len(set(out)) != len(out):
        twice = sorted(x for x, count in Counter(out).items() if count > 1)
        raise AllocationRequestError(f"{what}: listed more than once: {_few(twice)}", learners=twice[:5])
    return out


def _copy(mapping: Mapping[str, _V] | None) -> dict[str, _V]:
    """A private copy: the caller may change its mapping after the call; lookups on a dict are fastest."""
    return dict(mapping or {})
