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
from peerkit.core.rubric import DEFAULT_PROMPTS, Criterion, Level, Prompt, ReviewSettings, Rubric


def default_course_file() -> Path:
    """``course/course.yml`` in the current folder, else in the source checkout peerkit runs from."""
    here = Path.cwd() / "course" / "course.yml"
    if here.is_file():
        return here
    checkout = Path(__file__).resolve().parents[2] / "course" / "course.yml"
    return checkout if checkout.is_file() else here


@cache
def schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in ``peerkit/schemas`` (``course``, ``rubrics``)."""
    text = resources.files("peerkit.schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def course_schema() -> dict[str, Any]:
    """The JSON Schema of ``course.yml``."""
    return schema("course")


def _where(error_path: Any) -> str:
    parts: list[str] = []
    for item in error_path:
        parts.append(f"[{item}]" if isinstance(item, int) else (f".{item}" if parts else str(item)))
    return "".join(parts) or "(top level)"


def validate_document(doc: object, *, kind: str, source: str) -> None:
    """Raise :class:`ConfigError` listing every violation of *doc* against schema *kind*."""
    import jsonschema  # deferred: jsonschema is slow to import and only the build needs it

    validator = jsonschema.Draft202012Validator(schema(kind))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"{_where(e.absolute_path)}: {e.message}" for e in errors[:20]]
        raise ConfigError(f"invalid {kind} definition:\n  " + "\n  ".join(lines), source=source)


def validate_course_document(doc: object, *, source: str) -> None:
    validate_document(doc, kind="course", source=source)


def _read_yaml(file: Path) -> Any:
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", source=str(file)) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", source=str(file)) from None


def load_rubrics(file: Path) -> dict[str, Rubric]:
    """Read and validate ``rubrics.yml``; return the rubrics by id."""
    doc = _read_yaml(file)
    validate_document(doc, kind="rubrics", source=str(file))
    rubrics: dict[str, Rubric] = {}
    for entry in doc["rubrics"]:
        if entry["id"] in rubrics:
            raise ConfigError(f"rubric id {entry['id']!r} appears twice", source=str(file))
        criteria = []
        for c in entry["criteria"]:
            levels = tuple(
                sorted(
                    (Level(float(lv["points"]), lv["label"], lv.get("description", "")) for lv in c["levels"]),
                    key=lambda lv: lv.points,
                )
            )
            if len({lv.points for lv in levels}) != len(levels):
                raise ConfigError(
                    f"rubric {entry['id']!r}, criterion {c['id']!r}: two levels give the same points", source=str(file)
                )
            criteria.append(
                Criterion(id=c["id"], title=c["title"], description=c.get("description", ""), levels=levels)
            )
        if len({c.id for c in criteria}) != len(criteria):
            raise ConfigError(f"rubric {entry['id']!r}: criterion ids must be distinct", source=str(file))
        prompts = (
            tuple(
                Prompt(p["id"], p["label"], p.get("help", ""), p.get("required", True))
                for p in entry.get("prompts", [])
            )
            or DEFAULT_PROMPTS
        )
        rubrics[entry["id"]] = Rubric(
            id=entry["id"],
            title=entry["title"],
            criteria=tuple(criteria),
            guidance=entry.get("guidance", ""),
            comment_min_words=entry.get("comment_min_words", 15),
            prompts=prompts,
        )
    return rubrics


def load_course(path: Path | str) -> Course:
    """Read and validate a course definition file."""
    file = Path(path)
    if file.is_dir():
        file = file / "course.yml"
    if not file.is_file():
        raise ConfigError("cannot read course definition: no such file", source=str(file))
    doc = _read_yaml(file)
    validate_course_document(doc, source=str(file))
    rubrics_file = file.parent / "rubrics.yml"
    rubrics = load_rubrics(rubrics_file) if rubrics_file.is_file() else {}
    return course_from_document(doc, base=file.parent, source=file, rubrics=rubrics)


def _review_settings(entry: dict[str, Any], rubrics: dict[str, Rubric], source: str) -> ReviewSettings | None:
    if not entry.get("peer_review", False):
        if "review" in entry:
            raise ConfigError(f"path {entry['id']!r} has review settings but peer_review is not true", source=source)
        return None
    settings = dict(entry.get("review", {}))
    rubric = settings.pop("rubric", entry["id"] if entry["id"] in rubrics else "default")
    if rubric not in rubrics:
        known = ", ".join(sorted(rubrics)) or "none (add course/rubrics.yml)"
        raise ConfigError(
            f"path {entry['id']!r} is peer reviewed with rubric {rubric!r}, which is not defined (rubrics: {known})",
            source=source,
        )
    return ReviewSettings(rubric=rubric, **settings)


def course_from_document(
    doc: dict[str, Any], *, base: Path, source: Path | None = None, rubrics: dict[str, Rubric] | None = None
) -> Course:
    """Build a :class:`Course` from an already validated document; notebook paths resolve from *base*."""
    rubrics = rubrics or {}
    where = str(source or base)
    seen: set[str] = set()
    paths = []
    for entry in doc["paths"]:
        if entry["id"] in seen:
            raise ConfigError(f"path id {entry['id']!r} appears twice", source=where)
        if entry["id"].endswith("-review") and entry["id"].removesuffix("-review") in {e["id"] for e in doc["paths"]}:
            raise ConfigError(f"path id {entry['id']!r} is reserved for the reviews of another path", source=where)
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
                review=_review_settings(entry, rubrics, where),
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
        rubrics=rubrics,
    )
