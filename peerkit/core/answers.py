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
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Final

from peerkit.core import documents, kinds
from peerkit.core.errors import ValidationError, shown
from peerkit.core.kinds.values import JSON as JSON
from peerkit.core.kinds.values import MAX_LIST_ITEMS as MAX_LIST_ITEMS
from peerkit.core.kinds.values import MAX_SHORT_CHARS as MAX_SHORT_CHARS
from peerkit.core.kinds.values import MAX_TEXT_CHARS as MAX_TEXT_CHARS

FORMAT: Final = documents.ANSWERS.name
VERSION: Final = documents.ANSWERS.version
FILENAME: Final = "peerkit-answers.json"

#: Answer ids double as nbgrader ``grade_id`` of the matching task cell, so they follow its
#: pattern (``^[a-zA-Z0-9_\-]*$``), non-empty and short.
ANSWER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")

#: Hard limits that protect every later step (store, packets, dashboards) from oversize input
#: (those on a single value, MAX_TEXT_CHARS and co., live with the kinds in peerkit.core.kinds.values).
MAX_ANSWERS: Final = 200
MAX_SHEET_BYTES: Final = 2_000_000
MAX_BACKUPS: Final = 20


def utcnow() -> str:
    """Now, as the ISO 8601 UTC string used in answer sheets (second precision suffices)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_time(value: str, *, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        raise ValidationError(f"{field}: {shown(value)} is not an ISO 8601 time", field=field) from None
    if parsed.tzinfo is None:
        raise ValidationError(f"{field}: {shown(value)} has no time zone", field=field)
    return parsed


# --- what each kind means lives in peerkit.core.kinds; the sheet asks it -------------------------


def is_answered(answer: Answer | None) -> bool:
    """Whether *answer* holds something a learner wrote or chose (progress counts these).

    Each kind says what that means (:meth:`peerkit.core.kinds.AnswerKind.is_answered`): text must
    not be blank, a scale needs a point, an action plan its first step, and so on.
    """
    return answer is not None and kinds.get(answer.kind).is_answered(answer.value)


# --- the sheet ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer: its widget kind, its value and when it last changed."""

    kind: str
    value: JSON
    updated: str

    @classmethod
    def make(cls, kind: str, value: JSON, *, answer_id: str = "answer", updated: str | None = None) -> Answer:
        value = kinds.get(kind, where=answer_id).validate(value, answer_id)
        return cls(kind=kind, value=value, updated=updated or utcnow())


@dataclass(frozen=True, slots=True)
class Backup:
    """A version of an answer that a writer replaced without ever having seen it (a second tab)."""

    answer_id: str
    answer: Answer
    set_aside: str


@dataclass(frozen=True, slots=True)
class AnswerSheet:
    """All answers of one learner to one learning path, and backups of overwritten versions."""

    path: str
    answers: Mapping[str, Answer] = field(default_factory=dict)
    revision: int = 0
    backups: tuple[Backup, ...] = ()

    def get(self, answer_id: str) -> Answer | None:
        return self.answers.get(answer_id)

    def with_answer(self, answer_id: str, answer: Answer) -> AnswerSheet:
        check_answer_id(answer_id)
        if answer_id not in self.answers and len(self.answers) >= MAX_ANSWERS:
            raise ValidationError(f"a sheet holds at most {MAX_ANSWERS} answers", field=answer_id)
        return replace(self, answers={**self.answers, answer_id: answer})

    def with_change(self, answer_id: str, answer: Answer, *, seen: str | None) -> tuple[AnswerSheet, Backup | None]:
        """Lay one writer's change over this sheet without losing anybody's text.

        *seen* is the ``updated`` time of the version of this answer the writer last saw (None if
        it saw none). If the sheet now holds a different version that the writer never saw (another
        tab saved in between), the change still wins, as the latest edit, and that other version is
        kept in :attr:`backups` (the newest :data:`MAX_BACKUPS`), and returned.
        """
        current = self.get(answer_id)
        sheet = self.with_answer(answer_id, answer)
        if current is None or current.updated == seen or current.value == answer.value:
            return sheet, None
        backup = Backup(answer_id=answer_id, answer=current, set_aside=utcnow())
        return replace(sheet, backups=(*self.backups, backup)[-MAX_BACKUPS:]), backup

    def to_json(self) -> str:
        doc = documents.dump(
            documents.ANSWERS,
            {
                "path": self.path,
                "revision": self.revision,
                "answers": {key: answer_doc(a) for key, a in sorted(self.answers.items())},
            },
        )
        if self.backups:
            doc["backups"] = [
                {"answer": b.answer_id, "set_aside": b.set_aside, **answer_doc(b.answer)} for b in self.backups
            ]
        return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def answer_doc(answer: Answer) -> dict[str, JSON]:
    """The JSON form of one answer, as the sheet (and a hub draft) holds it."""
    return {"kind": answer.kind, "value": answer.value, "updated": answer.updated}


def parse_answer(key: str, raw: object) -> Answer:
    """Validate the JSON form of one answer (see :func:`answer_doc`)."""
    if not isinstance(raw, dict):
        raise ValidationError(f"{key}: expected an object", field=key)
    updated = raw.get("updated")
    if not isinstance(updated, str):
        raise ValidationError(f"{key}: missing 'updated' time", field=key)
    parse_time(updated, field=f"{key}.updated")
    return Answer.make(str(raw.get("kind")), raw.get("value"), answer_id=key, updated=updated)


def check_answer_id(answer_id: object) -> str:
    """*answer_id* if it is a valid answer id (a string following nbgrader's grade id rules)."""
    if not isinstance(answer_id, str) or not ANSWER_ID.fullmatch(answer_id):
        raise ValidationError(
            f"answer id {shown(answer_id)} must be 1-64 letters, digits, '-' or '_', starting with a letter or digit",
            field=str(answer_id)[:80],
        )
    return answer_id


def parse_sheet(text: str | bytes, *, expected_path: str | None = None, source: str = FILENAME) -> AnswerSheet:
    """Parse and validate the JSON form of an answer sheet (*source* names it in errors).

    Raises :class:`ValidationError` naming what is wrong: not JSON, wrong format or version,
    wrong path, an unknown kind, a value of the wrong type or size; an older version is upgraded
    and a newer one refused (:class:`~peerkit.core.errors.DocumentVersionError`) by
    :func:`peerkit.core.documents.parse`.
    """
    doc = documents.parse(text, documents.ANSWERS, source=source, max_bytes=MAX_SHEET_BYTES)
    path = doc.get("path")
    if not isinstance(path, str) or not path:
        raise ValidationError("answer sheet has no path id", field="path")
    if expected_path is not None and path != expected_path:
        raise ValidationError(f"answer sheet is for path {shown(path)}, not {expected_path!r}", field="path")
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
        answers[check_answer_id(key)] = parse_answer(key, raw)
    raw_backups = doc.get("backups", [])
    if not isinstance(raw_backups, list) or len(raw_backups) > MAX_BACKUPS:
        raise ValidationError(f"backups must be a list of at most {MAX_BACKUPS}", field="backups")
    backups = []
    for raw in raw_backups:
        if not isinstance(raw, dict) or not isinstance(raw.get("set_aside"), str):
            raise ValidationError("each backup needs an answer id and a 'set_aside' time", field="backups")
        key = check_answer_id(raw.get("answer"))
        parse_time(raw["set_aside"], field="backups.set_aside")
        backups.append(Backup(answer_id=key, answer=parse_answer(key, raw), set_aside=raw["set_aside"]))
    return AnswerSheet(path=path, answers=answers, revision=revision, backups=tuple(backups))
