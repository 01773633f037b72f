"""Where an export may be written (peerkit.facilitator.export_file): never the store, a database or a file of
another kind; an earlier export of the same kind, an empty file, or anything with force."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from peerkit.core.errors import NotFound, ValidationError
from peerkit.facilitator.export_file import checked_target

GRADES_CSV = "Student,ID,SIS User ID,SIS Login ID,Section,essay\n"  # a Canvas grades export's header


def test_a_new_file_of_the_exports_type_is_taken(tmp_path: Path) -> None:
    assert checked_target(tmp_path / "g.csv", ".csv", "grades", store=None) == tmp_path / "g.csv"


@pytest.mark.parametrize(
    ("name", "words"),
    [("g.json", "does not end in .csv; fix: name it"), ("peerkit.db", "it is a database file")],
)
def test_a_name_of_another_type_is_refused_with_the_fix(tmp_path: Path, name: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words) as refused:
        checked_target(tmp_path / name, ".csv", "grades", store=None)
    assert refused.value.field == "output" and str(tmp_path / name) in str(refused.value)


def test_the_store_and_any_sqlite_file_are_never_written_over(tmp_path: Path) -> None:
    store = tmp_path / "store.csv"  # even named like an export
    sqlite3.connect(store).execute("create table t (x)").connection.close()
    with pytest.raises(ValidationError, match="it is the course's store"):
        checked_target(store, ".csv", "grades", store=store)
    with pytest.raises(ValidationError, match="it is a database file"):
        checked_target(store, ".csv", "grades", store=None, force=True)


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="does not exist"):
        checked_target(tmp_path / "nowhere" / "g.csv", ".csv", "grades", store=None)


def test_only_an_earlier_export_of_the_same_kind_an_empty_file_or_force_is_replaced(tmp_path: Path) -> None:
    earlier = tmp_path / "grades.csv"
    earlier.write_text(GRADES_CSV + "amara,,,amara,,8\n")
    assert checked_target(earlier, ".csv", "grades", store=None) == earlier
    with pytest.raises(ValidationError, match="it is an export of grades, and this is an export of reviews"):
        checked_target(earlier, ".csv", "reviews", store=None)
    own = tmp_path / "budget.csv"
    own.write_text("item,cost\nbooks,12\n")
    with pytest.raises(ValidationError, match=r"not an earlier export.*add --force"):
        checked_target(own, ".csv", "grades", store=None)
    assert checked_target(own, ".csv", "grades", store=None, force=True) == own
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert checked_target(empty, ".csv", "grades", store=None) == empty
