"""Feedback on feedback: how helpful a review was (1-5), a note for the facilitator, a flag."""

from __future__ import annotations

import ipywidgets as widgets

from peerkit.core.answers import JSON
from peerkit.widgets.answer import AnswerWidget
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession

HELPFUL = ["1 · not helpful", "2", "3", "4", "5 · very helpful"]


class RatingForm(AnswerWidget):
    """The answer is ``{"review": token, "helpful": 1-5 or None, "note", "flag": bool, "reason"}``."""

    kind = "rating"

    def __init__(self, session: PathSession, answer_id: str, token: str, *, look: Look | None = None) -> None:
        look = look or Look()
        self.token = token
        self.helpful = widgets.RadioButtons(
            options=[(text, i) for i, text in enumerate(HELPFUL, start=1)],
            value=None,
            description="How helpful was this review?",
            orientation="horizontal",
            layout=look.stacked,
            style=look.text,
        )
        self.note = widgets.Textarea(
            description="What helped, or what would have (optional)",
            rows=2,
            layout=look.stacked,
            style=look.text,
        )
        self.note.add_class("peerkit-answer")
        self.flag = widgets.Checkbox(
            description="This review is careless or unkind", indent=False, layout=look.full_width, style=look.check
        )
        self.reason = widgets.Text(
            description="Why (your facilitator reads this)", layout=look.stacked, style=look.text
        )
        super().__init__(session, answer_id, [self.helpful, self.note, self.flag, self.reason], look=look)
        self.watch(self.helpful, self.note, self.flag, self.reason)

    def read(self) -> JSON:
        return {
            "review": self.token,
            "helpful": self.helpful.value,
            "note": str(self.note.value),
            "flag": bool(self.flag.value),
            "reason": str(self.reason.value),
        }

    def write(self, value: JSON | None) -> None:
        record = value if isinstance(value, dict) else {}
        self.helpful.value = record.get("helpful") if record.get("helpful") in range(1, 6) else None
        self.note.value = str(record.get("note", ""))
        self.flag.value = bool(record.get("flag", False))
        self.reason.value = str(record.get("reason", ""))

    def describe(self, value: JSON) -> str:
        record = value if isinstance(value, dict) else {}
        parts = []
        if record.get("helpful"):
            parts.append(f"rated {record['helpful']} of 5")
        if record.get("flag"):
            parts.append("flagged for the facilitator")
        return ", ".join(parts)
