"""The local search of :func:`~peerkit.core.allocation.allocate`: exchanges that keep every load and count.

A bounded local search exchanges the reviewers of two seats (row ``i``, column ``j`` of the
authors × ``k`` reviewer matrix); an exchange keeps every load and every received count.
Same-circle seats are offered to same-circle seats of other circles, and each submission with an
unmatched seat picks a wanted tag and is offered an unmatched seat whose reviewer knows it; valid
exchanges that gain are applied in parallel, row-disjoint, in a few passes per round; the
matching state of every seat is kept up to date by the exchanges rather than recomputed. The gain
weights make sure that an exchange loses no cross-circle assignment, so matching never costs
mixing, and neither ever costs an invariant.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from peerkit.core.allocation.cohort import _Cohort
from peerkit.core.allocation.records import BoolArray, IntArray

#: Exchange rounds of the local search in :func:`allocate`. A round costs a few passes over the
#: round's arrays, fewer as seats get matched: on the benchmark cohort eight rounds take the
#: matched share from 12 % to 98 % for about 0.07 s of CPU at 100,000 learners (five: 93 %).
DEFAULT_MATCH_ROUNDS: Final = 8
#: Gain of one exchange = 3·Δcross-circle + Δmatches; Δmatches is at most 2, so any mixing gain
#: beats any matching gain and no exchange trades mixing for matches.
_CIRCLE_WEIGHT: Final = 3
_SELF_WEIGHT: Final = 100


def _improve(
    rev: IntArray, au: IntArray, cohort: _Cohort, rng: np.random.Generator, rounds: int, best: int
) -> tuple[int, int | None]:
    """Rounds of exchanges; ``best`` is the cross-circle bound, fixed because exchanges keep all counts.

    Returns the cross-circle count, kept up to date from the gains of the applied exchanges, and
    the matched count (``None`` without profiles) from the matching state of every seat
    (:class:`_Seats`), kept up to date the same way.
    """
    cross = int((cohort.circle[rev] != cohort.circle[au][:, None]).sum())
    seats = _Seats(rev, au, cohort) if cohort.tagged else None
    for _ in range(rounds):
        changed = 0
        if cross < best:
            applied, gained = _exchange(rev, au, cohort, _propose_mixing(rev, au, cohort, rng), seats)
            changed, cross = changed + applied, cross + gained
        if seats is not None:
            applied, gained = _exchange(rev, au, cohort, _propose_matching(rev, seats, cohort, rng), seats)
            changed, cross = changed + applied, cross + gained
        if changed == 0 and seats is None:
            break
    return cross, None if seats is None else rev.size - int(seats.unmatched.sum())


class _Seats:
    """The matching state of every seat (flat, ``row * k + column``), updated by each exchange.

    Recomputing it every round would read every seat's reviewer and author bitsets again; an
    exchange changes two seats. The rows' authors keep their rows, so what belongs to them (their
    wanted-tag lists: start and length in ``cohort.wants_flat``; whether they want any) is read once.
    """

    def __init__(self, rev: IntArray, au: IntArray, cohort: _Cohort) -> None:
        self.words = cohort.knows.shape[1]
        self.wants_start, self.wants_len = cohort.wants_start[au], cohort.wants_len[au]
        self.wanting: BoolArray = self.wants_len > 0
        knows = cohort.knows_of(rev.reshape(-1))
        wants = np.repeat(cohort.wants_of(au), rev.shape[1], axis=0)
        self.unmatched = ~_overlap(knows, wants, self.words)
        # Offered to a submission that wants a tag: unmatched seats whose reviewer knows a tag someone wants.
        self.offered = self.unmatched & _known(knows, self.words)

    def update(self, at: IntArray, knows: npt.NDArray[np.uint64], matched: BoolArray) -> None:
        """Seats ``at`` now have reviewers with bitsets ``knows``, ``matched`` with their authors or not."""
        self.unmatched[at] = ~matched
        self.offered[at] = ~matched & _known(knows, self.words)


def _known(knows: npt.NDArray[np.uint64], words: int) -> BoolArray:
    """Elementwise: does the bitset hold a tag?"""
    return np.asarray(knows != 0 if words == 1 else (knows != 0).any(axis=-1), dtype=np.bool_)


#: Proposed exchanges: the rows and the flat seat indices (``row * k + column``) of both seats.
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
    partner_rows = np.where(paired, rows[across], rng.integers(n, size=len(rows))).astype(np.int64)
    partner_seats = np.where(paired, seats[across], rng.integers(k, size=len(rows)))
    return rows, rows * k + seats, partner_rows, partner_rows * k + partner_seats


def _propose_matching(rev: IntArray, seats: _Seats, cohort: _Cohort, rng: np.random.Generator) -> Proposal:
    """Submissions with an unmatched seat each pick a wanted tag and are offered an unmatched seat whose
    reviewer knows it.

    The l-th submission wanting tag t (random order) meets the l-th offered seat for t (random
    order), so every round tries new partners.
    """
    n, k = rev.shape
    unmatched = seats.unmatched.reshape(n, k)
    open_row = unmatched[:, 0].copy()
    for j in range(1, k):  # column by column: any(axis=1) over k columns is slower tenfold
        open_row |= unmatched[:, j]
    needy = np.flatnonzero(seats.wanting & open_row)
    seat = needy * k + _random_column(seats.unmatched, needy, k, rng)
    tag = _random_tag(seats.wants_start, seats.wants_len, cohort.wants_flat, needy, rng)
    slots = np.flatnonzero(seats.offered)
    offerer = rev.reshape(-1)[slots]
    if len(slots) > len(cohort.ids):  # fewer draws: one tag per learner, offered on each of their seats
        everyone = np.arange(len(cohort.ids))
        offer = _random_tag(cohort.knows_start, cohort.knows_len, cohort.knows_flat, everyone, rng)[offerer]
    else:
        offer = _random_tag(cohort.knows_start, cohort.knows_len, cohort.knows_flat, offerer, rng)
    n_tags = len(cohort.tag_names)
    slots = slots[_by_tag(offer, n_tags, rng)]
    by_tag = _by_tag(tag, n_tags, rng)
    needy, seat, tag = needy[by_tag], seat[by_tag], tag[by_tag]
    # Both lists are now grouped by tag: group starts from counts (tags are few), ranks inside groups.
    wanted, offered = np.bincount(tag, minlength=n_tags), np.bincount(offer, minlength=n_tags)
    rank = np.arange(len(tag)) - (np.cumsum(wanted) - wanted)[tag]
    ok = rank < offered[tag]
    partner = slots[((np.cumsum(offered) - offered)[tag] + rank)[ok]]
    return needy[ok], seat[ok], partner // k, partner


def _random_column(unmatched: BoolArray, rows: IntArray, k: int, rng: np.random.Generator) -> IntArray:
    """For each of ``rows`` (each has an unmatched seat), the column of one of its unmatched seats.

    Drawn uniformly by rejection: a random column, drawn again where that seat is matched. After
    eight draws (one row in 25 with one unmatched seat of three) the first unmatched seat is taken,
    which for such a row is the only one.
    """
    column = (rng.random(len(rows)) * k).astype(np.int64)
    todo = np.flatnonzero(~unmatched[rows * k + column])
    for _ in range(7):
        if len(todo) == 0:
            return column
        column[todo] = (rng.random(len(todo)) * k).astype(np.int64)
        todo = todo[~unmatched[rows[todo] * k + column[todo]]]
    column[todo] = np.argmax(unmatched.reshape(-1, k)[rows[todo]], axis=1)
    return column


def _overlap(knows: npt.NDArray[np.uint64], wants: npt.NDArray[np.uint64], words: int) -> BoolArray:
    """Elementwise: do the bitsets share a tag? With more than one word per bitset the last axis holds the words."""
    common = (knows & wants) != 0
    return np.asarray(common if words == 1 else common.any(axis=-1), dtype=np.bool_)


def _by_tag(tags: IntArray, n_tags: int, rng: np.random.Generator) -> IntArray:
    """An order sorting ``tags``, random among equal tags.

    numpy's stable sort of 16-bit keys is a radix sort: with up to 1,024 tags the key is the tag
    above at least 6 random bits, and the sort is the only pass (equal keys keep their order, a
    small bias among a tag's elements that changes every round). More tags: a stable sort of a
    random permutation.
    """
    tag_bits = max(n_tags - 1, 1).bit_length()
    if tag_bits <= 10:
        low = 16 - tag_bits
        keys = (tags.astype(np.uint16) << np.uint16(low)) | rng.integers(0, 1 << low, len(tags), dtype=np.uint16)
        return np.argsort(keys, kind="stable")
    shuffled = rng.permutation(len(tags))
    return shuffled[np.argsort(tags[shuffled], kind="stable")]


def _random_tag(start: IntArray, length: IntArray, flat: IntArray, who: IntArray, rng: np.random.Generator) -> IntArray:
    """One tag id drawn uniformly from each learner's list (a learner without one gets a tag that is never used)."""
    at = start[who] + (rng.random(len(who)) * length[who]).astype(np.int64)
    return flat[np.minimum(at, len(flat) - 1)]


def _exchange(
    rev: IntArray, au: IntArray, cohort: _Cohort, proposal: Proposal, seats: _Seats | None = None, passes: int = 3
) -> tuple[int, int]:
    """Apply the proposed seat exchanges that are valid and gain; return how many, and the cross-circle gain.

    Exchanging the reviewers of two seats keeps every load and every received count. Within a pass
    a row takes part in its first proposal only, so that the checks see the rows as they will be;
    proposals that lost a row to an earlier one are checked again, against the new rows, in the
    next pass (a pass keeps about two in five of them).
    """
    i1, s1, i2, s2 = (x[proposal[0] != proposal[2]] for x in proposal)
    applied = gained = 0
    for _ in range(passes):
        if len(i1) == 0:
            break
        p = np.arange(len(i1))
        first = np.full(len(au), len(i1), dtype=np.int64)  # the first proposal each row takes part in
        np.minimum.at(first, i1, p)
        np.minimum.at(first, i2, p)
        first_in_both = (first[i1] == p) & (first[i2] == p)
        now, later = np.flatnonzero(first_in_both), np.flatnonzero(~first_in_both)  # indices: taken 4 times each
        count, cross = _apply(rev, au, cohort, i1[now], s1[now], i2[now], s2[now], seats)
        applied, gained = applied + count, gained + cross
        i1, s1, i2, s2 = i1[later], s1[later], i2[later], s2[later]
    return applied, gained


def _apply(
    rev: IntArray,
    au: IntArray,
    cohort: _Cohort,
    i1: IntArray,
    s1: IntArray,
    i2: IntArray,
    s2: IntArray,
    seats: _Seats | None,
) -> tuple[int, int]:
    """Exchange the seats of row-disjoint proposals where that is valid and gains.

    Returns how many were exchanged and what that gained in cross-circle assignments.
    """
    flat = np.reshape(rev, -1, copy=False)  # a view (raises rather than copy): writes go to rev
    r1, r2, a1, a2 = flat[s1], flat[s2], au[i1], au[i2]
    valid = (r1 != r2) & (r2 != a1) & (r1 != a2)  # every seat is filled: the search runs on complete rounds
    k = rev.shape[1]
    base1, base2 = i1 * k, i2 * k
    for j in range(k):  # column by column: gathering whole rows and any(axis=1) are slower
        valid &= (flat[base1 + j] != r2) & (flat[base2 + j] != r1)
    c1, c2, d1, d2 = (cohort.circle[x] for x in (r1, r2, a1, a2))  # gather each once
    cross = (c2 != d1).astype(np.int64) + (c1 != d2) - (c1 != d1) - (c2 != d2)
    gain = _CIRCLE_WEIGHT * cross + _SELF_WEIGHT * ((r1 == a1).astype(np.int64) + (r2 == a2))
    if cohort.tagged:
        words = cohort.knows.shape[1]
        k1, k2, w1, w2 = cohort.knows_of(r1), cohort.knows_of(r2), cohort.wants_of(a1), cohort.wants_of(a2)
        now1, now2 = _overlap(k2, w1, words), _overlap(k1, w2, words)  # the seats' matches after the exchange
        gain += now1.astype(np.int64) + now2 - _overlap(k1, w1, words) - _overlap(k2, w2, words)
    ok = np.flatnonzero(valid & (gain > 0))  # indices: each is taken several times
    flat[s1[ok]] = r2[ok]
    flat[s2[ok]] = r1[ok]
    if seats is not None:
        seats.update(s1[ok], k2[ok], now1[ok])
        seats.update(s2[ok], k1[ok], now2[ok])
    return len(ok), int(cross[ok].sum())
