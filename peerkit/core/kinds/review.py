"""A peer review of one packet (or of one's own submission): a level per rubric criterion and the
feedback prompts' text. Whether criteria and levels exist is checked against the rubric when
reviews are collected (:func:`peerkit.core.rubric.check_review`); the review's words are counted
from the stored review, so the answer itself adds none.
"""

from __future__ import annotations

from peerkit.core.kinds import values
from peerkit.core.kinds.base import AnswerKind
from peerkit.core.kinds.values import JSON

FIELDS: dict[str, values.Check] = {
    "packet": values.short,
    "scores": lambda v, w: values.mapping(v, w, values.points),
    "comments": lambda v, w: values.mapping(v, w, values.text),
}


class Review(AnswerKind):
    name = "review"
    widget = "peerkit.widgets.review_form:ReviewForm"

    def validate(self, value: JSON, where: str) -> dict[str, JSON]:
        return values.record(value, where, FIELDS)

    def is_answered(self, value: JSON) -> bool:
        if not isinstance(value, dict):
            return False
        return bool(value.get("scores")) or any(str(t).strip() for t in value.get("comments", {}).values())


KIND = Review()
