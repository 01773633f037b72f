"""Who reviews whom in a peer-review round: the first allocation, late submitters, drop-outs.

Pure functions over opaque learner ids (standard library and numpy only, no I/O):

* :func:`allocate` gives every submission ``k`` reviewers when the round starts;
* :func:`add_late` brings late submitters in as soon as they submit, moving no existing pair;
* :func:`reassign` hands the open reviews of learners who dropped out to active learners;
* :func:`rebuild` turns stored pairs back into an :class:`Allocation` for the two updates.

Results depend on the inputs as sets (not on their order) and on ``seed``, nothing else.

Priorities
----------
1. Hard invariants, for every input: nobody reviews themselves; no (reviewer, author) pair twice;
   every submission gets ``k`` reviewers whenever ``k`` other learners can review it; balanced
   loads: with the authors as the reviewer pool every load is exactly ``k``, with a separate pool
   of ``R`` reviewers for ``A`` authors every load is ``⌊kA/R⌋`` or ``⌈kA/R⌉``.
2. Circles (team, library, school): a reviewer from another circle than the author. Learners
   without a circle are a circle of one. :class:`Mixing` reports the cross-circle share and the
   best share any allocation with the same loads could reach.
3. Matching: a reviewer who knows a tag the author wants to learn (:class:`Profile`).

An exchange of reviewers is taken only if it loses no cross-circle assignment, so matching never
costs mixing, and neither ever costs an invariant.

Small rounds
------------
A round with fewer than ``k + 1`` learners who can review is not an error: every submission gets
every eligible reviewer (the only balanced answer), :attr:`Allocation.shortfall` lists who is
short, by how many and why, and :meth:`Allocation.describe` says so in one paragraph.
:func:`add_late` tops the short submissions up as learners join. Callers who need a complete
round call :meth:`Allocation.require_complete`, which raises :class:`IncompleteRoundError`.

Algorithm
---------
Learners are laid on a ring grouped by circle (circle order and order inside a circle drawn from
``seed``); authors and reviewers keep that order. Author ``i`` of ``A`` gets the ``k`` consecutive
reviewers that start half-way round the reviewer ring, at ``⌊iR/A⌋ + R/2``: a circulant design.
The ``k`` reviewers are distinct, loads are balanced as above (with the authors as the pool it is
a shift design: exactly ``k`` each and never oneself), every circle up to about half the round
is reviewed entirely from outside, and a circle of ``s > n/2`` learners gets the fewest
same-circle reviews possible, ``k(2s - n)``. A bounded local search then exchanges the reviewers
of two seats (an exchange keeps every load and every received count): same-circle seats are
offered to same-circle seats of other circles, and each submission with an unmatched seat picks a
wanted tag and is offered an unmatched seat whose reviewer knows it; valid exchanges that gain
are applied in parallel, row-disjoint, in a few passes per round. With a separate pool the (rare)
self-reviews of learners who are both author and reviewer are exchanged away the same way, with
an exact augmenting-path repair as the last resort for tiny rounds. Everything is numpy on whole
arrays; the per-learner Python work is reading the inputs.

Updates
-------
:func:`add_late` and :func:`reassign` only add pairs (and :func:`reassign` removes the open pairs
of dropped reviewers). Every pick goes to an eligible learner with the fewest reviews so far (then
another circle, then a match, then ``seed``), and at most ``k`` learners are ineligible for a
pick. Hence:

* one :func:`add_late` call with ``p`` newcomers, on a round with at least ``(k - 1)·p + k + 1``
  authors and as many reviewers, raises no load and no received count above ``max(M, k) + 1``,
  ``M`` the largest before;
* from a complete allocation where every count is ``k``, after any number of calls bringing ``P``
  late submitters in total, **no count exceeds** ``k + 1`` **as long as the round started with
  at least** ``(k - 1)·P + k + 1`` **submitters**; beyond that, counts keep rising evenly;
* :func:`reassign` keeps every active load at most ``M + 1`` when at least ``q + k + 1``
  reviewers are active, ``q`` the number of reviews it moves.

Each newcomer costs a few passes over the round's arrays (milliseconds at 100,000 learners) on
top of reading the round once: :func:`add_late` suits learners trickling in.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict, deque
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import attrgetter
from types import MappingProxyType
from typing import Final, TypeVar, overload

import numpy as np
import numpy.typing as npt

from peerkit.core.errors import AllocationError

__all__ = [
    "DEFAULT_MATCH_ROUNDS",
    "Allocation",
    "AllocationRequestError",
    "Counts",
    "IncompleteRoundError",
    "Matching",
    "Mixing",
    "Pair",
    "Pairs",
    "Profile",
    "Shortfall",
    "Update",
    "add_late",
    "allocate",
    "reassign",
    "rebuild",
]

Pair = tuple[str, str]
"""One assignment: ``(reviewer, author)``."""

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_V = TypeVar("_V")

#: Exchange rounds of the local search in :func:`allocate`. A round costs a few passes over the
#: round's arrays, fewer as seats get matched: on the benchmark cohort eight rounds take the
#: matched share from 12 % to 98 % for about 0.2 s of CPU at 100,000 learners (five: 93 %).
DEFAULT_MATCH_ROUNDS: Final = 8
#: Gain of one exchange = 3·Δcross-circle + Δmatches; Δmatches is at most 2, so any mixing gain
#: beats any matching gain and no exchange trades mixing for matches.
_CIRCLE_WEIGHT: Final = 3
_SELF_WEIGHT: Final = 100
_NO_CANDIDATE: Final = np.inf


class AllocationRequestError(AllocationError):
    """The request is malformed: ``k < 1``, a learner listed twice, an unknown pair or learner.

    ``learners`` names the offending ids (at most a handful) when there are any.
    """

    def __init__(self, message: str, *, learners: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.learners = tuple(learners)


class IncompleteRoundError(AllocationError):
    """Raised by :meth:`Allocation.require_complete`: some submissions have fewer than ``k`` reviewers.

    ``shortfall`` lists them; ``k`` is the number asked for.
    """

    def __init__(self, message: str, *, k: int, shortfall: tuple[Shortfall, ...]) -> None:
        super().__init__(message)
        self.k = k
        self.shortfall = shortfall


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


# --- public operations ------------------------------------------------------------------------


def allocate(
    authors: Iterable[str],
    k: int,
    *,
    seed: int,
    reviewers: Iterable[str] | None = None,
    circles: Mapping[str, str] | None = None,
    profiles: Mapping[str, Profile] | None = None,
    match_rounds: int = DEFAULT_MATCH_ROUNDS,
) -> Allocation:
    """Give every submission ``k`` reviewers.

    Parameters
    ----------
    authors : iterable of str
        Learners who submitted (opaque ids, each once). Their order does not matter.
    k : int
        Reviewers per submission, at least 1.
    seed : int
        Same inputs and seed, same allocation; another seed, (almost always) another one.
    reviewers : iterable of str, optional
        The reviewer pool when it is not the authors (facilitators, learners who did not submit).
    circles : Mapping[str, str], optional
        Learner id to circle name; missing learners are a circle of one.
    profiles : Mapping[str, Profile], optional
        Learner id to profile, for matching.
    match_rounds : int
        Rounds of the exchange search that improves mixing and matching (0 turns it off).

    Returns
    -------
    Allocation
        Complete when at least ``k + 1`` learners can review; otherwise every submission gets
        every eligible reviewer and :attr:`Allocation.shortfall` says who is short and why.

    Raises
    ------
    AllocationRequestError
        ``k < 1``, ``seed < 0``, ``match_rounds < 0``, a learner listed twice, or an id that is not
        a string.
    """
    _check_k(k)
    rng = _rng(seed)
    if match_rounds < 0:
        raise AllocationRequestError(f"match_rounds must be 0 or more, not {match_rounds}")
    author_ids = _unique(authors, "authors")
    pool_ids = author_ids if reviewers is None else _unique(reviewers, "reviewers")
    # sorted() is linear on ids that arrive sorted, and a set would scramble them first.
    ids = sorted(author_ids) if reviewers is None else sorted(set(author_ids).union(pool_ids))
    cohort = _Cohort(ids, _copy(circles), _copy(profiles))
    is_author = cohort.mask(author_ids)
    is_pool = is_author if reviewers is None else cohort.mask(pool_ids)
    n_authors, n_pool = len(author_ids), len(pool_ids)
    if n_authors == 0 or n_pool <= k:
        # Too few reviewers for k each: every eligible pair, which is the only balanced answer.
        au, ar = np.flatnonzero(is_author), np.flatnonzero(is_pool)
        reviewer, author = np.repeat(ar, len(au)), np.tile(au, len(ar))
        keep = reviewer != author
        return _finish(cohort, k, reviewer[keep], author[keep], is_author, is_pool, frozenset())
    ring = _ring(cohort, rng)
    au, ar = ring[is_author[ring]], ring[is_pool[ring]]
    rev = ar[_circulant(n_authors, n_pool, k)]
    if not np.array_equal(is_author, is_pool):
        rev = _repair_self(rev, au, ar, k, cohort, rng)
    filled = rev >= 0
    if match_rounds and filled.all():
        reviewer, author = rev.ravel(), np.repeat(au, k)
        load = np.bincount(reviewer, minlength=len(ids)).astype(np.int64)
        received = np.bincount(author, minlength=len(ids)).astype(np.int64)
        best = _mixing(cohort, reviewer, author, load, received, is_author, is_pool).best_possible
        _improve(rev, au, cohort, rng, match_rounds, best)
    return _finish(
        cohort, k, rev[filled], np.broadcast_to(au[:, None], rev.shape)[filled], is_author, is_pool, frozenset()
    )


def add_late(
    allocation: Allocation,
    newcomers: Iterable[str],
    *,
    seed: int,
    circles: Mapping[str, str] | None = None,
    profiles: Mapping[str, Profile] | None = None,
) -> Update:
    """Bring late submitters into a round without changing any existing pair.

    Each newcomer joins the authors and the reviewer pool, gets up to ``k`` submissions to review
    (those with the fewest reviewers first) and ``k`` reviewers (the least-loaded first); earlier
    submissions that were short of reviewers are topped up too. Ties prefer another circle, then a
    reviewer who knows what the author wants, then ``seed``.

    Parameters
    ----------
    allocation : Allocation
        The round so far.
    newcomers : iterable of str
        Learners who just submitted; none may be an author already.
    seed : int
        Seed of this call's tie-breaks.
    circles, profiles : Mapping, optional
        Circles and profiles of the newcomers (or corrections), merged over the stored ones.

    Returns
    -------
    Update
        The new allocation and the added pairs. See the module notes for the load bound.

    Raises
    ------
    AllocationRequestError
        A newcomer who is already an author of the round, one listed twice, or ``seed < 0``.
    """
    rng = _rng(seed)
    new_ids = _unique(newcomers, "newcomers")
    again = sorted(set(new_ids).intersection(allocation.authors))
    if again:
        raise AllocationRequestError(
            f"{len(again)} newcomer{_s(len(again))} already submitted in this round: {_few(again)}", learners=again[:5]
        )
    circles_all = {**allocation.circles, **(circles or {})}
    profiles_all = {**allocation.profiles, **(profiles or {})}
    state = _State.of(allocation, new_ids, circles_all, profiles_all)
    state.dropped -= set(new_ids)  # submitting again is a sign of life
    k, cohort = allocation.k, state.cohort
    new = rng.permutation(np.array([cohort.index[x] for x in new_ids], dtype=np.int64)).tolist()
    active = state.active()
    authors_total = int(state.is_author.sum())
    for x in new:  # something to review, fewest reviews first
        need = min(k, authors_total - 1) - int(state.load[x])
        if need > 0:
            done = state.reviews_by(x)
            picks = state.pick(state.received, state.is_author, [x, *done], need, rng, reviewer=x)
            state.add([x] * len(picks), picks)
    short = [a for a in new if state.received[a] < k]
    old_short = [cohort.index[s.author] for s in allocation.shortfall]
    for a in short + rng.permutation(np.array(old_short, dtype=np.int64)).tolist():  # reviewers, least-loaded first
        eligible = int(active.sum()) - int(active[a])
        need = min(k, eligible) - int(state.received[a])
        if need > 0:
            picks = state.pick(state.load, active, [a, *state.reviewers_of(a)], need, rng, author=a)
            state.add(picks, [a] * len(picks))
    return state.update(k, removed=())


def reassign(
    allocation: Allocation,
    open_pairs: Iterable[Pair],
    dropped: Iterable[str],
    *,
    seed: int,
) -> Update:
    """Hand the open reviews of dropped-out reviewers to active learners.

    Completed reviews (pairs not in ``open_pairs``) never move, nor do open reviews of active
    reviewers. Each moved review goes to an active pool member who is not the author and does not
    review that author yet: fewest reviews first, then fewest open reviews (learners who finish
    are likelier to finish again), then another circle, then a match, then ``seed``.

    Parameters
    ----------
    allocation : Allocation
        The round so far.
    open_pairs : iterable of (reviewer, author)
        Assignments not yet reviewed; each must be in ``allocation``.
    dropped : iterable of str
        Reviewers considered gone; added to :attr:`Allocation.dropped`.
    seed : int
        Seed of this call's tie-breaks.

    Returns
    -------
    Update
        ``removed`` are the dropped reviewers' open pairs, ``added`` their replacements. A review
        that nobody can take leaves its author in :attr:`Allocation.shortfall`.

    Raises
    ------
    AllocationRequestError
        An open pair that is not in the allocation, a dropped id not in the reviewer pool, or
        ``seed < 0``.
    """
    rng = _rng(seed)
    open_set = set(open_pairs)
    unknown_pairs = sorted(p for p in open_set if p not in allocation.assignments)
    if unknown_pairs:
        raise AllocationRequestError(
            f"{len(unknown_pairs)} open pair{_s(len(unknown_pairs))} not in this allocation: {_few(unknown_pairs)}",
            learners=sorted({x for p in unknown_pairs[:5] for x in p}),
        )
    drop = set(dropped)
    unknown = sorted(drop.difference(allocation.reviewers))
    if unknown:
        raise AllocationRequestError(
            f"{len(unknown)} dropped learner{_s(len(unknown))} not in the reviewer pool: {_few(unknown)}",
            learners=unknown[:5],
        )
    state = _State.of(allocation, [], dict(allocation.circles), dict(allocation.profiles))
    state.dropped |= drop
    moving = sorted(p for p in open_set if p[0] in state.dropped)
    cohort = state.cohort
    index = cohort.index
    state.remove([index[r] for r, _ in moving], [index[a] for _, a in moving])
    still_open = np.zeros(len(cohort.ids), dtype=np.int64)
    for r, _ in open_set:
        if r not in state.dropped:
            still_open[index[r]] += 1
    active = state.active()
    for m in rng.permutation(len(moving)).tolist():
        a = index[moving[m][1]]
        # Fewest reviews first; among equals, fewest still open. Both are small integers, so one
        # float key orders them exactly.
        key = state.load.astype(np.float64) * (int(still_open.max()) + 2) + still_open
        picks = state.pick(key, active, [a, *state.reviewers_of(a)], 1, rng, author=a)
        state.add(picks, [a] * len(picks))
        still_open[picks] += 1
    return state.update(allocation.k, removed=tuple(moving))


def rebuild(
    pairs: Iterable[Pair],
    *,
    k: int,
    authors: Iterable[str],
    reviewers: Iterable[str] | None = None,
    circles: Mapping[str, str] | None = None,
    profiles: Mapping[str, Profile] | None = None,
    dropped: Iterable[str] = (),
) -> Allocation:
    """An :class:`Allocation` from stored pairs, checked: for updates on a round read back from storage.

    Parameters
    ----------
    pairs : iterable of (reviewer, author)
        The stored assignments, in any order.
    k : int
        Reviewers per submission asked for in this round.
    authors, reviewers : iterable of str
        The submitters and the reviewer pool (the submitters when not given).
    circles, profiles : Mapping, optional
        As for :func:`allocate`.
    dropped : iterable of str
        Reviewers taken out by earlier :func:`reassign` calls.

    Raises
    ------
    AllocationRequestError
        A self-review, a pair listed twice, a reviewer outside the pool, an author outside the
        authors, or a dropped learner outside the pool.
    """
    _check_k(k)
    author_ids = _unique(authors, "authors")
    pool_ids = author_ids if reviewers is None else _unique(reviewers, "reviewers")
    pair_list = list(pairs)
    twice = sorted(p for p, count in Counter(pair_list).items() if count > 1)
    selfs = sorted(p for p in pair_list if p[0] == p[1])
    pool_set, author_set = set(pool_ids), set(author_ids)
    strangers = sorted(p for p in pair_list if p[0] not in pool_set or p[1] not in author_set)
    for problem, found in (("listed twice", twice), ("self-reviews", selfs), ("outside the round", strangers)):
        if found:
            raise AllocationRequestError(
                f"pairs {problem}: {_few(found)}", learners=sorted({x for p in found[:5] for x in p})
            )
    drop = frozenset(dropped)
    if not drop <= pool_set:
        ghosts = sorted(drop - pool_set)
        raise AllocationRequestError(f"dropped learners not in the reviewer pool: {_few(ghosts)}", learners=ghosts[:5])
    cohort = _Cohort(sorted(set(author_ids).union(pool_ids)), _copy(circles), _copy(profiles))
    reviewer = np.array([cohort.index[r] for r, _ in pair_list], dtype=np.int64)
    author = np.array([cohort.index[a] for _, a in pair_list], dtype=np.int64)
    return _finish(cohort, k, reviewer, author, cohort.mask(author_ids), cohort.mask(pool_ids), drop)


# --- the index space of one computation -------------------------------------------------------


_NO_PROFILE: Final = Profile()


class _Cohort:
    """Learners sorted by id, their circle codes and their profiles as tag bitsets.

    Only tags that someone knows *and* someone wants can ever match, so only those get bits.
    """

    def __init__(self, ids: list[str], circles: dict[str, str], profiles: dict[str, Profile]) -> None:
        self.ids = ids
        self.names = tuple(ids)
        self.index = dict(zip(ids, range(len(ids)), strict=True))
        self.circles = circles
        self.profiles = profiles
        n = len(ids)
        # map() over bound methods runs in C: these are the only per-learner steps of a round.
        names: list[str | None] = list(map(circles.get, ids))
        code: dict[str | None, int] = {c: i for i, c in enumerate(sorted({c for c in names if c is not None}))}
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

    Grouping by ``hash`` and size runs in C; comparing 100,000 frozensets for equality would cost
    a tenth of a second. Two different tag sets of the same size with the same 64-bit hash (odds
    about 1e-11 per round) would share a bitset: that could only blur a matching preference, never
    an invariant. Different sizes in one hash group are caught, and then sets are compared exactly.
    """
    hashes = np.fromiter(map(hash, sets), dtype=np.int64, count=len(sets))
    _, first, of_learner = np.unique(hashes, return_index=True, return_inverse=True)
    sizes = np.fromiter(map(len, sets), dtype=np.int64, count=len(sets))
    if np.array_equal(sizes, sizes[first][of_learner]):
        return of_learner.astype(np.int64), [sets[i] for i in first.tolist()]
    number: dict[frozenset[str], int] = {}
    exact = np.fromiter((number.setdefault(s, len(number)) for s in sets), dtype=np.int64, count=len(sets))
    return exact, list(number)


