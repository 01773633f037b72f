"""Load ``course/examples.yml``: the practice examples each reviewed path offers before a learner's first review.

The file is validated against ``peerkit/schemas/examples.schema.json``, then every example against
the rubric its path is reviewed with (a level of the rubric for every criterion, a reason for each,
the model review's comments as long as a learner's must be). Errors name the file, the place in it
and the fix, like the course file's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from peerkit.core.errors import ConfigError
from peerkit.core.models import Course
from peerkit.core.practice import check_example
from peerkit.core.rubric import PracticeExample, ReviewContent, Rubric

FILENAME = "examples.yml"


def _problem(file: Path, where: str, message: str, fix: str) -> ConfigError:
    return ConfigError(f"{where}: {message}; fix: {fix}", source=str(file), where=where)


def rubric_of(course: Course, path_id: str) -> Rubric | None:
    """The rubric *path_id*'s examples are rated on: the one it is reviewed with, else the rubric named
    after the path (a path that is not peer reviewed yet), else None."""
    path = next((p for p in course.paths if p.id == path_id), None)
    if path is not None and path.review is not None:
        return course.rubrics.get(path.review.rubric)
    return course.rubrics.get(path_id)


def examples_from_document(
    doc: dict[str, Any], course: Course, *, file: Path
) -> dict[str, tuple[PracticeExample, ...]]:
    """The examples of an already schema-validated document, each checked against its path's rubric."""
    found: dict[str, tuple[PracticeExample, ...]] = {}
    path_ids = [p.id for p in course.paths]
    for path_id, entries in doc["examples"].items():
        where = f"examples.{path_id}"
        if path_id not in path_ids:
            raise _problem(file, where, f"the course has no path {path_id!r}", "use a path id: " + ", ".join(path_ids))
        rubric = rubric_of(course, path_id)
        if rubric is None:
            raise _problem(
                file,
                where,
                f"path {path_id!r} has no rubric to practise on",
                f"peer review the path in course.yml, or add a rubric with id {path_id!r} to rubrics.yml",
            )
        examples: list[PracticeExample] = []
        for i, entry in enumerate(entries):
            here = f"{where}[{i}]"
            if any(e.id == entry["id"] for e in examples):
                raise _problem(
                    file, f"{here}.id", f"example id {entry['id']!r} appears twice", "give each example its own id"
                )
            model = entry["model"]
            example = PracticeExample(
                id=entry["id"],
                title=entry["title"],
                answers=dict(entry["answers"]),
                model=ReviewContent(
                    scores={k: float(v) for k, v in model["scores"].items()}, comments=dict(model["comments"])
                ),
                reasons=dict(entry["reasons"]),
            )
            problems = check_example(rubric, example)
            if problems:
                first = problems[0]
                raise _problem(file, f"{here}.{first.field}", f"{first.message} (rubric {rubric.id!r})", first.fix)
            examples.append(example)
        found[path_id] = tuple(examples)
    return found


def load_examples(file: Path, course: Course) -> dict[str, tuple[PracticeExample, ...]]:
    """Read, validate and check ``examples.yml`` against *course* (its paths and rubrics)."""
    from peerkit.config.course import _read_yaml, validate_document

    doc = _read_yaml(file, "examples")
    validate_document(doc, kind="examples", source=str(file))
    return examples_from_document(doc, course, file=file)
