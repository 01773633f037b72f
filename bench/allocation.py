"""Reviewer allocation at scale: time, mixing and matching from 1,000 to 100,000 learners.

    .venv/bin/python -m bench.allocation [--runs 5] [--k 3] [--seed 0]

Each size gets a synthetic cohort, built once outside the timing: about 20 circles of uneven
(Zipf-like) size hold 90 % of the learners, the rest have no circle; 80 % of the learners have a
profile with 1–4 known and 1–2 wanted tags out of 30, popular tags likelier. The time is the
median wall time of ``allocate`` over the runs (different seeds), with its CPU time beside it
(the machine may be shared). Mixing is the cross-circle share against the best share any
allocation with the same loads could reach; matching is the share of reviews whose reviewer knows
a tag the author wants, with and without the exchange search. Every allocation is checked (no
self-review, no pair twice, k reviewers and k reviews each) outside the timing. Last, 100 late
submitters join the 100,000 allocation in one call, then a single one (existing pairs checked
unmoved). Target: 100,000 learners, k = 3, in ≤ 1.0 s (median wall time), and ≤ 4× a plain ring
allocation (sorted ids, learner i reviews i+1 … i+k mod n, the pairs as tuples) timed in the same run,
so that a loaded machine shows in both.

Healing, at 1,000, 10,000 and 100,000 learners: 5 % of the learners drop out with every review
open, and ``reassign`` moves their reviews; the cost per moved review is the call's time over the
reviews moved (CPU time: the machine may be shared), and the marginal cost subtracts a call that
moves nothing (reading the round once).
Target: flat across sizes. Then half of them return (``rejoin``), per returner.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import numpy as np

from peerkit.core.allocation import Allocation, Profile, Update, add_late, allocate, reassign, rejoin

TARGET = 1.0
RING_RATIO = 4.0
HEAL_SIZES = (1_000, 10_000, 100_000)
DROP_OUT = 0.05
SIZES = (1_000, 3_000, 10_000, 30_000, 100_000)
N_CIRCLES = 20
N_TAGS = 30
LATE = 100
T = TypeVar("T")


def cohort(n: int, seed: int) -> tuple[list[str], dict[str, str], dict[str, Profile]]:
    """Learner ids, circles of uneven size, profiles with popular and rare tags."""
    rng = np.random.default_rng(seed)
    ids = [f"learner-{i:06d}" for i in range(n)]
    weights = 1.0 / np.arange(1, N_CIRCLES + 1)  # the largest circle is about a quarter of the cohort
    circle = rng.choice(N_CIRCLES, size=n, p=weights / weights.sum())
    in_circle = rng.random(n) < 0.9
    circles = {
        x: f"circle-{c:02d}" for x, c, inside in zip(ids, circle.tolist(), in_circle.tolist(), strict=True) if inside
    }
    tags = [f"topic-{t:02d}" for t in range(N_TAGS)]
    popularity = 1.0 / np.sqrt(np.arange(1, N_TAGS + 1))
    popularity /= popularity.sum()
    profiles: dict[str, Profile] = {}
    for x in ids:
        if rng.random() < 0.8:
            knows = rng.choice(N_TAGS, size=rng.integers(1, 5), replace=False, p=popularity)
            wants = rng.choice(N_TAGS, size=rng.integers(1, 3), replace=False, p=popularity)
            profiles[x] = Profile(frozenset(tags[t] for t in knows), frozenset(tags[t] for t in wants))
    return ids, circles, profiles


def check(allocation: Allocation, k: int) -> None:
    """The hard invariants, outside the timing."""
    pairs = list(allocation.assignments)
    assert len(pairs) == k * len(allocation.authors)
    assert len(set(pairs)) == len(pairs), "a pair appears twice"
    assert all(r != a for r, a in pairs), "someone reviews themselves"
    assert set(allocation.load.values()) == {k} == set(allocation.received.values())


def timed(call: Callable[[int], T], runs: int) -> tuple[float, float, T]:
    """Median wall and CPU seconds of ``call(run)`` over the runs, and the last result."""
    walls, cpus = [], []
    for run in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = call(run)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def allocate_with_seed(
    seed: int, *, ids: list[str], k: int, circles: dict[str, str], profiles: dict[str, Profile]
) -> Allocation:
    return allocate(ids, k, seed=seed, circles=circles, profiles=profiles)


def late_with_seed(allocation: Allocation, newcomers: list[str], seed: int) -> Update:
    return add_late(allocation, newcomers, seed=seed)


def ring(ids: list[str], k: int) -> list[tuple[str, str]]:
    """The plain baseline: sorted ids, learner i reviews i+1 … i+k (mod n), pairs as tuples."""
    names = sorted(ids)
    n = len(names)
    at = np.arange(n, dtype=np.int64)
    reviewer = ((at[:, None] + np.arange(1, k + 1)) % n).ravel()
    author = np.repeat(at, k)
    return list(zip([names[i] for i in reviewer.tolist()], [names[i] for i in author.tolist()], strict=True))


def heal(n: int, k: int, seed: int, runs: int) -> None:
    """5 % drop-out with every review open, moved by reassign; then half of them return."""
    ids, circles, profiles = cohort(n, seed)
    allocation = allocate(ids, k, seed=seed, circles=circles, profiles=profiles)
    rng = np.random.default_rng(seed)
    gone = sorted(rng.choice(ids, size=int(n * DROP_OUT), replace=False).tolist())
    pairs = list(allocation.assignments)
    wall, cpu, update = timed(lambda run: reassign(allocation, pairs, gone, seed=run), runs)
    _, still, _ = timed(lambda run: reassign(allocation, pairs, [], seed=run), runs)
    moved = len(update.removed)
    after = update.allocation
    assert moved == len(update.added) and after.complete and max(after.load.values()) <= k + 1
    back = gone[::2]
    rwall, rcpu, rejoined = timed(lambda run: rejoin(after, back, seed=run), runs)
    assert all(rejoined.allocation.load[x] >= k - 1 for x in back) and max(rejoined.allocation.load.values()) <= k + 1
    loads = [after.load[x] for x in set(ids) - set(gone)]
    print(
        f"{n:>9,} {moved:>7,} {wall:7.3f} {cpu:7.3f} {cpu / moved * 1e6:9.1f} {(cpu - still) / moved * 1e6:9.1f} "
        f"{min(loads)}–{max(loads):<3} {len(back):>7,} {rwall:7.3f} {rcpu / len(back) * 1e6:11.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    k = args.k
    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    print(f"allocate(), k = {k}, median of {args.runs} runs ({load}); growth: wall and cpu versus the size before")
    print(
        f"{'learners':>9} {'wall s':>7} {'cpu s':>7} {'growth':>23} {'cross-circle':>13} {'best':>6} "
        f"{'matched':>8} {'no search':>10}"
    )
    warm_ids, warm_circles, warm_profiles = cohort(SIZES[0], args.seed)
    allocate(warm_ids, k, seed=args.seed, circles=warm_circles, profiles=warm_profiles)  # first-call costs, untimed
    walls: dict[int, float] = {}
    cpus: dict[int, float] = {}
    last: Allocation | None = None
    for before, n in zip((None, *SIZES), SIZES, strict=False):
        ids, circles, profiles = cohort(n, args.seed)
        call = partial(allocate_with_seed, ids=ids, k=k, circles=circles, profiles=profiles)
        walls[n], cpus[n], allocation = timed(call, args.runs)
        check(allocation, k)
        plain = allocate(ids, k, seed=args.seed, circles=circles, profiles=profiles, match_rounds=0)
        growth = (
            ""
            if before is None
            else f"×{walls[n] / walls[before]:.1f} / ×{cpus[n] / cpus[before]:.1f} for ×{n / before:.1f}"
        )
        print(
            f"{n:>9,} {walls[n]:7.3f} {cpus[n]:7.3f} {growth:>23} {allocation.mixing.share:13.1%} "
            f"{allocation.mixing.best_share:6.1%} {allocation.matching.share:8.1%} {plain.matching.share:10.1%}"
        )
        last = allocation
    first, final = SIZES[0], SIZES[-1]
    print(
        f"growth {first:,} → {final:,} (×{final // first} learners): ×{walls[final] / walls[first]:.0f} wall, "
        f"×{cpus[final] / cpus[first]:.0f} cpu; {walls[final] / final * 1e6:.1f} µs per learner at {final:,}"
    )
    assert last is not None
    for count in (LATE, 1):
        newcomers = [f"late-{i:03d}" for i in range(count)]
        wall, cpu, update = timed(partial(late_with_seed, last, newcomers), args.runs)
        assert set(last.assignments) <= set(update.allocation.assignments), "an existing pair moved"
        loads = update.allocation.load.array()
        print(
            f"add_late: {count} late submitter{'s' if count > 1 else ''} into {final:,}: {wall:.3f} s wall, "
            f"{cpu:.3f} s cpu; {len(update.added)} pairs added, none moved; loads {loads.min()}–{loads.max()}"
        )
    ids, _, _ = cohort(final, args.seed)
    ring_wall, ring_cpu, _ = timed(lambda run: ring(ids, k), args.runs)
    ratio = walls[final] / ring_wall
    verdict = "PASS" if walls[final] <= TARGET else "FAIL"
    print(f"{final:,} learners, k = {k}: {walls[final]:.3f} s wall, median (target ≤ {TARGET} s) {verdict}")
    print(
        f"plain ring allocation of the same {final:,} ids (pairs as tuples): {ring_wall:.3f} s wall, {ring_cpu:.3f} s "
        f"cpu; allocate() with circles and profiles is ×{ratio:.1f} the ring (target ≤ ×{RING_RATIO:.0f}) "
        f"{'PASS' if ratio <= RING_RATIO else 'FAIL'}"
    )
    print()
    print(f"healing: {DROP_OUT:.0%} of the learners drop out with every review open; reassign() moves their reviews")
    print(
        f"{'learners':>9} {'moved':>7} {'wall s':>7} {'cpu s':>7} {'µs/moved':>9} {'marginal':>9} {'loads':<5} "
        f"{'return':>7} {'wall s':>7} {'µs/returner':>11}"
    )
    for n in HEAL_SIZES:
        heal(n, k, args.seed, args.runs)
    print(
        "µs/moved: the call's cpu time over the reviews moved; marginal: minus a call that moves nothing (reading "
        "the round once); µs/returner: rejoin()'s cpu time over the returners (reading the round included)"
    )


if __name__ == "__main__":
    main()
