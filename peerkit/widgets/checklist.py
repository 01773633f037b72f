"""A checklist: tick every option that applies, optionally name another."""

from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets as widgets

from peerkit.core.answers import JSON, MAX_LIST_ITEMS
from peerkit.core.errors import ValidationError
from peerkit.widgets.answer import AnswerWidget
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession


class Checklist(AnswerWidget):
    """Checkboxes for *options*; the answer is ``{"selected": [...], "other": "..."}``.

    *other* names the label of a free-text "other" box (None: no such box).
    """

    kind = "checklist"

    def __init__(
        self,
        session: PathSession,
        answer_id: str,
        options: Sequence[str],
        *,
        label: str,
        other: str | None = "Something else",
        look: Look | None = None,
    ) -> None:
        if not options or len(options) > MAX_LIST_ITEMS or len(set(options)) != len(options):
            raise ValidationError(f"a checklist needs 1 to {MAX_LIST_ITEMS} distinct options", field=answer_id)
        look = look or Look()
        self.options = list(options)
        self.heading = look.html_widget(
            f'<p class="peerkit-label" role="heading" aria-level="4">{html.escape(label)}</p>'
        )
        self.boxes = [
            widgets.Checkbox(value=False, description=text, indent=False, layout=look.full_width, style=look.check)
            for text in options
        ]
        for box in self.boxes:
            box.add_class("peerkit-check")
        self.other = (
            widgets.Text(description=other, placeholder="Type it here", layout=look.stacked, style=look.text)
            if other
            else None
        )
        controls: list[widgets.Widget] = [self.heading, *self.boxes]
        if self.other is not None:
            controls.append(self.other)
        super().__init__(session, answer_id, controls, look=look)
        self.watch(*self.boxes, *([self.other] if self.other is not None else []))

    def read(self) -> JSON:
        value: dict[str, JSON] = {
            "selected": [text for text, box in zip(self.options, self.boxes, strict=True) if box.value]
        }
        if self.other is not None:
            value["other"] = str(self.other.value)
        return value

    def write(self, value: JSON | None) -> None:
        record = value if isinstance(value, dict) else {}
        selected = set(record.get("selected", []))
        for text, box in zip(self.options, self.boxes, strict=True):
            box.value = text in selected
        if self.other is not None:
            self.other.value = str(record.get("other", ""))

    def describe(self, value: JSON) -> str:
        record = value if isinstance(value, dict) else {}
        count = len(record.get("selected", [])) + (1 if str(record.get("other", "")).strip() else 0)
        return f"{count} ticked" if count else ""
