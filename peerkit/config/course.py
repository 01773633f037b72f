"""Load ``course/course.yml``: validate it against the packaged JSON Schema, return a :class:`Course`.

Errors name the file and the place in it (``paths[2].id: 'Bad Id' does not match ...``) so a
course author can fix them without reading Python.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, date, datetime, time
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from peerkit.config.yamlfile import read_yaml
from peerkit.core.errors import ConfigError, shown
from peerkit.core.models import Course, LearningPath, Limits, ProjectPart, Topic
from peerkit.core.rubric import DEFAULT_PROMPTS, Criterion, Level, Prompt, ReviewSettings, Rubric
from peerkit.core.topics import tokens

#: Where a course folder keeps its course definition (``peerkit init`` makes it so).
COURSE_FILE = Path("course") / "course.yml"


def find_course_file(start: Path | None = None) -> Path | None:
    """``course/course.yml`` in *start* (default: the current folder) or in the nearest folder above it
    that has one, as git finds its repository from any of its subfolders; None when there is none."""
    here = (Path.cwd() if start is None else start).absolute()
    for folder in (here, *here.parents):
        candidate = folder / COURSE_FILE
        if candidate.is_file():
            return candidate
    return None


def default_course_file() -> Path:
    """The course a command run here works on: ``course/course.yml`` in the current folder or a folder
    above it (:func:`find_course_file`: a course made by ``peerkit init``, a checkout), else the
    template's (the demo course: the installed package's copy, or the checkout peerkit runs from).
    Only ``peerkit serve`` (the demo) and a learner's pages may fall back to the template: every
    facilitator command refuses (:meth:`peerkit.config.settings.PeerkitConfig.require_course`)."""
    from peerkit.config.template import template_root  # the template module reads settings, which read this

    found = find_course_file()
    if found is not None:
        return found
    try:
        return template_root() / COURSE_FILE
    except ConfigError:
        return Path.cwd() / COURSE_FILE


@cache
def schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in ``peerkit/schemas`` (``course``, ``rubrics``, ``examples``)."""
    text = resources.files("peerkit.schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _where(error_path: Any) -> str:
    parts: list[str] = []
    for item in error_path:
        parts.append(f"[{item}]" if isinstance(item, int) else (f".{item}" if parts else str(item)))
    return "".join(parts) or "(top level)"


def _non_finite(doc: object) -> list[tuple[str, float]]:
    """Every NaN or infinite number in *doc* with its place: YAML's ``.nan`` and ``.inf`` are numbers
    to JSON Schema, and ``.nan`` passes every ``minimum``/``maximum`` because it compares false."""
    found: list[tuple[str, float]] = []
    stack: list[tuple[tuple[str | int, ...], object]] = [((), doc)]
    while stack:
        place, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            found.append((_where(place), value))
        elif isinstance(value, dict):
            stack.extend(((*place, str(k)), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*place, i), v) for i, v in enumerate(value))
    return sorted(found)


#: JSON Schema's type names as a course author knows them from YAML, with their article.
TYPE_NAMES = {
    "object": "an object (key: value entries)",
    "array": "a list",
    "string": "a string (text)",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}
#: What each course file holds, as its empty-file error says it.
HOLDS = {
    "course": "the course: its id, title and paths (see peerkit/schemas/course.schema.json)",
    "rubrics": "a list of rubrics under 'rubrics:' (see peerkit/schemas/rubrics.schema.json)",
    "examples": "the practice examples under 'examples:' (see peerkit/schemas/examples.schema.json)",
}
#: How much of a value an error message quotes (the rest is cut, "...").
QUOTED = 80
#: The longest line of a validation message (one whose every part is short already never is).
LINE = 400


def _message(error: Any) -> str:
    """jsonschema's message for *error*, the value it quotes cut to :data:`QUOTED` characters (a
    50 MB description is named, not repeated) and the whole to :data:`LINE`."""
    text: str = error.message
    quoted = repr(error.instance)
    if len(quoted) > QUOTED and quoted in text:
        text = text.replace(quoted, _quoted(error.instance))
    return _cut(text)


def _quoted(value: object) -> str:
    """*value* as a message quotes it when its ``repr`` is long: a list or object by its size."""
    if isinstance(value, list):
        return f"a list of {len(value)} {'entry' if len(value) == 1 else 'entries'}"
    if isinstance(value, dict):
        return f"an object of {len(value)} {'key' if len(value) == 1 else 'keys'}"
    return shown(value, QUOTED)


def _cut(text: str) -> str:
    return text if len(text) <= LINE else text[: LINE - 3] + "..."


