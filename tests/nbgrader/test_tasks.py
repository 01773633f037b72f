"""The questions and activities of a path notebook, and which of its answers are required."""

from __future__ import annotations

from pathlib import Path

import nbformat

from peerkit.nbgrader.tasks import answer_kinds, optional_answers, required_answers
from tests.conftest import REPO


def notebook(tmp_path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    file = tmp_path / "p.ipynb"
    nbformat.write(nb, str(file))
    return file


def test_every_activity_is_required_unless_marked_optional(tmp_path: Path) -> None:
    file = notebook(
        tmp_path,
        'page = PathPage("p")',
        'page.reflection("story", label="Your (long) story")',
        'page.scale("often", label="How often?", low="never", high="daily", optional=True)',
        'page.answer("text", "aside", label="Anything else?", optional=True)',
        'page.checklist("when", ["a", "b"], label="When?", optional=False)',
        "%%time\npage.plan('next', optional=True)",  # not plain Python: marks nothing optional
    )
    assert list(answer_kinds(file)) == ["story", "often", "aside", "when", "next"]
    assert optional_answers(file) == {"often", "aside"}
    assert required_answers(file) == ("story", "when", "next")


def test_a_check_of_understanding_is_never_required(tmp_path: Path) -> None:
    file = notebook(
        tmp_path,
        'page = PathPage("p")',
        'page.check("check-a", "Q?", choices=["a", "b"], answer=0, why="w")',
        'page.reflection("story", label="Your story")',
    )
    assert answer_kinds(file) == {"check-a": "check", "story": "text"}
    assert required_answers(file) == ("story",)


def test_the_course_notebooks_require_every_activity_but_the_checks() -> None:
    for file in sorted((REPO / "notebooks").glob("*.ipynb")):
        graded = tuple(answer_id for answer_id, kind in answer_kinds(file).items() if kind != "check")
        assert required_answers(file) == graded, file.name
