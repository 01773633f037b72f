"""``peerkit init``: wiring, the refusal to overwrite, and a build run from the new folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from peerkit.cli import cli


def test_init_then_build_from_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    made = runner.invoke(cli, ["init", str(tmp_path / "course-a"), "--demo"])
    assert made.exit_code == 0, made.output
    assert f"created the course in {tmp_path / 'course-a'}" in made.output
    assert (tmp_path / "course-a" / "course" / "demo" / "cohort.yml").is_file()
    monkeypatch.chdir(tmp_path / "course-a")
    built = runner.invoke(cli, ["build", "orientation"])  # course/course.yml of the current folder
    assert built.exit_code == 0, built.output
    assert "orientation: released" in built.output
    assert (tmp_path / "course-a" / ".peerkit" / "demo" / "course" / "release" / "orientation").is_dir()


def test_init_refuses_an_existing_course_and_force_refreshes_it(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "c")]).exit_code == 0
    again = runner.invoke(cli, ["init", str(tmp_path / "c")])
    assert again.exit_code == 1
    assert "a course is already here" in again.output and "--force" in again.output
    assert "Traceback" not in again.output
    forced = runner.invoke(cli, ["init", str(tmp_path / "c"), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "refreshed the course" in forced.output and "kept: course/peerkit_config.py" in forced.output
