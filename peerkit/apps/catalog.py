"""What a learner's course home lists: every released path, and where the learner stands in it.

Pure of widgets: reads the learner's course folder (fetched paths), the exchange's outbound folder
(released paths not fetched yet) and nbgrader's local cache (submissions). Each path describes
itself through the ``metadata.peerkit`` the build stamped into its notebook.

A submitted path whose saved answers leave required ones blank (or hold none) is "submitted with
blanks", never plain "submitted": the facilitator sees that submission as incomplete, whichever way
it was sent (the app's Submit, JupyterLab's Assignments tab, ``nbgrader submit``). nbgrader keeps no
copy of what was sent, so the saved answers stand in for it; answers changed after the submission
are flagged (:attr:`PathEntry.changed_since_submit`) so the learner knows to submit again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from traitlets.config import Config

from peerkit.core import documents
from peerkit.core.answers import FILENAME as ANSWERS_FILE
from peerkit.core.answers import AnswerSheet, is_answered, parse_sheet, parse_time
from peerkit.core.completeness import Completeness, completeness
from peerkit.core.errors import ConfigError, DocumentVersionError, PeerkitError, ValidationError
from peerkit.nbgrader.build import METADATA_KEY
from peerkit.nbgrader.config import get
from peerkit.nbgrader.learner import last_submission_time
from peerkit.nbgrader.tasks import required_answers

log = logging.getLogger(__name__)

State = Literal["available", "not-started", "in-progress", "submitted-with-blanks", "submitted"]


@dataclass(frozen=True, slots=True)
class PathEntry:
    id: str
    title: str
    summary: str
    minutes: int
    position: int
    course_title: str
    state: State
    answered: int = 0
    submitted_at: datetime | None = None
    folder: Path | None = None
    #: Set for a review assignment: the id of the path whose submissions it reviews.
    review_of: str | None = None
    #: For a submitted path: how its saved answers stand against the required ones.
    completeness: Completeness | None = None
    #: Answers were changed after the last submission: the facilitator does not have them yet.
    changed_since_submit: bool = False
    #: "Path 3" counts numbered paths from 1; None for the course's "Start here" path.
    number: int | None = None
    #: When the path is due, timezone-aware (course.yml ``due``); None when the course sets no date.
    due: datetime | None = None
    #: When the learner last saved an answer here (for "continue where you left off").
    last_touched: datetime | None = None
    #: For a review assignment: how the path is reviewed, "round" (the facilitator opens the round)
    #: or "rolling" (classmates' work arrives as they submit).
    review_mode: str = "round"
    #: For a review assignment: whether its page offers practice examples before the first review.
    practice: bool = False

    @property
    def label(self) -> str:
        """How learners call the path: "Path 3", or "Start here"."""
        return "Start here" if self.number is None else f"Path {self.number}"

    @property
    def link(self) -> str:
        """The path page, relative to the course home's Voilà URL."""
        return f"{self.id}/{self.id}.ipynb"


def read_path_metadata(notebook: Path) -> dict[str, Any] | None:
    """``metadata.peerkit`` of a built path notebook (in the current schema), or None if it is not one.

    Raises :class:`DocumentVersionError` for a notebook built by a newer peerkit.
    """
    try:
        doc = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    meta = doc.get("metadata", {}).get(METADATA_KEY) if isinstance(doc, dict) else None
    if not isinstance(meta, dict):
        return None
    try:
        meta = documents.parse(meta, documents.NOTEBOOK, source=str(notebook))
    except DocumentVersionError:
        raise
    except ValidationError:
        return None
    return meta if meta.get("path") == notebook.stem else None


def _path_metadata(notebook: Path) -> dict[str, Any] | None:
    """:func:`read_path_metadata` for a learner's page: a notebook built by a newer peerkit is left
    out with a warning that names it, instead of breaking the whole course home."""
    try:
        return read_path_metadata(notebook)
    except DocumentVersionError as exc:
        log.warning("path notebook left out: %s", exc)
        return None


