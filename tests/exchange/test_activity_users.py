"""Learners as different Unix users sharing one activity folder: a classmate can neither write events
in another learner's name nor block their record, whichever of them comes first; what they try is
refused and reported to the facilitator.

Needs root (to create the users and run code as them, as tests/review/test_channel_users.py does)
and a Python environment the users can run; under CI=true a missing piece fails instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from peerkit.exchange.files.activity import activity_root, ensure_activity_root, ingest_activity
from peerkit.storage.sql import SqlStore
from tests.conftest import require
from tests.unix_learners import run_as as run_learner

COURSE = "c1"
ADA, BEN, CAL = "pk-act-ada", "pk-act-ben", "pk-act-cal"  # learner ids are their Unix logins

SCRIPT = r"""
import json, os, sys
from pathlib import Path
from peerkit.exchange.files.activity import FileActivityLog
folder, learner, step = Path(sys.argv[1]), os.environ["PK_LEARNER"], sys.argv[2]
result = {}

def attempt(name, action):
    try:
        action()
        result[name] = "done"
    except OSError as exc:
        result[name] = type(exc).__name__

def forged(victim):
    line = {"id": os.urandom(16).hex(), "time": "2026-11-22T10:00:00Z", "learner": victim,
            "event": "submitted", "path": "essay"}
    return (json.dumps(line) + "\n").encode()

