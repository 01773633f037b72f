"""A learner profile: what I already know, what I bring, what I want to learn (tags), and a note.

Review allocation reads it to pair authors with reviewers who know what the author wants to learn.
"""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets

from peerkit.core.answers import JSON
from peerkit.widgets.answer import AnswerWidget
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession
from peerkit.widgets.tags import parse_tags, show_tags, tag_field

FIELDS = (
    ("know", "What I already know"),
    ("bring", "What I bring to a group"),
    ("want", "What I want to learn"),
)
EXAMPLES = {
    "know": "e.g. storytimes, spreadsheets, grant writing",
    "bring": "e.g. patience, a wide network, good questions",
    "want": "e.g. coaching, running video calls",
}


class Profile(AnswerWidget):
    """Three tag lists and a note; the answer is ``{"know": [...], "bring": [...], "want": [...], "notes": "..."}``.

    Tags are typed as comma-separated words. *examples* replaces the few shown in the fields'
    placeholders: one text for all three, or one per field (``know``, ``bring``, ``want``).
    With *ask_name*, a first field asks for the name the learner goes by (``"name"`` in the answer),
    which review packets never show.
    """

    kind = "profile"

    def __init__(
        self,
        session: PathSession,
        answer_id: str,
        *,
        examples: str | Mapping[str, str] | None = None,
        notes_label: str = "Anything else peers should know about your work",
        ask_name: bool = False,
        look: Look | None = None,
    ) -> None:
        look = look or Look()
        self.name: widgets.Text | None = None
        if ask_name:
            self.name = widgets.Text(
                description="The name you go by (reviewers never see it)", layout=look.stacked, style=look.text
            )
            self.name.add_class("peerkit-profile-name")
        hints = dict.fromkeys(EXAMPLES, examples) if isinstance(examples, str) else {**EXAMPLES, **(examples or {})}
        self.tags = {key: tag_field(text, placeholder=hints[key], look=look) for key, text in FIELDS}
        for key, tags in self.tags.items():
            tags.add_class(f"peerkit-profile-{key}")
        self.notes = widgets.Textarea(description=notes_label, rows=3, layout=look.stacked, style=look.text)
        self.notes.add_class("peerkit-answer")
        fields = [*([self.name] if self.name else []), *self.tags.values(), self.notes]
        super().__init__(session, answer_id, fields, look=look)
        self.watch(*fields)

    def read(self) -> JSON:
        value: dict[str, JSON] = {key: parse_tags(tags.value) for key, tags in self.tags.items()}
        value["notes"] = str(self.notes.value)
        if self.name is not None and self.name.value.strip():
            value["name"] = self.name.value.strip()
        return value

    def write(self, value: JSON | None) -> None:
        record = value if isinstance(value, dict) else {}
        for key, tags in self.tags.items():
            tags.value = show_tags(record.get(key, []))
        self.notes.value = str(record.get("notes", ""))
        if self.name is not None:
            self.name.value = str(record.get("name", ""))

    def describe(self, value: JSON) -> str:
        record = value if isinstance(value, dict) else {}
        count = sum(len(record.get(key, [])) for key, _ in FIELDS)
        return f"{count} tag{'s' if count != 1 else ''}"
