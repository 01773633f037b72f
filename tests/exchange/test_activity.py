"""The activity log between learners' pages and the facilitator's store: one JSON line per event in a
folder nobody else can list; ingest is idempotent and skips what does not parse."""

from __future__ import annotations

import json
import logging
import os
import stat
import threading
from pathlib import Path

import pytest
from traitlets.config import Config

from peerkit.config.owners import user_name
from peerkit.exchange.base import ActivityReport, NoActivityLog
from peerkit.exchange.context import resolve_learner_context
from peerkit.exchange.files.activity import FileActivityLog, activity_root, ensure_activity_root, ingest_activity
from peerkit.storage.sql import SqlStore
from tests.conftest import require

COURSE = "c1"


def test_folder_is_writable_by_all_and_listable_by_nobody_else(tmp_path: Path) -> None:
    root = ensure_activity_root(tmp_path, COURSE)
    mode = stat.S_IMODE(root.stat().st_mode)
    assert mode == 0o1733  # sticky: nobody removes or renames another learner's file
    assert ensure_activity_root(tmp_path, COURSE) == root  # idempotent


def test_each_event_is_one_appended_line(tmp_path: Path) -> None:
    log = FileActivityLog(ensure_activity_root(tmp_path, COURSE), "ana")
    log.record("opened", "essay")
    log.record("answered", "essay", "story")
    lines = log.file.read_bytes().splitlines()
    assert [json.loads(line)["event"] for line in lines] == ["opened", "answered"]
    assert json.loads(lines[1]) | {"id": "", "time": ""} == {
        "format": "peerkit-activity",  # each line is stamped as a versioned document
        "version": 1,
        "id": "",
        "time": "",
        "learner": "ana",
        "event": "answered",
        "path": "essay",
        "detail": "story",
    }
    assert stat.S_IMODE(log.file.stat().st_mode) & 0o022 == 0  # nobody else may write into it


