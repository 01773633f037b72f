"""POST api/activity takes only events the course could have had: on its paths (or their reviews),
dated about now, and no more than the store keeps of one learner, path and kind."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from peerkit.config.course import load_course
from peerkit.core.activity import MAX_PER_KIND
from peerkit.storage.sql import SqlStore
from tests.conftest import write_review_course
from tests.exchange.backends import StubHubAuth, running_service

TOKEN = "token-of-ana"


@pytest.fixture
def service(tmp_path: Path, store: SqlStore) -> Iterator[str]:
    """The review course's service (one path, "essay", peer reviewed) at the URL it yields; ana calls."""
    auth = StubHubAuth()
    auth.users[TOKEN] = "ana"
    serving = running_service(load_course(write_review_course(tmp_path / "src")), store, auth)
    try:
        yield next(serving)
    finally:
        serving.close()


def event(path: str = "essay", kind: str = "opened", at: datetime | None = None) -> dict[str, Any]:
    when = (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"id": uuid.uuid4().hex, "time": when, "learner": "ana", "event": kind, "path": path, "detail": ""}


def send(url: str, method: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """*body* sent to the service at *url* as the learner with :data:`TOKEN`: the status and JSON answer."""
    req = urllib.request.Request(  # noqa: S310 - a local test server
        url, data=json.dumps(body).encode(), method=method, headers={"Authorization": f"token {TOKEN}"}
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 - a local test server
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def post(url: str, events: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    return send(url + "api/activity", "POST", {"events": events})


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        (event("no-such-path"), "this course has no path 'no-such-path'"),
        (event(at=datetime(2031, 1, 1, tzinfo=UTC)), "dated 2031-01-01 00:00 UTC, in the future"),
        (event(at=datetime.now(UTC) - timedelta(days=400)), "days ago"),
    ],
)
def test_an_event_the_course_cannot_have_had_is_refused(service: str, store: SqlStore, bad: Any, said: str) -> None:
    url = service
    status, body = post(url, [event(), bad])
    assert status == 400 and said in body["error"], body
    assert store.activity() == []  # the whole request refused: nothing half-recorded


def test_events_of_the_course_s_paths_and_reviews_dated_about_now_are_recorded(service: str, store: SqlStore) -> None:
    url = service
    soon = datetime.now(UTC) + timedelta(minutes=3)  # a page's clock a little fast
    assert post(url, [event(), event("essay-review"), event(at=soon)]) == (200, {"added": 3})


def test_a_flood_of_events_is_kept_to_the_cap(service: str, store: SqlStore) -> None:
    url = service
    added = sum(post(url, [event() for _ in range(200)])[1]["added"] for _ in range(MAX_PER_KIND // 200 + 2))
    assert added == MAX_PER_KIND
    assert post(url, [event(kind="answered")]) == (200, {"added": 1})  # other kinds still count
    assert len(store.activity()) == MAX_PER_KIND + 1


def put_draft(url: str, answer_id: str, answer: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return send(url + f"api/paths/essay/drafts/{answer_id}", "PUT", {"answer": answer})


@pytest.mark.parametrize(
    ("answer_id", "kind", "value", "said"),
    [
        ("r-" + "a" * 32, "review", {"packet": "b" * 32}, "'packet' must be"),
        ("h-" + "c" * 32, "rating", {"review": "d" * 32, "helpful": 5}, "'review' must be"),
    ],
)
def test_a_draft_that_names_another_submission_or_review_than_its_own_is_refused(
    service: str, store: SqlStore, answer_id: str, kind: str, value: dict[str, Any], said: str
) -> None:
    """r-<token> is the review of that packet, h-<token> the rating of that review: a draft naming another
    (a classmate's packet, a review somebody else received) would only be refused when the reviews are
    collected, long after the learner could see why."""
    store.deliver(
        [
            ("ana", "round-essay.json", {"path": "essay", "packets": ["a" * 32], "self": "s"}),
            ("ana", "feedback-essay.json", {"path": "essay", "reviews": [{"token": "c" * 32}]}),
        ]
    )
    answer = {"kind": kind, "value": value, "updated": "2026-11-05T09:00:00Z"}
    status, reply = put_draft(service, answer_id, answer)
    assert status == 400 and said in reply["error"] and answer_id[2:] in reply["error"], reply
    assert store.drafts("ana", "essay") == []
    own = {**value, **({"packet": "a" * 32} if kind == "review" else {"review": "c" * 32})}
    assert put_draft(service, answer_id, {**answer, "value": own})[0] == 200


def test_a_review_draft_after_the_close_is_refused_with_when_a_rating_is_kept_and_open_again_takes_it(
    service: str, store: SqlStore
) -> None:
    """After `peerkit review close` a review saved as a draft would reach nobody: the service says so (409,
    with when it closed and what becomes of it); ratings of the feedback come after the close and are kept;
    once `peerkit review open` opened the round again, the review is kept again."""
    store.deliver(
        [
            ("ana", "round-essay.json", {"path": "essay", "packets": ["a" * 32], "self": "s"}),
            ("ana", "feedback-essay.json", {"path": "essay", "reviews": [{"token": "c" * 32}]}),
        ]
    )
    store.open_round("essay", rubric_id="essay", per_submission=2, anonymity="double", self_assessment=True, seed=1)
    store.close_round("essay", now=datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    review = {"kind": "review", "value": {"packet": "a" * 32}, "updated": "2026-11-05T09:00:00Z"}
    rating = {"kind": "rating", "value": {"review": "c" * 32, "helpful": 5}, "updated": "2026-11-05T09:00:00Z"}
    for answer_id, answer in (("r-" + "a" * 32, review), ("self", {**review, "value": {}})):
        status, reply = put_draft(service, answer_id, answer)
        assert status == 409, reply
        assert "closed on 2 Mar 2026, 16:00 UTC" in reply["error"] and "not sent to the author" in reply["error"]
        assert "can still take late reviews in" in reply["error"]
    assert store.drafts("ana", "essay") == []
    assert put_draft(service, "h-" + "c" * 32, rating)[0] == 200
    store.reopen_round("essay")
    assert put_draft(service, "r-" + "a" * 32, review)[0] == 200
