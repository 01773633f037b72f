"""Tick what applies, with an optional "other" (``page.checklist``): ``{"selected": [...], "other": ""}``."""

from __future__ import annotations

from typing import Any

from peerkit.core.kinds import markup, values
from peerkit.core.kinds.base import AnswerKind
from peerkit.core.kinds.values import JSON

FIELDS: dict[str, values.Check] = {"selected": values.short_list, "other": values.short}


def chosen(value: Any) -> list[str]:
    """The ticked options, then the "other" text if any."""
    record = value if isinstance(value, dict) else {}
    other = [record["other"]] if str(record.get("other", "")).strip() else []
    return [str(c) for c in [*record.get("selected", []), *other]]


class Checklist(AnswerKind):
    name = "checklist"
    method = "checklist"
    widget = "peerkit.widgets.checklist:Checklist"

    def validate(self, value: JSON, where: str) -> dict[str, JSON]:
        return values.record(value, where, FIELDS)

    def written(self, value: JSON) -> str:
        return values.field_text(value, "other")  # the options were the course's words

    def peer_html(self, value: Any) -> str:
        picked = chosen(value)
        if not picked:
            return "<p><em>(nothing ticked)</em></p>"
        return "<ul>" + "".join(f"<li>{markup.escape(c)}</li>" for c in picked) + "</ul>"

    def facilitator_text(self, value: JSON) -> str:
        return "; ".join(chosen(value))


KIND = Checklist()
