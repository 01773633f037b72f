"""A Likert-style scale (``page.scale``): the value is the chosen point, or None before a choice."""

from __future__ import annotations

from typing import Any

from peerkit.core.kinds import markup, values
from peerkit.core.kinds.base import AnswerKind
from peerkit.core.kinds.values import JSON


class Scale(AnswerKind):
    name = "scale"
    method = "scale"
    widget = "peerkit.widgets.scale:Scale"

    def validate(self, value: JSON, where: str) -> int | None:
        return values.whole(value, where, lo=0, hi=100, what="a whole number from 0 to 100")

    def is_answered(self, value: JSON) -> bool:
        return value is not None

    def peer_html(self, value: Any) -> str:
        return "<p><em>(no answer)</em></p>" if value is None else f"<p>Point {markup.escape(value)} of the scale</p>"

    def facilitator_text(self, value: JSON) -> str:
        return "" if value is None else f"point {value}"


KIND = Scale()
