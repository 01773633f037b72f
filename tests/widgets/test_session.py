"""PathSession: modes, saving, limits, storage failures, reload, submit."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from traitlets.config import Config

from peerkit.core.answers import FILENAME, AnswerSheet, parse_sheet
from peerkit.core.errors import ConfigError, PeerkitError, StorageError
from peerkit.storage import answerfile
from peerkit.widgets.context import PREVIEW_NOTICE, open_path
from peerkit.widgets.session import PathSession
from tests.conftest import CourseLayout
from tests.widgets.plain import logged_under


def test_outside_an_assignment_folder_is_a_preview(tmp_path: Path) -> None:
    session = open_path("alpha", folder=tmp_path, config=Config())
    assert session.mode == "preview" and not session.saves and session.notice == PREVIEW_NOTICE
    assert session.save("first", "text", "kept in memory").ok
    assert session.value("first") == "kept in memory"
    assert not (tmp_path / FILENAME).exists()
    with pytest.raises(PeerkitError, match="Preview"):
        session.submit()


def test_assignment_folder_without_a_learner_explains(course: CourseLayout, caplog: pytest.LogCaptureFixture) -> None:
    course.enroll("gail")
    config = course.learner_config("gail")
    del config.CourseDirectory["student_id"]
    session = open_path("alpha", folder=course.folder("gail", "alpha"), config=config)
    assert session.mode == "preview" and "does not know who you are" in session.notice
    assert "student_id" not in session.notice and "student_id" in logged_under(caplog, session.notice)


def test_learner_mode_saves_every_change(course: CourseLayout) -> None:
    course.enroll("hal")
    folder = course.folder("hal", "alpha")
    session = open_path("alpha", folder=folder, config=course.learner_config("hal"))
    assert session.mode == "learner" and session.learner == "hal"
    for text in ["W", "Wo", "Wor", "Word"]:
        assert session.save("first", "text", text).ok
    sheet = parse_sheet((folder / FILENAME).read_bytes())
    assert sheet.get("first").value == "Word" and sheet.revision == 4  # type: ignore[union-attr]


def test_oversize_answer_is_not_saved_and_says_so(course: CourseLayout) -> None:
    course.enroll("ida")
    session = open_path("alpha", folder=course.folder("ida", "alpha"), config=course.learner_config("ida"))
    session.save("first", "text", "short and saved")
    status = session.save("first", "text", "x" * 5_000_000)
    assert not status.ok and "limit is 20,000" in status.message and "nothing you typed" in status.message
    assert session.value("first") == "short and saved"


def test_storage_failure_keeps_last_good_copy_and_warns(course: CourseLayout, monkeypatch: pytest.MonkeyPatch) -> None:
    course.enroll("jo")
    folder = course.folder("jo", "alpha")
    session = open_path("alpha", folder=folder, config=course.learner_config("jo"))
    session.save("first", "text", "good copy")

    def disk_full(target: Path, data: bytes, **_: object) -> None:
        raise StorageError("could not save peerkit-answers.json: the disk is full", path=str(target))

    monkeypatch.setattr(answerfile, "write_atomic", disk_full)
    status = session.save("first", "text", "good copy plus more")
    assert not status.ok and "the disk is full" in status.message and "still on this page" in status.message
    assert parse_sheet((folder / FILENAME).read_bytes()).get("first").value == "good copy"  # type: ignore[union-attr]


def test_reload_picks_up_another_tab_and_notifies(course: CourseLayout) -> None:
    course.enroll("kim")
    folder, config = course.folder("kim", "alpha"), course.learner_config("kim")
    tab_a = open_path("alpha", folder=folder, config=config)
    tab_b = open_path("alpha", folder=folder, config=config)
    seen = []
    tab_a.on_change(lambda sheet, origin: seen.append((sheet.revision, origin)))
    tab_b.save("second", "text", "typed in tab B")
    tab_a.reload()
    assert tab_a.value("second") == "typed in tab B" and seen == [(1, None)]


def test_two_reloads_at_once_leave_the_newer_answers_on_the_page(course: CourseLayout) -> None:
    """The reload on a visit and the watch loop run in threads: one that read the file first must not
    tell the widgets after the other, or the page keeps the older answer for good."""
    course.enroll("kay")
    folder, config = course.folder("kay", "alpha"), course.learner_config("kay")
    tab_a = open_path("alpha", folder=folder, config=config)
    tab_b = open_path("alpha", folder=folder, config=config)
    tab_b.save("first", "text", "older")
    shown: list[str] = []
    first_call, release = threading.Event(), threading.Event()

    def page(sheet: AnswerSheet, origin: str | None) -> None:
        if not first_call.is_set():
            first_call.set()
            release.wait(timeout=0.5)  # the first reload is slow to tell the page (a busy kernel)
        shown.append(sheet.get("first").value)  # type: ignore[union-attr]

    tab_a.on_change(page)
    slow = threading.Thread(target=tab_a.reload)
    slow.start()
    assert first_call.wait(timeout=5)
    tab_b.save("first", "text", "newer")
    fast = threading.Thread(target=tab_a.reload)
    fast.start()
    fast.join(timeout=0.2)
    release.set()
    slow.join(timeout=5)
    fast.join(timeout=5)
    assert shown[-1] == "newer" == tab_a.value("first")


def test_watching_follows_another_tab_within_the_interval(course: CourseLayout) -> None:
    course.enroll("kit")
    folder, config = course.folder("kit", "alpha"), course.learner_config("kit")
    tab_a = open_path("alpha", folder=folder, config=config)
    tab_b = open_path("alpha", folder=folder, config=config)
    tab_a.watch(interval=0.05)
    try:
        tab_b.save("first", "text", "from the other tab")
        deadline = time.monotonic() + 5
        while tab_a.value("first") != "from the other tab":
            assert time.monotonic() < deadline, "tab A never noticed tab B's save"
            time.sleep(0.02)
    finally:
        tab_a.stop()


def test_same_answer_edited_in_two_tabs_keeps_a_backup_and_says_so(course: CourseLayout) -> None:
    course.enroll("lou")
    folder, config = course.folder("lou", "alpha"), course.learner_config("lou")
    tab_a = open_path("alpha", folder=folder, config=config)
    tab_b = open_path("alpha", folder=folder, config=config)
    assert tab_b.save("first", "text", "B's thoughts").ok
    status = tab_a.save("first", "text", "A's thoughts")  # tab A never saw B's text
    assert status.ok and status.kept_backup and "backup" in status.message
    assert tab_a.sheet.backups[0].answer.value == "B's thoughts"


def test_unreadable_answers_are_reported_on_the_page(course: CourseLayout) -> None:
    course.enroll("lee")
    folder = course.folder("lee", "alpha")
    (folder / FILENAME).write_text("garbage")
    session = open_path("alpha", folder=folder, config=course.learner_config("lee"))
    assert "set aside" in session.notice and session.saves


@pytest.fixture
def tiny_disk(course: CourseLayout, tmp_path: Path) -> Iterator[Path]:
    """The learner's path folder on a real 64 KiB tmpfs, so that full and read-only disks are real."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; the same failures are simulated in test_atomic.py")
    course.enroll("mo")
    original = course.folder("mo", "alpha")
    mount_point = tmp_path / "mnt" / "alpha"
    mount_point.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)], check=True)
    try:
        shutil.copytree(original, mount_point, dirs_exist_ok=True)
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_really_full_disk_keeps_the_last_good_copy(tiny_disk: Path, course: CourseLayout) -> None:
    session = open_path("alpha", folder=tiny_disk, config=course.learner_config("mo"))
    assert session.save("first", "text", "the last good copy").ok
    filler = tiny_disk / "filler"
    with contextlib.suppress(OSError), filler.open("wb") as handle:  # closing may fail too
        while True:
            handle.write(b"\0" * 4096)
            handle.flush()
    status = session.save("first", "text", "the last good copy, and a long new paragraph " * 100)
    assert not status.ok and "the disk is full" in status.message
    assert parse_sheet((tiny_disk / FILENAME).read_bytes()).get("first").value == "the last good copy"  # type: ignore[union-attr]
    assert not [p for p in tiny_disk.iterdir() if p.name.endswith(".tmp")]


