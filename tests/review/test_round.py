"""`peerkit review open` killed part-way (SIGKILL, a real process) loses nothing: run again, every
reviewer has every packet of the round and the manifest listing them, as after a run never killed."""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path

from peerkit.exchange.base import packet_file, round_file
from peerkit.exchange.files.channels import channels_root
from peerkit.review.channel import self_token
from peerkit.storage.sql import SqlStore
from tests.facilitator.crashes import (
    PATH,
    Cohort,
    integrity,
    killed_at,
    killed_on,
    make_cohort,
    restore,
    run,
    snapshot,
)

OPEN = ("review", "open", PATH, "--seed", "1")


def delivered(cohort: Cohort) -> dict[str, Counter[str]]:
    """What the round holds and what reached the reviewers, by what it is; raises on a packet or a
    manifest entry missing from the store or from the reviewer's channel."""
    store = SqlStore.open(f"sqlite:///{cohort.db}")
    try:
        round_ = store.review_round(PATH)
        assert round_ is not None
        keys = store.channel_keys(PATH)
        root = channels_root(cohort.workdir / "exchange", "review-course")
        mine: dict[str, list[str]] = {}
        for a in store.assignments(PATH):
            if a.status != "replaced":
                mine.setdefault(a.reviewer, []).append(a.token)
        authors = {s.learner for s in store.submissions(PATH)}
        counts: dict[str, Counter[str]] = {"packets per reviewer": Counter(), "self packets": Counter()}
        for learner in sorted(authors | set(mine)):
            tokens = mine.get(learner, [])
            names = [packet_file(t) for t in tokens]
            own = packet_file(self_token(learner, round_))
            docs = store.documents(learner, [*names, own, round_file(PATH)])
            assert set(names) <= set(docs), f"{learner} lacks packets in the store"
            assert sorted(docs[round_file(PATH)]["packets"]) == sorted(tokens), f"{learner}'s manifest"
            folder = root / keys[learner]
            assert all((folder / name).is_file() for name in [*names, own, round_file(PATH)]), f"{learner}'s files"
            counts["packets per reviewer"][str(len(tokens))] += 1
            counts["self packets"][str(own in docs)] += 1
        return counts
    finally:
        store.close()


def test_a_review_open_killed_while_publishing_packets_publishes_them_when_run_again(tmp_path: Path) -> None:
    cohort = make_cohort(tmp_path / "c", 150)
    run(cohort, "collect", PATH)
    killed_on(cohort, "publishing packets", *OPEN)  # the assignments are in the store, the packets not yet out
    assert integrity(cohort.db) == "ok"
    run(cohort, *OPEN)
    assert delivered(cohort) == {
        "packets per reviewer": Counter({"3": 150}),
        "self packets": Counter({"True": 150}),
    }


def test_a_review_open_killed_anywhere_ends_as_a_run_never_killed(tmp_path: Path) -> None:
    cohort = make_cohort(tmp_path / "c", 100)
    run(cohort, "collect", PATH)
    collected = snapshot(cohort)
    started = time.monotonic()
    run(cohort, *OPEN)
    took = time.monotonic() - started
    expected = delivered(cohort)
    rng = random.Random(20261122)
    for _ in range(2):
        restore(cohort, collected)
        killed_at(cohort, rng.uniform(0.2, 1.0) * took, *OPEN)
        assert integrity(cohort.db) == "ok"
        run(cohort, *OPEN)
        assert delivered(cohort) == expected
