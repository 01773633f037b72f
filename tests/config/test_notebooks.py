"""A path notebook's mistakes are found before the build, each named with the notebook, the cell and
the fix: before, nbgrader released them and the learner's page broke (a cell that does not run, a page
saving nothing, two boxes sharing one answer, a project part under its bare id, points no answer earns)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from peerkit.config.course import load_course
from peerkit.config.notebooks import check_notebooks
from peerkit.core.errors import ConfigError
from tests.conftest import COURSE_FILE, write_test_course

Edit = Callable[[nbformat.NotebookNode], None]


def code(nb: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def replace(grade_id: str, old: str, new: str) -> Edit:
    def edit(nb: nbformat.NotebookNode) -> None:
        cell = code(nb, grade_id)
        cell.source = cell.source.replace(old, new)

    return edit


def broken_course(tmp_path: Path, edit: Edit, *, project: str = "") -> Path:
    """The two-path test course with alpha's notebook edited by *edit*; return course.yml."""
    course_file = write_test_course(tmp_path)
    notebook = tmp_path / "notebooks" / "alpha.ipynb"
    nb = nbformat.read(str(notebook), as_version=4)
    edit(nb)
    nbformat.write(nb, str(notebook))
    if project:
        course_file.write_text(course_file.read_text() + project)
    return course_file


def test_the_repository_course_and_the_test_course_pass(tmp_path: Path) -> None:
    check_notebooks(load_course(COURSE_FILE))
    check_notebooks(load_course(write_test_course(tmp_path)))


PROJECT = "project:\n  - {id: setting, path: alpha, title: The setting}\n"


@pytest.mark.parametrize(
    ("edit", "project", "message"),
    [
        (
            replace("first-widget", '"Question first?")', '"Question first?"'),
            "",
            "cell 4 ('first-widget'): line 1: the code does not run ('(' was never closed); fix: correct it in Jupyter",
        ),
        (
            replace("setup", 'PathPage("alpha")', 'PathPage("beta")'),
            "",
            "cell 1 ('setup'): PathPage('beta') names another path, so the page would save nothing; fix: write"
            " PathPage('alpha')",
        ),
        (
            replace("second-widget", '"second"', '"first"'),
            "",
            "cell 6: answer id 'first' is also the id of the activity in cell 4, so both would save into one"
            " answer; fix: give each activity its own id",
        ),
        (
            replace(
                "second-widget",
                'page.reflection("second", "Question second?")',
                'page.project("second", part="setings")',
            ),
            PROJECT,
            "cell 6: page.project('second', part='setings'): course.yml's project has no part 'setings'; fix: use"
            " one of its parts (setting) or add it there",
        ),
        (
            replace("second-widget", 'page.reflection("second"', 'page.answer("essay", "second"'),
            "",
            "cell 6 ('second-widget'): page.answer('essay', ...): there is no answer kind 'essay'; fix: use one of:",
        ),
        (
            replace("second-widget", '"second"', '"secnd"'),
            "",
            "cell 5: the task cell 'second' is the question of no activity (its points would be earned by no"
            " answer); fix: set its grade_id to the id of the activity below it",
        ),
        (
            replace("second-widget", '"second"', '"secnd"'),
            "",
            "cell 6: activity 'secnd' has no task cell, so reviewers would see its answer without its question;"
            " fix: put the question in a Markdown cell above it whose nbgrader metadata is a task with grade_id"
            " 'secnd' and its points",
        ),
    ],
)
def test_a_notebook_mistake_names_the_notebook_the_cell_and_the_fix(
    tmp_path: Path, edit: Edit, project: str, message: str
) -> None:
    course = load_course(broken_course(tmp_path, edit, project=project))
    with pytest.raises(ConfigError) as info:
        check_notebooks(course)
    text = str(info.value)
    assert text.startswith(f"{tmp_path / 'notebooks'}: the notebooks have problems a learner's page would show:")
    assert f"alpha.ipynb (path 'alpha'): {message}" in text, text
    assert "beta.ipynb" not in text


def test_only_the_paths_asked_for_are_checked_and_magics_are_not_mistakes(tmp_path: Path) -> None:
    def edit(nb: nbformat.NotebookNode) -> None:
        replace("setup", 'PathPage("alpha")', 'PathPage("beta")')(nb)
        nb.cells.insert(1, nbformat.v4.new_code_cell("%matplotlib inline\n!ls\nx = 1"))
        nb.cells.insert(1, nbformat.v4.new_code_cell("%%bash\necho not python ("))

    course = load_course(broken_course(tmp_path, edit))
    check_notebooks(course, ["beta"])
    with pytest.raises(ConfigError, match="PathPage") as info:
        check_notebooks(course, ["alpha"])
    assert "does not run" not in str(info.value)
