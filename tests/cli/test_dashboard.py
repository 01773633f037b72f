"""`peerkit notes show` of a mistyped path, and where `peerkit export -o` may write: never over the
store or another database, never over a course file, and into a folder that exists (checked before
the export is made)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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


def test_an_export_replaces_a_previous_one(desk: Desk, tmp_path: Path) -> None:
    out = tmp_path / "grades.csv"
    out.write_text("an older export\n")
    result = desk.run("export", "grades", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("Student,ID,")


def test_an_export_into_a_missing_folder_names_it(desk: Desk, tmp_path: Path) -> None:
    out = tmp_path / "nope" / "x.csv"
    result = desk.run("export", "grades", "-o", str(out))
    assert result.exit_code == 1 and "exporting" not in result.output
    assert (
        f"Error: cannot write the export to {out}: the folder {out.parent} does not exist; create it or choose another"
        in result.output
    )
    assert not out.parent.exists()
