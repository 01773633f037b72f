"""`peerkit notes show` of a mistyped path, and where `peerkit export -o` may write: never over the
store or another database, never over a course file, and into a folder that exists (checked before
the export is made)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from peerkit.cli import cli
from tests.cli.conftest import Desk


def test_notes_of_a_mistyped_path_name_the_paths(desk: Desk) -> None:
    result = desk.run("notes", "show", "esay")
    assert result.exit_code == 1
    assert result.output == "Error: no learning path 'esay' in course 'review-course' (paths: essay)\n"
    known = desk.run("notes", "show", "essay")
    assert known.exit_code == 1 and "no summary notes for 'essay' yet (peerkit notes draft essay)" in known.output


def test_an_export_never_overwrites_the_store(desk: Desk) -> None:
    before = desk.store_file.read_bytes()
    for command in (["export", "grades"], ["export", "reviews", "essay"], ["export", "round", "essay"]):
        result = desk.run(*command, "-o", str(desk.store_file))
        assert result.exit_code == 1, result.output
        assert f"will not write the export over {desk.store_file}: it is the course's store; choose another file" in (
            result.output
        )
        assert "exporting" not in result.output  # refused before the export was made
    assert desk.store_file.read_bytes() == before
    assert desk.snapshot()[0]  # the store still opens and holds its learners


@pytest.mark.parametrize("name", ["copy.sqlite", "copy.csv"])
def test_an_export_never_overwrites_a_database(desk: Desk, tmp_path: Path, name: str) -> None:
    copy = tmp_path / name
    shutil.copy(desk.store_file, copy)
    before = copy.read_bytes()
    result = desk.run("export", "grades", "-o", str(copy))
    assert result.exit_code == 1 and f"will not write the export over {copy}: it is a database file" in result.output
    assert copy.read_bytes() == before


def test_an_export_never_overwrites_a_file_of_another_type(desk: Desk) -> None:
    before = desk.course_file.read_bytes()
    result = desk.run("export", "grades", "-o", str(desk.course_file))
    assert result.exit_code == 1
    assert f"will not overwrite {desk.course_file}: an export of grades is a .csv file and this one is not" in (
        result.output
    )
    assert desk.course_file.read_bytes() == before


@pytest.mark.parametrize(
    ("command", "name", "start"),
    [
        (["export", "grades"], "grades.csv", "Student,ID,"),
        (["export", "reviews", "essay"], "reviews.csv", "path,packet,reviewer,author,kind,"),
        (["export", "round", "essay"], "round.json", '{\n "format": "peerkit-round-export"'),
    ],
)
def test_an_export_replaces_a_previous_one_of_its_kind(
    desk: Desk, tmp_path: Path, command: list[str], name: str, start: str
) -> None:
    out = tmp_path / name
    assert desk.run(*command, "-o", str(out)).exit_code == 0  # a new file
    out.write_text(out.read_text()[: len(start) + 40])  # an older export: its first line tells its kind
    result = desk.run(*command, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith(start) and len(out.read_text()) > len(start) + 40
    out.write_text("")  # an empty file: nothing to lose
    assert desk.run(*command, "-o", str(out)).exit_code == 0 and out.read_text().startswith(start)


def test_grades_in_the_other_lms_shape_are_replaced(desk: Desk, tmp_path: Path) -> None:
    out = tmp_path / "grades.csv"
    assert desk.run("export", "grades", "--lms", "moodle", "-o", str(out)).exit_code == 0
    assert desk.run("export", "grades", "-o", str(out)).exit_code == 0 and out.read_text().startswith("Student,ID,")


def test_an_export_never_replaces_another_kind_of_export_or_file_unless_forced(desk: Desk, tmp_path: Path) -> None:
    """`export reviews … -o grades.csv` replaced the grades export with review rows."""
    grades = tmp_path / "grades.csv"
    assert desk.run("export", "grades", "-o", str(grades)).exit_code == 0
    before = grades.read_bytes()
    result = desk.run("export", "reviews", "essay", "-o", str(grades))
    assert result.exit_code == 1 and "exporting" not in result.output
    assert (
        f"Error: will not overwrite {grades}: it is an export of grades, and this is an export of reviews; choose "
        f"another file, e.g. {tmp_path / 'reviews.csv'}, or add --force to replace it"
    ) in result.output
    assert grades.read_bytes() == before
    notes = tmp_path / "notes.csv"
    notes.write_text("my own notes,not an export\n")
    result = desk.run("export", "grades", "-o", str(notes))
    assert result.exit_code == 1 and f"will not overwrite {notes}: it is not an earlier export" in result.output
    assert notes.read_text() == "my own notes,not an export\n"
    forced = desk.run("export", "reviews", "essay", "-o", str(grades), "--force")
    assert forced.exit_code == 0, forced.output
    assert grades.read_text().startswith("path,packet,reviewer")


@pytest.mark.parametrize(
    ("command", "name", "fix"),
    [
        (["export", "grades"], "g.json", "g.csv"),
        (["export", "reviews", "essay"], "reviews.txt", "reviews.csv"),
        (["export", "round", "essay"], "round.csv", "round.json"),
    ],
)
def test_an_export_goes_only_into_a_file_of_its_type(
    desk: Desk, tmp_path: Path, command: list[str], name: str, fix: str
) -> None:
    """`export grades -o g.json` wrote CSV into a .json file."""
    out = tmp_path / name
    result = desk.run(*command, "-o", str(out), "--force")  # --force replaces a file, never changes its type
    assert result.exit_code == 1 and "exporting" not in result.output
    assert f"cannot write the export of {command[1]} to {out}: " in result.output
    assert f"fix: name it {tmp_path / fix}" in result.output
    assert not out.exists()


def test_an_export_into_a_missing_folder_names_it(desk: Desk, tmp_path: Path) -> None:
    out = tmp_path / "nope" / "x.csv"
    result = desk.run("export", "grades", "-o", str(out))
    assert result.exit_code == 1 and "exporting" not in result.output
    assert (
        f"Error: cannot write the export to {out}: the folder {out.parent} does not exist; create it or choose another"
        in result.output
    )
    assert not out.parent.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"caf\xe9 notes\n", "not UTF-8 text (byte 3); fix: save the notes as UTF-8 text"),
        (
            b"## Notes\n\x00\x01binary",
            "the notes of essay hold a NUL character (at 9), so they are not text; fix: save them as plain text",
        ),
        (b"x" * 1_000_001, "the notes are over 1,000,000 bytes, the limit for notes; fix: shorten them"),
    ],
)
def test_notes_that_learners_could_not_read_are_refused_on_edit(
    desk: Desk, tmp_path: Path, content: bytes, message: str
) -> None:
    """A 25 MB file was saved and "released", and learners' pages never showed it (they read at most
    20 MB); a file not in UTF-8 ended in a traceback."""
    file = tmp_path / "notes.md"
    file.write_bytes(content)
    result = desk.run("notes", "edit", "essay", "--file", str(file), "--by", "fac")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.endswith(f"{message}\n")
    assert "no summary notes for 'essay' yet" in desk.run("notes", "show", "essay").output  # nothing saved


def test_notes_at_the_limit_and_from_stdin_are_saved(desk: Desk, tmp_path: Path) -> None:
    file = tmp_path / "notes.md"
    file.write_bytes("é".encode() * 500_000)  # 1,000,000 bytes
    assert desk.run("notes", "edit", "essay", "--file", str(file), "--by", "fac").exit_code == 0
    result = CliRunner().invoke(
        cli, ["notes", "edit", "essay", "--file", "-", "--by", "fac", *desk.options], input="## From stdin\n"
    )
    assert result.exit_code == 0, result.output
    assert "## From stdin" in desk.run("notes", "show", "essay").output
