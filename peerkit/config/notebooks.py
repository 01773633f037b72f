"""Check a course's path notebooks as a course author writes them, before anything is built.

nbgrader neither runs nor reads the code of a notebook, so a mistake in it used to pass ``peerkit
build`` and show up only on the learner's page: a cell that does not parse stops the page there
("There was an error when executing cell [3]"); ``PathPage("another-path")`` makes the page a preview
that saves nothing; two activities with one answer id share (and overwrite) one answer; a project
part that course.yml does not list is shown under its bare id and never reaches the capstone; a task
cell whose ``grade_id`` names no activity gives points that no answer earns, and an activity without
its task cell reaches reviewers without its question. :func:`check_notebooks` finds each of these and
raises one :class:`ConfigError` naming the notebook, the cell and the fix.

Only what can be known without running the notebook is checked: literal ids (``page.reflection("id",
...)``), the way the course's notebooks and the authoring guide (docs/authoring.md) write them.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peerkit.core import kinds
from peerkit.core.errors import ConfigError, shown
from peerkit.core.models import Course, LearningPath

#: How many problems one error lists.
SHOWN = 10


@dataclass(frozen=True, slots=True)
class Activity:
    """One ``page.<method>("id", ...)`` call of a notebook: its answer id, method and cell (1-based)."""

    answer_id: str
    method: str
    cell: int
    part: str | None = None


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _python(source: str) -> str | None:
    """The cell's code as Python: IPython's line magics and shell escapes blanked; None for a cell magic."""
    if source.lstrip().startswith("%%"):
        return None
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _cell_name(number: int, cell: dict[str, Any]) -> str:
    meta = cell.get("metadata", {})
    grade_id = meta.get("nbgrader", {}).get("grade_id") if isinstance(meta, dict) else None
    return f"cell {number}" + (f" ({grade_id!r})" if isinstance(grade_id, str) else "")


def notebook_problems(path: LearningPath, course: Course) -> list[str]:
    """Every problem of *path*'s notebook, each naming the cell and the fix (empty: none). A notebook
    that is not JSON with a list of cells is left to the build's own check, which says so."""
    try:
        doc = json.loads(path.notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    cells = doc.get("cells") if isinstance(doc, dict) else None
    if not isinstance(cells, list):
        return []
    methods = kinds.by_method()
    problems: list[str] = []
    activities: list[Activity] = []
    pages: set[str] = set()
    tasks: dict[str, int] = {}
    unparsed = False
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            continue
        meta = cell.get("metadata", {})
        nbgrader = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
        if isinstance(nbgrader, dict) and nbgrader.get("task") and isinstance(nbgrader.get("grade_id"), str):
            tasks.setdefault(nbgrader["grade_id"], number)
        if cell.get("cell_type") != "code":
            continue
        code = _python(_source(cell))
        if code is None:
            continue
        try:
            tree = ast.parse(code)
        except SyntaxError as exc:
            unparsed = True
            problems.append(
                f"{_cell_name(number, cell)}: line {exc.lineno or 1}: the code does not run ({exc.msg}); fix: correct"
                " it in Jupyter (run the cell to see the error), or remove the cell"
            )
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                call = node.value
                if isinstance(call.func, ast.Name) and call.func.id == "PathPage":
                    pages.update(t.id for t in node.targets if isinstance(t, ast.Name))
                    given = _literal(call.args[0] if call.args else None)
                    if given is not None and given != path.id:
                        problems.append(
                            f"{_cell_name(number, cell)}: PathPage({shown(given, 60)}) names another path, so the"
                            f" page would save nothing; fix: write PathPage({path.id!r})"
                        )
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            receiver, method = node.func.value, node.func.attr
            if not (isinstance(receiver, ast.Name) and receiver.id in (pages or {"page"})):
                continue
            if method == "answer":
                kind, answer_id = (_literal(a) for a in (*node.args[:2], None, None)[:2])
                if kind is not None and kinds.find(kind) is None:
                    known = ", ".join(sorted(k.name for k in kinds.all_kinds()))
                    problems.append(
                        f"{_cell_name(number, cell)}: page.answer({kind!r}, ...): there is no answer kind"
                        f" {kind!r}; fix: use one of: {known}"
                    )
                    continue
                kind_method = next((m for m, k in methods.items() if k.name == kind), "answer")
            elif method in methods:
                answer_id, kind_method = _literal(node.args[0] if node.args else None), method
            else:
                continue
            if answer_id is None:
                continue
            part = next((_literal(k.value) for k in node.keywords if k.arg == "part"), None)
            activities.append(Activity(answer_id, kind_method, number, part))
    # A cell that does not parse hides its activities: matching task cells to them would only mislead.
    problems += _activity_problems(activities, tasks, course, methods, match_tasks=not unparsed)
    return problems


def _activity_problems(
    activities: list[Activity], tasks: dict[str, int], course: Course, methods: dict[str, Any], *, match_tasks: bool
) -> list[str]:
    problems: list[str] = []
    first: dict[str, Activity] = {}
    for activity in activities:
        earlier = first.setdefault(activity.answer_id, activity)
        if earlier is not activity:
            problems.append(
                f"cell {activity.cell}: answer id {activity.answer_id!r} is also the id of the activity in cell"
                f" {earlier.cell}, so both would save into one answer; fix: give each activity its own id"
            )
    parts = [p.id for p in course.project]
    for activity in activities:
        if activity.method == "project" and activity.part is not None and activity.part not in parts:
            known = ", ".join(parts) or "none yet (add a project: list to course.yml)"
            problems.append(
                f"cell {activity.cell}: page.project({activity.answer_id!r}, part={activity.part!r}): course.yml's"
                f" project has no part {activity.part!r}; fix: use one of its parts ({known}) or add it there"
            )
    if not match_tasks:
        return problems
    graded = {a.answer_id: a for a in activities if methods.get(a.method) is None or methods[a.method].required}
    for grade_id, cell in tasks.items():
        if grade_id not in graded:
            problems.append(
                f"cell {cell}: the task cell {grade_id!r} is the question of no activity (its points would be"
                " earned by no answer); fix: set its grade_id to the id of the activity below it"
            )
    for answer_id, activity in graded.items():
        if answer_id not in tasks:
            problems.append(
                f"cell {activity.cell}: activity {answer_id!r} has no task cell, so reviewers would see its"
                f" answer without its question; fix: put the question in a Markdown cell above it whose"
                f" nbgrader metadata is a task with grade_id {answer_id!r} and its points"
            )
    return problems


def check_notebooks(course: Course, path_ids: Iterable[str] = ()) -> None:
    """Raise :class:`ConfigError` listing the problems of the notebooks of *course* (every path, or
    only *path_ids*), each line naming the notebook, the cell and the fix."""
    lines: list[str] = []
    folder: Path | None = None
    wanted = set(path_ids)
    for path in course.paths:
        if wanted and path.id not in wanted:
            continue
        problems = notebook_problems(path, course)
        folder = folder or (path.notebook.parent if problems else None)
        lines += [f"{path.notebook.name} (path {path.id!r}): {problem}" for problem in problems]
    if lines:
        more = f"\n  ... and {len(lines) - SHOWN} more" if len(lines) > SHOWN else ""
        raise ConfigError(
            "the notebooks have problems a learner's page would show:\n  " + "\n  ".join(lines[:SHOWN]) + more,
            source=str(folder),
        )
