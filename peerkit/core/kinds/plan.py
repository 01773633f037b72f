"""An action plan (``page.plan``): a first step, a date (YYYY-MM-DD), a check-in and support."""

from __future__ import annotations

import datetime as dt
from typing import Any

from peerkit.core.kinds import markup, values
from peerkit.core.kinds.base import AnswerKind
from peerkit.core.kinds.values import JSON

FIELDS: dict[str, values.Check] = {
    "step": values.text,
    "date": values.date_or_empty,
    "checkin": values.short,
    "support": values.text,
}
LABELS = {"step": "First step", "date": "By", "checkin": "Check-in", "support": "Support"}


class Plan(AnswerKind):
    name = "plan"
    method = "plan"
    widget = "peerkit.widgets.plan:ActionPlan"

    def validate(self, value: JSON, where: str) -> dict[str, JSON]:
        return values.record(value, where, FIELDS)

    def is_answered(self, value: JSON) -> bool:
        return bool(values.field_text(value, "step").strip())

    def written(self, value: JSON) -> str:
        return "\n".join(values.field_text(value, f) for f in ("step", "support"))

    def next_step(self, value: JSON) -> str:
        return values.field_text(value, "step")

    def peer_html(self, value: Any) -> str:
        record = value if isinstance(value, dict) else {}
        shown = {key: markup.escape(record.get(key, "")) or "—" for key in LABELS}
        return "".join(markup.labelled(label, shown[key]) for key, label in LABELS.items())

    def facilitator_text(self, value: JSON) -> str:
        return "\n".join(f"{label}: {values.field_text(value, key)}" for key, label in LABELS.items())

    def dates(self, value: JSON) -> tuple[dt.date, ...]:
        found = values.field_text(value, "date")
        return (dt.date.fromisoformat(found),) if found else ()

    def shift_dates(self, value: JSON, days: int) -> JSON:
        found = self.dates(value)
        if not found or not days:
            return value
        return {**value, "date": (found[0] + dt.timedelta(days=days)).isoformat()}


KIND = Plan()
