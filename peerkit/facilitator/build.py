"""Where a course is built and what the facilitator's side needs beside the exchange.

:func:`course_build` says where nbgrader builds a course (its root, its exchange, the committed
``nbgrader_config.py``); :func:`setup_facilitator` creates the activity and public folders beside
the exchange and the facilitator's own folder. The demo, the command line and the tests start here.
"""

from __future__ import annotations

from pathlib import Path

from peerkit.config.workspace import Workspace
from peerkit.core.models import Course
from peerkit.exchange.base import CourseExchange
from peerkit.exchange.registry import open_course_exchange
from peerkit.nbgrader.build import CourseBuild


def assignment_ids(course: Course) -> list[str]:
    """Every nbgrader assignment of the course: each path, and after it its review assignment."""
    return [a for p in course.paths for a in ([p.id, p.review_id] if p.review is not None else [p.id])]


def committed_config(course: Course) -> Path | None:
    """The ``nbgrader_config.py`` committed beside ``course.yml``, if there is one."""
    committed = (course.source.parent / "nbgrader_config.py") if course.source else None
    return committed if committed is not None and committed.is_file() else None


def course_build(course: Course, workspace: Workspace, committed_config: Path | None) -> CourseBuild:
    """The single-folder layout: nbgrader's course root and exchange inside *workspace*."""
    return CourseBuild(
        course=course,
        course_root=workspace.course_root,
        exchange_root=workspace.exchange,
        committed_config=committed_config,
    )


def setup_facilitator(course: Course, workspace: Workspace, *, exchange: CourseExchange | None = None) -> Path:
    """The course's side of the exchange made ready (with files: the activity and public folders
    beside nbgrader's exchange; idempotent) and the facilitator's own folder, where the dashboard app
    is installed; return that folder."""
    if exchange is None:
        exchange = open_course_exchange(course_id=course.id, exchange_root=workspace.exchange, store=None)
    exchange.prepare()
    workspace.facilitator_dir.mkdir(parents=True, exist_ok=True)
    return workspace.facilitator_dir
