"""What I know, what I bring, what I want to learn (``page.profile``): the learner's words and notes.

``know``, ``bring`` and ``want`` hold the learner's own words (pieces typed between commas).
``topics`` (optional: answers written before the course had a topic vocabulary lack it) holds the
ids of the course's topics the learner kept as chips, ``{"know": [...], "want": [...]}``; review
allocation matches on them (:func:`peerkit.core.topics.profile_from_answer`).

A profile may also hold the name the learner goes by (``name``, asked when a notebook passes
``ask_name=True``): their group sees it, review packets never do (the round removes it from every
answer, :func:`peerkit.review.people.course_redactor`)."""

from __future__ import annotations

from typing import Any

from peerkit.core.kinds import markup, values
from peerkit.core.kinds.base import AnswerKind
from peerkit.core.kinds.values import JSON

TOPIC_SIDES: dict[str, values.Check] = {"know": values.short_list, "want": values.short_list}
FIELDS: dict[str, values.Check] = {
    "know": values.short_list,
    "bring": values.short_list,
    "want": values.short_list,
    "notes": values.text,
    "name": values.short,
    "topics": lambda value, where: values.record(value, where, TOPIC_SIDES),
}
LABELS = {"know": "Already knows", "bring": "Brings", "want": "Wants to learn"}


class Profile(AnswerKind):
    name = "profile"
    method = "profile"
    widget = "peerkit.widgets.profile:Profile"

    def validate(self, value: JSON, where: str) -> dict[str, JSON]:
        return values.record(value, where, FIELDS)

    def written(self, value: JSON) -> str:
        return values.field_text(value, "notes")

    def peer_html(self, value: Any) -> str:
        record = value if isinstance(value, dict) else {}
        tags = "".join(markup.labelled(label, markup.items(record.get(key))) for key, label in LABELS.items())
        notes = markup.paragraphs(record["notes"]) if str(record.get("notes", "")).strip() else ""
        return tags + notes

    def facilitator_text(self, value: JSON) -> str:
        record = value if isinstance(value, dict) else {}
        lines = [f"{label}: {', '.join(map(str, record.get(key, [])))}" for key, label in LABELS.items()]
        chosen = record.get("topics")
        if isinstance(chosen, dict):
            for side, label in (("know", "Topics known"), ("want", "Topics wanted")):
                lines.append(f"{label}: {', '.join(map(str, chosen.get(side, []))) or '-'}")
        if str(record.get("name", "")).strip():
            lines.insert(0, f"Goes by: {record['name']}")
        return "\n".join([*lines, str(record.get("notes", ""))]).strip()


KIND = Profile()
