"""A learner's answers to one learning path: the answer sheet and its JSON form.

The sheet is what the reflection widgets save, what nbgrader submits (as a file in the assignment
folder) and what the store ingests. It is versioned (``format``/``version``), every answer
carries the time it was last changed, and the whole sheet a ``revision`` counter so that two
writers (two browser tabs) can be told apart and merged answer by answer.

Pure: no I/O here. :mod:`peerkit.storage.answerfile` reads and writes sheets atomically.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Final

from peerkit.core.errors import ValidationError

FORMAT: Final = "peerkit-answers"
VERSION: Final = 1
FILENAME: Final = "peerkit-answers.json"

#: Answer ids double as nbgrader ``grade_id`` of the matching task cell, so they follow its
#: pattern (``^[a-zA-Z0-9_\-]*$``), non-empty and short.
ANSWER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")

#: Hard limits that protect every later step (store, packets, dashboards) from oversize input.
MAX_TEXT_CHARS: Final = 20_000
MAX_SHORT_CHARS: Final = 200
MAX_LIST_ITEMS: Final = 50
MAX_ANSWERS: Final = 200
MAX_SHEET_BYTES: Final = 2_000_000

JSON = Any  # values are JSON-compatible; each kind's validator narrows them


def utcnow() -> str:
    """Now, as the ISO 8601 UTC string used in answer sheets (second precision suffices)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_time(value: str, *, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        raise ValidationError(f"{field}: {value!r} is not an ISO 8601 time", field=field) from None
    if parsed.tzinfo is None:
        raise ValidationError(f"{field}: {value!r} has no time zone", field=field)
    return parsed


# --- value validators, one per answer kind -----------------------------------------------------


def _text(value: JSON, where: str, *, limit: int = MAX_TEXT_CHARS) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{where}: expected text, got {type(value).__name__}", field=where)
    if len(value) > limit:
        raise ValidationError(f"{where}: {len(value):,} characters is over the limit of {limit:,}", field=where)
    if "\x00" in value:
        raise ValidationError(f"{where}: text contains a NUL character", field=where)
    return value


def _short_list(value: JSON, where: str) -> list[str]:
    if not isinstance(value, list):
        raise ValidationError(f"{where}: expected a list, got {type(value).__name__}", field=where)
    if len(value) > MAX_LIST_ITEMS:
        raise ValidationError(f"{where}: more than {MAX_LIST_ITEMS} items", field=where)
    return [_text(item, f"{where}[{i}]", limit=MAX_SHORT_CHARS) for i, item in enumerate(value)]


def _record(value: JSON, where: str, fields: Mapping[str, Callable[[JSON, str], JSON]]) -> dict[str, JSON]:
    if not isinstance(value, dict):
        raise ValidationError(f"{where}: expected an object, got {type(value).__name__}", field=where)
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise ValidationError(f"{where}: unexpected field(s) {', '.join(map(repr, unknown))}", field=where)
    return {name: check(value[name], f"{where}.{name}") for name, check in fields.items() if name in value}


def _scale(value: JSON, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValidationError(f"{where}: expected a whole number from 0 to 100", field=where)
    return value


def _short(value: JSON, where: str) -> str:
    return _text(value, where, limit=MAX_SHORT_CHARS)


def _date_or_empty(value: JSON, where: str) -> str:
    text = _short(value, where)
    if text and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValidationError(f"{where}: expected a date as YYYY-MM-DD", field=where)
    return text


KINDS: Final[Mapping[str, Callable[[JSON, str], JSON]]] = {
    "text": _text,
    "scale": _scale,
    "checklist": lambda v, w: _record(v, w, {"selected": _short_list, "other": _short}),
    "profile": lambda v, w: _record(
        v, w, {"know": _short_list, "bring": _short_list, "want": _short_list, "notes": _text}
    ),
    "plan": lambda v, w: _record(v, w, {"step": _text, "date": _date_or_empty, "checkin": _short, "support": _text}),
    "example": lambda v, w: _record(v, w, {"title": _short, "story": _text, "tags": _short_list}),
}


# --- the sheet ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer: its widget kind, its value and when it last changed."""

    kind: str
    value: JSON
    updated: str

    @classmethod
    def make(cls, kind: str, value: JSON, *, answer_id: str = "answer", updated: str | None = None) -> Answer:
        if kind not in KINDS:
            raise ValidationError(f"{answer_id}: unknown answer kind {kind!r}", field=answer_id)
        return cls(kind=kind, value=KINDS[kind](value, answer_id), updated=updated or utcnow())


@dataclass(frozen=True, slots=True)
class AnswerSheet:
    """All answers of one learner to one learning path."""

    path: str
    answers: Mapping[str, Answer] = field(default_factory=dict)
    revision: int = 0

    def get(self, answer_id: str) -> Answer | None:
        return self.answers.get(answer_id)

    def with_answer(self, answer_id: str, answer: Answer) -> AnswerSheet:
        check_answer_id(answer_id)
        if answer_id not in self.answers and len(self.answers) >= MAX_ANSWERS:
            raise ValidationError(f"a sheet holds at most {MAX_ANSWERS} answers", field=answer_id)
        return replace(self, answers={**self.answers, answer_id: answer})

    def merged_over(self, base: AnswerSheet) -> AnswerSheet:
        """This sheet's answers laid over *base*, answer by answer, the newer one winning.

        Used when another writer (a second tab) saved since this one loaded: answers that only
        the other writer changed are kept, so neither tab erases the other's text.
        """
        merged = replace(base, path=self.path, revision=max(self.revision, base.revision))
        for key, mine in self.answers.items():
            theirs = merged.get(key)
            if theirs is None or parse_time(mine.updated, field=key) >= parse_time(theirs.updated, field=key):
                merged = merged.with_answer(key, mine)
        return merged

    def to_json(self) -> str:
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "path": self.path,
            "revision": self.revision,
            "answers": {
                key: {"kind": a.kind, "value": a.value, "updated": a.updated} for key, a in sorted(self.answers.items())
            },
        }
        return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def check_answer_id(answer_id: str) -> str:
    if not isinstance(answer_id, str) or not ANSWER_ID.match(answer_id):
        raise ValidationError(
            f"answer id {answer_id!r} must be 1-64 letters, digits, '-' or '_', starting with a letter or digit",
            field=str(answer_id),
        )
    return answer_id


def parse_sheet(text: str | bytes, *, expected_path: str | None = None) -> AnswerSheet:
    """Parse and validate the JSON form of an answer sheet.

    Raises :class:`ValidationError` naming what is wrong: not JSON, wrong format or version,
    wrong path, an unknown kind, a value of the wrong type or size.
    """
    if len(text) > MAX_SHEET_BYTES:
        raise ValidationError(f"answer sheet is {len(text):,} bytes, over the limit of {MAX_SHEET_BYTES:,}")
    try:
        doc = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(f"answer sheet is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ValidationError("answer sheet must be a JSON object")
    if doc.get("format") != FORMAT:
        raise ValidationError(f"not a peerkit answer sheet (format is {doc.get('format')!r})", field="format")
    version = doc.get("version")
    if version != VERSION:
        raise ValidationError(
            f"answer sheet version {version!r} is not supported (this peerkit reads version {VERSION})",
            field="version",
        )
    path = doc.get("path")
    if not isinstance(path, str) or not path:
        raise ValidationError("answer sheet has no path id", field="path")
    if expected_path is not None and path != expected_path:
        raise ValidationError(f"answer sheet is for path {path!r}, not {expected_path!r}", field="path")
    revision = doc.get("revision", 0)
    if isinstance(revision, bool) or not isinstance(revision, int) or revision < 0:
        raise ValidationError("revision must be a non-negative integer", field="revision")
    raw_answers = doc.get("answers", {})
    if not isinstance(raw_answers, dict):
        raise ValidationError("answers must be an object", field="answers")
    if len(raw_answers) > MAX_ANSWERS:
        raise ValidationError(f"more than {MAX_ANSWERS} answers", field="answers")
    answers: dict[str, Answer] = {}
    for key, raw in raw_answers.items():
        check_answer_id(key)
        if not isinstance(raw, dict):
            raise ValidationError(f"{key}: expected an object", field=key)
        updated = raw.get("updated")
        if not isinstance(updated, str):
            raise ValidationError(f"{key}: missing 'updated' time", field=key)
        parse_time(updated, field=f"{key}.updated")
        answers[key] = Answer.make(str(raw.get("kind")), raw.get("value"), answer_id=key, updated=updated)
    return AnswerSheet(path=path, answers=answers, revision=revision)
