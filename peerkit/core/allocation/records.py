"""What an allocation is: the result records, the learner profile and the errors.

:class:`Allocation` is the one result type of the package; :class:`Update` wraps one for
:func:`~peerkit.core.allocation.add_late` and :func:`~peerkit.core.allocation.reassign`.
:class:`Pairs` and :class:`Counts` are read-only views over index arrays, so that a round of
100,000 learners builds no Python object per pair until someone iterates. :class:`Mixing`,
:class:`Matching` and :class:`Shortfall` report how good a round is and who is short.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import overload

import numpy as np
import numpy.typing as npt

from peerkit.core.errors import AllocationError

Pair = tuple[str, str]
"""One assignment: ``(reviewer, author)``."""

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class AllocationRequestError(AllocationError):
    """The request is malformed: ``k < 1``, a learner listed twice, an unknown pair or learner.

    ``learners`` names the offending ids (at most a handful) when there are any.
    """

    def __init__(self, message: str, *, learners: Iterable[str] = ()) -> None:
        super().__init__(message, learners=learners)


class IncompleteRoundError(AllocationError):
    """Raised by :meth:`Allocation.require_complete`: some submissions have fewer than ``k`` reviewers.

    ``shortfall`` lists them; ``k`` is the number asked for.
    """

    def __init__(self, message: str, *, k: int, shortfall: tuple[Shortfall, ...]) -> None:
        super().__init__(message, k=k, shortfall=shortfall)


@dataclass(frozen=True, slots=True)
class Profile:
    """What a learner knows and wants to learn, as lowercase tags (compared exactly).

    Use :meth:`from_tags` to normalise free input (case, surrounding blanks, empty tags).
    """

    knows: frozenset[str] = frozenset()
    wants: frozenset[str] = frozenset()

    @classmethod
    def from_tags(cls, knows: Iterable[str] = (), wants: Iterable[str] = ()) -> Profile:
        """Build a profile from free-form tags, lowercased and stripped; empty tags dropped."""

        def clean(tags: Iterable[str]) -> frozenset[str]:
            return frozenset(t for t in (tag.strip().lower() for tag in tags) if t)

        return cls(clean(knows), clean(wants))


@dataclass(frozen=True, slots=True)
class Mixing:
    """How mixed the circles are: assignments whose reviewer is in another circle than the author.

    ``best_possible`` is an upper bound: no allocation with the same per-learner loads and
    received counts can have more cross-circle assignments.
    """

    cross_circle: int
    assignments: int
    best_possible: int

    @property
    def share(self) -> float:
        """Cross-circle share of all assignments (1.0 when there are none)."""
        return self.cross_circle / self.assignments if self.assignments else 1.0

    @property
    def best_share(self) -> float:
        """The share :attr:`best_possible` stands for."""
        return self.best_possible / self.assignments if self.assignments else 1.0


@dataclass(frozen=True, slots=True)
class Matching:
    """Assignments whose reviewer knows at least one tag the author wants to learn.

    ``wanting`` counts the assignments whose author wants at least one tag: the denominator.
    """

    matched: int
    wanting: int
    assignments: int

    @property
    def share(self) -> float:
        """Matched share of the assignments whose author wants something (0.0 when none)."""
        return self.matched / self.wanting if self.wanting else 0.0


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A submission with fewer than ``k`` reviewers, and why."""

    author: str
    reviewers: int
    missing: int
    reason: str


class Pairs(Sequence[Pair]):
    """The assignments, sorted by reviewer then author: an immutable sequence of ``(reviewer, author)``.

    Stored as two index columns into the sorted learner ids, so that a round of 100,000 learners
    does not build 300,000 tuples until someone iterates.
    """

    __slots__ = ("_a", "_keys", "_names", "_r")

    def __init__(self, names: tuple[str, ...], reviewer: IntArray, author: IntArray) -> None:
        self._names = names
        self._r = reviewer
        self._a = author
        self._keys = reviewer * len(names) + author  # sorted, as the pairs are
        for column in (self._r, self._a, self._keys):
            column.flags.writeable = False

    def __len__(self) -> int:
        return len(self._r)

    @overload
    def __getitem__(self, index: int) -> Pair: ...
    @overload
    def __getitem__(self, index: slice) -> Pairs: ...
    def __getitem__(self, index: int | slice) -> Pair | Pairs:
        if isinstance(index, slice):
            return Pairs(self._names, self._r[index].copy(), self._a[index].copy())
        return self._names[self._r[index]], self._names[self._a[index]]

    def __iter__(self) -> Iterator[Pair]:
        names = self._names
        return zip([names[i] for i in self._r.tolist()], [names[i] for i in self._a.tolist()], strict=True)

    def __contains__(self, pair: object) -> bool:
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
            return False
        r, a = (self._find(x) for x in pair)
        if r < 0 or a < 0:
            return False
        key = r * len(self._names) + a
        at = int(np.searchsorted(self._keys, key))
        return at < len(self._keys) and int(self._keys[at]) == key

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Pairs) and other._names == self._names:
            return bool(np.array_equal(self._keys, other._keys))
        if isinstance(other, Sequence):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to lists, so unhashable like them

    def __repr__(self) -> str:
        head = ", ".join(repr(p) for p in self[:3])
        return f"Pairs([{head}{', ...' if len(self) > 3 else ''}], n={len(self)})"

    def _find(self, learner: str) -> int:
        at = bisect.bisect_left(self._names, learner)
        return at if at < len(self._names) and self._names[at] == learner else -1

    def span(self, reviewer: str) -> tuple[int, int]:
        """Index range of one reviewer's assignments (empty when there are none)."""
        r = self._find(reviewer)
        if r < 0:
            return 0, 0
        return int(np.searchsorted(self._r, r, "left")), int(np.searchsorted(self._r, r, "right"))


