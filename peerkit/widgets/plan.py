"""An action plan: a first step, a date to do it by, a check-in, and who or what could help."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ipywidgets as widgets

from peerkit.core.answers import JSON
from peerkit.widgets.answer import AnswerWidget
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession

CHECK_INS = (
    "with a peer from this course",
    "with a colleague",
    "with my manager or mentor",
    "on my own, with a reminder",
)


class ActionPlan(AnswerWidget):
    """The answer is ``{"step": "...", "date": "YYYY-MM-DD" or "", "checkin": "...", "support": "..."}``."""

    kind = "plan"

    def __init__(
        self,
        session: PathSession,
        answer_id: str,
        *,
        step_label: str = "My first step",
        check_ins: Sequence[str] = CHECK_INS,
        look: Look | None = None,
    ) -> None:
        look = look or Look()
        self.step = widgets.Textarea(description=step_label, rows=3, layout=look.stacked, style=look.text)
        self.step.add_class("peerkit-answer")
        self.date = widgets.DatePicker(description="I will do it by", layout=look.stacked, style=look.text)
        self.checkin = widgets.Dropdown(
            options=[("(choose one)", ""), *((text, text) for text in check_ins)],
            value="",
            description="I will check in",
            layout=look.stacked,
            style=look.text,
        )
        self.support = widgets.Textarea(
            description="Who or what could help", rows=2, layout=look.stacked, style=look.text
        )
        self.support.add_class("peerkit-answer")
        super().__init__(session, answer_id, [self.step, self.date, self.checkin, self.support], look=look)
        self.watch(self.step, self.date, self.checkin, self.support)

    def read(self) -> JSON:
        date = self.date.value
        return {
            "step": str(self.step.value),
            "date": date.isoformat() if isinstance(date, dt.date) else "",
            "checkin": str(self.checkin.value or ""),
            "support": str(self.support.value),
        }

    def write(self, value: JSON | None) -> None:
        record = value if isinstance(value, dict) else {}
        self.step.value = str(record.get("step", ""))
        try:
            self.date.value = dt.date.fromisoformat(record["date"]) if record.get("date") else None
        except ValueError:
            self.date.value = None
        known = {v for _, v in self.checkin.options}
        checkin = str(record.get("checkin", ""))
        self.checkin.value = checkin if checkin in known else ""
        self.support.value = str(record.get("support", ""))

    def describe(self, value: JSON) -> str:
        record = value if isinstance(value, dict) else {}
        return f"first step by {record['date']}" if record.get("step") and record.get("date") else ""
