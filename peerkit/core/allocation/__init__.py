"""Who reviews whom in a peer-review round: the first allocation, late submitters, drop-outs.

Pure functions over opaque learner ids (standard library and numpy only, no I/O):

* :func:`allocate` gives every submission ``k`` reviewers when the round starts;
* :func:`add_late` brings late submitters in as soon as they submit, moving no existing pair;
* :func:`reassign` hands the open reviews of learners who dropped out to active learners;
* :func:`rejoin` brings learners who dropped out back, with reviews to do again;
* :func:`rebuild` turns stored pairs back into an :class:`Allocation` for the updates.

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

Modules
-------
Import from this package; the modules are its implementation, one concept each:

* ``records``: the result records (:class:`Allocation`, :class:`Update`, :class:`Pairs`,
  :class:`Counts`, :class:`Mixing`, :class:`Matching`, :class:`Shortfall`), :class:`Profile` and
  the errors;
* ``construct``: :func:`allocate`, the ring and its circulant design (the algorithm is described
  there), and the repair of self-reviews with a separate pool;
* ``search``: the exchange search that improves mixing and matching after the construction;
* ``updates``: :func:`add_late`, :func:`reassign`, :func:`rejoin` and :func:`rebuild` (their load
  bounds are stated there);
* ``ledger``: the running round the updates change pair by pair, at a constant cost per pick;
* ``cohort``: the index space of one computation (sorted ids, circle codes, tag bitsets);
* ``results``: index arrays to an :class:`Allocation`, and the bound on the cross-circle share;
* ``inputs``: checks of the request.
"""

from __future__ import annotations

from peerkit.core.allocation.construct import allocate
from peerkit.core.allocation.records import (
    Allocation,
    AllocationRequestError,
    Counts,
    IncompleteRoundError,
    Matching,
    Mixing,
    Pair,
    Pairs,
    Profile,
    Shortfall,
    Update,
)
from peerkit.core.allocation.search import DEFAULT_MATCH_ROUNDS
from peerkit.core.allocation.updates import add_late, reassign, rebuild, rejoin

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
    "rejoin",
]
