"""`peerkit submissions` and where the commands look for the store: a mistyped path is refused with the
course's paths, and a command run outside the course folder (or given a mistyped --db) says where it
looked and how to point at the store, creating nothing."""

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
        ["grades", "what-is-peer-learning"],
        ["review", "status", "what-is-peer-learning"],
        ["dashboard", "progress"],
        ["export", "grades"],
        ["notes", "show", "what-is-peer-learning"],
    ],
)
def test_outside_the_course_folder_a_command_says_where_to_run_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PEERKIT_WORKDIR", raising=False)
    monkeypatch.delenv("PEERKIT_DB", raising=False)
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 1 and "Traceback" not in result.output
    store = tmp_path / ".peerkit" / "demo" / "peerkit.db"
    assert result.output.startswith(f"Error: there is no peerkit store at {store}: run the command from the course ")
    assert "(the one holding course/course.yml" in result.output and "--workdir" in result.output
    assert "--db" in result.output
    assert list(tmp_path.iterdir()) == []  # no folder, no store


def test_a_mistyped_db_is_not_created(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(desk.workdir)
    for command in (["submissions"], ["grades", "essay"], ["review", "status", "essay"], ["export", "grades"]):
        result = desk.run(*command, "--db", "sqlite:///typo.db")
        assert result.exit_code == 1, result.output
        assert f"there is no peerkit store at {desk.workdir / 'typo.db'}" in result.output
        assert not (desk.workdir / "typo.db").exists()
