"""A check of understanding (``page.check``): multiple choice, ordering or matching, with instant feedback.

A check teaches; it is never graded by peers and carries no points. The learner answers, presses
"Check my answer", reads whether it is right and why, and may try again. The saved value records
what was last checked and how it went, so progress counts it, a reopened page shows it again and the
facilitator sees which checks learners most often get wrong at first::

    {"type": "choice", "response": 1, "attempts": 2, "right": true, "first_right": false}
    {"type": "order", "response": [2, 0, 1, 3], ...}   # per step, the place the learner gave it (0: first)
    {"type": "match", "response": [1, null, 0], ...}   # per term, the meaning chosen (null: none yet)

Indices refer to the lists as the course wrote them (never to the shuffled order a learner saw), so
a value means the same whoever saved it. What the course writes for one check (the question, the
right answer, why, hints) is a :class:`CheckQuestion`; it judges a response here, in pure code, and
the widget (:mod:`peerkit.widgets.check`) only draws it.
"""

from __future__ import annotations

import difflib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypedDict, Unpack, get_args

from peerkit.core.errors import ValidationError, shown
from peerkit.core.kinds import markup, values
from peerkit.core.kinds.base import AnswerKind
from peerkit.core.kinds.values import JSON, MAX_LIST_ITEMS

CheckType = Literal["choice", "order", "match"]
TYPES: Final[tuple[str, ...]] = get_args(CheckType)
MAX_ATTEMPTS: Final = 10_000
FIELDS: Final = ("type", "response", "attempts", "right", "first_right")


# -- the saved value ------------------------------------------------------------------------------


def _index(value: JSON, where: str) -> int:
    found = values.whole(value, where, lo=0, hi=MAX_LIST_ITEMS - 1, what=f"a position from 0 to {MAX_LIST_ITEMS - 1}")
    if found is None:
        raise ValidationError(f"{where}: expected a position from 0 to {MAX_LIST_ITEMS - 1}", field=where)
    return found


def _positions(value: JSON, where: str, *, blanks: bool) -> list[int | None]:
    if not isinstance(value, list):
        raise ValidationError(f"{where}: expected a list, got {type(value).__name__}", field=where)
    if len(value) > MAX_LIST_ITEMS:
        raise ValidationError(f"{where}: more than {MAX_LIST_ITEMS} items", field=where)
    return [None if item is None and blanks else _index(item, f"{where}[{i}]") for i, item in enumerate(value)]


def response(kind: str, value: JSON, where: str) -> JSON:
    """The learner's response to a check of *kind*, checked (*where* names it in errors)."""
    if kind == "choice":
        return None if value is None else _index(value, where)
    if kind == "order":
        order = [p for p in _positions(value, where, blanks=False) if p is not None]
        if sorted(order) != list(range(len(order))):
            raise ValidationError(f"{where}: expected each position from 0 to {len(order) - 1} once", field=where)
        return order
    return _positions(value, where, blanks=True)


