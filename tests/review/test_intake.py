"""The rolling steward's intake (:mod:`peerkit.review.intake`): which inbound entries are new, read
from nbgrader's inbound folder as it lays them out (``learner+assignment+time[+random]``).
Taking work in with nbgrader (collect, ingest) runs in tests/review/test_rolling.py."""

from __future__ import annotations

import os
from pathlib import Path

from traitlets.config import Config

from peerkit.review.intake import Intake, arrivals, inbound_entries
from tests.review.conftest import RollingPath

EARLY = "2026-11-22 10:00:00.000000 UTC"
LATE = "2026-11-22 11:00:00.000000 UTC"


def entry(inbound: Path, learner: str, assignment: str, when: str, tail: str = "") -> str:
    name = f"{learner}+{assignment}+{when}{tail}"
    (inbound / name).mkdir(parents=True)
    return name


def test_the_newest_entry_of_each_learner_for_the_path_and_its_review(rolling_path: RollingPath) -> None:
    inbound = rolling_path.root / "inbound"
    inbound.mkdir()
    entry(inbound, "ana", "essay", EARLY)
    newest = entry(inbound, "ana", "essay", LATE, "+0f3a")
    review = entry(inbound, "bo", "essay-review", EARLY)
    entry(inbound, "cy", "poem", LATE)  # another path
    (inbound / "stray-folder").mkdir()  # not nbgrader's: no learner, no assignment
    assert inbound_entries(inbound, rolling_path.path) == {("essay", "ana"): newest, ("essay-review", "bo"): review}
    assert inbound_entries(rolling_path.root / "missing", rolling_path.path) == {}


def test_arrivals_are_the_entries_not_taken_in_yet_and_nothing_while_the_folder_is_unchanged(
    rolling_path: RollingPath,
) -> None:
    state = rolling_path.state(give=False)
    inbound = rolling_path.root / "inbound"
    assert arrivals(inbound, rolling_path.path, state) == ([], [])  # no inbound folder yet
    inbound.mkdir()
    entry(inbound, "ana", "essay", EARLY)
    entry(inbound, "bo", "essay-review", EARLY)
    os.utime(inbound, (1_000, 1_000))
    assert arrivals(inbound, rolling_path.path, state) == (["ana"], ["bo"])
    assert arrivals(inbound, rolling_path.path, state) == ([], [])  # the folder did not change: not even listed

    entry(inbound, "cy", "essay", EARLY)
    os.utime(inbound, (2_000, 2_000))
    assert arrivals(inbound, rolling_path.path, state) == (["cy"], [])  # ana's entry was taken in already
    entry(inbound, "ana", "essay", LATE)  # ana submitted again
    os.utime(inbound, (3_000, 3_000))
    assert arrivals(inbound, rolling_path.path, state) == (["ana"], [])


def test_taking_in_no_one_collects_nothing(rolling_path: RollingPath) -> None:
    state = rolling_path.state(give=False)
    intake = Intake(rolling_path.store, rolling_path.course, Config(), {}, rolling_path.root)
    problems: list[str] = []
    assert intake.take_in(rolling_path.path, state, [], needs_key=False, problems=problems) == ([], [])
    assert intake.take_reviews(rolling_path.path, state, [], problems=problems) == ([], [], set())
    assert problems == [] and intake.required == {}
