"""An author's rating of one review they received: how helpful (1-5), a note, and a flag for a
careless or unkind review (with why)."""

from __future__ import annotations

from peerkit.core.kinds import values
from peerkit.core.kinds.base import AnswerKind
from peerkit.core.kinds.values import JSON

FIELDS: dict[str, values.Check] = {
    "review": values.short,
    "helpful": lambda v, w: values.whole(v, w, lo=1, hi=5, what="a rating from 1 to 5"),
    "note": values.text,
    "flag": values.flag,
    "reason": values.text,
}


class Rating(AnswerKind):
    name = "rating"
    widget = "peerkit.widgets.rating:RatingForm"

    def validate(self, value: JSON, where: str) -> dict[str, JSON]:
        return values.record(value, where, FIELDS)

    def is_answered(self, value: JSON) -> bool:
        return isinstance(value, dict) and (value.get("helpful") is not None or bool(value.get("flag")))


KIND = Rating()
