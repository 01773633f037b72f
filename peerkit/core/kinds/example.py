"""An example for the course gallery (``page.example``): a title, a story and tags."""

from __future__ import annotations

from typing import Any

from peerkit.core.kinds import markup, values
from peerkit.core.kinds.base import AnswerKind, GalleryEntry
from peerkit.core.kinds.values import JSON

FIELDS: dict[str, values.Check] = {"title": values.short, "story": values.text, "tags": values.short_list}


class Example(AnswerKind):
    name = "example"
    method = "example"
    widget = "peerkit.widgets.example:Example"

    def validate(self, value: JSON, where: str) -> dict[str, JSON]:
        return values.record(value, where, FIELDS)

    def is_answered(self, value: JSON) -> bool:
        return bool(values.field_text(value, "title").strip() or values.field_text(value, "story").strip())

    def written(self, value: JSON) -> str:
        return "\n".join(values.field_text(value, f) for f in ("title", "story"))

    def peer_html(self, value: Any) -> str:
        record = value if isinstance(value, dict) else {}
        title = markup.escape(record.get("title", "")) or "(untitled example)"
        return (
            f"<p><strong>{title}</strong></p>"
            + markup.paragraphs(record.get("story", ""))
            + markup.labelled("Tags", markup.items(record.get("tags")))
        )

    def gallery_entry(self, value: JSON) -> GalleryEntry | None:
        tags = value.get("tags", []) if isinstance(value, dict) else []
        return GalleryEntry(values.field_text(value, "title"), values.field_text(value, "story"), tuple(map(str, tags)))


KIND = Example()