def squat(victim, mode):
    fd = os.open(folder / f"{victim}.jsonl", os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    os.write(fd, forged(victim))
    os.fchmod(fd, mode)
    os.close(fd)

def append(victim):
    with open(folder / f"{victim}.jsonl", "ab") as handle:
        handle.write(forged(victim))

if step == "record":
    log = FileActivityLog(folder, learner)
    for event in ("opened", "answered", "submitted"):
        log.record(event, "essay", "story")
    result["file"] = log.file.name
elif step == "page":  # as a learner's page records: through the files exchange, nbgrader's cache in the home
    from peerkit.exchange.files.backend import FilesLearnerExchange
    cache = Path(os.environ["HOME"]) / ".local/share/jupyter/nbgrader_cache"
    side = FilesLearnerExchange(learner, sys.argv[3], folder.parent.parent, cache)
    for event in ("opened", "submitted"):
        side.activity.record(event, "essay")
    result["file"] = side.activity.file.name
elif step == "old page":  # as pages wrote before activity files had private names: <learner>.jsonl
    log = FileActivityLog(folder, learner)
    for event in ("opened", "answered"):
        log.record(event, "essay")
    result["file"] = log.file.name
elif step == "peek":  # a classmate's record, by the name everyone can guess
    def read(name):
        result[name] = (folder / name).read_text().count("\n")
    attempt("peek", lambda: read(f"{sys.argv[3]}.jsonl"))
elif step == "squat":  # before the victims write: take their file names
    attempt("squat " + sys.argv[3], lambda: squat(sys.argv[3], 0o666))
    attempt("squat " + sys.argv[4], lambda: squat(sys.argv[4], 0o644))
    log = FileActivityLog(folder, learner)  # and name the victim in events of the attacker's own file
    log.record("opened", "essay")
    with open(log.file, "ab") as handle:
        handle.write(forged(sys.argv[3]))
elif step == "tamper":  # after the victim wrote: their file, and a guessed name of theirs
    victim = sys.argv[3]
    target = folder / f"{victim}.jsonl"
    attempt("append", lambda: append(victim))
    attempt("truncate", lambda: os.truncate(target, 0))
    attempt("delete", lambda: os.remove(target))
    attempt("rename", lambda: os.rename(target, folder / "moved.jsonl"))
    attempt("list", lambda: os.listdir(folder))
    attempt("guess", lambda: squat(f"{victim}.{'0' * 32}", 0o644))
print(json.dumps(result))
"""


def run_as(user: str, home: Path, *args: str) -> dict[str, object]:
    return run_learner(user, home, SCRIPT, *args)


@pytest.fixture
def unix_users() -> Iterator[tuple[Path, dict[str, Path]]]:
    require(os.geteuid() == 0, "creating Unix users for the learners needs root")
    require(shutil.which("useradd") is not None and shutil.which("runuser") is not None, "useradd and runuser")
    probe = subprocess.run(
        ["runuser", "-u", "nobody", "--", sys.executable, "-c", "import peerkit.exchange"], check=False
    )
    require(probe.returncode == 0, f"other users cannot run {sys.executable} (it must be readable by all users)")
    root = Path(tempfile.mkdtemp(prefix="peerkit-activity-users-"))
    root.chmod(0o755)
    created = []
    try:
        homes = {}
        for user in (ADA, BEN, CAL):
            home = root / "homes" / user
            subprocess.run(["userdel", user], capture_output=True, check=False)
            subprocess.run(
                ["useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/usr/sbin/nologin", user],
                check=True,
            )
            created.append(user)
            home.mkdir(parents=True)
            shutil.chown(home, user, user)
            home.chmod(0o700)
            homes[user] = home
        exchange = root / "exchange"
        exchange.mkdir()
        exchange.chmod(0o755)
        ensure_activity_root(exchange, COURSE)  # the facilitator's side prepares the folder
        yield exchange, homes
    finally:
        for user in created:
            subprocess.run(["userdel", user], capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)


def learners_events(store: SqlStore) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for event in store.activity():
        found.setdefault(event.learner, []).append(event.event)
    return found


def test_a_squatter_neither_blocks_the_victims_nor_writes_in_their_name(
    unix_users: tuple[Path, dict[str, Path]], store: SqlStore
) -> None:
    exchange, homes = unix_users
    folder = activity_root(exchange, COURSE)
    squatted = run_as(BEN, homes[BEN], str(folder), "squat", ADA, CAL)
    assert squatted == {f"squat {ADA}": "done", f"squat {CAL}": "done"}  # the folder lets anyone add a name

    for victim in (ADA, CAL):  # ada's squatted file is writable by all, cal's by ben only
        wrote = run_as(victim, homes[victim], str(folder), "record")
        assert wrote["file"] != f"{victim}.jsonl" and wrote["file"].startswith(f"{victim}.")
        assert (folder / f"{victim}.jsonl").read_bytes().count(b"\n") == 1  # ben's line only: nothing appended

    report = ingest_activity(store, exchange, COURSE)
    events = learners_events(store)
    assert events[ADA] == events[CAL] == ["opened", "answered", "submitted"]  # theirs, and only theirs
    assert events[BEN] == ["opened"]  # his line naming ada inside his own file is skipped
    assert report.skipped == 1
    assert sorted(report.refused) == [
        f"{ADA}.jsonl is owned by {BEN}, not by {ADA}",
        f"{CAL}.jsonl is owned by {BEN}, not by {CAL}",
    ]
    assert "REFUSED" in report.summary() and f"{ADA}.jsonl is owned by {BEN}" in report.summary()


def test_once_a_learner_has_written_a_classmate_cannot_touch_their_record(
    unix_users: tuple[Path, dict[str, Path]], store: SqlStore
) -> None:
    exchange, homes = unix_users
    folder = activity_root(exchange, COURSE)
    assert run_as(ADA, homes[ADA], str(folder), "record") == {"file": f"{ADA}.jsonl"}
    tried = run_as(BEN, homes[BEN], str(folder), "tamper", ADA)
    assert tried == {
        "append": "PermissionError",
        "truncate": "PermissionError",
        "delete": "PermissionError",  # the sticky bit
        "rename": "PermissionError",
        "list": "PermissionError",
        "guess": "done",  # a name of ada's own pattern: created, and then refused by its owner
    }
    report = ingest_activity(store, exchange, COURSE)
    assert learners_events(store) == {ADA: ["opened", "answered", "submitted"]}
    assert report.refused == (f"{ADA}.{'0' * 32}.jsonl is owned by {BEN}, not by {ADA}",)


def test_a_classmate_cannot_read_when_a_learner_opened_or_submitted(
    unix_users: tuple[Path, dict[str, Path]], store: SqlStore
) -> None:
    """Activity files are readable by all (the facilitator's side reads them without being root): named
    ``<learner>.jsonl``, any classmate read when each learner opened and submitted each path, and in
    rolling review matched a packet's arrival to its author. A page's file has a name nobody can guess."""
    exchange, homes = unix_users
    folder = activity_root(exchange, COURSE)
    first = run_as(ADA, homes[ADA], str(folder), "page", COURSE)["file"]
    again = run_as(ADA, homes[ADA], str(folder), "page", COURSE)["file"]  # a later page: the same file
    assert first == again != f"{ADA}.jsonl" and str(first).startswith(f"{ADA}.")
    assert run_as(BEN, homes[BEN], str(folder), "peek", ADA) == {"peek": "FileNotFoundError"}
    report = ingest_activity(store, exchange, COURSE)
    assert learners_events(store) == {ADA: ["opened", "submitted"] * 2} and report.refused == ()


def test_a_learner_s_page_moves_their_old_guessable_file_to_its_private_name(
    unix_users: tuple[Path, dict[str, Path]], store: SqlStore
) -> None:
    """Files written before private names stayed ``<learner>.jsonl``, readable by any classmate who guesses it:
    the learner's next page moves theirs to its private name (a classmate's file it leaves alone)."""
    exchange, homes = unix_users
    folder = activity_root(exchange, COURSE)
    assert run_as(ADA, homes[ADA], str(folder), "old page") == {"file": f"{ADA}.jsonl"}
    assert run_as(BEN, homes[BEN], str(folder), "peek", ADA) == {f"{ADA}.jsonl": 2, "peek": "done"}  # by all
    assert run_as(CAL, homes[CAL], str(folder), "squat", BEN, f"{BEN}x")[f"squat {BEN}"] == "done"  # cal's, named ben
    moved = run_as(ADA, homes[ADA], str(folder), "page", COURSE)["file"]
    assert str(moved).startswith(f"{ADA}.") and moved != f"{ADA}.jsonl"
    assert run_as(BEN, homes[BEN], str(folder), "peek", ADA) == {"peek": "FileNotFoundError"}
    assert (folder / str(moved)).read_bytes().count(b"\n") == 4  # the old events first, then the page's own
    assert run_as(ADA, homes[ADA], str(folder), "old page") == {"file": f"{ADA}.jsonl"}  # an old page still open
    assert run_as(ADA, homes[ADA], str(folder), "page", COURSE)["file"] == moved  # moved again, into the same file
    assert not (folder / f"{ADA}.jsonl").exists() and (folder / str(moved)).read_bytes().count(b"\n") == 8
    run_as(BEN, homes[BEN], str(folder), "page", COURSE)  # ben's page: cal's file under ben's old name stays
    assert (folder / f"{BEN}.jsonl").owner() == CAL
    report = ingest_activity(store, exchange, COURSE)
    assert sorted(learners_events(store)[ADA]) == sorted(["opened", "answered", "opened", "submitted"] * 2)
    assert f"{BEN}.jsonl is owned by {CAL}, not by {BEN}" in report.refused