def _fix(error: Any, kind: str) -> str:
    """How to repair one JSON Schema violation, in a course author's words."""
    rule, schema_part = error.validator, error.schema
    if rule == "required":
        return "add it"
    if rule == "additionalProperties":
        allowed = ", ".join(sorted(schema_part.get("properties", {})))
        return f"remove it or check its spelling (allowed: {allowed})"
    if rule in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
        low, high = schema_part.get("minimum"), schema_part.get("maximum")
        if low is not None and high is not None:
            return f"use a number from {low} to {high}"
        return f"use a number of at least {low}" if low is not None else f"use a number of at most {high}"
    if rule == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return "write " + " or ".join(TYPE_NAMES.get(str(name), str(name)) for name in wanted)
    if rule in {"minItems", "maxItems"}:
        return f"list {schema_part.get('minItems', 0)} to {schema_part.get('maxItems', 'any number of')} entries"
    if rule in {"minLength", "maxLength"}:
        return f"use {schema_part.get('minLength', 0)} to {schema_part.get('maxLength', 'any number of')} characters"
    if rule == "enum":
        return "use one of: " + ", ".join(map(str, error.validator_value))
    if rule == "pattern" and error.validator_value.startswith("^[a-z0-9]"):
        return "use lowercase letters, digits and hyphens, starting with a letter or digit"
    if rule == "pattern" and error.validator_value.endswith("ipynb$"):
        return "name a .ipynb notebook"
    return f"see peerkit/schemas/{kind}.schema.json"


def validate_document(doc: object, *, kind: str, source: str) -> None:
    """Raise :class:`ConfigError` listing every violation of *doc* against schema *kind*: each line
    names the file, the place in it and the fix; NaN and infinite numbers are refused too."""
    import jsonschema  # deferred: jsonschema is slow to import and only the build needs it

    name = Path(source).name
    if doc is None:
        raise ConfigError(f"the file is empty; it should hold {HOLDS[kind]}", source=source, where="(top level)")
    non_finite = _non_finite(doc)
    lines = [f"{name}: {where}: {value!r} is not a finite number; fix: write a number" for where, value in non_finite]
    validator = jsonschema.Draft202012Validator(schema(kind))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    bad_numbers = {where for where, _ in non_finite}
    errors = [e for e in errors if _where(e.absolute_path) not in bad_numbers]
    lines += [f"{name}: {_where(e.absolute_path)}: {_message(e)}; fix: {_fix(e, kind)}" for e in errors]
    if lines:
        first = non_finite[0][0] if non_finite else _where(errors[0].absolute_path)
        shown_lines = [_cut(line) for line in lines[:20]]
        raise ConfigError(f"invalid {kind} definition:\n  " + "\n  ".join(shown_lines), source=source, where=first)


def validate_course_document(doc: object, *, source: str) -> None:
    validate_document(doc, kind="course", source=source)


def _read_yaml(file: Path, kind: str) -> Any:
    """The document of the course file *file* of *kind* (``course``, ``rubrics``, ``examples``)."""
    return read_yaml(file, holds=HOLDS[kind])


def _problem(file: Path, where: str, message: str, fix: str) -> ConfigError:
    return ConfigError(f"{where}: {message}; fix: {fix}", source=str(file), where=where)


def _levels(file: Path, where: str, entries: list[dict[str, Any]]) -> tuple[Level, ...]:
    """A criterion's levels as written, which must be worth strictly more each (the order the form shows)."""
    levels: list[Level] = []
    for i, lv in enumerate(entries):
        level = Level(float(lv["points"]), lv["label"], lv.get("description", ""))
        if levels and level.points <= levels[-1].points:
            problem = "two levels give the same points" if level.points == levels[-1].points else "levels go down"
            raise _problem(
                file,
                f"{where}.levels[{i}].points",
                f"{problem}: {level.label!r} gives {level.points:g} after {levels[-1].label!r} gave"
                f" {levels[-1].points:g}",
                "list levels from fewest to most points, each worth more than the one before",
            )
        levels.append(level)
    return tuple(levels)


