"""Render a review packet as HTML in which nothing a learner wrote can become markup or script.

Every string from a packet (answers, but also titles and questions, which came through a file
anyone with the channel key could have written) goes through :func:`html.escape`; structure
(paragraphs, lists) is added around escaped text only.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from peerkit.core import kinds
from peerkit.core.kinds import markup


def _text(value: Any) -> str:
    """Escaped text with paragraphs and line breaks kept."""
    return markup.paragraphs(value)


def render_value(kind: str, value: Any) -> str:
    """HTML for one answer of *kind*, as the kind shows it to a peer (escaped text for a kind unknown here)."""
    found = kinds.find(kind)
    return found.peer_html(value) if found is not None else markup.preformatted(value)


def render_packet(packet: Mapping[str, Any], *, heading: str) -> str:
    """The whole packet: a heading, then each question and the author's answer."""
    parts = [f'<section class="peerkit-packet"><h2 style="margin:0.4em 0;font-size:1.25em">{html.escape(heading)}</h2>']
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
        parts.append(f'<h3 style="margin:0.2em 0;font-size:1.05em">{title}</h3>')
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


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def gradebook_of(grade: Mapping[str, Any]) -> tuple[float, float] | None:
    """The grade on the course gradebook's scale, as the feedback carries it (None when it does not)."""
    book = grade.get("gradebook")
    if not isinstance(book, Mapping):
        return None
    points, most = _number(book.get("points")), _number(book.get("max_points"))
    return None if points is None or not most else (points, most)


def grade_text(points: float | None, max_points: float, gradebook: tuple[float, float] | None = None) -> str:
    """One grade on the path's one scale: ``10.83 / 13 points``, the number the course's gradebook (and
    its LMS) holds, when the feedback carries it (*gradebook*); else, for a path without points in the
    gradebook, the rubric's total, ``5 / 6 points``. Never both side by side."""
    if points is None:
        return "not graded yet"
    if gradebook is not None:
        points, max_points = gradebook
    return f"{points:g} / {max_points:g} points"


def _per_point(grade: Mapping[str, Any]) -> float:
    """How many of the shown scale's points one of the rubric's is worth (an uncertainty's factor)."""
    book, most = gradebook_of(grade), _number(grade.get("max_points"))
    return book[1] / most if book is not None and most else 1.0


def criterion_text(criterion: Mapping[str, Any]) -> str:
    """A criterion's grade on the review scale, its level by name with its number: ``Clearly (2 of 2)``
    (a feedback without level names: ``2 of 2``)."""
    estimate = _number(criterion.get("estimate"))
    most = _number(criterion.get("max_points")) or 0.0
    value = "—" if estimate is None else f"{round(estimate, 2):g}"
    level = criterion.get("level")
    numbers = f"{value} of {most:g}"
    return f"{level} ({numbers})" if isinstance(level, str) and level and estimate is not None else numbers


def _pending(grade: Mapping[str, Any]) -> bool:
    """Whether a grade without points is still to come (reviews released early) rather than not possible:
    marked so, or with no estimate for any criterion yet."""
    if grade.get("pending") is True:
        return True
    criteria = grade.get("criteria")
    estimates = [c.get("estimate") for c in criteria if isinstance(c, Mapping)] if isinstance(criteria, list) else []
    return all(e is None for e in estimates)


def render_feedback_summary(doc: Mapping[str, Any]) -> str:
    """The grade part of a learner's feedback: points on the path's scale and how sure (give or take, on
    the same scale), each criterion's level (escaped).

    In rolling review the reviews are released as soon as they are in, before the path closes: the
    grade is then absent or null, and the learner reads when it comes instead of "not graded"."""
    grade = doc.get("grade")
    points = _number(grade.get("points")) if isinstance(grade, Mapping) else None
    if not isinstance(grade, Mapping) or (points is None and _pending(grade)):
        return (
            '<section class="peerkit-feedback"><h2 style="margin:0.4em 0;font-size:1.25em">Your feedback is here'
            "</h2><p>Your grade comes when the path closes. The reviews of your work are below already: read "
            "them, rate how helpful each one was, and respond to them.</p></section>"
        )
    shown = grade_text(points, _number(grade.get("max_points")) or 0.0, gradebook_of(grade))
    parts = [
        '<section class="peerkit-feedback">',
        f'<h2 style="margin:0.4em 0;font-size:1.25em">Your grade: {html.escape(shown)}</h2>',
        f"<p>How sure the grade is: <strong>{html.escape(str(grade.get('confidence', '')))}</strong>",
    ]
    if grade.get("uncertainty") is not None:
        spread = float(grade["uncertainty"]) * _per_point(grade)
        parts.append(f" (give or take {spread:.1f} points)")
    parts.append("</p>")
    if grade.get("overridden") and grade.get("reason"):
        parts.append(f"<p><em>Set by your facilitator: {html.escape(str(grade['reason']))}</em></p>")
    parts.append("<ul>")
    for criterion in grade.get("criteria", []):
        if not isinstance(criterion, Mapping):
            continue
        title = html.escape(str(criterion.get("title", "")))
        parts.append(f"<li>{title}: {html.escape(criterion_text(criterion))}</li>")
    parts.append("</ul></section>")
    return "".join(parts)


def render_received_review(review: Mapping[str, Any]) -> str:
    """One review a learner received: its comments, labelled by prompt (escaped)."""
    label = html.escape(str(review.get("label", "")))
    parts = [f'<div class="peerkit-received-review"><h3 style="margin:0.6em 0 0.2em 0;font-size:1.05em">{label}</h3>']
    for label, text in review.get("comments", {}).items():
        parts.append(f"<p style='margin:2px 0'><strong>{html.escape(str(label))}:</strong></p>{_text(text)}")
    parts.append("</div>")
    return "".join(parts)
