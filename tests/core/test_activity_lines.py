"""Activity lines: what a learner's page writes, and what the facilitator's side accepts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from peerkit.core.activity import MAX_LINE_BYTES, activity_paths, check_event, event_line, new_event, parse_line
from peerkit.core.errors import ValidationError
from peerkit.core.models import LearningPath
from peerkit.core.rubric import ReviewSettings


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


def test_the_course_s_paths_and_their_reviews_are_the_paths_events_may_name() -> None:
    paths = [
        LearningPath(id="start", title="Start", notebook=Path("s.ipynb")),
        LearningPath(id="essay", title="Essay", notebook=Path("e.ipynb"), review=ReviewSettings("r")),
    ]
    assert activity_paths(paths) == {"start", "essay", "essay-review"}


NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("path", "at", "field"),
    [
        ("no-such-path", NOW, "path"),
        ("essay", NOW + timedelta(minutes=6), "time"),  # later than the clocks' margin allows
        ("essay", datetime(2031, 1, 1, tzinfo=UTC), "time"),
        ("essay", NOW - timedelta(days=367), "time"),  # not absurdly old: at most a year back
    ],
)
def test_an_event_the_course_cannot_have_had_is_refused(path: str, at: datetime, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_event(new_event("ana", "opened", path, at=at), path_ids={"essay", "essay-review"}, now=NOW)
    assert caught.value.field == field


def test_an_event_of_the_course_dated_about_now_is_kept() -> None:
    ahead = new_event("ana", "opened", "essay-review", at=NOW + timedelta(minutes=4))  # a clock a little fast
    assert check_event(ahead, path_ids={"essay", "essay-review"}, now=NOW) is ahead
