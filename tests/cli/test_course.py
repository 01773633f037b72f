"""`peerkit submissions` and where the commands look for the course and the store: a mistyped path is
refused with the course's paths; a command run outside a course folder refuses, one run inside it finds
it; a mistyped --db says where it looked and how to point at the store, creating nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from peerkit.cli import cli
from tests.cli.conftest import Desk


def test_submissions_of_a_mistyped_path_name_the_paths(desk: Desk) -> None:
    result = desk.run("submissions", "esay")
    assert result.exit_code == 1
    assert result.output == "Error: no learning path 'esay' in course 'review-course' (paths: essay)\n"
    listed = desk.run("submissions", "essay")
    assert listed.exit_code == 0 and [line.split()[0] for line in listed.output.splitlines()[1:]] == [
        "ana",
        "bo",
        "cy",
        "dee",
    ]


def test_submissions_of_a_path_nobody_submitted_say_so(tmp_path: Path) -> None:
    from peerkit.config.workspace import Workspace
    from peerkit.storage.sql import SqlStore
    from tests.conftest import write_review_course

    course_file = write_review_course(tmp_path / "src")
    (tmp_path / "w").mkdir()
    SqlStore.open(Workspace.at(tmp_path / "w").store_url).close()
    result = CliRunner().invoke(
        cli, ["submissions", "essay", "--course", str(course_file), "--workdir", str(tmp_path / "w")]
    )
    assert result.exit_code == 0 and result.output == "no submissions of essay ingested yet (peerkit collect essay)\n"


@pytest.mark.parametrize(
    "command",
    [
        ["submissions"],
        ["build"],
        ["collect", "capstone"],
        ["review", "watch", "--once"],
        ["review", "open", "capstone"],
        ["grades", "what-is-peer-learning"],
        ["override", "capstone", "amara", "10", "--reason", "graded in the meeting"],
        ["review", "status", "what-is-peer-learning"],
        ["dashboard", "progress"],
        ["export", "grades"],
        ["notes", "show", "what-is-peer-learning"],
    ],
)
def test_outside_a_course_folder_a_command_refuses_and_says_where_to_run_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """`peerkit build` in an empty folder built the course that comes with peerkit into a new
    .peerkit/demo there ("capstone: released"): only `serve` may fall back to that course."""
    monkeypatch.chdir(tmp_path)
    for variable in ("PEERKIT_COURSE", "PEERKIT_WORKDIR", "PEERKIT_DB"):
        monkeypatch.delenv(variable, raising=False)
    for extra in ([], ["--workdir", str(tmp_path / "w")]):  # a work folder named is no course named
        result = CliRunner().invoke(cli, [*command, *extra])
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert result.output == (
            f"Error: no course/course.yml here or in a parent folder ({tmp_path}); fix: cd into your course "
            "folder, or make one with `peerkit init FOLDER`, or name it with --course (or $PEERKIT_COURSE)\n"
        )
        assert list(tmp_path.iterdir()) == []  # no folder, no store


def test_from_a_folder_inside_the_course_folder_a_command_finds_the_course(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from my-course/course (or my-course/notebooks), the commands work on my-course, as git finds
    its repository from a subfolder; the work folder is my-course's own."""
    from tests.conftest import write_test_course

    course_file = write_test_course(tmp_path / "my-course")
    for variable in ("PEERKIT_COURSE", "PEERKIT_WORKDIR", "PEERKIT_DB"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(course_file.parent)
    shown = CliRunner().invoke(cli, ["config", "show"]).output
    assert f"course_file        {course_file}  [found: the course folder is a folder above the current one]" in shown
    assert f"workdir            {tmp_path / 'my-course' / '.peerkit' / 'demo'}  [default]" in shown
    built = CliRunner().invoke(cli, ["build"])
    assert built.exit_code == 0, built.output
    assert "alpha: released" in built.output and "capstone" not in built.output
    assert (tmp_path / "my-course" / ".peerkit" / "demo" / "peerkit.db").is_file()
    assert not (course_file.parent / ".peerkit").exists()
    monkeypatch.chdir(tmp_path / "my-course" / "notebooks")
    listed = CliRunner().invoke(cli, ["submissions", "alpha"])
    assert listed.exit_code == 0 and "no submissions of alpha ingested yet" in listed.output


def test_a_mistyped_db_is_not_created(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(desk.workdir)
    for command in (["submissions"], ["grades", "essay"], ["review", "status", "essay"], ["export", "grades"]):
        result = desk.run(*command, "--db", "sqlite:///typo.db")
        assert result.exit_code == 1, result.output
        assert f"there is no peerkit store at {desk.workdir / 'typo.db'}" in result.output
        assert not (desk.workdir / "typo.db").exists()


def test_submissions_after_the_due_date_say_how_late_they_came(desk: Desk) -> None:
    """ana, bo, cy and dee submitted at 09:00, 09:01, 09:02 and 09:03 (UTC); essay is due at 09:01:30."""
    text = desk.course_file.read_text()
    desk.course_file.write_text(
        text.replace("points: 5, peer_review: true", "points: 5, due: 2026-11-02T09:01:30Z, peer_review: true")
    )
    result = desk.run("submissions", "essay")
    assert result.exit_code == 0, result.output
    status = {line.split()[0]: line.split("  ")[-1].strip() for line in result.output.splitlines()[1:]}
    assert status == {
        "ana": "complete",
        "bo": "complete",
        "cy": "complete, late by 30 s",
        "dee": "no answers, late by 1 min",
    }


@pytest.mark.parametrize("command", [["build"], ["serve", "--prepare-only", "--no-dashboard"]])
def test_a_notebook_cell_that_does_not_run_stops_build_and_serve_before_anything_is_released(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """nbgrader released it, and the learner's page stopped at the cell ("There was an error when
    executing cell [3]"): now the command names the notebook, the cell and the fix, with no traceback."""
    from tests.conftest import write_test_course

    course_file = write_test_course(tmp_path / "my-course")
    notebook = tmp_path / "my-course" / "notebooks" / "beta.ipynb"
    notebook.write_text(notebook.read_text().replace('only?\\")', 'only?\\"'))
    for variable in ("PEERKIT_COURSE", "PEERKIT_WORKDIR", "PEERKIT_DB"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(course_file.parent.parent)
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 1, result.output
    assert result.output == (
        f"Error: {notebook.parent}: the notebooks have problems a learner's page would show:\n"
        "  beta.ipynb (path 'beta'): cell 4 ('only-widget'): line 1: the code does not run ('(' was never"
        " closed); fix: correct it in Jupyter (run the cell to see the error), or remove the"
        " cell\n"
    )
    assert not (tmp_path / "my-course" / ".peerkit" / "demo" / "exchange").exists()