def read_sheet(folder: Path, path_id: str) -> AnswerSheet | None:
    """The learner's saved answers in a path folder, read only (None if absent or unreadable)."""
    file = folder / ANSWERS_FILE
    try:
        return parse_sheet(file.read_bytes(), expected_path=path_id, source=str(file))
    except DocumentVersionError as exc:
        log.warning("answers not counted: %s", exc)
        return None
    except (OSError, PeerkitError):
        return None


def _answered(sheet: AnswerSheet | None) -> int:
    return 0 if sheet is None else sum(1 for a in sheet.answers.values() if is_answered(a))


def _required(notebook: Path) -> tuple[str, ...] | None:
    try:
        return required_answers(notebook)
    except ConfigError as exc:
        log.warning("required answers unknown: %s", exc)
        return None


def _changed_since(sheet: AnswerSheet | None, submitted: datetime) -> bool:
    """Whether any saved answer changed after *submitted* (times are kept to the second)."""
    if sheet is None:
        return False
    moments = []
    for key, answer in sheet.answers.items():
        try:
            moments.append(parse_time(answer.updated, field=key))
        except ValidationError:
            continue
    return any(moment > submitted.replace(microsecond=0) for moment in moments)


def _last_touched(sheet: AnswerSheet | None) -> datetime | None:
    moments = []
    for key, answer in sheet.answers.items() if sheet is not None else ():
        try:
            moments.append(parse_time(answer.updated, field=key))
        except ValidationError:
            continue
    return max(moments, default=None)


def _due(meta: dict[str, Any]) -> datetime | None:
    try:
        return parse_time(meta["due"], field="due") if isinstance(meta.get("due"), str) else None
    except ValidationError:
        return None


def _number(meta: dict[str, Any]) -> int | None:
    number = meta.get("number", meta.get("position"))  # notebooks built before numbering: their position
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def _entry(meta: dict[str, Any], state: State, **extra: Any) -> PathEntry:
    return PathEntry(
        id=str(meta["path"]),
        title=str(meta.get("title", meta["path"])),
        summary=str(meta.get("summary", "")),
        minutes=int(meta.get("minutes", 0) or 0),
        position=int(meta.get("position", 0) or 0),
        course_title=str(meta.get("course_title", "")),
        state=state,
        review_of=str(meta["review_of"]) if meta.get("review_of") else None,
        number=_number(meta),
        due=_due(meta),
        review_mode="rolling" if meta.get("review_mode") == "rolling" else "round",
        practice=isinstance(meta.get("practice"), dict) and bool(meta["practice"].get("examples")),
        **extra,
    )


def list_paths(course_dir: Path, config: Config, *, learner: str | None) -> list[PathEntry]:
    """Every path the learner has fetched or could fetch, in course order."""
    entries: dict[str, PathEntry] = {}
    for notebook in sorted(course_dir.glob("*/*.ipynb")):
        if notebook.parent.name != notebook.stem:
            continue
        meta = _path_metadata(notebook)
        if meta is None:
            continue
        folder = notebook.parent
        submitted = last_submission_time(config, folder.name, learner=learner) if learner else None
        sheet = read_sheet(folder, folder.name)
        answered = _answered(sheet)
        state: State = "in-progress" if answered else "not-started"
        extra: dict[str, Any] = {}
        if submitted:
            judged = completeness(sheet, _required(notebook))
            state = "submitted" if judged.complete else "submitted-with-blanks"
            extra = {"completeness": judged, "changed_since_submit": _changed_since(sheet, submitted)}
        entries[folder.name] = _entry(
            meta,
            state,
            answered=answered,
            submitted_at=submitted,
            folder=folder,
            last_touched=_last_touched(sheet),
            **extra,
        )
    course_id = get(config, "CourseDirectory", "course_id", "")
    exchange = get(config, "Exchange", "root", "")
    if course_id and exchange:
        for notebook in sorted((Path(exchange) / course_id / "outbound").glob("*/*.ipynb")):
            if notebook.parent.name in entries or notebook.parent.name != notebook.stem:
                continue
            meta = _path_metadata(notebook)
            if meta is not None:
                entries[notebook.parent.name] = _entry(meta, "available")
    return sorted(entries.values(), key=lambda e: (e.position, e.id))
