"""Learners as different Unix users: each reads their own packets; nobody can list the channels,
find another learner's channel, or read the secret that names it.

Needs root (to create the users and run commands as them) and a Python environment the users
can run; under CI=true a missing piece fails the test instead of skipping it.
"""

from __future__ import annotations

import pwd
from collections.abc import Iterator
from pathlib import Path

import pytest

from peerkit.exchange.files.channels import CHANNELS
from peerkit.nbgrader.ingest import collect_and_ingest
from peerkit.review.round import open_round
from peerkit.storage.sql import SqlStore
from tests.conftest import CourseLayout
from tests.unix_learners import run_as as run_learner
from tests.unix_learners import unix_learners as learners_as_users

PATH = "essay"
USERS = ["pk-test-ada", "pk-test-ben", "pk-test-cal"]

LEARNER_SCRIPT = r"""
import json, os, sys
from pathlib import Path
from peerkit.nbgrader.config import load_config
from peerkit.nbgrader.learner import fetch, submit
from peerkit.widgets.context import open_path
home, step = Path(os.environ["HOME"]), sys.argv[1]
config = load_config([home / ".jupyter"])
learner = os.environ["PK_LEARNER"]
course_dir = home / "course"
result = {}
if step == "submit":
    folder = fetch(config, "essay", assignment_dir=course_dir, learner=learner)
    session = open_path("essay", folder=folder, config=config)
    session.save("story", "text", f"written by {learner}")
    submit(config, folder, learner=learner)
    result["submitted"] = True
elif step == "inspect":
    from peerkit.exchange.files.channels import CHANNELS, learner_channels, read_packet, read_round
    from peerkit.nbgrader.learner import cache_dir
    exchange = Path(sys.argv[2])
    mine = learner_channels(exchange, "review-course", cache_dir(config), "essay", learner=learner)
    manifest, rubric = read_round(mine[0], "essay")
    result["own_packets"] = [read_packet(mine[0], t)["token"] for t in manifest["packets"]]
    result["own_channel"] = mine[0].name
    try:
        os.listdir(exchange / "review-course" / CHANNELS)
        result["listed_channels"] = True
    except PermissionError:
        result["listed_channels"] = False
    other_secret = Path(sys.argv[3])
    try:
        other_secret.read_text()
        result["read_other_secret"] = True
    except PermissionError:
        result["read_other_secret"] = False
    try:
        os.listdir(exchange / "review-course" / "inbound")
        result["listed_inbound"] = True
    except PermissionError:
        result["listed_inbound"] = False
print(json.dumps(result))
"""


def run_as(user: str, home: Path, *args: str) -> dict[str, object]:
    return run_learner(user, home, LEARNER_SCRIPT, *args)


@pytest.fixture
def unix_learners(_review_course_template: tuple[Path, Path]) -> Iterator[tuple[CourseLayout, dict[str, Path]]]:
    template, course_file = _review_course_template
    with learners_as_users(template, course_file, USERS, prefix="peerkit-users-") as (course, homes, _shared):
        yield course, homes


def test_each_learner_reads_only_their_own_packets(
    unix_learners: tuple[CourseLayout, dict[str, Path]], store: SqlStore
) -> None:
    course, homes = unix_learners
    for user, home in homes.items():
        assert run_as(user, home, "submit") == {"submitted": True}
    inbound = course.inbound()
    owners = {pwd.getpwuid(p.stat().st_uid).pw_name for p in inbound.iterdir()}
    assert owners == set(USERS)  # each submission really belongs to its learner's Unix user
    collect_and_ingest(course.course_config(), store, PATH)
    report = open_round(store, course.course, PATH, exchange_root=course.workspace.exchange, per_submission=2, seed=5)
    assert report.delivered_to == 3

    tokens = {a.reviewer: set() for a in store.assignments(PATH)}
    for a in store.assignments(PATH):
        tokens[a.reviewer].add(a.token)
    channels = set()
    for user, home in homes.items():
        other = next(u for u in USERS if u != user)
        other_cache = next(
            (homes[other] / ".local/share/jupyter/nbgrader_cache/review-course").glob(f"{other}+essay+*")
        )
        seen = run_as(user, home, "inspect", str(course.workspace.exchange), str(other_cache / "submission_secret.txt"))
        assert set(seen["own_packets"]) == tokens[user]  # type: ignore[arg-type]
        assert seen["listed_channels"] is False
        assert seen["read_other_secret"] is False
        assert seen["listed_inbound"] is False
        channels.add(seen["own_channel"])
    assert len(channels) == 3
    assert {p.name for p in (course.workspace.exchange / course.course.id / CHANNELS).iterdir()} == channels
