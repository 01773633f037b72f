"""The index space of one computation: learners as sorted positions, circles as codes, profiles as bitsets.

Every operation maps the learner ids it is given to positions ``0 … n-1`` in sorted id order once,
then works on whole numpy arrays over those positions; the per-learner Python work is reading the
inputs.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cached_property
from itertools import chain, repeat
from operator import attrgetter
from typing import Final, cast

import numpy as np
import numpy.typing as npt

from peerkit.core.allocation.records import BoolArray, IntArray, Profile

_NO_PROFILE: Final = Profile()


class _Cohort:
    """Learners sorted by id, their circle codes and their profiles as tag bitsets.

    Only tags that someone knows *and* someone wants can ever match, so only those get bits.
    """

    def __init__(self, ids: list[str], circles: dict[str, str], profiles: dict[str, Profile]) -> None:
        self.ids = ids
        self.names = tuple(ids)
        self.circles = circles
        self.profiles = profiles
        n = len(ids)
        # map() over bound methods runs in C: these are the only per-learner steps of a round.
        names: list[str | None] = list(map(circles.get, ids))
        named = set[str | None](names)
        named.discard(None)
        code: dict[str | None, int] = {c: i for i, c in enumerate(sorted(cast(set[str], named)))}
        own = len(code)
        # A learner without a circle gets a code of their own: code.get(None, own + i).
        self.circle: IntArray = np.fromiter(map(code.get, names, range(own, own + n)), dtype=np.int64, count=n)
        self.n_codes = own + n
        found = list(map(profiles.get, ids, repeat(_NO_PROFILE)))
        knows_of, knows = _distinct(list(map(attrgetter("knows"), found)))
        wants_of, wants = _distinct(list(map(attrgetter("wants"), found)))
        self.wants_any: BoolArray = np.array([bool(w) for w in wants], dtype=np.bool_)[wants_of]
        relevant = sorted(set[str]().union(*knows) & set[str]().union(*wants))
        self.tag_names = relevant
        self.tagged = bool(relevant)
        if self.tagged:
            tag_id = {tag: t for t, tag in enumerate(relevant)}
            words = (len(relevant) + 63) // 64
            bits, start, length, self.knows_flat = _encode(knows, tag_id, words)
            self.knows, self.knows_start, self.knows_len = bits[knows_of], start[knows_of], length[knows_of]
            bits, start, length, self.wants_flat = _encode(wants, tag_id, words)
            self.wants, self.wants_start, self.wants_len = bits[wants_of], start[wants_of], length[wants_of]
            self.knows1, self.wants1 = self.knows[:, 0].copy(), self.wants[:, 0].copy()

    @cached_property
    def index(self) -> dict[str, int]:
        """Sorted position of each id: only the updates and a partial :meth:`mask` look ids up."""
        return dict(zip(self.ids, range(len(self.ids)), strict=True))

    def subset(self, which: IntArray) -> tuple[str, ...]:
        """The ids at sorted positions ``which`` (all of them without copying when it is everyone)."""
        if len(which) == len(self.ids):
            return self.names
        return tuple([self.ids[i] for i in which.tolist()])

    def mask(self, learners: Collection[str]) -> BoolArray:
        if len(learners) == len(self.ids):  # learners are distinct ids of the cohort: all of them
            return np.ones(len(self.ids), dtype=np.bool_)
        out = np.zeros(len(self.ids), dtype=np.bool_)
        out[[self.index[x] for x in learners]] = True
        return out

    def knows_of(self, reviewer: IntArray) -> npt.NDArray[np.uint64]:
        """Known-tag bitsets: one word per learner when there are at most 64 tags, else rows of words."""
        return self.knows1[reviewer] if self.knows.shape[1] == 1 else self.knows[reviewer]

    def wants_of(self, author: IntArray) -> npt.NDArray[np.uint64]:
        return self.wants1[author] if self.wants.shape[1] == 1 else self.wants[author]

    def match(self, reviewer: IntArray, author: IntArray) -> BoolArray:
        """Elementwise: does the reviewer know a tag the author wants?"""
        if not self.tagged:
            return np.zeros(np.broadcast_shapes(reviewer.shape, author.shape), dtype=np.bool_)
        if self.knows.shape[1] == 1:  # up to 64 tags: one word each, no reduction over words
            return np.asarray((self.knows1[reviewer] & self.wants1[author]) != 0, dtype=np.bool_)
        return np.asarray(((self.knows[reviewer] & self.wants[author]) != 0).any(axis=-1), dtype=np.bool_)


def _distinct(sets: list[frozenset[str]]) -> tuple[IntArray, list[frozenset[str]]]:
    """Number the distinct sets (profiles repeat, so later work is per distinct set).

    Grouping by ``hash`` runs in C (frozensets keep their hash once computed); comparing 100,000
    frozensets for equality would cost a tenth of a second. Two different tag sets with the same
    64-bit hash (odds about 1e-11 per round with 15,000 distinct sets) would share a bitset: that
    could only blur a matching preference, never an invariant, so the sets are not compared.
    """
    hashes = np.fromiter(map(hash, sets), dtype=np.int64, count=len(sets))
    # Groups of equal hashes by one sort (np.unique with indices and inverse sorts twice as slowly).
    order = np.argsort(hashes)
    ordered = hashes[order]
    new = np.ones(len(sets), dtype=np.bool_)
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    of_learner = np.empty(len(sets), dtype=np.int64)
    of_learner[order] = np.cumsum(new) - 1
    first = order[new]  # one member of each group (all members are equal sets)
    return of_learner, list(map(sets.__getitem__, first.tolist()))


def _encode(
    sets: list[frozenset[str]], tag_id: dict[str, int], words: int
) -> tuple[npt.NDArray[np.uint64], IntArray, IntArray, IntArray]:
    """Bitsets (sets × words) and the relevant tag ids of each set as a CSR list (starts, lengths, flat)."""
    sizes = np.fromiter(map(len, sets), dtype=np.int64, count=len(sets))
    owner = np.repeat(np.arange(len(sets), dtype=np.int64), sizes)
    tags = np.fromiter(map(tag_id.get, chain.from_iterable(sets), repeat(-1)), dtype=np.int64, count=int(sizes.sum()))
    keep = tags >= 0
    owner, tags = owner[keep], tags[keep]
    # Frozenset order follows string hashes: sort for determinism (one key: a set holds a tag once).
    key = np.sort(owner * (len(tag_id) + 1) + tags)
    owner, tags = np.divmod(key, len(tag_id) + 1)
    lengths = np.bincount(owner, minlength=len(sets)).astype(np.int64)
    starts = (np.cumsum(lengths) - lengths).astype(np.int64)
    bits = np.zeros((len(sets), words), dtype=np.uint64)
    np.bitwise_or.at(bits, (owner, tags // 64), np.left_shift(np.uint64(1), (tags % 64).astype(np.uint64)))
    return bits, starts, lengths, tags
