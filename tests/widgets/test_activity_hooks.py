"""A learner's page tells its activity log: opened once per page, answered once per answer and session
(the first save that answers it), submitted after a successful submit; never in a preview."""

from __future__ import annotations

from peerkit.exchange.base import MemoryActivityLog
from peerkit.exchange.files.activity import FileActivityLog, activity_root, ensure_activity_root
from peerkit.widgets.context import open_path
from peerkit.widgets.page import PathPage
from tests.conftest import CourseLayout


def test_opened_answered_submitted(course: CourseLayout) -> None:
    course.enroll("ana")
    log = MemoryActivityLog("ana")
    page = PathPage("alpha", folder=course.folder("ana", "alpha"), config=course.learner_config("ana"), activity=log)
    first = page.reflection("first", "First?")
    first.text.value = "   "  # saved, but not an answer yet
    first.text.value = "An answer"
    first.text.value = "An answer, longer"
    page.reflection("second", "Second?").text.value = "Another"
    page.session.submit()
    page.close()
    assert [(e.event, e.path_id, e.detail) for e in log.events][:4] == [
        ("opened", "alpha", ""),
        ("answered", "alpha", "first"),
        ("answered", "alpha", "second"),
        ("submitted", "alpha", log.events[3].detail),
    ]
    assert len(log.events) == 4 and "UTC" in log.events[3].detail  # nbgrader's submission time


def test_a_preview_records_nothing(tmp_path: object) -> None:
    log = MemoryActivityLog()
    page = PathPage("alpha", folder=str(tmp_path), activity=log)
    page.reflection("first", "First?").text.value = "typed in a preview"
    page.close()
    assert log.events == []


def test_default_log_writes_to_the_courses_activity_folder(course: CourseLayout) -> None:
    course.enroll("bo")
    ensure_activity_root(course.workspace.exchange, course.course.id)
    session = open_path("beta", folder=course.folder("bo", "beta"), config=course.learner_config("bo"))
    assert isinstance(session.activity, FileActivityLog)
    session.save("only", "text", "My answer")
    file = session.activity.file  # bo.<random>.jsonl: a name no classmate can guess
    assert file.parent == activity_root(course.workspace.exchange, course.course.id)
    assert file.name.startswith("bo.") and file.name != "bo.jsonl"
    assert b'"event":"answered"' in file.read_bytes()
