"""A learner's submitted notebook, checked before nbgrader's autograde reads it.

A learner controls every byte of the notebook they submit. Each way of breaking or forging it below
is named, with the file, in one line (what is wrong, what to do); a healthy copy, and one whose locked
cell's text changed (nbgrader puts the course's text back), passes. Each is then run through a real
close in ``tests/review/test_feedback_broken.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from peerkit.nbgrader.submitted import MAX_NOTEBOOK_BYTES, check_submission, released_markings
from tests.conftest import CourseLayout

PATH = "essay"
NOTEBOOK = f"{PATH}.ipynb"


def _edit(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def edit(file: Path) -> None:
        doc = json.loads(file.read_text(encoding="utf-8"))
        change(doc)
        file.write_text(json.dumps(doc), encoding="utf-8")

    return edit


def _marking(doc: dict[str, Any], grade_id: str) -> dict[str, Any]:
    return next(c for c in doc["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def _points(doc: dict[str, Any]) -> None:
    for cell in doc["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("task"):
            cell["metadata"]["nbgrader"]["points"] = 1e9


def _another_id(doc: dict[str, Any]) -> None:
    _marking(doc, "lesson")["metadata"]["nbgrader"]["grade_id"] = "story"


def _task_to_solution(doc: dict[str, Any]) -> None:
    cell = _marking(doc, "story")
    cell.update(cell_type="code", outputs=[], execution_count=None)
    cell["metadata"]["nbgrader"].update(task=False, solution=True, grade=True, locked=False, cell_type="code")


def _locked_to_graded(doc: dict[str, Any]) -> None:
    _marking(doc, "story-widget")["metadata"]["nbgrader"].update(grade=True, points=1e9)


def _duplicate(doc: dict[str, Any]) -> None:
    twin = json.loads(json.dumps(_marking(doc, "story")))
    doc["cells"].append({**twin, "id": "twin-of-story"})


def _new_graded(doc: dict[str, Any]) -> None:
    marking = {"schema_version": 3, "grade": True, "solution": False, "locked": False, "task": False}
    doc["cells"].append(
        {
            "id": "bonus-cell",
            "cell_type": "code",
            "metadata": {"nbgrader": {**marking, "grade_id": "bonus", "points": 1e9}},
            "source": "answer = 42",
            "outputs": [],
            "execution_count": None,
        }
    )


def _huge(file: Path) -> None:
    doc = json.loads(file.read_text(encoding="utf-8"))
    doc["cells"][1]["source"] = "x" * 60_000_000
    file.write_text(json.dumps(doc), encoding="utf-8")


#: Broken or forged notebooks: (how, what the report says of it).
BROKEN: dict[str, tuple[Callable[[Path], None], str]] = {
    "not JSON": (lambda f: f.write_text("this is not a notebook", encoding="utf-8"), "not JSON"),
    "cut short": (lambda f: f.write_bytes(f.read_bytes()[:300]), "cut short"),
    "nbformat 3": (
        lambda f: f.write_text('{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": []}]}'),
        "notebook format 3",
    ),
    "no cells": (
        lambda f: f.write_text('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}'),
        "'story' is missing",
    ),
    "60 MB cell": (_huge, "over 16 MB"),
    "missing": (lambda f: f.unlink(), "missing"),
    "points 1e9": (_edit(_points), "points 1e+09, not 3"),
    "another cell's grade id": (_edit(_another_id), "both claim 'story'"),
    "a task turned into a solution": (_edit(_task_to_solution), "marked otherwise than the path's: cell_type"),
    "a locked cell made graded": (_edit(_locked_to_graded), "grade true, not false"),
    "duplicate grade ids": (_edit(_duplicate), "both claim 'story'"),
    "a graded cell the path lacks": (_edit(_new_graded), "'bonus', which the path has no cell of"),
}


def _locked_text(doc: dict[str, Any]) -> None:
    _marking(doc, "setup")["source"] = "import os\nos.system('echo took over')"


#: Changes nbgrader repairs itself (it puts the course's text back): graded as usual.
REPAIRED: dict[str, Callable[[Path], None]] = {"a locked cell's text changed": _edit(_locked_text)}


def submitted(course: CourseLayout, learner: str = "cordelia") -> Path:
    """A copy of the released path as *learner* would submit it (what nbgrader collects into submitted/)."""
    folder = course.build.course_root / "submitted" / learner / PATH
    folder.mkdir(parents=True)
    release = course.build.course_root / "release" / PATH / NOTEBOOK
    (folder / NOTEBOOK).write_bytes(release.read_bytes())
    return folder


def check(course: CourseLayout, folder: Path) -> str | None:
    markings = released_markings(course.build.course_root / "release" / PATH)
    found = check_submission(folder, markings, learner=folder.parent.name, path_id=PATH)
    return None if found is None else str(found)


def test_the_released_notebook_as_submitted_passes(review_course: CourseLayout) -> None:
    assert check(review_course, submitted(review_course)) is None


@pytest.mark.parametrize("how", sorted(REPAIRED))
def test_what_nbgrader_repairs_passes(review_course: CourseLayout, how: str) -> None:
    folder = submitted(review_course)
    REPAIRED[how](folder / NOTEBOOK)
    assert check(review_course, folder) is None


@pytest.mark.parametrize("how", sorted(BROKEN))
def test_a_broken_notebook_is_named_with_what_to_do(review_course: CourseLayout, how: str) -> None:
    folder = submitted(review_course)
    breaking, said = BROKEN[how]
    breaking(folder / NOTEBOOK)
    line = check(review_course, folder)
    assert line is not None, f"{how}: not noticed"
    assert line.startswith(f"cordelia, {NOTEBOOK}: "), line
    assert said in line, line
    assert (
        "ask cordelia to restart their server and submit essay again" in line and "\n" not in line and len(line) < 400
    ), line


def test_a_link_is_not_followed(review_course: CourseLayout, tmp_path: Path) -> None:
    classmate = tmp_path / "classmate.ipynb"
    classmate.write_bytes((review_course.build.course_root / "release" / PATH / NOTEBOOK).read_bytes())
    folder = submitted(review_course)
    (folder / NOTEBOOK).unlink()
    (folder / NOTEBOOK).symlink_to(classmate)
    assert "a link, not a file" in (check(review_course, folder) or "")


def test_a_forged_grade_id_is_shown_on_one_line_and_short(review_course: CourseLayout) -> None:
    folder = submitted(review_course)

    def forge(doc: dict[str, Any]) -> None:
        _new_graded(doc)
        doc["cells"][-1]["metadata"]["nbgrader"]["grade_id"] = "\x1b[2J\nfake line " + "x" * 5000

    _edit(forge)(folder / NOTEBOOK)
    line = check(review_course, folder) or ""
    assert "\x1b" not in line and "\n" not in line and len(line) < 400, line


def test_the_limit_is_far_above_any_path_notebook() -> None:
    repo = Path(__file__).resolve().parents[2]
    assert max(p.stat().st_size for p in (repo / "notebooks").glob("*.ipynb")) * 100 < MAX_NOTEBOOK_BYTES
