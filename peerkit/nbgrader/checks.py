"""What ``peerkit build`` checks before nbgrader runs: each path's notebook, its cells' nbgrader
settings, their points against ``course.yml``, and the course's ``nbgrader_config.py``.

nbgrader meets a broken source with a stack of tracebacks (NaN points end in a database error, a
duplicate ``grade_id`` in three of them) or carries it silently into the learners' pages (points
that do not add up to what the course says). Here each is one :class:`ConfigError` naming the file,
the cell or setting, and the fix, raised before anything is written.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from peerkit.core.errors import ConfigError, shown
from peerkit.core.models import Course, LearningPath

#: The largest notebook read (the course's are under 100 KB; images inline make some a few MB).
MAX_NOTEBOOK_BYTES: Final = 50_000_000
#: The most points one cell is worth (a path is worth a few dozen).
MAX_CELL_POINTS: Final = 1000
#: The nbgrader cell format versions nbgrader reads (it upgrades 0 to 2 itself).
NBGRADER_SCHEMA_VERSIONS: Final = range(4)
GRADE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
FLAGS: Final = ("grade", "solution", "locked", "task")
#: How many problems one error lists.
SHOWN_PROBLEMS: Final = 10


@dataclass(frozen=True, slots=True)
class GradedCell:
    """A cell worth points (a task cell, or a grade cell): its grade id, number (1-based) and points."""

    grade_id: str
    number: int
    points: float


def read_notebook(file: Path, *, path_id: str) -> tuple[str, tuple[GradedCell, ...]]:
    """The text of *path_id*'s notebook *file*, checked to be a Jupyter notebook (format 4) whose cells'
    nbgrader settings nbgrader accepts, and its cells worth points. Raises :class:`ConfigError` naming
    the file, the cell and the fix."""
    try:
        with file.open("rb") as stream:
            data = stream.read(MAX_NOTEBOOK_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(f"notebook of path {path_id!r} not found: {file}") from None
    except OSError as exc:
        raise ConfigError(f"notebook of path {path_id!r} cannot be read: {exc.strerror}", source=str(file)) from None
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise ConfigError(
            f"the notebook is over {MAX_NOTEBOOK_BYTES:,} bytes; fix: clear its outputs (Jupyter: Edit, Clear Outputs)"
            " and keep large files beside it",
            source=str(file),
        )
    try:
        text = data.decode("utf-8")
        doc = json.loads(text)
    except UnicodeDecodeError as exc:
        raise _not_a_notebook(file, f"not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise _not_a_notebook(file, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except (ValueError, RecursionError):
        raise _not_a_notebook(file, "not valid JSON (numbers too long or lists nested too deeply)") from None
    return text, check_notebook(doc, file)


def _not_a_notebook(file: Path, why: str) -> ConfigError:
    return ConfigError(
        f"not a Jupyter notebook ({why}); fix: name a notebook saved by Jupyter in course.yml", source=str(file)
    )


def check_notebook(doc: object, file: Path) -> tuple[GradedCell, ...]:
    """Check *doc* (a notebook's decoded JSON) the way nbgrader will read it; return its cells worth points."""
    if not isinstance(doc, dict):
        raise _not_a_notebook(file, f"the file holds {_kind(doc)}, not an object")
    version = doc.get("nbformat")
    if isinstance(version, int) and not isinstance(version, bool) and version != 4:
        raise ConfigError(
            f"a notebook of format {version}, not 4; fix: open it in Jupyter and save it (which writes format 4)",
            source=str(file),
        )
    cells = doc.get("cells")
    if not isinstance(cells, list):
        raise _not_a_notebook(file, "no 'cells' list")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _not_a_notebook(file, "no 'nbformat' version")
    if not isinstance(doc.get("metadata", {}), dict):
        raise _not_a_notebook(file, f"its 'metadata' is {_kind(doc['metadata'])}, not an object")
    problems: list[str] = []
    graded: list[GradedCell] = []
    owners: dict[str, int] = {}
    for number, cell in enumerate(cells, start=1):
        problems += _check_cell(cell, number, graded, owners)
    if problems:
        raise ConfigError(_listed(problems, "cells' settings are wrong"), source=str(file))
    return tuple(graded)


def _check_cell(cell: object, number: int, graded: list[GradedCell], owners: dict[str, int]) -> list[str]:
    """The problems of one cell (recording its grade id in *owners*, and it in *graded* if it is worth points)."""
    if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
        return [f"cell {number}: not a notebook cell (no cell_type code, markdown or raw); fix: remove it in Jupyter"]
    metadata = cell.get("metadata", {})
    if not isinstance(metadata, dict):
        return [f"cell {number}: metadata is {_kind(metadata)}; fix: an object (Jupyter writes one)"]
    meta = metadata.get("nbgrader")
    if meta is None:
        return []
    if not isinstance(meta, dict):
        return [
            f"cell {number}: metadata.nbgrader is {shown(meta, 40)}; fix: an object of nbgrader's settings"
            " (grade_id, task, points ...), or remove it"
        ]
    grade_id = meta.get("grade_id")
    name = (
        f"cell {grade_id!r} (cell {number})"
        if isinstance(grade_id, str) and GRADE_ID.match(grade_id)
        else f"cell {number}"
    )
    problems: list[str] = []
    version = meta.get("schema_version", 3)
    if isinstance(version, bool) or version not in NBGRADER_SCHEMA_VERSIONS:
        problems.append(f"{name}: metadata.nbgrader.schema_version is {shown(version, 40)}; fix: 3")
    flags = {}
    for flag in FLAGS:
        value = meta.get(flag, False)
        if not isinstance(value, bool):
            problems.append(f"{name}: metadata.nbgrader.{flag} is {shown(value, 40)}; fix: true or false")
        flags[flag] = value is True
    if not any(flags.values()):
        return problems
    if not isinstance(grade_id, str) or not GRADE_ID.match(grade_id):
        problems.append(
            f"{name}: metadata.nbgrader.grade_id is {shown(grade_id, 40)}; fix: a name of letters, digits, - and _"
        )
    elif grade_id in owners:
        problems.append(
            f"{name}: metadata.nbgrader.grade_id {grade_id!r} is also the grade_id of cell {owners[grade_id]};"
            " fix: give each cell its own grade_id"
        )
    else:
        owners[grade_id] = number
    kind = cell["cell_type"]
    if flags["task"] and kind != "markdown":
        problems.append(f"{name}: a task cell is a {kind} cell; fix: make it a Markdown cell, or not a task")
    if not flags["task"] and kind == "markdown" and flags["grade"] != flags["solution"]:
        problems.append(
            f"{name}: a Markdown cell that is graded must be a solution cell too, and the reverse;"
            " fix: mark it as both, or neither"
        )
    if flags["grade"] or flags["task"]:
        points = meta.get("points")
        if isinstance(points, bool) or not isinstance(points, int | float):
            problems.append(
                f"{name}: metadata.nbgrader.points is {'missing' if points is None else shown(points, 40)};"
                f" fix: a number of points from 0 to {MAX_CELL_POINTS}"
            )
        elif not math.isfinite(points) or not 0 <= points <= MAX_CELL_POINTS:
            problems.append(
                f"{name}: metadata.nbgrader.points is {points!r}; fix: a number of points from 0 to {MAX_CELL_POINTS}"
            )
        elif isinstance(grade_id, str):
            graded.append(GradedCell(grade_id, number, float(points)))
    return problems


def check_points(course: Course, path: LearningPath, cells: Iterable[GradedCell]) -> None:
    """Refuse a path whose ``points`` in course.yml are not the sum of its notebook's cells' points:
    the course home would promise one number and the gradebook count another."""
    cells = tuple(cells)
    total = sum(c.points for c in cells)
    if math.isclose(total, path.points, rel_tol=1e-9, abs_tol=1e-9):
        return
    index = [p.id for p in course.paths].index(path.id)
    listed = ", ".join(f"{c.grade_id} {c.points:g}" for c in cells[:SHOWN_PROBLEMS])
    more = f" and {len(cells) - SHOWN_PROBLEMS} more" if len(cells) > SHOWN_PROBLEMS else ""
    where = f"paths[{index}].points"
    unset = " (or has no points:)" if not path.points else ""
    raise ConfigError(
        f"{where}: path {path.id!r} is worth {path.points:g} points here{unset},"
        f" but the cells of its notebook {path.notebook} add up to {total:g}"
        f" ({listed + more if cells else 'no cell is worth points'});"
        f" fix: write points: {total:g} for the path, or change the cells' points in the notebook",
        source=str(course.source or "course.yml"),
        where=where,
    )


def _listed(problems: list[str], what: str) -> str:
    if len(problems) == 1:
        return problems[0]
    lines = problems[:SHOWN_PROBLEMS] + (
        [f"... and {len(problems) - SHOWN_PROBLEMS} more"] if len(problems) > SHOWN_PROBLEMS else []
    )
    return f"{len(problems)} {what}:\n  " + "\n  ".join(lines)


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null"}.get(
        type(value), f"a {type(value).__name__}"
    )


