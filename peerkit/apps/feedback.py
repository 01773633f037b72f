"""The feedback part of the review page: the grade, each review received with a rating form, the response.

Ratings of the reviews one received and the response to the feedback are sent as they are given, with
no second Submit (a rating once waited for one and was lost): an :class:`AutoDelivery` sends every
change of those answers, and a line on the page says when they last went to the facilitator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as widgets

from peerkit.config.workspace import read_own_answers
from peerkit.core import kinds
from peerkit.widgets.delivery import AutoDelivery
from peerkit.widgets.session import PathSession
from peerkit.widgets.status import local_time, status_line, status_markup

#: The response to feedback (kind ``response``), delivered as it is written like the ratings.
RESPOND = "respond"

RATE_INVITE = (
    "Rate each review: your ratings help reviewers improve and stay anonymous. "
    "Each rating is sent to your facilitator as you give it: no need to submit again."
)
RESPOND_INTRO = (
    '<section class="peerkit-respond-intro"><h2 style="margin:0.8em 0 0.2em 0;font-size:1.25em">'
    "Respond to the feedback</h2><p>Feedback helps when you do something with it. Say what you "
    "changed (or will change), what you decided not to change and why, and revise one of your "
    "answers: choose it below and its text appears, ready to edit. Your response is sent to your "
    "facilitator as you write it.</p></section>"
)


def rating_answer_id(token: str) -> str:
    return f"h-{token}"


def delivered_as_written(answer_id: str) -> bool:
    """Answers sent as they are given, with no second Submit: ratings of reviews, the response to feedback."""
    return answer_id.startswith("h-") or answer_id == RESPOND


def own_answers(packet: dict[str, Any] | None, course_folder: Path | None, path_id: str) -> list[tuple[str, str]]:
    """The learner's own reviewed answers as (heading, text): from their own submission *packet* as the
    review page received it, else from their answers in the path's folder (a round without self-assessment)."""
    found: list[tuple[str, str]] = []
    if packet and isinstance(packet.get("answers"), list):
        for answer in packet["answers"]:
            kind = kinds.find(str(answer.get("kind", ""))) if isinstance(answer, dict) else None
            if kind is None or not kind.peer_reviewed:
                continue
            try:
                text = kind.written(answer.get("value"))
            except (AttributeError, TypeError, ValueError):
                continue
            if text.strip():
                found.append((str(answer.get("title") or answer.get("id") or "An answer"), text))
        return found
    sheet = read_own_answers(course_folder, path_id) if course_folder else None
    for answer_id, answer in sorted(sheet.answers.items()) if sheet is not None else ():
        kind = kinds.find(answer.kind)
        text = kind.written(answer.value) if kind is not None and kind.peer_reviewed else ""
        if text.strip():
            found.append((answer_id, text))
    return found


def deliver_as_written(session: PathSession, line: widgets.HTML) -> AutoDelivery:
    """Send the ratings and the response of *session* as they are given; *line* says when they went."""

    def sent(when: Any) -> None:
        line.value = status_markup(f"Sent to your facilitator {local_time(when)}.", "ok")

    def failed(message: str) -> None:
        line.value = status_line(message, "warn", role="alert")

    delivery = AutoDelivery(
        session,
        wanted=delivered_as_written,
        on_sent=sent,
        on_failed=failed,
        then="It is sent with your next change, or press “Submit my reviews”.",
    )
    rated = [a for key, a in session.sheet.answers.items() if delivered_as_written(key)]
    last = session.last_submitted()
    if rated and last is not None:
        line.value = status_markup(f"Your ratings and response were sent to your facilitator {local_time(last)}.", "ok")
    return delivery