def _encode(
    sets: list[frozenset[str]], tag_id: dict[str, int], words: int
) -> tuple[npt.NDArray[np.uint64], IntArray, IntArray, IntArray]:
    """Bitsets (sets × words) and the relevant tag ids of each set as a CSR list (starts, lengths, flat)."""
    sizes = np.fromiter(map(len, sets), dtype=np.int64, count=len(sets))
    owner = np.repeat(np.arange(len(sets), dtype=np.int64), sizes)
    tags = np.fromiter((tag_id.get(t, -1) for s in sets for t in s), dtype=np.int64, count=int(sizes.sum()))
    keep = tags >= 0
    owner, tags = owner[keep], tags[keep]
    order = np.lexsort((tags, owner))  # frozenset order follows string hashes: sort for determinism
    owner, tags = owner[order], tags[order]
    lengths = np.bincount(owner, minlength=len(sets)).astype(np.int64)
    starts = (np.cumsum(lengths) - lengths).astype(np.int64)
    bits = np.zeros((len(sets), words), dtype=np.uint64)
    np.bitwise_or.at(bits, (owner, tags // 64), np.left_shift(np.uint64(1), (tags % 64).astype(np.uint64)))
    return bits, starts, lengths, tags


def _ring(cohort: _Cohort, rng: np.random.Generator) -> IntArray:
    """Learners grouped by circle, circles in random order, random order inside each circle."""
    circle_rank = rng.permutation(cohort.n_codes)
    return np.argsort((circle_rank[cohort.circle] << 32) | rng.integers(0, 1 << 32, len(cohort.ids))).astype(np.int64)


def _circulant(n_authors: int, n_pool: int, k: int) -> IntArray:
    """Reviewer-ring positions (authors × k): ``k`` consecutive seats half-way round from the author.

    Reviewer ``p`` is picked by the authors whose base ``⌊iR/A⌋`` lies in a window of ``k``
    consecutive values, so its load is ``⌈(p+1)A/R⌉ - ⌈(p+1-k)A/R⌉``-like, i.e. ``⌊kA/R⌋`` or
    ``⌈kA/R⌉``. Needs ``n_pool > k``; the shift lies in ``[1, R - k]``, so with the authors as the
    pool nobody reviews themselves.
    """
    base = np.arange(n_authors, dtype=np.int64) * n_pool // n_authors
    shift = min(max((n_pool - k + 1) // 2, 1), n_pool - k)
    return np.asarray((base[:, None] + shift + np.arange(k, dtype=np.int64)) % n_pool, dtype=np.int64)


# --- local search: exchanges that keep every load and every received count -------------------


def _improve(rev: IntArray, au: IntArray, cohort: _Cohort, rng: np.random.Generator, rounds: int, best: int) -> None:
    """Rounds of exchanges; ``best`` is the cross-circle bound, fixed because exchanges keep all counts."""
    for _ in range(rounds):
        changed = 0
        if int((cohort.circle[rev] != cohort.circle[au][:, None]).sum()) < best:
            changed += _exchange(rev, au, cohort, _propose_mixing(rev, au, cohort, rng))
        if cohort.tagged:
            changed += _exchange(rev, au, cohort, _propose_matching(rev, au, cohort, rng))
        if changed == 0 and not cohort.tagged:
            break


Proposal = tuple[IntArray, IntArray, IntArray, IntArray]


def _propose_mixing(rev: IntArray, au: IntArray, cohort: _Cohort, rng: np.random.Generator) -> Proposal:
    """Each seat with a same-circle reviewer (or the author) is offered a partner seat.

    The partner is the same-circle seat half-way along the list of them sorted by circle, when its
    circle differs (exchanging two such seats fixes both), else a random seat (which helps when
    its reviewer and author are both outside the first circle).
    """
    n, k = rev.shape
    bad = cohort.circle[rev] == cohort.circle[au][:, None]
    rows, seats = np.nonzero(bad)
    circle = cohort.circle[au[rows]]
    order = np.argsort((circle << 32) | rng.integers(0, 1 << 32, len(rows)))
    rows, seats, circle = rows[order], seats[order], circle[order]
    across = (np.arange(len(rows)) + len(rows) // 2) % max(len(rows), 1)
    paired = circle[across] != circle
    partner_rows = np.where(paired, rows[across], rng.integers(n, size=len(rows)))
    partner_seats = np.where(paired, seats[across], rng.integers(k, size=len(rows)))
    return rows, seats, partner_rows.astype(np.int64), partner_seats.astype(np.int64)


def _propose_matching(rev: IntArray, au: IntArray, cohort: _Cohort, rng: np.random.Generator) -> Proposal:
    """Submissions with an unmatched seat each pick a wanted tag and are offered an unmatched seat whose
    reviewer knows it.

    The l-th submission wanting tag t (random order) meets the l-th offered seat for t (random
    order), so every round tries new partners.
    """
    k = rev.shape[1]
    unmatched = ~cohort.match(rev, au[:, None])
    needy = np.flatnonzero((cohort.wants_len[au] > 0) & unmatched.any(axis=1))
    seat = np.argmax(unmatched[needy] * rng.random((len(needy), k)), axis=1)
    tag = _random_tag(cohort.wants_start, cohort.wants_len, cohort.wants_flat, au[needy], rng)
    slots = np.flatnonzero(unmatched.ravel())
    slots = slots[cohort.knows_len[rev.ravel()[slots]] > 0]
    offer = _random_tag(cohort.knows_start, cohort.knows_len, cohort.knows_flat, rev.ravel()[slots], rng)
    slots = slots[_by_tag(offer, rng)]
    by_tag = _by_tag(tag, rng)
    needy, seat, tag = needy[by_tag], seat[by_tag], tag[by_tag]
    # Both lists are now grouped by tag: group starts from counts (tags are few), ranks inside groups.
    n_tags = len(cohort.tag_names)
    wanted, offered = np.bincount(tag, minlength=n_tags), np.bincount(offer, minlength=n_tags)
    rank = np.arange(len(tag)) - (np.cumsum(wanted) - wanted)[tag]
    ok = rank < offered[tag]
    partner = slots[((np.cumsum(offered) - offered)[tag] + rank)[ok]]
    return needy[ok], seat[ok], partner // k, partner % k


def _overlap(knows: npt.NDArray[np.uint64], wants: npt.NDArray[np.uint64]) -> BoolArray:
    """Elementwise: do the bitsets share a tag? (Rows of words are reduced over the last axis.)"""
    common = (knows & wants) != 0
    return np.asarray(common if common.ndim == 1 else common.any(axis=-1), dtype=np.bool_)


def _by_tag(tags: IntArray, rng: np.random.Generator) -> IntArray:
    """An order sorting ``tags``, random among equal tags: a stable sort of a random permutation.

    Tag ids are small, and numpy's stable sort of 16-bit keys is a radix sort: three times faster
    than sorting (tag, random) pairs as 64-bit keys.
    """
    shuffled = rng.permutation(len(tags))
    keys = tags[shuffled]
    if len(keys) and int(keys.max()) < 1 << 16:
        return shuffled[np.argsort(keys.astype(np.uint16), kind="stable")]
    return shuffled[np.argsort(keys, kind="stable")]


def _random_tag(start: IntArray, length: IntArray, flat: IntArray, who: IntArray, rng: np.random.Generator) -> IntArray:
    """One tag id drawn uniformly from each learner's list (every learner in ``who`` has one)."""
    return flat[start[who] + (rng.random(len(who)) * length[who]).astype(np.int64)]


def _exchange(rev: IntArray, au: IntArray, cohort: _Cohort, proposal: Proposal, passes: int = 3) -> int:
    """Apply the proposed seat exchanges that are valid and gain; return how many were applied.

    Exchanging the reviewers of two seats keeps every load and every received count. Within a pass
    a row takes part in its first proposal only, so that the checks see the rows as they will be;
    proposals that lost a row to an earlier one are checked again, against the new rows, in the
    next pass (a pass keeps about two in five of them).
    """
    i1, j1, i2, j2 = (x[proposal[0] != proposal[2]] for x in proposal)
    applied = 0
    for _ in range(passes):
        if len(i1) == 0:
            break
        p = np.arange(len(i1))
        first = np.full(len(au), len(i1), dtype=np.int64)  # the first proposal each row takes part in
        np.minimum.at(first, i1, p)
        np.minimum.at(first, i2, p)
        now = (first[i1] == p) & (first[i2] == p)
        applied += _apply(rev, au, cohort, i1[now], j1[now], i2[now], j2[now])
        i1, j1, i2, j2 = i1[~now], j1[~now], i2[~now], j2[~now]
    return applied


def _apply(rev: IntArray, au: IntArray, cohort: _Cohort, i1: IntArray, j1: IntArray, i2: IntArray, j2: IntArray) -> int:
    """Exchange the seats of row-disjoint proposals where that is valid and gains."""
    r1, r2, a1, a2 = rev[i1, j1], rev[i2, j2], au[i1], au[i2]
    valid = (
        (r1 >= 0)
        & (r2 >= 0)
        & (r1 != r2)
        & (r2 != a1)
        & (r1 != a2)
        & ~(rev[i1] == r2[:, None]).any(axis=1)
        & ~(rev[i2] == r1[:, None]).any(axis=1)
    )
    c1, c2, d1, d2 = (cohort.circle[x] for x in (r1, r2, a1, a2))  # gather each once
    cross = (c2 != d1).astype(np.int64) + (c1 != d2) - (c1 != d1) - (c2 != d2)
    gain = _CIRCLE_WEIGHT * cross + _SELF_WEIGHT * ((r1 == a1).astype(np.int64) + (r2 == a2))
    if cohort.tagged:
        k1, k2, w1, w2 = cohort.knows_of(r1), cohort.knows_of(r2), cohort.wants_of(a1), cohort.wants_of(a2)
        gain += _overlap(k2, w1).astype(np.int64) + _overlap(k1, w2) - _overlap(k1, w1) - _overlap(k2, w2)
    ok = valid & (gain > 0)
    rev[i1[ok], j1[ok]] = r2[ok]
    rev[i2[ok], j2[ok]] = r1[ok]
    return int(ok.sum())


def _repair_self(
    rev: IntArray, au: IntArray, ar: IntArray, k: int, cohort: _Cohort, rng: np.random.Generator
) -> IntArray:
    """Remove self-reviews (possible only with a separate pool), keeping loads and distinct reviewers."""
    for _ in range(20):
        if not (rev == au[:, None]).any() or _exchange(rev, au, cohort, _propose_mixing(rev, au, cohort, rng)) == 0:
            break
    n = len(au)
    for i, j in zip(*np.nonzero(rev == au[:, None]), strict=True):
        if rev[i, j] != au[i]:
            continue  # fixed on the way by an earlier exchange
        # Exhaustive search for a partner seat: its reviewer is new to row i and not author i,
        # and row i2 does not contain author i as a reviewer yet.
        a = au[i]
        ok = (rev != a) & ~np.isin(rev, rev[i]) & ~(rev == a).any(axis=1, keepdims=True)
        ok[i] = False
        found = np.flatnonzero(ok)
        if len(found):
            i2, j2 = divmod(int(found[0]), k)
            rev[i, j], rev[i2, j2] = rev[i2, j2], rev[i, j]
    if not (rev == au[:, None]).any():
        return rev
    return _flow(au, ar, k, n)  # tiny rounds where no exchange exists


def _flow(au: IntArray, ar: IntArray, k: int, n: int) -> IntArray:
    """Exact b-matching by augmenting paths: rows filled first to the lower, then the upper load.

    Only for tiny rounds that the circulant plus exchanges cannot serve; ``-1`` marks a seat
    nobody can take (never expected while the pool has more than ``k`` members).
    """
    authors, pool = au.tolist(), ar.tolist()
    members = set(pool)
    wanted = [min(k, len(pool) - (a in members)) for a in authors]
    rows: list[list[int]] = [[] for _ in authors]
    low, high = sum(wanted) // len(pool), -(-sum(wanted) // len(pool))
    load: Counter[int] = Counter()
    # Filling everyone up to the lower load first, then the upper, keeps loads within one; higher
    # caps are a safety net for a balance that cannot exist (not expected: exclusions form a matching).
    for cap in chain((low, high), range(high + 1, n + 2)):
        for i in range(len(rows)):
            while len(rows[i]) < wanted[i] and _augment(i, rows, authors, pool, load, cap):
                pass
        if all(len(row) >= want for row, want in zip(rows, wanted, strict=True)):
            break
    return np.array([row + [-1] * (k - len(row)) for row in rows], dtype=np.int64).reshape(len(rows), k)


def _augment(
    start: int, rows: list[list[int]], authors: list[int], pool: list[int], load: Counter[int], cap: int
) -> bool:
    """One more reviewer for row ``start`` along a shortest alternating path (breadth-first)."""
    holders: defaultdict[int, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        for r in row:
            holders[r].append(i)
    parent: dict[int, tuple[int, int]] = {start: (-1, -1)}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        for r in pool:
            if r == authors[u] or r in rows[u]:
                continue
            if load[r] < cap:
                rows[u].append(r)
                load[r] += 1
                while u != start:  # each row on the path hands its reviewer back and keeps the new one
                    prev, given = parent[u]
                    rows[u].remove(given)
                    rows[prev].append(given)
                    u = prev
                return True
            for v in holders[r]:
                if v not in parent:
                    parent[v] = (u, r)
                    queue.append(v)
    return False


# --- incremental state shared by add_late and reassign ---------------------------------------


class _State:
    """A round as index arrays, grown or shrunk pair by pair by the updates."""

    def __init__(self, cohort: _Cohort, reviewer: IntArray, author: IntArray) -> None:
        self.cohort = cohort
        n = len(cohort.ids)
        self.reviewer, self.author = reviewer, author
        self.load = np.bincount(reviewer, minlength=n).astype(np.int64)
        self.received = np.bincount(author, minlength=n).astype(np.int64)
        self.is_author = np.zeros(n, dtype=np.bool_)
        self.is_pool = np.zeros(n, dtype=np.bool_)
        self.dropped: set[str] = set()
        self.new_r: list[int] = []
        self.new_a: list[int] = []

    @classmethod
    def of(
        cls, allocation: Allocation, newcomers: list[str], circles: dict[str, str], profiles: dict[str, Profile]
    ) -> _State:
        old = allocation.assignments
        known = old._names  # sorted: every author and reviewer of the allocation
        extra = [x for x in newcomers if not _has(known, x)]
        cohort = _Cohort(sorted([*known, *extra]), circles, profiles)
        # Old learner i moves up by the number of newcomers sorted before it.
        shift = np.zeros(len(known) + 1, dtype=np.int64)
        np.add.at(shift, [bisect.bisect_left(known, x) for x in extra], 1)
        remap = np.arange(len(known), dtype=np.int64) + np.cumsum(shift)[:-1]
        state = cls(cohort, remap[old._r], remap[old._a])
        state.is_author = cohort.mask([*allocation.authors, *newcomers])  # newcomers are not authors yet
        state.is_pool = cohort.mask(
            [*allocation.reviewers, *(x for x in newcomers if not _has(allocation.reviewers, x))]
        )
        state.dropped = set(allocation.dropped)
        return state

    def active(self) -> BoolArray:
        return self.is_pool & ~self.cohort.mask(self.dropped)

    def reviews_by(self, reviewer: int) -> list[int]:
        old: list[int] = self.author[self.reviewer == reviewer].tolist()
        return old + [a for r, a in zip(self.new_r, self.new_a, strict=True) if r == reviewer]

    def reviewers_of(self, author: int) -> list[int]:
        old: list[int] = self.reviewer[self.author == author].tolist()
        return old + [r for r, a in zip(self.new_r, self.new_a, strict=True) if a == author]

    def pick(
        self,
        count: npt.NDArray[np.int64] | npt.NDArray[np.float64],
        eligible: BoolArray,
        excluded: list[int],
        need: int,
        rng: np.random.Generator,
        *,
        reviewer: int | None = None,
        author: int | None = None,
    ) -> list[int]:
        """Up to ``need`` eligible learners with the lowest ``count``; ties: other circle, match, random."""
        c = self.cohort
        everyone = np.arange(len(c.ids), dtype=np.int64)
        if reviewer is not None:  # picking authors for this reviewer
            same = c.circle == c.circle[reviewer]
            matched = c.match(np.array([reviewer]), everyone)
        elif author is not None:  # picking reviewers for this author
            same = c.circle == c.circle[author]
            matched = c.match(everyone, np.array([author]))
        else:
            raise TypeError("pick() needs the reviewer or the author it picks for")
        # count dominates (ties below add less than 4), so the least-loaded level always wins.
        key = np.asarray(count, dtype=np.float64) * 4 + same * 2 + ~matched + rng.random(len(c.ids))
        key[~eligible] = _NO_CANDIDATE
        key[excluded] = _NO_CANDIDATE
        take = min(need, int(np.isfinite(key).sum()))
        if take <= 0:
            return []
        chosen = np.argpartition(key, take - 1)[:take]
        picked: list[int] = chosen[np.argsort(key[chosen])].tolist()
        return picked

    def add(self, reviewers: list[int], authors: list[int]) -> None:
        self.new_r += reviewers
        self.new_a += authors
        np.add.at(self.load, reviewers, 1)
        np.add.at(self.received, authors, 1)

    def remove(self, reviewers: list[int], authors: list[int]) -> None:
        n = len(self.cohort.ids)
        gone = np.isin(self.reviewer * n + self.author, np.array(reviewers, dtype=np.int64) * n + authors)
        self.reviewer, self.author = self.reviewer[~gone], self.author[~gone]
        np.subtract.at(self.load, reviewers, 1)
        np.subtract.at(self.received, authors, 1)

    def update(self, k: int, *, removed: tuple[Pair, ...]) -> Update:
        names = self.cohort.ids
        reviewer = np.concatenate((self.reviewer, np.array(self.new_r, dtype=np.int64)))
        author = np.concatenate((self.author, np.array(self.new_a, dtype=np.int64)))
        allocation = _finish(self.cohort, k, reviewer, author, self.is_author, self.is_pool, frozenset(self.dropped))
        added = tuple(sorted((names[r], names[a]) for r, a in zip(self.new_r, self.new_a, strict=True)))
        return Update(allocation, added, removed)


# --- results --------------------------------------------------------------------------------


def _finish(
    cohort: _Cohort,
    k: int,
    reviewer: IntArray,
    author: IntArray,
    is_author: BoolArray,
    is_pool: BoolArray,
    dropped: frozenset[str],
) -> Allocation:
    """Sort the pairs and compute counts, shortfall and reports: the one way results are made."""
    n = len(cohort.ids)
    keys = np.sort(reviewer.astype(np.int64) * n + author)  # sorting one key beats lexsort tenfold
    reviewer, author = keys // n, keys % n
    load = np.bincount(reviewer, minlength=n).astype(np.int64)
    received = np.bincount(author, minlength=n).astype(np.int64)
    pool_idx, author_idx = np.flatnonzero(is_pool), np.flatnonzero(is_author)
    pool_names, author_names = cohort.subset(pool_idx), cohort.subset(author_idx)
    active = is_pool & ~cohort.mask(dropped)
    n_active = int(active.sum())
    shortfall = []
    for a in author_idx[received[author_idx] < k].tolist():
        others = n_active - int(active[a])
        reason = (
            f"only {others} other learner{_s(others)} can review it; {k} reviewer{_s(k)} per submission "
            f"need at least {k + 1} learners who can review"
            if others < k
            else "no eligible reviewer was left to take the missing reviews"
        )
        shortfall.append(Shortfall(cohort.ids[a], int(received[a]), k - int(received[a]), reason))
    return Allocation(
        k=k,
        assignments=Pairs(cohort.names, reviewer, author),
        authors=author_names,
        reviewers=pool_names,
        load=Counts(pool_names, load[pool_idx]),
        received=Counts(author_names, received[author_idx]),
        mixing=_mixing(cohort, reviewer, author, load, received, is_author, is_pool),
        matching=Matching(
            matched=int(cohort.match(reviewer, author).sum()),
            wanting=int(cohort.wants_any[author].sum()),
            assignments=len(reviewer),
        ),
        shortfall=tuple(shortfall),
        dropped=dropped,
        circles=MappingProxyType(cohort.circles),
        profiles=MappingProxyType(cohort.profiles),
    )


def _mixing(
    cohort: _Cohort,
    reviewer: IntArray,
    author: IntArray,
    load: IntArray,
    received: IntArray,
    is_author: BoolArray,
    is_pool: BoolArray,
) -> Mixing:
    """Cross-circle count, and an upper bound from three lower bounds on same-circle pairs per circle.

    For circle C: its authors' reviews plus its reviewers' loads minus all reviews (what C needs
    beyond what the outside can give or take); for each author in C, reviews beyond the number of
    reviewers outside C; for each reviewer in C, reviews beyond the number of authors outside C.
    The bound uses only the per-learner counts, so it holds for every allocation with those counts.
    """
    c, m, codes = cohort.circle, len(reviewer), cohort.n_codes
    cross = int((c[reviewer] != c[author]).sum())
    received_c = np.bincount(c, weights=received, minlength=codes)
    load_c = np.bincount(c, weights=load, minlength=codes)
    authors_c = np.bincount(c[is_author], minlength=codes)
    pool_c = np.bincount(c[is_pool], minlength=codes)
    outside_pool = int(is_pool.sum()) - pool_c[c]
    outside_authors = int(is_author.sum()) - authors_c[c]
    per_author = np.bincount(c, weights=np.maximum(0, received - outside_pool) * is_author, minlength=codes)
    per_reviewer = np.bincount(c, weights=np.maximum(0, load - outside_authors) * is_pool, minlength=codes)
    same = np.maximum.reduce([np.zeros(codes), received_c + load_c - m, per_author, per_reviewer])
    return Mixing(cross_circle=cross, assignments=m, best_possible=m - round(float(same.sum())))


# --- small helpers --------------------------------------------------------------------------


def _has(sorted_ids: tuple[str, ...], learner: str) -> bool:
    at = bisect.bisect_left(sorted_ids, learner)
    return at < len(sorted_ids) and sorted_ids[at] == learner


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


def _few(items: Sequence[object]) -> str:
    shown = ", ".join(str(x) for x in items[:5])
    return shown + (f" and {len(items) - 5} more" if len(items) > 5 else "")


def _s(count: int) -> str:
    return "" if count == 1 else "s"
