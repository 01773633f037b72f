"""``peerkit sync``: a hub learner's course folder gets every released path and the course apps."""

from __future__ import annotations

from pathlib import Path

from traitlets.config import Config

from peerkit.apps.sync import released, sync
from peerkit.core.answers import FILENAME
from tests.conftest import CourseLayout


def hub_config(course: CourseLayout, home: Path) -> Config:
    """What docs/hub/nbgrader_config.py gives a learner: the course, the exchange, the course in the path."""
    return Config(
        {
            "CourseDirectory": {"course_id": course.course.id},
            "Exchange": {
                "root": str(course.workspace.exchange),
                "path_includes_course": True,
                "cache": str(home / ".cache"),
            },
        }
    )


def test_sync_fetches_everything_released_then_only_refreshes(course: CourseLayout, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    config = hub_config(course, home)
    assert released(config) == ["alpha", "beta"]
    first = sync(config, home=home, learner="ana")
    assert first.fetched == ["alpha", "beta"] and first.problems == []
    assert first.course_dir == home / course.course.id
    assert (first.course_dir / "alpha" / "alpha.ipynb").is_file()
    assert "home.ipynb" in first.apps and (first.course_dir / "home.ipynb").is_file()
    # Her answers are hers: a second sync leaves them and fetches nothing.
    answers = first.course_dir / "alpha" / FILENAME
    answers.write_text("{}")
    second = sync(config, home=home, learner="ana")
    assert second.fetched == [] and second.updated == [] and second.apps == []
    assert answers.read_text() == "{}"


def test_sync_with_nothing_released_does_nothing(tmp_path: Path) -> None:
    config = Config({"CourseDirectory": {"course_id": "c"}, "Exchange": {"root": str(tmp_path / "none")}})
    report = sync(config, home=tmp_path, learner="ana")
    assert (report.fetched, report.apps, report.problems) == ([], [], [])
    assert "0 fetched" in report.summary()
