"""Render a review packet as HTML in which nothing a learner wrote can become markup or script.

Every string from a packet (answers, but also titles and questions, which came through a file
anyone with the channel key could have written) goes through :func:`html.escape`; structure
(paragraphs, lists) is added around escaped text only.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any


def _text(value: Any) -> str:
    """Escaped text with paragraphs and line breaks kept."""
    paragraphs = [p for p in str(value).replace("\r\n", "\n").split("\n\n") if p.strip()]
    if not paragraphs:
        return '<p class="peerkit-empty"><em>(no answer)</em></p>'
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def _items(values: Any) -> str:
    if not isinstance(values, list) or not values:
        return "<em>(none)</em>"
    return ", ".join(html.escape(str(v)) for v in values)


def _field(label: str, body: str) -> str:
    return f'<p style="margin:2px 0"><strong>{html.escape(label)}:</strong> {body}</p>'


def render_value(kind: str, value: Any) -> str:
    """HTML for one answer of *kind*."""
    record: Mapping[str, Any] = value if isinstance(value, dict) else {}
    if kind == "text":
        return _text(value or "")
    if kind == "scale":
        return (
            "<p><em>(no answer)</em></p>" if value is None else f"<p>Point {html.escape(str(value))} of the scale</p>"
        )
    if kind == "checklist":
        chosen = [*record.get("selected", []), *([record["other"]] if str(record.get("other", "")).strip() else [])]
        if not chosen:
            return "<p><em>(nothing ticked)</em></p>"
        return "<ul>" + "".join(f"<li>{html.escape(str(c))}</li>" for c in chosen) + "</ul>"
    if kind == "profile":
        return (
            _field("Already knows", _items(record.get("know")))
            + _field("Brings", _items(record.get("bring")))
            + _field("Wants to learn", _items(record.get("want")))
            + (_text(record["notes"]) if str(record.get("notes", "")).strip() else "")
        )
    if kind == "plan":
        return (
            _field("First step", html.escape(str(record.get("step", "")) or "—"))
            + _field("By", html.escape(str(record.get("date", "")) or "—"))
            + _field("Check-in", html.escape(str(record.get("checkin", "")) or "—"))
            + _field("Support", html.escape(str(record.get("support", "")) or "—"))
        )
    if kind == "example":
        return (
            f"<p><strong>{html.escape(str(record.get('title', '')) or '(untitled example)')}</strong></p>"
            + _text(record.get("story", ""))
            + _field("Tags", _items(record.get("tags")))
        )
    return f"<pre>{html.escape(str(value))}</pre>"


def render_packet(packet: Mapping[str, Any], *, heading: str) -> str:
    """The whole packet: a heading, then each question and the author's answer."""
    parts = [f'<section class="peerkit-packet"><h3 style="margin:0.4em 0">{html.escape(heading)}</h3>']
    if packet.get("author"):
        parts.append(f"<p><em>Written by {html.escape(str(packet['author']))}</em></p>")
    answers = packet.get("answers", [])
    if not answers:
        parts.append("<p><em>This submission holds no answers.</em></p>")
    for answer in answers:
        title = html.escape(str(answer.get("title", "")))
        parts.append(
            '<div class="peerkit-packet-answer" style="border-left:3px solid #d0d7de;padding:0 0 0 12px;margin:12px 0">'
        )
        parts.append(f'<h4 style="margin:0.2em 0">{title}</h4>')
        question = str(answer.get("question", "")).strip()
        if question:
            parts.append(
                f'<div class="peerkit-question" style="color:#55595f;font-size:0.92em">{_text(question)}</div>'
            )
        parts.append(
            f'<div class="peerkit-author-answer">{render_value(str(answer.get("kind", "")), answer.get("value"))}</div>'
        )
        parts.append("</div>")
    parts.append("</section>")
    return "".join(parts)


def render_feedback_summary(doc: Mapping[str, Any]) -> str:
    """The grade part of a learner's feedback: points, how sure, per criterion (escaped)."""
    grade = doc.get("grade", {})
    points = grade.get("points")
    shown = "not graded yet" if points is None else f"{points:g} / {grade.get('max_points', 0):g}"
    parts = [
        '<section class="peerkit-feedback">',
        f'<h3 style="margin:0.4em 0">Your grade: {html.escape(shown)}</h3>',
        f"<p>How sure the grade is: <strong>{html.escape(str(grade.get('confidence', '')))}</strong>",
    ]
    if grade.get("uncertainty") is not None:
        parts.append(f" (give or take {float(grade['uncertainty']):.1f} points)")
    parts.append("</p>")
    if grade.get("overridden") and grade.get("reason"):
        parts.append(f"<p><em>Set by your facilitator: {html.escape(str(grade['reason']))}</em></p>")
    parts.append("<ul>")
    for criterion in grade.get("criteria", []):
        estimate = criterion.get("estimate")
        value = "—" if estimate is None else f"{estimate:g}"
        title = html.escape(str(criterion.get("title", "")))
        parts.append(f"<li>{title}: {html.escape(value)} / {criterion.get('max_points', 0):g}</li>")
    parts.append("</ul></section>")
    return "".join(parts)


def render_received_review(review: Mapping[str, Any]) -> str:
    """One review a learner received: its comments, labelled by prompt (escaped)."""
    label = html.escape(str(review.get("label", "")))
    parts = [f'<div class="peerkit-received-review"><h4 style="margin:0.6em 0 0.2em 0">{label}</h4>']
    for label, text in review.get("comments", {}).items():
        parts.append(f"<p style='margin:2px 0'><strong>{html.escape(str(label))}:</strong></p>{_text(text)}")
    parts.append("</div>")
    return "".join(parts)
