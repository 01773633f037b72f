"""One project across the course: each path adds or revises a part, the capstone assembles them.

``page.project("project-setting", part="setting")`` saves ``{"part": "setting", "title": "...",
"text": "...", "based_on": "what-is-peer-learning"}``: the part's id (course.yml ``project``), its
title as the learner saw it, their text, and the path whose version they started from when they
revised an earlier one ("" or absent: written afresh). ``page.project_summary("project-final")``
saves ``{"text": "...", "parts": [...], "missing": [...]}``: the assembled and revised whole, with
the parts that were assembled into it and those the learner had not written.

Both are the learner's own words throughout; part ids and path ids are not, so redaction leaves
them alone (a learner named "Group" keeps the part "group" readable).
"""

from __future__ import annotations

from typing import Any

from peerkit.core.errors import ValidationError
from peerkit.core.kinds import markup, values
from peerkit.core.kinds.base import TextRecordKind
from peerkit.core.kinds.values import JSON

PART_FIELDS: dict[str, values.Check] = {
    "part": values.short,
    "title": values.short,
    "text": values.text,
    "based_on": values.short,
}
SUMMARY_FIELDS: dict[str, values.Check] = {
    "text": values.text,
    "parts": values.short_list,
    "missing": values.short_list,
}


class Project(TextRecordKind):
    """One part of the learner's project, written or revised on one path."""

    name = "project"
    method = "project"
    widget = "peerkit.widgets.project:ProjectBox"
    scrubbed = ("title", "text")

    def validate(self, value: JSON, where: str) -> dict[str, JSON]:
        record = values.record(value, where, PART_FIELDS)
        if not str(record.get("part", "")).strip():
            raise ValidationError(
                f"{where}.part: name the project part this answer writes (an id of course.yml project:)",
                field=f"{where}.part",
            )
        return record

    def peer_html(self, value: Any) -> str:
        record = value if isinstance(value, dict) else {}  # packets are files: expect anything
        title = record.get("title") or record.get("part") or ""
        return markup.labelled("Project part", markup.escape(title) or "—") + markup.paragraphs(record.get("text", ""))

    def facilitator_text(self, value: JSON) -> str:
        title = values.field_text(value, "title") or values.field_text(value, "part")
        return f"{title}\n{values.field_text(value, 'text')}".strip()


class ProjectSummary(TextRecordKind):
    """The capstone's final version of the whole project, assembled from the learner's parts."""

    name = "project_summary"
    method = "project_summary"
    widget = "peerkit.widgets.project:ProjectSummaryBox"

    def validate(self, value: JSON, where: str) -> dict[str, JSON]:
        return values.record(value, where, SUMMARY_FIELDS)

    def peer_html(self, value: Any) -> str:
        record = value if isinstance(value, dict) else {}
        return markup.labelled("Project", "the whole initiative, assembled and revised") + markup.paragraphs(
            record.get("text", "")
        )


KIND = Project()
SUMMARY = ProjectSummary()