class Check(AnswerKind):
    name = "check"  # recorded in answer sheets and the store: never rename it
    method = "check"
    widget = "peerkit.widgets.check:CheckWidget"
    peer_reviewed = False  # a check teaches: it never goes into a peer's review
    required = False  # progress counts it, but a submission without it is still complete

    def validate(self, value: JSON, where: str) -> dict[str, JSON]:
        if not isinstance(value, dict):
            raise ValidationError(f"{where}: expected an object, got {type(value).__name__}", field=where)
        record = values.record(value, where, dict.fromkeys(FIELDS, _unchecked))
        for name in FIELDS:
            if name not in record:
                raise ValidationError(
                    f"{where}.{name}: missing (a check saves {', '.join(FIELDS)})", field=f"{where}.{name}"
                )
        kind = record["type"]
        if kind not in TYPES:
            raise ValidationError(
                f"{where}.type: expected one of {', '.join(TYPES)}, got {shown(kind)}", field=f"{where}.type"
            )
        attempts = values.whole(record["attempts"], f"{where}.attempts", lo=0, hi=MAX_ATTEMPTS, what="a count of tries")
        right = values.flag(record["right"], f"{where}.right")
        first_right = values.flag(record["first_right"], f"{where}.first_right")
        found = response(kind, record["response"], f"{where}.response")
        if not attempts and (right or first_right):
            field_name = "right" if right else "first_right"
            raise ValidationError(
                f"{where}.{field_name}: cannot be true before the first try", field=f"{where}.{field_name}"
            )
        if attempts and (found is None or (isinstance(found, list) and (not found or None in found))):
            raise ValidationError(
                f"{where}.response: a checked answer needs every choice made", field=f"{where}.response"
            )
        return {"type": kind, "response": found, "attempts": attempts, "right": right, "first_right": first_right}

    def is_answered(self, value: JSON) -> bool:
        return isinstance(value, dict) and bool(value.get("attempts"))

    def peer_html(self, value: Any) -> str:
        return f"<p>{markup.escape(outcome(value))}</p>"  # never in a review; escaped all the same

    def facilitator_text(self, value: JSON) -> str:
        return outcome(value)


def _unchecked(value: JSON, where: str) -> JSON:
    return value  # each field is checked by Check.validate, which knows the type


def outcome(value: Any) -> str:
    """How a check went, in a few words: "right at the first try", "right after 3 tries", "not right yet"."""
    record = value if isinstance(value, dict) else {}
    tries = record.get("attempts") if isinstance(record.get("attempts"), int) else 0
    if not tries:
        return "not tried yet"
    if record.get("right") is True:
        return "right at the first try" if record.get("first_right") is True else f"right after {tries} tries"
    return f"not right yet after {tries} {'try' if tries == 1 else 'tries'}"


KIND = Check()


# -- what the course writes for one check ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckQuestion:
    """One check as the course writes it. *items*: the choices, the steps in their right order, or the
    terms; *meanings*: a matching check's meanings (``meanings[i]`` belongs to ``items[i]``)."""

    answer_id: str
    prompt: str
    type: CheckType
    items: tuple[str, ...]
    why: str
    answer: int | None = None
    meanings: tuple[str, ...] = ()
    hints: Mapping[int, str] = field(default_factory=dict)

    def judge(self, given: JSON) -> bool:
        """Whether *given* (a response as :func:`response` checks it) is right."""
        if self.type == "choice":
            return bool(given == self.answer)
        return bool(given == list(range(len(self.items))))

    def in_place(self, given: JSON) -> int:
        """Steps in the right place (ordering) or terms rightly matched (matching)."""
        if not isinstance(given, list):
            return 0
        return sum(1 for i, g in enumerate(given) if g == i)

    def shuffled(self, learner: str | None) -> list[int]:
        """The steps (ordering) or meanings (matching) in the order *learner* first sees them: the same
        every visit, different between learners, and never already the right order."""
        count = len(self.meanings or self.items)
        order = list(range(count))
        random.Random(f"{learner or ''}|{self.answer_id}").shuffle(order)  # noqa: S311 - a layout, not a secret
        if count > 1 and order == sorted(order):
            order = order[1:] + order[:1]
        return order

    def fits(self, given: JSON) -> bool:
        """Whether a saved response fits this question (the course may have changed it since)."""
        if self.type == "choice":
            return given is None or (isinstance(given, int) and 0 <= given < len(self.items))
        size = len(self.items)
        if not isinstance(given, list) or len(given) != size:
            return False
        pool = range(len(self.meanings) if self.type == "match" else size)
        return all(g is None or g in pool for g in given)


