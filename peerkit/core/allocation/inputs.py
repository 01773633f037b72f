"""Checks of a request before any work: learner ids, ``k`` and ``seed``; private copies of mappings.

Every malformed request raises :class:`AllocationRequestError` here, before anything is computed.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import islice
from typing import NoReturn, TypeVar

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
    out = _strings(learners, what)
    if len(set(out)) != len(out):
        _twice(out, what)
    return out


def _sorted_unique(learners: Iterable[str], what: str) -> list[str]:
    """The ids sorted, checked like :func:`_unique`: neighbours in sorted order are never equal.

    For callers that sort anyway: comparing neighbours costs half as much as building a set.
    """
    out = sorted(_strings(learners, what))
    if any(map(operator.eq, out, islice(out, 1, None))):
        _twice(out, what)
    return out


def _strings(learners: Iterable[str], what: str) -> list[str]:
    out = list(learners)
    if not all(issubclass(t, str) for t in set(map(type, out))):
        strangers = [x for x in out if not isinstance(x, str)]
        raise AllocationRequestError(f"{what}: learner ids must be strings, not {_few([repr(x) for x in strangers])}")
    return out


def _twice(learners: list[str], what: str) -> NoReturn:
    twice = sorted(x for x, count in Counter(learners).items() if count > 1)
    raise AllocationRequestError(f"{what}: listed more than once: {_few(twice)}", learners=twice[:5])


def _copy(mapping: Mapping[str, _V] | None) -> dict[str, _V]:
    """A private copy: the caller may change its mapping after the call; lookups on a dict are fastest."""
    return dict(mapping or {})