def load_rubrics(file: Path) -> dict[str, Rubric]:
    """Read and validate ``rubrics.yml``; return the rubrics by id."""
    doc = _read_yaml(file, "rubrics")
    validate_document(doc, kind="rubrics", source=str(file))
    rubrics: dict[str, Rubric] = {}
    for r, entry in enumerate(doc["rubrics"]):
        here = f"rubrics[{r}]"
        if entry["id"] in rubrics:
            raise _problem(
                file, f"{here}.id", f"rubric id {entry['id']!r} appears twice", "give each rubric its own id"
            )
        criteria: list[Criterion] = []
        for c, criterion in enumerate(entry["criteria"]):
            where = f"{here}.criteria[{c}]"
            if criterion["id"] in {known.id for known in criteria}:
                raise _problem(
                    file,
                    f"{where}.id",
                    f"rubric {entry['id']!r}: criterion ids must be distinct ({criterion['id']!r} appears twice)",
                    "give each criterion of a rubric its own id",
                )
            levels = _levels(file, where, criterion["levels"])
            criteria.append(
                Criterion(
                    id=criterion["id"],
                    title=criterion["title"],
                    description=criterion.get("description", ""),
                    levels=levels,
                )
            )
        prompt_ids = [p["id"] for p in entry.get("prompts", [])]
        for p, prompt_id in enumerate(prompt_ids):
            if prompt_ids.index(prompt_id) != p:
                raise _problem(
                    file,
                    f"{here}.prompts[{p}].id",
                    f"prompt id {prompt_id!r} appears twice",
                    "give each feedback prompt its own id",
                )
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
    doc = _dates_as_text(_read_yaml(file, "course"))
    validate_course_document(doc, source=str(file))
    rubrics_file = file.parent / "rubrics.yml"
    rubrics = load_rubrics(rubrics_file) if rubrics_file.is_file() else {}
    course = course_from_document(doc, base=file.parent, source=file, rubrics=rubrics)
    examples_file = file.parent / "examples.yml"
    if examples_file.is_file():
        from peerkit.config.examples import load_examples

        course = replace(course, examples=load_examples(examples_file, course))
    return course


def _dates_as_text(doc: Any) -> Any:
    """YAML reads an unquoted ``due: 2026-03-02`` as a date: keep it as the text the author wrote."""
    paths = doc.get("paths") if isinstance(doc, dict) else None
    for entry in paths if isinstance(paths, list) else ():
        if isinstance(entry, dict) and isinstance(entry.get("due"), date | datetime):
            entry["due"] = entry["due"].isoformat()
    return doc


def _due(entry: dict[str, Any], file: Path, where: str) -> datetime | None:
    """A path's ``due``: a date-time with its offset, or a date (due at 23:59 UTC that day)."""
    text = entry.get("due")
    if text is None:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(23, 59), tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _problem(
            file,
            f"{where}.due",
            f"{text!r} is not a date or a date-time with its time zone",
            "write 2026-03-02, or 2026-03-02T17:00:00+01:00 (the offset says whose 17:00 it is)",
        )
    return moment


def _review_settings(
    entry: dict[str, Any], rubrics: dict[str, Rubric], file: Path, where: str
) -> ReviewSettings | None:
    if not entry.get("peer_review", False):
        if "review" in entry:
            raise _problem(
                file,
                f"{where}.review",
                f"path {entry['id']!r} has review settings but peer_review is not true",
                "add peer_review: true to the path, or remove its review settings",
            )
        return None
    settings = dict(entry.get("review", {}))
    rubric = settings.pop("rubric", entry["id"] if entry["id"] in rubrics else "default")
    if rubric not in rubrics:
        known = ", ".join(sorted(rubrics)) or "none (add course/rubrics.yml)"
        raise _problem(
            file,
            f"{where}.review.rubric",
            f"path {entry['id']!r} is peer reviewed with rubric {rubric!r}, which is not defined (rubrics: {known})",
            "define it in rubrics.yml next to course.yml, or name a defined rubric",
        )
    return ReviewSettings(rubric=rubric, **settings)