# -- the course's nbgrader_config.py ---------------------------------------------------------------


def nbgrader_classes() -> dict[str, list[type[Any]]]:
    """nbgrader's configurable classes by name (every class a build, a collect or a feedback makes)."""
    import nbgrader.apps  # every app, converter and preprocessor class
    import nbgrader.exchange.default  # noqa: F401 - every exchange class
    from traitlets.config import Configurable

    found: dict[str, list[type[Any]]] = {}
    todo: list[type[Any]] = [Configurable]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("nbgrader."):
            found.setdefault(cls.__name__, []).append(cls)
    return found


def check_nbgrader_config(file: Path | None, sections: Mapping[str, Any] | None = None) -> None:
    """Refuse a setting of the course's ``nbgrader_config.py`` that nbgrader would stop on (a value of
    the wrong kind: a traceback from the middle of a build) or ignore (a setting its class does not
    have), naming the file, the setting and the fix. *sections*: the file's loaded config."""
    if file is None or not file.is_file():
        return
    from traitlets import TraitError

    if sections is None:
        from peerkit.nbgrader.config import load_config_file

        sections = load_config_file(file)
    classes = nbgrader_classes()
    problems: list[str] = []
    for section, values in sections.items():
        if section not in classes or not isinstance(values, Mapping):
            continue  # another part of Jupyter's setting (nbgrader's config file is Jupyter's), or not a section
        for name, value in values.items():
            traits = [cls.class_traits(config=True).get(name) for cls in classes[section]]
            trait = next((t for t in traits if t is not None), None)
            if trait is None:
                known = sorted({n for cls in classes[section] for n in cls.class_traits(config=True)})
                close = difflib.get_close_matches(name, known, n=1)
                hint = f"did you mean {close[0]!r}?" if close else "see nbgrader's documentation for its settings"
                problems.append(f"c.{section}.{name}: {section} has no setting {name!r}; fix: {hint}")
                continue
            owner: Any = next(cls for cls, t in zip(classes[section], traits, strict=True) if t is trait)
            try:
                trait.validate(owner.__new__(owner), value)  # an instance without config, to name its class
            except TraitError as exc:
                reason = str(exc).splitlines()[0].rstrip(".") if str(exc) else "a value of the wrong kind"
                said = shown(reason, 200)[1:-1]
                problems.append(f"c.{section}.{name} = {shown(value, 60)}: {said}; fix: set it to {trait.info()}")
            except Exception:  # noqa: BLE001, S112 - a trait that cannot judge a value outside an app: nbgrader will
                continue
    zone = sections.get("Exchange", {}).get("timezone") if isinstance(sections.get("Exchange"), Mapping) else None
    if zone is not None and zone != "UTC":
        # nbgrader stamps each submission in this zone by its abbreviation: in summer EDT, CEST, AEDT, which name
        # no zone (parse_exchange_time refuses them rather than read them hours off), so collect would refuse them.
        problems.append(
            f"c.Exchange.timezone = {shown(zone, 60)}: peerkit reads nbgrader's times in UTC, and a zone's summer "
            "abbreviation (EDT, CEST) cannot be read back; fix: remove the setting (learners still see every time "
            "in their own zone)"
        )
    if problems:
        raise ConfigError(_listed(problems, "nbgrader settings are wrong"), source=str(file))