class Counts(Mapping[str, int]):
    """A read-only mapping learner id → count, over sorted ids, backed by an array."""

    __slots__ = ("_names", "_values")

    def __init__(self, names: tuple[str, ...], values: IntArray) -> None:
        self._names = names
        self._values = values
        self._values.flags.writeable = False

    def __getitem__(self, learner: str) -> int:
        at = bisect.bisect_left(self._names, learner)
        if at < len(self._names) and self._names[at] == learner:
            return int(self._values[at])
        raise KeyError(learner)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def array(self) -> IntArray:
        """The counts in key order, as a read-only array."""
        return self._values

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Counts) and other._names == self._names:
            return bool(np.array_equal(self._values, other._values))
        return Mapping.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]  # a mapping, unhashable like dict

    def __repr__(self) -> str:
        if not len(self):
            return "Counts({})"
        return f"Counts({len(self)} learners, {int(self._values.min())}–{int(self._values.max())})"


@dataclass(frozen=True, slots=True)
class Allocation:
    """The result of a round's allocation: who reviews whom, and how good the result is.

    Attributes
    ----------
    k : int
        Reviewers asked for per submission.
    assignments : Pairs
        ``(reviewer, author)`` pairs, sorted, deterministic for the inputs and the seed.
    authors, reviewers : tuple of str
        The submitters and the reviewer pool, sorted.
    load : Counts
        Reviews assigned to each member of the pool (zero included), a read-only mapping.
    received : Counts
        Reviewers assigned to each author.
    mixing : Mixing
        Cross-circle share and the best share achievable.
    matching : Matching
        Assignments whose reviewer knows what the author wants to learn.
    shortfall : tuple of Shortfall
        Submissions with fewer than ``k`` reviewers, sorted by author; empty when complete.
    dropped : frozenset of str
        Reviewers taken out of the pool by :func:`reassign`; updates never pick them.
    circles, profiles : Mapping
        The circle and profile of each learner known to the round, kept for the updates.
    """

    k: int
    assignments: Pairs
    authors: tuple[str, ...]
    reviewers: tuple[str, ...]
    load: Counts
    received: Counts
    mixing: Mixing
    matching: Matching
    shortfall: tuple[Shortfall, ...]
    dropped: frozenset[str] = frozenset()
    circles: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    profiles: Mapping[str, Profile] = field(default_factory=lambda: MappingProxyType({}), repr=False)

    @property
    def complete(self) -> bool:
        """True when every submission has ``k`` reviewers."""
        return not self.shortfall

    def reviews_by(self, reviewer: str) -> tuple[str, ...]:
        """The authors a reviewer is assigned, sorted."""
        start, stop = self.assignments.span(reviewer)
        return tuple(author for _, author in self.assignments[start:stop])

    def reviewers_of(self, author: str) -> tuple[str, ...]:
        """The reviewers assigned to an author, sorted (a scan of all assignments)."""
        return tuple(reviewer for reviewer, a in self.assignments if a == author)

    def describe(self) -> str:
        """One paragraph for facilitators: complete or not (and why), loads, mixing, matching."""
        n, k = len(self.authors), self.k
        if n == 0:
            return "No submissions yet: nothing to allocate."
        quality = []
        if len(self.assignments):
            active = [i for i, r in enumerate(self.reviewers) if r not in self.dropped]
            loads = self.load.array()[active] if self.dropped else self.load.array()
            if len(loads):
                quality.append(f"reviewer loads {int(loads.min())}–{int(loads.max())}")
            quality.append(
                f"{self.mixing.share:.1%} of reviews cross circles (best possible {self.mixing.best_share:.1%})"
            )
            if self.matching.wanting:
                quality.append(f"{self.matching.share:.1%} of reviews match something the author wants to learn")
        details = "; ".join(quality)
        if self.complete:
            return f"{n} submission{_s(n)}, {k} reviewer{_s(k)} each" + (f"; {details}." if details else ".")
        short, fewest = len(self.shortfall), min(s.reviewers for s in self.shortfall)
        return (
            f"Round incomplete: {short} of {n} submission{_s(n)} {'has' if short == 1 else 'have'} fewer than "
            f"{k} reviewer{_s(k)} (as few as {fewest}): {self.shortfall[0].reason}. The missing reviewers are "
            "added as late submitters join." + (f" {details[0].upper()}{details[1:]}." if details else "")
        )

    def require_complete(self) -> Allocation:
        """Return ``self`` if complete, else raise :class:`IncompleteRoundError` (for strict callers)."""
        if self.shortfall:
            raise IncompleteRoundError(self.describe(), k=self.k, shortfall=self.shortfall)
        return self


@dataclass(frozen=True, slots=True)
class Update:
    """The result of :func:`add_late` or :func:`reassign`: the new allocation and what changed.

    ``added`` and ``removed`` are sorted ``(reviewer, author)`` pairs; every other pair of the
    previous allocation is in the new one unchanged.
    """

    allocation: Allocation
    added: tuple[Pair, ...]
    removed: tuple[Pair, ...]


# --- wording of messages ---------------------------------------------------------------------


def _few(items: Sequence[object]) -> str:
    shown = ", ".join(str(x) for x in items[:5])
    return shown + (f" and {len(items) - 5} more" if len(items) > 5 else "")


def _s(count: int) -> str:
    return "" if count == 1 else "s"