def course_from_document(
    doc: dict[str, Any], *, base: Path, source: Path | None = None, rubrics: dict[str, Rubric] | None = None
) -> Course:
    """Build a :class:`Course` from an already validated document; notebook paths resolve from *base*
    and must exist, so that a typo fails here, where the course author is looking, not at build time."""
    rubrics = rubrics or {}
    file = source or base / "course.yml"
    ids = [e["id"] for e in doc["paths"]]
    seen: set[str] = set()
    paths = []
    for i, entry in enumerate(doc["paths"]):
        where = f"paths[{i}]"
        if entry["id"] in seen:
            raise _problem(file, f"{where}.id", f"path id {entry['id']!r} appears twice", "give each path its own id")
        if entry["id"].endswith("-review") and entry["id"].removesuffix("-review") in ids:
            raise _problem(
                file,
                f"{where}.id",
                f"path id {entry['id']!r} is reserved for the reviews of another path",
                "choose an id that does not end in -review",
            )
        seen.add(entry["id"])
        notebook = (base / entry["notebook"]).resolve()
        paths.append(
            LearningPath(
                id=entry["id"],
                title=entry["title"],
                notebook=notebook,
                summary=entry.get("summary", ""),
                minutes=entry.get("minutes", 0),
                points=float(entry.get("points", 0)),
                peer_review=entry.get("peer_review", False),
                review=_review_settings(entry, rubrics, file, where),
                numbered=entry.get("numbered", True),
                due=_due(entry, file, where),
            )
        )
    missing = [(i, p) for i, p in enumerate(paths) if not p.notebook.is_file()]
    if missing:
        i, path = missing[0]
        also = f" (and {len(missing) - 1} more: {', '.join(p.id for _, p in missing[1:])})" if len(missing) > 1 else ""
        raise _problem(
            file,
            f"paths[{i}].notebook",
            f"path {path.id!r}: notebook {shown(doc['paths'][i]['notebook'], QUOTED)} does not exist"
            f" (looked for {path.notebook}){also}",
            f"correct the path (it is relative to {base}) or add the notebook",
        )
    _unused_rubrics(rubrics, paths, file)
    demo = doc.get("demo", {})
    limits = doc.get("limits", {})
    topics = _topics(doc.get("topics", []), file)
    project = _project(doc.get("project", []), file, ids)
    return Course(
        id=doc["id"],
        title=doc["title"],
        description=doc.get("description", ""),
        paths=tuple(paths),
        demo_learner=demo.get("learner", "demo-learner"),
        limits=Limits(**limits),
        redact=tuple(doc.get("redact", [])),
        source=source,
        rubrics=rubrics,
        topics=topics,
        project=project,
    )


def _unused_rubrics(rubrics: dict[str, Rubric], paths: list[LearningPath], file: Path) -> None:
    """Refuse a rubric no path can use: an id that is neither ``default``, nor a path's id, nor named by a
    path's ``review: {rubric: ...}`` is a typo or a leftover, and the path it was meant for would be
    reviewed with ``default`` without a word."""
    used = {"default"} | {p.id for p in paths} | {p.review.rubric for p in paths if p.review is not None}
    for r, rubric_id in enumerate(rubrics):
        if rubric_id not in used:
            rubrics_file = file.parent / "rubrics.yml"
            reviewed = ", ".join(p.id for p in paths if p.review is not None) or "none"
            raise _problem(
                rubrics_file,
                f"rubrics[{r}].id",
                f"rubric {rubric_id!r} is used by no path: its id is not a path's id and no path names it in"
                f" review: {{rubric: ...}} (peer-reviewed paths: {reviewed})",
                "give it the id of the path it is for, name it in that path's review settings in course.yml,"
                " or remove it",
            )


def _topics(entries: list[dict[str, Any]], file: Path) -> tuple[Topic, ...]:
    """The topic vocabulary: ids distinct, each word naming one topic only."""
    topics: list[Topic] = []
    owner: dict[str, str] = {}
    for i, entry in enumerate(entries):
        where = f"topics[{i}]"
        if any(t.id == entry["id"] for t in topics):
            raise _problem(file, f"{where}.id", f"topic id {entry['id']!r} appears twice", "give each topic its own id")
        words = tuple(dict.fromkeys(w.strip().lower() for w in entry.get("words", []) if w.strip()))
        for w, word in enumerate(words):
            # Compared as matching reads them: "Notes" and "note" are one word to it.
            key = " ".join(tokens(word))
            if not key:
                raise _problem(file, f"{where}.words[{w}]", f"{word!r} holds no letter or digit", "remove it")
            if owner.get(key, entry["id"]) != entry["id"]:
                raise _problem(
                    file,
                    f"{where}.words[{w}]",
                    f"{word!r} already names topic {owner[key]!r}",
                    f"let each word name one topic: remove {word!r} from topic {entry['id']!r} or from {owner[key]!r}",
                )
            owner[key] = entry["id"]
        topics.append(Topic(entry["id"], entry["label"], words))
    return tuple(topics)


def _project(entries: list[dict[str, Any]], file: Path, path_ids: list[str]) -> tuple[ProjectPart, ...]:
    """The course project's parts: ids distinct, each introduced in a path of the course."""
    parts: list[ProjectPart] = []
    for i, entry in enumerate(entries):
        where = f"project[{i}]"
        if any(p.id == entry["id"] for p in parts):
            raise _problem(
                file, f"{where}.id", f"project part {entry['id']!r} appears twice", "give each part its own id"
            )
        if entry["path"] not in path_ids:
            raise _problem(
                file,
                f"{where}.path",
                f"project part {entry['id']!r} is introduced in path {entry['path']!r}, which the course does not have",
                "name one of the paths: " + ", ".join(path_ids),
            )
        parts.append(ProjectPart(entry["id"], entry["title"], entry["path"], entry.get("prompt", "")))
    return tuple(parts)
