"""Contribute an example: a title, the story, and tags, for the gallery later learners browse."""

from __future__ import annotations

import ipywidgets as widgets

from peerkit.core.answers import JSON
from peerkit.widgets.answer import AnswerWidget
from peerkit.widgets.look import Look
from peerkit.widgets.reflection import count_words
from peerkit.widgets.session import PathSession
from peerkit.widgets.tags import parse_tags, show_tags, tag_field


class Example(AnswerWidget):
    """The answer is ``{"title": "...", "story": "...", "tags": [...]}``."""

    kind = "example"

    def __init__(
        self,
        session: PathSession,
        answer_id: str,
        *,
        story_label: str = "What happened, who learned what from whom",
        look: Look | None = None,
    ) -> None:
        look = look or Look()
        self.title = widgets.Text(description="Title of your example", layout=look.stacked, style=look.text)
        self.story = widgets.Textarea(description=story_label, rows=6, layout=look.stacked, style=look.text)
        self.story.add_class("peerkit-answer")
        self.tags = tag_field("Tags, separated by commas", placeholder="e.g. libraries, mentoring", look=look)
        super().__init__(session, answer_id, [self.title, self.story, self.tags], look=look)
        self.watch(self.title, self.story, self.tags)

    def read(self) -> JSON:
        return {"title": str(self.title.value), "story": str(self.story.value), "tags": parse_tags(self.tags.value)}

    def write(self, value: JSON | None) -> None:
        record = value if isinstance(value, dict) else {}
        self.title.value = str(record.get("title", ""))
        self.story.value = str(record.get("story", ""))
        self.tags.value = show_tags(record.get("tags", []))

    def describe(self, value: JSON) -> str:
        record = value if isinstance(value, dict) else {}
        words = count_words(str(record.get("story", "")))
        return f"story: {words} word{'s' if words != 1 else ''}"
