"""Matching: the share of authors who get at least one reviewer who knows something they want to learn.

    .venv/bin/python -m bench.matching [--seeds 200] [--size 1000] [--k K]

The measure is :func:`peerkit.core.topics.matched_share`, the one a round's summary prints. It is
taken through the real allocators, for many seeds: a facilitator's round (:func:`allocate`, with
circles and profiles) and rolling review (:class:`RollingPool`, learners submitting one at a time in
a random order), beside the baseline of random allocation (each author gets ``k`` distinct other
learners at random).

Two cohorts:

* the demo cohort: the peers of ``course/demo/cohort.yml`` with their profiles mapped onto the
  course's topic vocabulary, plus the demo learner (who reviews, but whose profile is whatever the
  person walking the course types: counted as knowing nothing and wanting nothing). Target: at least
  80 % for every seed;
* a synthetic cohort of 1,000 learners in 20 circles of uneven size, 80 % of them with a profile of
  1–4 known and 1–2 wanted topics of the course's vocabulary, popular topics likelier.

``k`` defaults to the smallest ``per_submission`` of the course's reviewed paths (the hardest case).
"""

from __future__ import annotations

import argparse
import random
import statistics
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from peerkit.config.course import load_course
from peerkit.core.allocation import Pair, Profile, allocate
from peerkit.core.allocation.rolling import RollingPool
from peerkit.core.models import Course
from peerkit.core.topics import matched_share
from peerkit.demo.cohort import demo_profiles, load_peers
from tests.conftest import COURSE_FILE

TARGET = 0.8
N_CIRCLES = 20

Cohort = tuple[list[str], dict[str, str], dict[str, Profile]]
Allocator = Callable[[Cohort, int, int], Sequence[Pair]]


def demo_cohort(course: Course) -> Cohort:
    """The demo peers, their circles and profiles, and the demo learner without a profile."""
    peers = load_peers(course)
    ids = sorted({p.name for p in peers} | {course.demo_learner})
    circles = {p.name: p.circle for p in peers if p.circle}
    return ids, circles, demo_profiles(course, peers)


def synthetic_cohort(course: Course, n: int, seed: int) -> Cohort:
    """*n* learners in circles of uneven size, with profiles drawn from the course's topics."""
    rng = np.random.default_rng(seed)
    ids = [f"learner-{i:05d}" for i in range(n)]
    weights = 1.0 / np.arange(1, N_CIRCLES + 1)
    circle = rng.choice(N_CIRCLES, size=n, p=weights / weights.sum())
    circles = {x: f"circle-{c:02d}" for x, c in zip(ids, circle.tolist(), strict=True)}
    topics = [t.id for t in course.topics]
    popularity = 1.0 / np.sqrt(np.arange(1, len(topics) + 1))
    popularity /= popularity.sum()
    profiles: dict[str, Profile] = {}
    for x in ids:
        if rng.random() < 0.8:
            knows = rng.choice(len(topics), size=rng.integers(1, 5), replace=False, p=popularity)
            wants = rng.choice(len(topics), size=rng.integers(1, 3), replace=False, p=popularity)
            profiles[x] = Profile(frozenset(topics[t] for t in knows), frozenset(topics[t] for t in wants))
    return ids, circles, profiles


def by_round(cohort: Cohort, k: int, seed: int) -> Sequence[Pair]:
    ids, circles, profiles = cohort
    return list(allocate(ids, k, seed=seed, circles=circles, profiles=profiles).assignments)


def by_rolling(cohort: Cohort, k: int, seed: int) -> Sequence[Pair]:
    ids, circles, profiles = cohort
    pool = RollingPool(k, seed=seed, circles=circles, profiles=profiles)
    order = list(ids)
    random.Random(seed).shuffle(order)
    return [pair for learner in order for pair in pool.submit(learner)]


def by_chance(cohort: Cohort, k: int, seed: int) -> Sequence[Pair]:
    ids = cohort[0]
    rng = random.Random(seed)
    return [(r, a) for a in ids for r in rng.sample([x for x in ids if x != a], min(k, len(ids) - 1))]


ALLOCATORS: Mapping[str, Allocator] = {"round": by_round, "rolling": by_rolling, "random": by_chance}


def shares(cohort: Cohort, k: int, seeds: range, allocator: Allocator) -> list[float]:
    return [matched_share(allocator(cohort, k, seed), cohort[2]) for seed in seeds]


def report(name: str, cohort: Cohort, k: int, seeds: range) -> dict[str, list[float]]:
    wanting = sum(1 for p in cohort[2].values() if p.wants)
    print(f"{name}: {len(cohort[0]):,} learners ({wanting:,} say what they want to learn), k = {k}, {len(seeds)} seeds")
    found = {}
    for label, allocator in ALLOCATORS.items():
        values = found[label] = shares(cohort, k, seeds, allocator)
        print(
            f"  {label:<8} matched share: mean {statistics.fmean(values):6.1%}   "
            f"min {min(values):6.1%}   max {max(values):6.1%}"
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200, help="allocations per cohort and allocator")
    parser.add_argument("--size", type=int, default=1000, help="learners in the synthetic cohort")
    parser.add_argument("--k", type=int, default=None, help="reviews per submission (default: the course's least)")
    args = parser.parse_args()
    course = load_course(COURSE_FILE)
    k = args.k or min((p.review.per_submission for p in course.reviewed_paths() if p.review), default=3)
    print(f"topic vocabulary: {len(course.topics)} topics from {COURSE_FILE}")
    demo = report("demo cohort", demo_cohort(course), k, range(args.seeds))
    worst = min(min(demo["round"]), min(demo["rolling"]))
    verdict = "met" if worst >= TARGET else "NOT met"
    print(f"  target: at least {TARGET:.0%} for every seed, round and rolling: worst {worst:.1%}, {verdict}")
    report(
        f"synthetic cohort of {args.size:,}",
        synthetic_cohort(course, args.size, seed=0),
        k,
        range(min(args.seeds, 20)),
    )


if __name__ == "__main__":
    main()