def test_a_really_read_only_folder_says_so(tiny_disk: Path, course: CourseLayout) -> None:
    session = open_path("alpha", folder=tiny_disk, config=course.learner_config("mo"))
    assert session.save("first", "text", "written before").ok
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    status = session.save("first", "text", "written after")
    assert not status.ok and "read-only file system" in status.message
    assert session.value("first") == "written before"


@pytest.mark.parametrize("missing", ["folder", "learner", "config"])
def test_a_learner_page_opened_without_its_course_says_where_to_open_it(tmp_path: Path, missing: str) -> None:
    given: dict[str, object] = {"folder": tmp_path, "learner": "ana", "config": Config()}
    given[missing] = None
    with pytest.raises(ConfigError, match="open it from the course home"):
        PathSession("essay", mode="learner", **given)  # type: ignore[arg-type]


@pytest.mark.parametrize("answer_id", ["", "a" * 65, "PWN <script>x</script>", "\ud800", "../first"])
def test_a_save_under_an_answer_id_no_answer_may_have_says_so_in_a_preview_too(tmp_path: Path, answer_id: str) -> None:
    """save never raises (its status says what happened): in learner mode the answers file refused such
    an id, in a preview the page itself raised."""
    session = open_path("alpha", folder=tmp_path, config=Config())
    status = session.save(answer_id, "text", "kept in memory")
    assert not status.ok and "answer id" in status.message and len(status.message) < 300, status
    assert session.sheet.answers == {}
