"""The questions of a path: its nbgrader task cells, as reviewers should see them.

Each answer widget of a path sits under a markdown task cell whose ``grade_id`` is the answer's
id. That cell asks the question; its mark scheme (between nbgrader's ``=== BEGIN MARK SCHEME ===``
and ``=== END MARK SCHEME ===``) is for graders only and is removed here, as nbgrader removes it
from the learner's copy.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

from peerkit.core import kinds
from peerkit.core.errors import ConfigError

_MARK_SCHEME = re.compile(r"=== BEGIN MARK SCHEME ===.*?=== END MARK SCHEME ===", re.S)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_STRONG = re.compile(r"(\*\*|__)(.+?)\1", re.S)
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])", re.S)
_CODE = re.compile(r"`([^`]+)`")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
#: Lines such as "*3 points · about 5 minutes*": for the learner answering, not for a reviewer.
_EFFORT = re.compile(r"^\W*\d+(?:\.\d+)?\s+points?\b.*$|^\W*about\s+\d+\s+minutes?\W*$", re.I | re.M)


def plain(markdown: str) -> str:
    """Markdown emphasis, code marks and links reduced to their text (packets show plain text)."""
    text = _LINK.sub(r"\1", markdown)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\2", text)
    return _CODE.sub(r"\1", text)


@dataclass(frozen=True, slots=True)
class Question:
    """A task cell: its heading (the question's title), the rest of its text, and its points."""

    answer_id: str
    title: str
    text: str
    points: float


def task_questions(notebook: Path) -> dict[str, Question]:
    """The questions of *notebook* by answer id, in notebook order."""
    try:
        doc = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the questions of {notebook}: {exc}") from None
    questions: dict[str, Question] = {}
    for cell in doc.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "markdown" or not meta.get("task"):
            continue
        source = cell.get("source", "")
        text = _MARK_SCHEME.sub("", "".join(source) if isinstance(source, list) else str(source)).strip()
        lines = text.splitlines()
        title = ""
        if lines and (match := _HEADING.match(lines[0])):
            title, lines = match.group(1), lines[1:]
        grade_id = str(meta.get("grade_id", ""))
        body = _EFFORT.sub("", "\n".join(lines)).strip()
        questions[grade_id] = Question(grade_id, plain(title) or grade_id, plain(body), float(meta.get("points", 0)))
    return questions


def kind_of_method() -> dict[str, str]:
    """``page.<method>(`` in a path notebook, and the kind of answer each method saves (every
    registered answer kind that a path page offers)."""
    return {method: kind.name for method, kind in kinds.by_method().items()}


def _code_cells(notebook: Path) -> list[str]:
    try:
        doc = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the activities of {notebook}: {exc}") from None
    texts = []
    for cell in doc.get("cells", []) if isinstance(doc, dict) else []:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            texts.append("".join(source) if isinstance(source, list) else str(source))
    return texts


def answer_kinds(notebook: Path) -> dict[str, str]:
    """The activities of a path notebook, in order: answer id -> answer kind (from its code cells:
    ``page.<method>("id", ...)`` for the kinds a page has a method for, ``page.answer("kind", "id", ...)``
    for any registered kind)."""
    methods = kind_of_method()
    activity = re.compile(
        r"\bpage\.(?:(" + "|".join(map(re.escape, methods)) + r")\(|answer\(\s*[\"']([A-Za-z0-9_-]+)[\"']\s*,)"
        r"\s*[\"']([A-Za-z0-9][A-Za-z0-9_-]*)[\"']"
    )
    found: dict[str, str] = {}
    for text in _code_cells(notebook):
        for method, kind, answer_id in activity.findall(text):
            if method or kinds.find(kind) is not None:
                found[answer_id] = methods[method] if method else kind
    return found


def optional_answers(notebook: Path) -> set[str]:
    """The activities of a path notebook marked ``optional=True`` (``page.reflection("id", ...,
    optional=True)``). A cell that is not plain Python (a magic) marks nothing optional."""
    found: set[str] = set()
    for text in _code_cells(notebook):
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if not (isinstance(node.func.value, ast.Name) and node.func.value.id == "page"):
                continue
            optional = any(
                k.arg == "optional" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in node.keywords
            )
            ids = [a.value for a in node.args[:2] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if optional and ids:
                found.add(ids[-1] if node.func.attr == "answer" else ids[0])
    return found


def required_answers(notebook: Path) -> tuple[str, ...]:
    """The answers a learner must give for a submission of this path to be complete, in notebook
    order: every activity the page shows (:func:`answer_kinds`) except those marked ``optional=True``
    and those of a kind that is never required (a check of understanding)."""
    optional = optional_answers(notebook)
    return tuple(
        answer_id
        for answer_id, kind in answer_kinds(notebook).items()
        if answer_id not in optional and kinds.get(kind).required
    )
