"""A learner's submitted notebooks, checked before nbgrader's autograde and feedback read them.

A learner controls every byte of what they submit. peerkit takes their answers from the answers file
(:mod:`peerkit.nbgrader.ingest`), but closing a path runs nbgrader's autograde over the submitted
notebooks themselves, and one notebook that is not JSON, cut short, missing, of another notebook
format, or marked for nbgrader otherwise than the course released it, made nbgrader fail the step
for everybody (or, with a forged marking, give up before the learners after it were looked at).

Each learner's submission is checked here first, against the path's released notebooks: every one
present, a file (not a link) under :data:`MAX_NOTEBOOK_BYTES`, JSON in notebook format 4 with a list
of cells, and every cell nbgrader marks (``grade_id``, grade, solution, task, locked, points) marked
as in the released notebook, once, with none of the path's graded cells missing. A cell's text may
differ: nbgrader puts the course's text of a locked cell back. A submission that fails is left out of
the step, not graded, and reported as :class:`NotGraded`: one line with the learner, the file, what
is wrong and what to do. Nothing of the learner's is changed or removed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from peerkit.core.errors import ValidationError, shown
from peerkit.core.terminal import terminal_safe
from peerkit.nbgrader.learner import read_small

#: The largest notebook autograde is given (the course's path notebooks are some 35 KB: a learner
#: cannot make one this big by answering, and nbgrader reads each whole, more than once).
MAX_NOTEBOOK_BYTES: Final = 16 * 1024 * 1024
#: nbgrader's marking of a cell, as autograde and the gradebook go by it.
ROLES: Final = ("grade", "solution", "task", "locked")


@dataclass(frozen=True, slots=True)
class NotGraded:
    """A learner's submission of *path_id* that was not graded: *file* (in their submission) and what is
    wrong with it (*problem*, one clause)."""

    learner: str
    path_id: str
    file: str
    problem: str

    def fix(self) -> str:
        """What the facilitator can do about it."""
        return (
            f"ask {self.learner} to restart their server and submit {self.path_id} again (their answers are kept), "
            f"then run peerkit collect {self.path_id} and close it again"
        )

    def __str__(self) -> str:
        """One line, whatever the file held (a learner's text never makes lines of its own in a report)."""
        return terminal_safe(f"{self.learner}, {self.file}: {self.problem}; {self.fix()}", one_line=True)


@dataclass(frozen=True, slots=True)
class Marking:
    """How nbgrader marks one cell of the released notebook."""

    cell_type: str
    grade: bool
    solution: bool
    task: bool
    locked: bool
    points: float | None  # None: a cell that carries no points (neither graded nor a task)

    @property
    def scored(self) -> bool:
        """Whether the gradebook keeps a score or a comment of the cell (it must be in every submission)."""
        return self.grade or self.solution or self.task


def _marking(cell: Mapping[str, Any], meta: Mapping[str, Any]) -> Marking:
    scored = bool(meta.get("grade")) or bool(meta.get("task"))
    return Marking(
        cell_type=str(cell.get("cell_type")),
        grade=bool(meta.get("grade")),
        solution=bool(meta.get("solution")),
        task=bool(meta.get("task")),
        locked=bool(meta.get("locked")),
        points=_number(meta.get("points", 0)) if scored else None,
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def released_markings(release: Path) -> dict[str, dict[str, Marking]]:
    """The path's released notebooks in the folder *release* (file name -> each marked cell's
    ``grade_id`` -> its :class:`Marking`). The course wrote these: they are read as they are."""
    found: dict[str, dict[str, Marking]] = {}
    for notebook in sorted(release.glob("*.ipynb")):
        doc = json.loads(notebook.read_text(encoding="utf-8"))
        markings: dict[str, Marking] = {}
        for cell in doc.get("cells", []):
            meta = cell.get("metadata", {}).get("nbgrader")
            if isinstance(meta, dict) and isinstance(meta.get("grade_id"), str):
                markings[meta["grade_id"]] = _marking(cell, meta)
        found[notebook.name] = markings
    return found


def check_submission(
    folder: Path, released: Mapping[str, Mapping[str, Marking]], *, learner: str, path_id: str
) -> NotGraded | None:
    """None when every notebook of *released* (:func:`released_markings`) is sound in the submission
    *folder*; otherwise the first that is not, and why."""
    for name, markings in released.items():
        problem = notebook_problem(folder / name, markings)
        if problem is not None:
            return NotGraded(learner, path_id, name, problem)
    return None


def notebook_problem(file: Path, markings: Mapping[str, Marking]) -> str | None:
    """What is wrong with the submitted notebook *file* (one clause), or None; *markings* are the
    released notebook's."""
    try:
        data = read_small(file, MAX_NOTEBOOK_BYTES)
    except ValidationError as exc:  # "<name> is a link, not a file" and the like
        return str(exc).removeprefix(f"{file.name} is ").removeprefix(f"{file.name} ")
    if data is None:
        return "missing from the submission"
    if len(data) > MAX_NOTEBOOK_BYTES:
        return f"over {MAX_NOTEBOOK_BYTES // (1024 * 1024)} MB, not the path's notebook"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not text (not UTF-8 at byte {exc.start})"
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()):
            return "cut short: its JSON ends before the notebook does"
        return f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    except RecursionError:
        return "not a notebook (JSON nested too deeply)"
    return _document_problem(doc, markings)


def _document_problem(doc: Any, markings: Mapping[str, Marking]) -> str | None:
    if not isinstance(doc, dict):
        return "not a notebook (JSON, but not an object)"
    version = doc.get("nbformat")
    if version != 4 or isinstance(version, bool):
        return f"notebook format {shown(version, 20)}, not 4 as the course released it"
    cells = doc.get("cells")
    if not isinstance(cells, list):
        return "not a notebook (it holds no list of cells)"
    seen: dict[str, int] = {}
    for number, cell in enumerate(cells, start=1):
        problem = _cell_problem(number, cell, markings, seen)
        if problem is not None:
            return problem
    for grade_id, marking in markings.items():
        if marking.scored and grade_id not in seen:
            return f"the path's cell {shown(grade_id)} is missing"
    return None


def _cell_problem(number: int, cell: Any, markings: Mapping[str, Marking], seen: dict[str, int]) -> str | None:
    if not isinstance(cell, dict) or not isinstance(cell.get("metadata", {}), dict):
        return f"cell {number} is not a notebook cell"
    meta = cell.get("metadata", {}).get("nbgrader")
    if meta is None:
        return None
    if not isinstance(meta, dict):
        return f"cell {number}'s nbgrader marking is not a mapping"
    grade_id = meta.get("grade_id")
    if grade_id is None and not any(meta.get(role) for role in ROLES):
        return None  # nbgrader's own check of the marking's version follows
    if not isinstance(grade_id, str):
        return f"cell {number} is marked for grading without a cell id of the path"
    if grade_id in seen:
        return f"cells {seen[grade_id]} and {number} both claim {shown(grade_id)}"
    seen[grade_id] = number
    expected = markings.get(grade_id)
    if expected is None:
        return f"cell {number} is marked as {shown(grade_id)}, which the path has no cell of"
    found = _marking(cell, meta)
    for name in ("cell_type", *ROLES, "points"):
        theirs, ours = getattr(found, name), getattr(expected, name)
        if theirs != ours:
            differs = f"{name} {_said(theirs)}, not {_said(ours)}"
            return f"cell {number} ({shown(grade_id)}) is marked otherwise than the path's: {differs}"
    return None


def _said(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return "none" if value is None else shown(value, 20)
