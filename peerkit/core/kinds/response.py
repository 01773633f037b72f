"""A response to feedback, on the review page once a learner's reviews are in: what I changed, what I
decided not to change and why, and one of my reviewed answers revised.

``{"changed": "...", "kept": "...", "revised": {"question": "<the answer's heading>", "text": "..."}}``.
Acting on feedback is the step most review systems leave out (ORA2 sends feedback on feedback to
staff only; Eli Review's revision plans ask what the writer will do with it): the answer is delivered
as it is written, like a rating, so no second Submit is needed, and the facilitator reads it whole.
"""

from __future__ import annotations

from typing import Any

from peerkit.core.kinds import markup, values
from peerkit.core.kinds.base import AnswerKind
from peerkit.core.kinds.values import JSON

REVISED: dict[str, values.Check] = {"question": values.short, "text": values.text}
FIELDS: dict[str, values.Check] = {
    "changed": values.text,
    "kept": values.text,
    "revised": lambda v, w: values.record(v, w, REVISED),
}
LABELS = {"changed": "What I changed", "kept": "What I decided not to change, and why"}


def revised_part(value: JSON) -> dict[str, Any]:
    """The ``revised`` record of a response (empty when missing or malformed: packets are files)."""
    found = value.get("revised") if isinstance(value, dict) else None
    return found if isinstance(found, dict) else {}


class Response(AnswerKind):
    name = "response"  # recorded in answer sheets and the store: never rename it
    widget = "peerkit.widgets.response:ResponseForm"

    def validate(self, value: JSON, where: str) -> dict[str, JSON]:
        return values.record(value, where, FIELDS)

    def is_answered(self, value: JSON) -> bool:
        texts = [values.field_text(value, "changed"), values.field_text(value, "kept")]
        return any(t.strip() for t in [*texts, values.field_text(revised_part(value), "text")])

    def written(self, value: JSON) -> str:
        parts = [values.field_text(value, "changed"), values.field_text(value, "kept")]
        return "\n".join(p for p in [*parts, values.field_text(revised_part(value), "text")] if p)

    def reflection(self, value: JSON) -> str:
        return "\n".join(p for p in (values.field_text(value, "changed"), values.field_text(value, "kept")) if p)

    def peer_html(self, value: Any) -> str:
        record = value if isinstance(value, dict) else {}
        revised = revised_part(record)
        parts = [markup.labelled(label, "") + markup.paragraphs(record.get(key, "")) for key, label in LABELS.items()]
        question = markup.escape(revised.get("question", "")) or "—"
        parts.append(markup.labelled("My revised answer to", question) + markup.paragraphs(revised.get("text", "")))
        return "".join(parts)

    def facilitator_text(self, value: JSON) -> str:
        revised = revised_part(value)
        lines = [f"{label}: {values.field_text(value, key)}" for key, label in LABELS.items()]
        lines.append(f"Revised answer ({values.field_text(revised, 'question')}): {values.field_text(revised, 'text')}")
        return "\n".join(lines)

    def text_length(self, value: JSON) -> int | None:
        return len(self.written(value))


KIND = Response()
