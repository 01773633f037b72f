"""Load ``course/course.yml``: validate it against the packaged JSON Schema, return a :class:`Course`.

Errors name the file and the place in it (``paths[2].id: 'Bad Id' does not match ...``) so a
course author can fix them without reading Python.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from peerkit.core.errors import ConfigError
from peerkit.core.models import Course, LearningPath, Limits


@cache
def course_schema() -> dict[str, Any]:
    """The JSON Schema of ``course.yml`` shipped in ``peerkit/schemas``."""
    text = resources.files("peerkit.schemas").joinpath("course.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _where(error_path: Any) -> str:
    parts: list[str] = []
    for item in error_path:
        parts.append(f"[{item}]" if isinstance(item, int) else (f".{item}" if parts else str(item)))
    return "".join(parts) or "(top level)"


def validate_course_document(doc: object, *, source: str) -> None:
    """Raise :class:`ConfigError` listing every schema violation of *doc*."""
    import jsonschema  # deferred: jsonschema is slow to import and only the build needs it

    validator = jsonschema.Draft202012Validator(course_schema())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"{_where(e.absolute_path)}: {e.message}" for e in errors[:20]]
        raise ConfigError("invalid course definition:\n  " + "\n  ".join(lines), source=source)


def load_course(path: Path | str) -> Course:
    """Read and validate a course definition file."""
    file = Path(path)
    if file.is_dir():
        file = file / "course.yml"
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read course definition: {exc.strerror}", source=str(file)) from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", source=str(file)) from None
    validate_course_document(doc, source=str(file))
    return course_from_document(doc, base=file.parent, source=file)


def course_from_document(doc: dict[str, Any], *, base: Path, source: Path | None = None) -> Course:
    """Build a :class:`Course` from an already validated document; notebook paths resolve from *base*."""
    seen: set[str] = set()
    paths = []
    for entry in doc["paths"]:
        if entry["id"] in seen:
            raise ConfigError(f"path id {entry['id']!r} appears twice", source=str(source or base))
        seen.add(entry["id"])
        paths.append(
            LearningPath(
                id=entry["id"],
                title=entry["title"],
                notebook=(base / entry["notebook"]).resolve(),
                summary=entry.get("summary", ""),
                minutes=entry.get("minutes", 0),
                points=float(entry.get("points", 0)),
                peer_review=entry.get("peer_review", False),
            )
        )
    demo = doc.get("demo", {})
    limits = doc.get("limits", {})
    return Course(
        id=doc["id"],
        title=doc["title"],
        description=doc.get("description", ""),
        paths=tuple(paths),
        demo_learner=demo.get("learner", "demo-learner"),
        limits=Limits(**limits),
        source=source,
    )