def _course_text(text: object, where: str, what: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(f"{where}: {what} must be some text", field=where)
    return values.text(text, where)


def _distinct(texts: Sequence[object], where: str, what: str) -> tuple[str, ...]:
    if isinstance(texts, str) or not 2 <= len(texts) <= MAX_LIST_ITEMS:
        raise ValidationError(f"{where}: {what} needs 2 to {MAX_LIST_ITEMS} entries", field=where)
    found = tuple(_course_text(t, f"{where}[{i}]", what) for i, t in enumerate(texts))
    if len(set(found)) != len(found):
        raise ValidationError(f"{where}: {what} has the same entry twice", field=where)
    return found


class CheckArguments(TypedDict, total=False):
    """What a notebook passes to ``page.check`` to say which check it is: exactly one of *choices* (with
    the right *answer*'s position and *hints* by position), *order* (the steps in their right order) or
    *match* ((term, meaning) pairs). The page and the widget pass them on as they are, to :func:`question`."""

    choices: Sequence[str] | None
    answer: int | None
    hints: Mapping[int, str] | None
    order: Sequence[str] | None
    match: Sequence[tuple[str, str]] | None


def question(answer_id: str, prompt: str, *, why: str, **arguments: Unpack[CheckArguments]) -> CheckQuestion:
    """A check from what a notebook passes to ``page.check``; the error names the argument to fix."""
    unknown = sorted(set(arguments) - CheckArguments.__optional_keys__)
    if unknown:  # a notebook is not type-checked: a misspelt argument must not pass unnoticed
        known = sorted(CheckArguments.__optional_keys__ | {"why"})
        close = difflib.get_close_matches(unknown[0], known, n=1)
        fix = f"did you mean {close[0]}=?" if close else f"use {', '.join(f'{k}=' for k in known)}"
        raise ValidationError(
            f"page.check({answer_id!r}) takes no argument {unknown[0]}=; fix: {fix}", field=f"{answer_id}.{unknown[0]}"
        )
    choices, answer, hints = arguments.get("choices"), arguments.get("answer"), arguments.get("hints")
    order, match = arguments.get("order"), arguments.get("match")
    given = [name for name, v in (("choices", choices), ("order", order), ("match", match)) if v is not None]
    if len(given) != 1:
        raise ValidationError(
            f"{answer_id}: pass exactly one of choices=, order= or match= (got {', '.join(given) or 'none'})",
            field=answer_id,
        )
    prompt = _course_text(prompt, f"{answer_id}.prompt", "the question")
    why = _course_text(why, f"{answer_id}.why", "why (shown after every answer)")
    if choices is not None:
        items = _distinct(choices, f"{answer_id}.choices", "choices")
        if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < len(items):
            raise ValidationError(
                f"{answer_id}.answer: expected the right choice's position, 0 to {len(items) - 1}",
                field=f"{answer_id}.answer",
            )
        tips: dict[int, str] = {}
        for key, tip in (hints or {}).items():
            if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key < len(items):
                raise ValidationError(
                    f"{answer_id}.hints: {key!r} is not a choice's position (0 to {len(items) - 1})",
                    field=f"{answer_id}.hints",
                )
            tips[key] = _course_text(tip, f"{answer_id}.hints[{key}]", "a hint")
        return CheckQuestion(answer_id, prompt, "choice", items, why, answer=answer, hints=tips)
    if answer is not None or hints:
        raise ValidationError(f"{answer_id}: answer= and hints= belong to a check with choices=", field=answer_id)
    if order is not None:
        return CheckQuestion(answer_id, prompt, "order", _distinct(order, f"{answer_id}.order", "order"), why)
    pairs = list(match or ())
    if not all(isinstance(p, tuple | list) and len(p) == 2 for p in pairs):
        raise ValidationError(f"{answer_id}.match: expected (term, meaning) pairs", field=f"{answer_id}.match")
    terms = _distinct([p[0] for p in pairs], f"{answer_id}.match", "the terms of match")
    meanings = _distinct([p[1] for p in pairs], f"{answer_id}.match", "the meanings of match")
    return CheckQuestion(answer_id, prompt, "match", terms, why, meanings=meanings)
