"""A free-text reflection (``page.reflection``): the value is the text itself."""

from __future__ import annotations

from typing import Any

from peerkit.core.kinds import markup, values
from peerkit.core.kinds.base import AnswerKind
from peerkit.core.kinds.values import JSON


class Text(AnswerKind):
    name = "text"
    method = "reflection"
    widget = "peerkit.widgets.reflection:Reflection"

    def validate(self, value: JSON, where: str) -> str:
        return values.text(value, where)

    def is_answered(self, value: JSON) -> bool:
        return bool(str(value).strip())

    def written(self, value: JSON) -> str:
        return str(value)

    def reflection(self, value: JSON) -> str:
        return str(value)

    def peer_html(self, value: Any) -> str:
        return markup.paragraphs(value or "")

    def text_length(self, value: JSON) -> int | None:
        return len(value) if isinstance(value, str) else None


KIND = Text()
