"""What ``peerkit build`` checks before nbgrader runs: a notebook nbgrader would choke on, points that
do not add up to course.yml's, a setting of nbgrader_config.py of the wrong kind; one error each, and
nothing built."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from peerkit.config.course import load_course
from peerkit.config.workspace import Workspace
from peerkit.core.errors import ConfigError
from peerkit.facilitator.build import course_build
from peerkit.nbgrader.build import build_course
from peerkit.nbgrader.checks import check_nbgrader_config, check_notebook
from tests.conftest import COMMITTED_CONFIG, COURSE_FILE, REPO, write_test_course

Change = Callable[[dict[str, Any]], object]


def task(nb: dict[str, Any], grade_id: str) -> dict[str, Any]:
    """The nbgrader settings of the cell *grade_id*."""
    found = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)
    meta: dict[str, Any] = found["metadata"]["nbgrader"]
    return meta


def set_points(value: object) -> Change:
    return lambda nb: task(nb, "first").update(points=value)


def build_after(tmp_path: Path, change: Change | None = None, *, text: str | None = None) -> Path:
    """Build the two-path test course after *change* to alpha's notebook (or *text* in its place);
    return the work folder, which must stay empty."""
    course_file = write_test_course(tmp_path / "src")
    notebook = tmp_path / "src" / "notebooks" / "alpha.ipynb"
    if change is not None:
        nb = json.loads(notebook.read_text())
        change(nb)
        notebook.write_text(json.dumps(nb))
    if text is not None:
        notebook.write_text(text)
    work = tmp_path / "w"
    build = course_build(load_course(course_file), Workspace.at(work), course_file.parent / "nbgrader_config.py")
    build_course(build)
    return work


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (set_points(math.nan), "nan"),
        (set_points(math.inf), "inf"),
        (set_points(-1), "-1"),
        (set_points(1e308), "1e+308"),
        (set_points("2"), "'2'"),
        (set_points(True), "True"),
        (lambda nb: task(nb, "first").pop("points"), "missing"),
    ],
)
def test_bad_points_are_refused_naming_notebook_cell_and_fix(tmp_path: Path, change: Change, shown: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_after(tmp_path, change)
    notebook = tmp_path / "src" / "notebooks" / "alpha.ipynb"
    assert str(info.value) == (
        f"{notebook}: cell 'first' (cell 3): metadata.nbgrader.points is {shown};"
        " fix: a number of points from 0 to 1000"
    )
    assert not (tmp_path / "w").exists(), "nothing is built or written"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda nb: task(nb, "second").update(grade_id="first"),
            "cell 'first' (cell 5): metadata.nbgrader.grade_id 'first' is also the grade_id of cell 3;"
            " fix: give each cell its own grade_id",
        ),
        (
            lambda nb: nb["cells"][2]["metadata"].update(nbgrader="yes"),
            "cell 3: metadata.nbgrader is 'yes'; fix: an object of nbgrader's settings",
        ),
        (
            lambda nb: task(nb, "first").update(task="yes"),
            "cell 'first' (cell 3): metadata.nbgrader.task is 'yes'; fix: true or false",
        ),
        (
            lambda nb: task(nb, "first").update(grade_id="a b"),
            "cell 3: metadata.nbgrader.grade_id is 'a b'; fix: a name of letters, digits, - and _",
        ),
        (
            lambda nb: nb["cells"][2].update(cell_type="code", outputs=[], execution_count=None),
            "cell 'first' (cell 3): a task cell is a code cell; fix: make it a Markdown cell",
        ),
        (
            lambda nb: task(nb, "first").update(schema_version=9),
            "cell 'first' (cell 3): metadata.nbgrader.schema_version is 9; fix: 3",
        ),
    ],
)
def test_cell_settings_nbgrader_refuses_are_one_clear_error(tmp_path: Path, change: Change, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_after(tmp_path, change)
    assert str(info.value).startswith(f"{tmp_path / 'src' / 'notebooks' / 'alpha.ipynb'}: {message}"), info.value
    assert "Traceback" not in str(info.value)
    assert not (tmp_path / "w").exists()


def test_several_problems_are_listed_in_one_error(tmp_path: Path) -> None:
    def both(nb: dict[str, Any]) -> None:
        task(nb, "first")["points"] = math.nan
        task(nb, "second")["points"] = -3

    with pytest.raises(ConfigError) as info:
        build_after(tmp_path, both)
    lines = str(info.value).splitlines()
    assert lines[0].endswith("alpha.ipynb: 2 cells' settings are wrong:")
    assert "cell 'first' (cell 3): metadata.nbgrader.points is nan" in lines[1]
    assert "cell 'second' (cell 5): metadata.nbgrader.points is -3" in lines[2]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('{"a": 1}', "not a Jupyter notebook (no 'cells' list)"),
        ("[1, 2]", "not a Jupyter notebook (the file holds a list, not an object)"),
        ("{ not json", "not a Jupyter notebook (not valid JSON: Expecting property name enclosed in double quotes"),
        ('{"cells": [], "metadata": {}}', "not a Jupyter notebook (no 'nbformat' version)"),
        ('{"nbformat": 3, "worksheets": []}', "a notebook of format 3, not 4; fix: open it in Jupyter and save it"),
        ('{"nbformat": 4, "cells": [7], "metadata": {}}', "cell 1: not a notebook cell"),
    ],
)
def test_a_file_that_is_not_a_notebook_says_so(tmp_path: Path, text: str, why: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_after(tmp_path, text=text)
    assert str(info.value).startswith(f"{tmp_path / 'src' / 'notebooks' / 'alpha.ipynb'}: {why}"), info.value
    assert "'list' object" not in str(info.value) and "version 1 to version 2" not in str(info.value)
    assert not (tmp_path / "w").exists()


def test_points_that_do_not_add_up_to_course_yml_are_refused_with_both_numbers(tmp_path: Path) -> None:
    course_file = write_test_course(tmp_path / "src")
    course_file.write_text(course_file.read_text().replace("points: 5}", "points: 6}"))
    build = course_build(load_course(course_file), Workspace.at(tmp_path / "w"), None)
    with pytest.raises(ConfigError) as info:
        build_course(build)
    notebook = tmp_path / "src" / "notebooks" / "alpha.ipynb"
    assert str(info.value) == (
        f"{course_file}: paths[0].points: path 'alpha' is worth 6 points here, but the cells of its notebook"
        f" {notebook} add up to 5 (first 2, second 3); fix: write points: 5 for the path, or change the cells'"
        " points in the notebook"
    )
    assert info.value.where == "paths[0].points"
    assert not (tmp_path / "w").exists()


def test_the_repository_course_passes_every_check() -> None:
    course = load_course(COURSE_FILE)
    for path in course.paths:
        graded = check_notebook(json.loads(path.notebook.read_text(encoding="utf-8")), path.notebook)
        assert sum(c.points for c in graded) == path.points, path.id
    check_nbgrader_config(COURSE_FILE.parent / "nbgrader_config.py")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "c.CourseDirectory.ignore = 5",
            "c.CourseDirectory.ignore = 5: The 'ignore' trait of a CourseDirectory instance expected a list, not the"
            " int 5; fix: set it to a list",
        ),
        (
            "c.ExchangeCollect.chek_owner = False",
            "c.ExchangeCollect.chek_owner: ExchangeCollect has no setting 'chek_owner';"
            " fix: did you mean 'check_owner'?",
        ),
    ],
)
def test_a_bad_nbgrader_setting_is_named_before_anything_is_built(tmp_path: Path, line: str, message: str) -> None:
    course_file = write_test_course(tmp_path / "src")
    config = course_file.parent / "nbgrader_config.py"
    config.write_text(COMMITTED_CONFIG.read_text() + line + "\n")
    build = course_build(load_course(course_file), Workspace.at(tmp_path / "w"), config)
    with pytest.raises(ConfigError) as info:
        build_course(build)
    assert str(info.value) == f"{config}: {message}"
    assert not (tmp_path / "w").exists()


def test_other_jupyter_settings_in_nbgrader_config_are_left_alone(tmp_path: Path) -> None:
    config = tmp_path / "nbgrader_config.py"
    shutil.copy(REPO / "course" / "nbgrader_config.py", config)
    with config.open("a") as out:
        out.write("c.ServerApp.port = 'not mine to judge'\nc.Execute.timeout = 60\n")
    check_nbgrader_config(config)


def test_a_named_exchange_time_zone_is_refused_before_any_submission_is(tmp_path: Path) -> None:
    """nbgrader stamps submissions in ``Exchange.timezone``; in a zone with summer time its stamps say
    ``EDT`` or ``CEST``, which name no zone, and collect refuses every such submission. The build says so
    first, with the fix; UTC (the default) passes."""
    config = tmp_path / "nbgrader_config.py"
    shutil.copy(REPO / "course" / "nbgrader_config.py", config)
    with config.open("a") as out:
        out.write("c.Exchange.timezone = 'America/New_York'\n")
    with pytest.raises(ConfigError, match=r"c\.Exchange\.timezone = 'America/New_York'.*fix: remove the setting"):
        check_nbgrader_config(config)
    config.write_text(config.read_text().replace("America/New_York", "UTC"))
    check_nbgrader_config(config)
