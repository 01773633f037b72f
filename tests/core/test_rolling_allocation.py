"""Rolling allocation's invariants, for any order of arrivals, leases running out and extra reviews."""

from __future__ import annotations

import random
import time
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerkit.core.allocation import AllocationRequestError, Profile
from peerkit.core.allocation.rolling import SHARE, RollingPool, Stored
from peerkit.core.topics import matched_share


class Model:
    """The pool's pairs as plain sets, checked after every step."""

    def __init__(self, pool: RollingPool) -> None:
        self.pool = pool
        self.live: dict[tuple[str, str], str] = {}  # pair -> open/done
        self.ever: set[tuple[str, str]] = set()

    def live_count(self, author: str) -> int:
        return sum(1 for (_, a) in self.live if a == author)

    def check_picks(self, reviewer: str, pairs: tuple[tuple[str, str], ...]) -> None:
        """Picks by *reviewer* (those whose reviewer is them) each keep the bound on balance: an
        author short of k live reviews; or one at k while the pool is short of fewer reviews than
        its room for matching (its k+1-th); or, nobody they could be given short, one of the fewest.
        A submission short and passed over by ``patience`` newcomers is given first, oldest first."""
        counts = Counter(a for (_, a) in self.live)
        k, pool = self.pool.k, self.pool
        arrived = self.pool_authors()
        room = min(pool.slack, len(arrived) // SHARE)
        for r, a in pairs:
            assert r != a, "own submission"
            assert (r, a) not in self.ever, "a pair given twice"
            if r == reviewer:
                eligible = [x for x in arrived if x != r and (r, x) not in self.ever]
                short = sum(max(0, k - counts[x]) for x in arrived)
                if counts[a] >= k:
                    fewest = min(counts[x] for x in eligible)
                    within_room = counts[a] == k and short < room
                    assert within_room or (fewest >= k and counts[a] == fewest), "an author over-served"
                overdue = [x for x in eligible if counts[x] < k and arrived.index(x) <= len(arrived) - pool.patience]
                if overdue:
                    assert a == overdue[0], "a submission passed over too long was not given first"
            counts[a] += 1
            self.ever.add((r, a))
            self.live[(r, a)] = "open"

    def pool_authors(self) -> list[str]:
        return list(self.arrived)

    arrived: list[str]


def run(order: list[str], k: int, seed: int, expire_every: int = 0) -> tuple[RollingPool, Model]:
    pool = RollingPool(k, seed=seed)
    model = Model(pool)
    model.arrived = []
    for step, learner in enumerate(order):
        before = len(model.arrived)
        pairs = pool.submit(learner)
        mine = tuple(p for p in pairs if p[0] == learner)
        model.check_picks(learner, mine)
        model.arrived.append(learner)
        for r, a in pairs[len(mine) :]:
            assert a == learner and r != learner and (r, a) not in model.ever
            model.ever.add((r, a))
            model.live[(r, a)] = "open"
        if before >= k:  # submitted after at least k others: k to review at once
            assert len(mine) == k
        if expire_every and step % expire_every == expire_every - 1:
            open_pairs = sorted(p for p, s in model.live.items() if s == "open")
            if open_pairs:
                r, a = open_pairs[0]
                refill = pool.expire(r, a)
                del model.live[(r, a)]
                assert pool.live(a) == model.live_count(a) + len(refill) - sum(1 for p in refill if p[1] != a)
                for pair in refill:
                    assert pair[1] == a and pair not in model.ever and pair[0] != a
                    model.ever.add(pair)
                    model.live[pair] = "open"
        for author in model.arrived:
            assert pool.live(author) == model.live_count(author)
        short = sum(max(0, k - model.live_count(a)) for a in model.arrived)
        assert pool.short() == short
        if not expire_every:
            # Reviews beyond k: the room for matching, plus what the first learners' arrivals force at most.
            over = sum(max(0, model.live_count(a) - k) for a in model.arrived)
            assert over <= min(pool.slack, len(model.arrived) // SHARE) + k * (k + 1) // 2, over
            assert short == over + sum(pool.owed(x) for x in model.arrived)
    return pool, model


learners = st.lists(st.sampled_from([f"l{i:02d}" for i in range(40)]), min_size=1, max_size=40, unique=True)


@settings(max_examples=150, deadline=None)
@given(order=learners, k=st.integers(1, 4), seed=st.integers(0, 2**31))
def test_invariants_hold_for_any_order_of_arrivals(order: list[str], k: int, seed: int) -> None:
    pool, model = run(order, k, seed)
    n = len(order)
    for learner in order:
        assert pool.given(learner) == sum(1 for (r, _) in model.live if r == learner) <= k
    if n >= 2 * k + 1:  # once the cohort is big enough, the first learners are topped up too
        assert all(pool.given(learner) == k for learner in order), {x: pool.given(x) for x in order}
        assert pool.waiting() == ()
    # the later the submission, the fewer reviews at most: nobody is far ahead of a later one
    counts = [pool.live(a) for a in order]
    assert max(counts, default=0) <= 2 * k


@settings(max_examples=100, deadline=None)
@given(order=learners, k=st.integers(1, 3), seed=st.integers(0, 2**31), every=st.integers(1, 5))
def test_leases_that_run_out_free_the_slot(order: list[str], k: int, seed: int, every: int) -> None:
    pool, model = run(order, k, seed, expire_every=every)
    for learner in order:
        assert pool.given(learner) == sum(1 for (r, _) in model.live if r == learner)


@settings(max_examples=100, deadline=None)
@given(order=learners, k=st.integers(1, 3), seed=st.integers(0, 2**31), asks=st.lists(st.integers(0, 39), max_size=20))
def test_extra_reviews_go_to_the_submission_needing_them_most(
    order: list[str], k: int, seed: int, asks: list[int]
) -> None:
    pool, model = run(order, k, seed)
    for ask in asks:
        reviewer = order[ask % len(order)]
        before = pool.given(reviewer)
        counts = {a: pool.live(a) for a in order}
        pair = pool.review_another(reviewer)
        if pair is None:
            assert all(a == reviewer or (reviewer, a) in model.ever for a in order)
            continue
        r, a = pair
        assert r == reviewer != a and pair not in model.ever
        eligible = [x for x in order if x != r and (r, x) not in model.ever]
        assert counts[a] == min(counts[x] for x in eligible)
        assert pool.given(reviewer) == before + 1
        model.ever.add(pair)
        model.live[pair] = "open"


def test_cold_start_with_one_two_and_three_learners() -> None:
    pool = RollingPool(2, seed=1)
    assert pool.submit("ana") == ()
    assert pool.owed("ana") == 2 and pool.waiting() == ("ana",)
    assert set(pool.submit("bo")) == {("bo", "ana"), ("ana", "bo")}
    assert pool.owed("ana") == 1 and pool.owed("bo") == 1
    third = set(pool.submit("cy"))
    assert {("cy", "ana"), ("cy", "bo"), ("ana", "cy"), ("bo", "cy")} == third
    assert [pool.given(x) for x in ("ana", "bo", "cy")] == [2, 2, 2]
    assert [pool.live(x) for x in ("ana", "bo", "cy")] == [2, 2, 2]
    assert pool.waiting() == ()


def test_a_learner_asked_again_is_listed_as_waiting_once() -> None:
    pool = RollingPool(2, seed=1)
    pool.submit("ana")
    assert pool.rejoin("ana") == () and pool.rejoin("ana") == ()  # nothing to give: still in the line
    assert pool.waiting() == ("ana",)


def test_an_expired_reviewer_waits_outside_until_they_rejoin() -> None:
    pool = RollingPool(1, seed=3)
    pool.submit("a")
    assert pool.submit("b") == (("b", "a"), ("a", "b"))
    assert pool.expire("a", "b") == ()  # nobody else is owed a review: the next submitter takes it
    assert pool.live("b") == 0 and pool.away("a") and pool.waiting() == ()
    assert pool.submit("c") == (("c", "b"),)  # fewest live reviews first; "a" (away) is not given "c"
    assert pool.live("c") == 0
    assert pool.rejoin("a") == (("a", "c"),) and not pool.away("a")


def test_a_late_review_after_the_lease_still_counts() -> None:
    pool = RollingPool(1, seed=0)
    pool.submit("a")
    pool.submit("b")  # b reviews a, a reviews b
    pool.expire("b", "a")
    assert pool.live("a") == 0
    pool.finish("b", "a", expired=True)
    assert pool.live("a") == 1 and pool.done("a") == 1 and pool.given("b") == 1


def test_other_circles_and_matches_are_preferred_among_ties() -> None:
    circles = {"n1": "north", "n2": "north", "s1": "south", "me": "north"}
    profiles = {"me": Profile.from_tags(knows=["coaching"]), "n2": Profile.from_tags(wants=["coaching"])}
    picked = Counter()
    for seed in range(30):
        pool = RollingPool(1, seed=seed, circles=circles, profiles=profiles)
        for name in ("n1", "n2", "s1"):
            pool.submit(name)
        # every earlier submission has one live review: the pick prefers another circle
        (pair, *_) = pool.submit("me")
        picked[pair[1]] += 1
    assert picked == {"s1": 30}


def test_random_ties_among_the_top_few_so_timing_does_not_choose() -> None:
    firsts = {RollingPool(1, seed=s).submit("x") for s in range(1)}
    assert firsts == {()}
    chosen = set()
    for seed in range(40):
        pool = RollingPool(1, seed=seed)
        for name in ("a", "b", "c", "d", "e", "f"):
            pool._arrival[name] = len(pool._arrival)  # six submissions, none reviewed yet
            pool._live[name] = 0
            pool._version[name] = 0
            pool._push(name)
        chosen.add(pool.submit("me")[0][1])
    assert chosen == {"a", "b", "c", "d", "e"}  # the oldest five, each possible; never the sixth


def test_restore_gives_the_same_state_as_the_calls() -> None:
    pool = RollingPool(2, seed=5)
    pairs: list[tuple[str, str]] = []
    for name in ("a", "b", "c", "d", "e"):
        pairs += pool.submit(name)
    expired = pairs[0]
    pool.expire(*expired)
    stored = [Stored(r, a, "expired" if (r, a) == expired else "open") for r, a in pairs]
    again = RollingPool.restore(2, seed=5, arrivals="abcde", pairs=stored, away=[expired[0]])
    for name in "abcde":
        assert again.live(name) == pool.live(name) and again.given(name) == pool.given(name)
        assert again.holds(name) == pool.holds(name) and again.owed(name) == pool.owed(name)
    assert again.waiting() == pool.waiting()


def test_refuses_bad_requests() -> None:
    with pytest.raises(AllocationRequestError):
        RollingPool(0, seed=1)
    pool = RollingPool(1, seed=1)
    with pytest.raises(AllocationRequestError, match="has not submitted"):
        pool.review_another("nobody")
    pool.submit("a")
    with pytest.raises(AllocationRequestError, match="never given"):
        pool.expire("a", "b")


def test_one_submit_costs_the_same_at_a_thousand_and_at_a_hundred_thousand() -> None:
    def per_submit(n: int) -> float:
        pool = RollingPool.restore(
            3,
            seed=1,
            arrivals=[f"p{i}" for i in range(n)],
            pairs=[Stored(f"p{i}", f"p{i - 1}", "done") for i in range(1, n)],
        )
        start = time.perf_counter()
        for i in range(200):
            assert len([p for p in pool.submit(f"new{i}") if p[0] == f"new{i}"]) == 3
        return (time.perf_counter() - start) / 200

    small, large = per_submit(1_000), per_submit(100_000)
    assert large < 10 * small + 1e-3  # O(k log n): far from the 100x of a pass over the cohort


def test_matching_happens_while_balance_stays() -> None:
    """At 600 learners, most authors who want to learn something get a reviewer who knows it (a
    random allocation: well under half), nobody waits for reviews longer than ``patience`` newcomers
    and a few more, and everyone gives k."""
    rng = random.Random(7)
    topics = [f"t{i}" for i in range(12)]
    names = [f"l{i:03d}" for i in range(600)]
    profiles = {
        n: Profile(frozenset(rng.sample(topics, rng.randint(1, 3))), frozenset(rng.sample(topics, 1))) for n in names
    }
    k = 2
    pool = RollingPool(k, seed=3, profiles=profiles)
    pairs: list[tuple[str, str]] = []
    full_at: dict[str, int] = {}
    for i, name in enumerate(names):
        pairs += pool.submit(name)
        full_at.update({a: i for _, a in pairs[-2 * k :] if pool.live(a) >= k and a not in full_at})
    assert matched_share(pairs, profiles) >= 0.8
    chance = [(r, a) for a in names for r in rng.sample([x for x in names if x != a], k)]
    assert matched_share(chance, profiles) < 0.5
    assert all(pool.given(n) == k for n in names)
    waits = [full_at[a] - names.index(a) for a in full_at]
    assert max(waits) <= pool.patience + 2 * k
    assert max(pool.live(n) for n in names) <= k + 1
    assert pool.short() <= pool.slack + k * (k + 1) // 2  # the last few are short at the end, no more


def test_a_submitter_who_can_teach_the_author_is_preferred_among_those_short() -> None:
    profiles = {"me": Profile.from_tags(knows=["coaching"]), "b": Profile.from_tags(wants=["coaching"])}
    picked = Counter()
    for seed in range(30):
        pool = RollingPool(1, seed=seed, profiles=profiles)
        for name in ("a", "b", "c", "d"):
            pool._arrival[name] = len(pool._arrival)  # four submissions, none reviewed yet
            pool._live[name] = 0
            pool._version[name] = 0
            pool._short += 1
            pool._push(name)
        picked[pool.submit("me")[0][1]] += 1
    assert picked == {"b": 30}


def test_restore_keeps_what_is_short_and_who_is_matched() -> None:
    rng = random.Random(1)
    profiles = {f"p{i}": Profile(frozenset({f"t{i % 3}"}), frozenset({f"t{(i + 1) % 3}"})) for i in range(60)}
    pool = RollingPool(2, seed=9, profiles=profiles)
    pairs: list[tuple[str, str]] = []
    for name in profiles:
        pairs += pool.submit(name)
    again = RollingPool.restore(
        2, seed=9, arrivals=list(profiles), pairs=[Stored(r, a, "open") for r, a in pairs], profiles=profiles
    )
    assert again.short() == pool.short() and again._matched == {a: n for a, n in pool._matched.items() if n}
    name = f"new{rng.randint(0, 9)}"
    assert {a for _, a in again.submit(name)} <= set(profiles)
