"""The embedded demo: one folder holds a built course, a local exchange and a learner, ready to serve.

``peerkit serve`` calls :func:`prepare_site` and then runs Voilà on the learner's course folder.
Everything is idempotent: a second run rebuilds only changed paths, fetches only missing ones,
brings fetched notebooks up to date and never touches a learner's saved answers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from peerkit.apps import APP_NOTEBOOKS, DASHBOARD_NOTEBOOK, PREHEATED_APPS, install_app
from peerkit.config.identity import check_learner_id
from peerkit.config.workspace import Workspace
from peerkit.core.models import Course
from peerkit.facilitator import build as facilitator_side
from peerkit.facilitator.api import Facilitator
from peerkit.facilitator.build import assignment_ids, course_build
from peerkit.nbgrader.build import BuildResult, CourseBuild
from peerkit.nbgrader.config import load_config, render_config_file
from peerkit.nbgrader.gradebook import ensure_students
from peerkit.nbgrader.learner import fetch, learner_config_values, refresh_released_files
from peerkit.storage.atomic import write_atomic

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Site:
    """A prepared learner site: what to serve and for whom."""

    course: Course
    workspace: Workspace
    learner: str
    builds: tuple[BuildResult, ...]

    @property
    def learner_home(self) -> Path:
        return self.workspace.learner_home(self.learner)

    @property
    def dashboard(self) -> Path:
        return self.workspace.facilitator_dir / DASHBOARD_NOTEBOOK

    @property
    def course_dir(self) -> Path:
        return self.workspace.learner_course_dir(self.learner, self.course.id)

    def notebooks(self) -> list[str]:
        """Notebooks that get a preheated kernel: the home and the paths (review apps, the progress
        page and the gallery start cold: fewer kernels compete for the CPU when the server starts)."""
        return [*PREHEATED_APPS, *(f"{p.id}/{p.notebook_name}" for p in self.course.paths)]


def setup_learner(course: Course, workspace: Workspace, learner: str) -> Path:
    """Give *learner* a home with an nbgrader config for the local course; return their course folder."""
    home = workspace.learner_home(learner)
    config_dir = home / ".jupyter"
    config_dir.mkdir(parents=True, exist_ok=True)
    values = learner_config_values(
        course_id=course.id,
        exchange_root=workspace.exchange,
        learner=learner,
        cache=home / ".local" / "share" / "jupyter" / "nbgrader_cache",
    )
    text = render_config_file(values, header=f"Learner {learner} of {course.id}; written by peerkit.")
    write_atomic(config_dir / "nbgrader_config.py", text.encode())
    course_dir = workspace.learner_course_dir(learner, course.id)
    course_dir.mkdir(parents=True, exist_ok=True)
    for name in APP_NOTEBOOKS:
        install_app(name, course_dir)
    return course_dir


def setup_facilitator(course: Course, workspace: Workspace) -> Path:
    """The facilitator's side (see :func:`peerkit.facilitator.build.setup_facilitator`) with the
    dashboard app installed in their folder; return the dashboard notebook."""
    folder = facilitator_side.setup_facilitator(course, workspace)
    install_app(DASHBOARD_NOTEBOOK, folder)
    return folder / DASHBOARD_NOTEBOOK


def fetch_all(course: Course, workspace: Workspace, learner: str, build: CourseBuild) -> None:
    """Fetch every released path the learner does not have; refresh the ones they have."""
    course_dir = workspace.learner_course_dir(learner, course.id)
    config = load_config([workspace.learner_home(learner) / ".jupyter"])
    for assignment_id in assignment_ids(course):
        folder = course_dir / assignment_id
        if folder.is_dir():
            updated = refresh_released_files(build.outbound(assignment_id), folder)
            if updated:
                log.info("updated %s for %s: %s", assignment_id, learner, ", ".join(updated))
        else:
            fetch(config, assignment_id, assignment_dir=course_dir, learner=learner)


def prepare_site(
    course: Course,
    workspace: Workspace,
    *,
    committed_config: Path | None = None,
    learner: str | None = None,
    force: bool = False,
) -> Site:
    """Build and release the course and make the facilitator's side ready (:meth:`Facilitator.build`,
    in the single-folder layout, with the work folder's store, as the demo's autopilot), install the
    dashboard app, set up the learner and fetch every path for them."""
    who = check_learner_id(learner or course.demo_learner)  # refuse a bad name before any work
    build = course_build(course, workspace, committed_config)
    desk = Facilitator(workspace=workspace, course=course, build=build)
    try:
        built = desk.build(force=force)
    finally:
        desk.close()
    install_app(DASHBOARD_NOTEBOOK, workspace.facilitator_dir)
    ensure_students(workspace.gradebook_url, course.id, [who])
    setup_learner(course, workspace, who)
    fetch_all(course, workspace, who, build)
    return Site(course=course, workspace=workspace, learner=who, builds=built.paths)
