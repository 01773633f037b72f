"""Activity lines: what a learner's page writes, and what the facilitator's side accepts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from peerkit.core.activity import MAX_LINE_BYTES, event_line, new_event, parse_line
from peerkit.core.errors import ValidationError


def test_a_line_round_trips() -> None:
    event = new_event("ana", "answered", "essay", "story", at=datetime(2026, 11, 2, 9, tzinfo=UTC))
    line = event_line(event)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert parse_line(line.strip(), learner="ana") == event
    assert json.loads(line)["time"] == "2026-11-02T09:00:00Z"


def good(**changes: object) -> bytes:
    doc = {"id": "a" * 32, "time": "2026-11-02T09:00:00Z", "learner": "ana", "event": "opened", "path": "essay"}
    return json.dumps({**doc, **changes}).encode()


@pytest.mark.parametrize(
    "line",
    [
        b"not json",
        b"[1, 2]",
        good(event="deleted everything"),
        good(id="../../etc"),
        good(path="../x"),
        good(time="yesterday"),
        good(time="2026-11-02T09:00:00"),  # no time zone
        good(learner="bo"),  # another learner's event in ana's file
        good(detail=["x"]),
        good(detail="x" * MAX_LINE_BYTES),
    ],
)
def test_bad_lines_are_refused(line: bytes) -> None:
    with pytest.raises(ValidationError):
        parse_line(line, learner="ana")


def test_unknown_events_cannot_be_made() -> None:
    with pytest.raises(ValidationError):
        new_event("ana", "hacked", "essay")