def test_concurrent_pages_never_interleave_lines(tmp_path: Path) -> None:
    log = FileActivityLog(ensure_activity_root(tmp_path, COURSE), "ana")
    workers = [
        threading.Thread(target=lambda: [log.record("answered", "essay", "x" * 150) for _ in range(50)])
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    lines = log.file.read_bytes().splitlines()
    assert len(lines) == 200 and all(json.loads(line)["detail"] == "x" * 150 for line in lines)


def test_recording_never_raises_and_warns_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    log = FileActivityLog(tmp_path / "missing", "ana")
    with caplog.at_level(logging.WARNING, logger="peerkit.exchange.files.activity"):
        log.record("opened", "essay")
        log.record("answered", "essay")
        log.record("not an event", "essay")
    assert len([r for r in caplog.records if "activity not recorded" in r.message]) == 1


def test_a_symlink_or_fifo_planted_by_someone_else_is_not_followed(tmp_path: Path) -> None:
    root = ensure_activity_root(tmp_path, COURSE)
    victim = tmp_path / "bashrc"
    victim.write_text("safe\n")
    (root / "ana.jsonl").symlink_to(victim)
    FileActivityLog(root, "ana").record("opened", "essay")
    assert victim.read_text() == "safe\n"
    os.mkfifo(root / "bo.jsonl")
    FileActivityLog(root, "bo").record("opened", "essay")  # returns at once instead of hanging


def test_default_log_comes_from_the_learners_nbgrader_config(tmp_path: Path) -> None:
    config = Config({"CourseDirectory": {"course_id": COURSE}, "Exchange": {"root": str(tmp_path)}})
    log = resolve_learner_context(tmp_path, config=config, learner="ana", env={}).activity
    assert isinstance(log, FileActivityLog) and log.folder == activity_root(tmp_path, COURSE)
    assert isinstance(resolve_learner_context(tmp_path, config=Config(), learner="ana", env={}).activity, NoActivityLog)


def test_ingest_is_idempotent_and_counts_what_it_skips(tmp_path: Path, store: SqlStore) -> None:
    root = ensure_activity_root(tmp_path, COURSE)
    ana, bo = FileActivityLog(root, "ana"), FileActivityLog(root, "bo")
    ana.record("opened", "essay")
    ana.record("submitted", "essay")
    bo.record("opened", "essay-review")
    with (root / "ana.jsonl").open("ab") as handle:
        handle.write(b"garbage\n")
        handle.write(
            json.dumps(
                {"id": "b" * 32, "time": "2026-11-02T09:00:00Z", "learner": "bo", "event": "opened", "path": "x"}
            ).encode()
            + b"\n"
        )
    (root / "..bad.jsonl").write_text("{}\n")  # not a learner's name: skipped as a file
    first = ingest_activity(store, tmp_path, COURSE)
    assert first == ActivityReport(files=2, added=3, known=0, skipped=3)
    bo.record("feedback read", "essay")
    second = ingest_activity(store, tmp_path, COURSE)
    assert (second.added, second.known) == (1, 3)
    events = store.activity()
    assert [(e.learner, e.event, e.path_id) for e in events][-1] == ("bo", "feedback read", "essay")
    assert {e.learner for e in events} == {"ana", "bo"} and {lrn.name for lrn in store.learners()} == {"ana", "bo"}
    assert [e.event for e in store.activity(["essay-review"])] == ["opened"]
    assert "4 new events" not in second.summary() and "1 new events from 2 learners" in second.summary()


def test_a_learner_whose_file_name_is_taken_writes_to_a_name_of_their_own(tmp_path: Path, store: SqlStore) -> None:
    root = ensure_activity_root(tmp_path, COURSE)
    mine = tmp_path / "notes.txt"
    mine.write_text("mine\n")
    os.link(mine, root / "ana.jsonl")  # a second name for one of the learner's own files
    log = FileActivityLog(root, "ana")
    log.record("opened", "essay")
    log.record("answered", "essay")
    assert mine.read_text() == "mine\n"
    assert log.file.name.startswith("ana.") and len(log.file.name) == len("ana.") + 32 + len(".jsonl")
    assert log.file.read_bytes().count(b"\n") == 2
    report = ingest_activity(store, tmp_path, COURSE)
    assert [e.event for e in store.activity()] == ["opened", "answered"] and report.refused == ()


def test_a_file_someone_else_owns_is_refused_and_reported(tmp_path: Path, store: SqlStore) -> None:
    require(os.geteuid() == 0, "giving a file to another Unix user needs root")
    root = ensure_activity_root(tmp_path, COURSE)
    FileActivityLog(root, "ana").record("opened", "essay")
    FileActivityLog(root, "bo").record("opened", "essay")
    os.chown(root / "bo.jsonl", 65534, 65534)  # written by another user (nobody), not by bo nor the facilitator
    report = ingest_activity(store, tmp_path, COURSE)
    assert [e.learner for e in store.activity()] == ["ana"]
    assert report.refused == (f"bo.jsonl is owned by {user_name(65534)}, not by bo",)
    assert "REFUSED" in report.summary()
    # Mapped to that user, bo's file counts.
    ingest_activity(store, tmp_path, COURSE, unix_users={"bo": user_name(65534)})
    assert sorted(e.learner for e in store.activity()) == ["ana", "bo"]


def test_ingest_skips_events_the_course_cannot_have_had(tmp_path: Path, store: SqlStore) -> None:
    root = ensure_activity_root(tmp_path, COURSE)
    FileActivityLog(root, "ana").record("opened", "essay")
    with (root / "ana.jsonl").open("ab") as handle:  # as the learner could write, by hand
        for path, time in [("no-such-path", "2026-12-01T09:00:00Z"), ("essay", "2031-01-01T00:00:00Z")]:
            line = {"id": os.urandom(16).hex(), "time": time, "learner": "ana", "event": "submitted", "path": path}
            handle.write(json.dumps(line).encode() + b"\n")
    report = ingest_activity(store, tmp_path, COURSE, path_ids={"essay", "essay-review"})
    assert (report.added, report.skipped) == (1, 2)
    assert [(e.event, e.path_id) for e in store.activity()] == [("opened", "essay")]
