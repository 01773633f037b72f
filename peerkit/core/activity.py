"""What learners do on their pages, as events: opened, answered, submitted, feedback read.

A learner's kernel writes each event as one JSON line (:func:`event_line`) into a file of their own
beside nbgrader's exchange (:mod:`peerkit.exchange.files.activity`); the facilitator's side reads the lines back
(:func:`parse_line`) into the store. Pure: no I/O here.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from peerkit.core import documents
from peerkit.core.answers import parse_time
from peerkit.core.errors import ValidationError
from peerkit.core.models import LearningPath

#: The events a page records. "feedback read" is recorded by the review app, and "review-another"
#: (rolling review: a learner asks for one more classmate's work) too; the steward acts on it.
EVENTS: Final = ("opened", "answered", "submitted", "feedback read", "review-another")
#: One line stays well under PIPE_BUF (4096 bytes), so that an O_APPEND write of it is atomic.
MAX_LINE_BYTES: Final = documents.ACTIVITY.max_bytes
MAX_DETAIL_CHARS: Final = 200
#: How far ahead of the receiving clock an event may be dated (clocks drift a little), and how far back.
FUTURE_MARGIN: Final = timedelta(minutes=5)
MAX_AGE: Final = timedelta(days=366)
#: The most events the store keeps of one learner, path and kind: a real page records a few ("opened"
#: once a visit, "answered" once an answer), so a flood of made-up events cannot grow the store, or
#: slow the dashboard that reads every event, without end.
MAX_PER_KIND: Final = 500
_ID = re.compile(r"^[0-9a-f]{32}$")
_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_LEARNER_FORBIDDEN = set("/\\+*?[]{}<>|:\"'`$;&!#%\x00")


@dataclass(frozen=True, slots=True)
class ActivityEvent:
    """One thing a learner did on one path's page."""

    id: str
    at: datetime
    learner: str
    event: str
    path_id: str
    detail: str = ""


def new_event(learner: str, event: str, path_id: str, detail: str = "", *, at: datetime | None = None) -> ActivityEvent:
    """A fresh event with a random id, now (or *at*), UTC."""
    if event not in EVENTS:
        raise ValidationError(f"unknown activity event {event!r}", field="event")
    return ActivityEvent(
        id=uuid.uuid4().hex,
        at=(at or datetime.now(UTC)).astimezone(UTC),
        learner=learner,
        event=event,
        path_id=path_id,
        detail=detail[:MAX_DETAIL_CHARS],
    )


def event_line(event: ActivityEvent) -> bytes:
    """The JSON line of *event*, newline included (stamped with its format and version)."""
    doc = documents.dump(
        documents.ACTIVITY,
        {
            "id": event.id,
            "time": event.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "learner": event.learner,
            "event": event.event,
            "path": event.path_id,
            "detail": event.detail,
        },
    )
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _field(doc: dict[str, object], key: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str):
        raise ValidationError(f"activity line: {key!r} must be text", field=key)
    return value


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_line(line: bytes, *, learner: str, source: str = "activity line") -> ActivityEvent:
    """The event on one line of *learner*'s activity file (*source* names the file in errors).

    Raises :class:`ValidationError` for anything that is not an event of that learner: a line
    that is not JSON, too long, an unknown event, a malformed id, path or time, or another learner's
    name (a learner writes their own file only); :class:`~peerkit.core.errors.DocumentVersionError`
    for a line written by a newer peerkit. Lines written before lines were stamped are read as version 1.
    """
    doc = documents.parse(line, documents.ACTIVITY, source=source)
    event_id, event, path_id = _field(doc, "id"), _field(doc, "event"), _field(doc, "path")
    who, detail = _field(doc, "learner"), doc.get("detail", "")
    if not _ID.fullmatch(event_id):
        raise ValidationError("activity line: malformed id", field="id")
    if event not in EVENTS:
        raise ValidationError(f"activity line: unknown event {event!r}", field="event")
    if not _PATH.fullmatch(path_id):
        raise ValidationError("activity line: malformed path id", field="path")
    if who != learner or not who or set(who) & _LEARNER_FORBIDDEN:
        raise ValidationError("activity line: written for another learner", field="learner")
    if not isinstance(detail, str):
        raise ValidationError("activity line: detail must be text", field="detail")
    detail = detail[:MAX_DETAIL_CHARS]
    if not detail.isascii() and not _encodable(detail):
        raise ValidationError("activity line: detail is not valid Unicode (a lone surrogate)", field="detail")
    at = parse_time(_field(doc, "time"), field="time").astimezone(UTC)
    return ActivityEvent(id=event_id, at=at, learner=who, event=event, path_id=path_id, detail=detail)


def activity_paths(paths: Iterable[LearningPath]) -> frozenset[str]:
    """The path ids events of a course may name: each path's, and its review's for a peer-reviewed path."""
    return frozenset(pid for p in paths for pid in ((p.id, p.review_id) if p.review is not None else (p.id,)))


def check_event(event: ActivityEvent, *, path_ids: Collection[str], now: datetime) -> ActivityEvent:
    """*event*, if it can be a real one of the course: on one of *path_ids*
    (:func:`activity_paths`), dated no later than :data:`FUTURE_MARGIN` after *now* and no earlier
    than :data:`MAX_AGE` before it. Raises :class:`ValidationError` naming the field otherwise."""
    if event.path_id not in path_ids:
        raise ValidationError(f"activity event: this course has no path {event.path_id!r}", field="path")
    if event.at > now + FUTURE_MARGIN:
        raise ValidationError(
            f"activity event: dated {event.at:%Y-%m-%d %H:%M} UTC, in the future (the time must be now, "
            f"give or take {FUTURE_MARGIN.seconds // 60} minutes)",
            field="time",
        )
    if event.at < now - MAX_AGE:
        raise ValidationError(
            f"activity event: dated {event.at:%Y-%m-%d}, more than {MAX_AGE.days} days ago", field="time"
        )
    return event
