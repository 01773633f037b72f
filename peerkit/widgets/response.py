"""The response to feedback: what I changed, what I kept and why, and one of my answers revised.

The learner picks one of their own reviewed answers; its text is put in the box to revise (only
while the box is empty or still holds another answer's untouched text, so nothing they wrote is
replaced).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets

from peerkit.core.answers import JSON
from peerkit.core.kinds.response import revised_part
from peerkit.widgets.answer import AnswerWidget
from peerkit.widgets.look import Look
from peerkit.widgets.reflection import count_words, text_box
from peerkit.widgets.session import PathSession

NONE_CHOSEN = ("Choose one of your answers", "")


class ResponseForm(AnswerWidget):
    """The answer is ``{"changed", "kept", "revised": {"question", "text"}}`` (kind ``response``).

    *answers* are the learner's own reviewed answers as ``(heading, text)``: the choices to revise.
    """

    kind = "response"

    def __init__(
        self,
        session: PathSession,
        answer_id: str,
        answers: Sequence[tuple[str, str]] = (),
        *,
        look: Look | None = None,
    ) -> None:
        look = look or Look()
        self.originals: dict[str, str] = {}
        for heading, text in answers:
            self.originals.setdefault(heading, text)
        self.changed = text_box(
            "What I changed, or will change, because of the feedback",
            placeholder="Name the comment and what you did with it.",
            rows=4,
            look=look,
        )
        self.kept = text_box(
            "What I decided not to change, and why",
            placeholder="A suggestion you did not take, and your reason: that is a decision too.",
            rows=3,
            look=look,
        )
        self.question = widgets.Dropdown(
            options=[NONE_CHOSEN, *((h, h) for h in self.originals)],
            value="",
            description="The answer I revise",
            layout=look.stacked,
            style=look.text,
        )
        self.question.add_class("peerkit-revise-choice")
        self.text = text_box(
            "My revised answer",
            placeholder="Choose an answer above: its text appears here for you to revise.",
            rows=8,
            look=look,
        )
        self.question.observe(self._prefill, names="value")  # before the save below, which reads the text
        super().__init__(session, answer_id, [self.changed, self.kept, self.question, self.text], look=look)
        self.watch(self.changed, self.kept, self.question, self.text)

    def _prefill(self, change: dict[str, Any]) -> None:
        if self._applying:
            return
        current = str(self.text.value)
        untouched = not current.strip() or current == self.originals.get(str(change.get("old") or ""))
        if untouched:
            self.text.value = self.originals.get(str(change["new"] or ""), "")

    def read(self) -> JSON:
        return {
            "changed": str(self.changed.value),
            "kept": str(self.kept.value),
            "revised": {"question": str(self.question.value or ""), "text": str(self.text.value)},
        }

    def write(self, value: JSON | None) -> None:
        record = value if isinstance(value, dict) else {}
        revised = revised_part(record)
        self.changed.value = str(record.get("changed", ""))
        self.kept.value = str(record.get("kept", ""))
        question = str(revised.get("question", ""))
        if question and question not in self.originals:  # an answer no longer offered: keep showing it
            self.originals[question] = ""
            self.question.options = [*self.question.options, (question, question)]
        self.question.value = question
        self.text.value = str(revised.get("text", ""))

    def describe(self, value: JSON) -> str:
        record = value if isinstance(value, dict) else {}
        revised = revised_part(record)
        todo = [
            name
            for name, text in (
                ("what you changed", record.get("changed", "")),
                ("what you kept", record.get("kept", "")),
                ("a revised answer", revised.get("text", "") if revised.get("question") else ""),
            )
            if not str(text).strip()
        ]
        words = sum(count_words(str(t)) for t in (record.get("changed", ""), record.get("kept", "")))
        return f"{words} words" + (f"; still to write: {', '.join(todo)}" if todo else "")
