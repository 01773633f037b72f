"""Building a course with the real nbgrader: source → generate → release, idempotent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from peerkit.config.course import load_course
from peerkit.core.errors import ConfigError
from peerkit.nbgrader.build import build_course, path_metadata
from tests.conftest import CourseLayout, write_test_course


def test_every_path_is_generated_and_released(course: CourseLayout) -> None:
    for path in course.course.paths:
        released = course.build.outbound(path.id) / path.notebook_name
        assert released.is_file()
        nb = json.loads(released.read_text())
        assert nb["metadata"]["peerkit"] == path_metadata(course.course, path)
        # nbgrader's own work: locked cells carry checksums, task points are preserved
        tasks = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("task")]
        assert sum(c["metadata"]["nbgrader"]["points"] for c in tasks) == path.points
        assert all("checksum" in c["metadata"]["nbgrader"] for c in tasks)


def test_gradebook_knows_every_path(course: CourseLayout) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(course.workspace.gradebook_url, course.course.id) as gb:
        assert sorted(a.name for a in gb.assignments) == sorted(p.id for p in course.course.paths)
        assert gb.find_assignment("alpha").max_score == 5


def test_second_build_is_skipped_and_force_rebuilds(course: CourseLayout) -> None:
    assert [r.released for r in build_course(course.build)] == [False, False]
    assert [r.released for r in build_course(course.build, paths=["beta"], force=True)] == [True]


def test_a_forced_rebuild_cut_short_is_finished_by_a_plain_rerun(
    course: CourseLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``peerkit build --force`` killed while nbgrader re-released a path (its published copy removed or
    half-copied) left the path's record of what was built unchanged, so a plain rerun skipped a path
    learners could not fetch whole. The record is dropped before the path is rebuilt."""
    import peerkit.nbgrader.build as build_module

    real = build_module.run_app

    def killed(app: object, step: str) -> None:
        if step == "release_assignment beta":
            raise KeyboardInterrupt  # the process stops here, as under SIGKILL
        real(app, step)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "run_app", killed)
    with pytest.raises(KeyboardInterrupt):
        build_course(course.build, paths=["beta"], force=True)
    monkeypatch.setattr(build_module, "run_app", real)
    assert [r.released for r in build_course(course.build)] == [False, True]


def test_changed_notebook_is_rebuilt(course: CourseLayout) -> None:
    notebook = course.course.path("beta").notebook
    nb = nbformat.read(str(notebook), as_version=4)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("A new paragraph."))
    nbformat.write(nb, str(notebook))
    assert [r.released for r in build_course(course.build)] == [False, True]


def test_course_root_config_lets_nbgrader_cli_work(course: CourseLayout) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "nbgrader", "db", "assignment", "list"],
        cwd=course.workspace.course_root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "alpha" in out.stdout and "beta" in out.stdout


def test_unreadable_notebook_is_a_config_error(tmp_path: Path) -> None:
    course_file = write_test_course(tmp_path / "src")
    (tmp_path / "src" / "notebooks" / "beta.ipynb").write_text("{ not a notebook")
    layout_course = load_course(course_file)
    from peerkit.config.workspace import Workspace
    from peerkit.demo import course_build

    build = course_build(layout_course, Workspace.at(tmp_path / "w"), None)
    with pytest.raises(ConfigError, match="beta"):
        build_course(build)


def test_invalid_nbgrader_metadata_is_reported_before_nbgrader_runs(tmp_path: Path) -> None:
    course_file = write_test_course(tmp_path / "src")
    notebook = tmp_path / "src" / "notebooks" / "alpha.ipynb"
    nb = nbformat.read(str(notebook), as_version=4)
    nb.cells[2].metadata["nbgrader"]["grade_id"] = "second"  # duplicate grade id
    nbformat.write(nb, str(notebook))
    from peerkit.config.workspace import Workspace
    from peerkit.demo import course_build

    build = course_build(load_course(course_file), Workspace.at(tmp_path / "w"), None)
    with pytest.raises(ConfigError, match=r"alpha\.ipynb: cell 'second' \(cell 5\): .* is also the grade_id of cell 3"):
        build_course(build)


def test_a_notebook_whose_code_does_not_run_is_refused_by_every_build(tmp_path: Path) -> None:
    """The notebooks' check runs in the build itself, so the dashboard's and the demo's builds refuse
    what ``peerkit build`` refuses, and nothing is released."""
    course_file = write_test_course(tmp_path / "src")
    notebook = tmp_path / "src" / "notebooks" / "alpha.ipynb"
    nb = nbformat.read(str(notebook), as_version=4)
    widget = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "first-widget")
    widget.source = widget.source.replace('"Question first?")', '"Question first?"')
    nbformat.write(nb, str(notebook))
    from peerkit.config.workspace import Workspace
    from peerkit.demo import course_build

    build = course_build(load_course(course_file), Workspace.at(tmp_path / "w"), None)
    with pytest.raises(ConfigError, match=r"alpha\.ipynb.*the code does not run"):
        build_course(build)
    assert not build.outbound("beta").exists()


def test_review_notebook_is_the_same_bytes_every_time() -> None:
    """A rebuild skips unchanged assignments by their bytes: random cell ids re-released every
    review assignment on every `peerkit serve`."""
    from peerkit.nbgrader.build import review_notebook
    from tests.conftest import COURSE_FILE

    real = load_course(COURSE_FILE)
    for path in real.reviewed_paths():
        first = review_notebook(real, path)
        assert first == review_notebook(real, path)
        ids = [cell["id"] for cell in json.loads(first)["cells"]]
        assert ids == ["setup", "packets", "progress", "submit"]
