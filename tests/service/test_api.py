"""What every endpoint shares, against hostile requests: bodies far over the limit, fields nobody
asked for, ids in the URL that are long or hold control characters. Each is answered with a JSON 4xx
that names the field and the fix (the service as it listens in production, its body limits
included), and nothing is written."""

from __future__ import annotations

import http.client
import json
import tracemalloc
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from peerkit.config.course import load_course
from peerkit.storage.sql import SqlStore
from tests.conftest import write_review_course
from tests.exchange.backends import StubHubAuth, running_service

PACKET = "a" * 32
TOKEN = "token-of-ana"


@pytest.fixture
def service(tmp_path: Path, store: SqlStore) -> Iterator[str]:
    auth = StubHubAuth()
    auth.users[TOKEN] = "ana"
    store.deliver([("ana", "round-essay.json", {"path": "essay", "packets": [PACKET], "self": "s"})])
    serving = running_service(load_course(write_review_course(tmp_path / "src")), store, auth)
    try:
        yield next(serving)
    finally:
        serving.close()


def send(url: str, method: str, path: str, body: bytes = b"") -> tuple[int, dict[str, Any]]:
    """One request over a fresh connection, the whole body sent before the answer is read (as
    browsers and urllib do)."""
    where = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=60)
    try:
        headers = {"Authorization": f"token {TOKEN}", "Content-Type": "application/json"}
        connection.request(method, where.path + path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def review(**extra: Any) -> bytes:
    answer = {"kind": "review", "value": {"packet": PACKET}, "updated": "2026-11-05T09:00:00Z"}
    return json.dumps({"answer": answer, **extra}).encode()


@pytest.mark.parametrize("size", [300 * 1024, 5 * 1024 * 1024, 50 * 1024 * 1024])
def test_a_body_over_the_limit_gets_a_json_413_however_large(service: str, store: SqlStore, size: int) -> None:
    body = review(base=None)[:-1] + b', "padding": "' + b"x" * size + b'"}'
    status, reply = send(service, "PUT", f"api/paths/essay/drafts/r-{PACKET}", body)
    assert status == 413 and "256 KiB" in reply["error"], reply
    assert store.drafts("ana", "essay") == []
    assert send(service, "PUT", f"api/paths/essay/drafts/r-{PACKET}", review())[0] == 200  # still serving


def test_a_large_body_is_read_without_being_kept(service: str) -> None:
    """The service answers a 50 MB body while holding a few pieces of it at a time (it used to keep all
    of it before it looked at its size: a handful of such requests at once and the service is gone)."""
    body = b"x" * (50 * 1024 * 1024)
    tracemalloc.start()
    try:
        status, _ = send(service, "PUT", f"api/paths/essay/drafts/r-{PACKET}", body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert status == 413
    assert peak < 8 * 1024 * 1024, f"{peak / 2**20:.0f} MiB held"


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("PUT", f"api/paths/essay/drafts/r-{PACKET}", review(learner="bo"), "learner"),
        ("PUT", f"api/paths/essay/drafts/r-{PACKET}", review(answers={}), "answers"),
        ("POST", "api/activity", b'{"events": [], "learner": "bo"}', "learner"),
    ],
)
def test_a_field_the_endpoint_does_not_take_is_refused_by_name(
    service: str, store: SqlStore, method: str, path: str, body: bytes, field: str
) -> None:
    status, reply = send(service, method, path, body)
    assert status == 400, reply
    assert f"'{field}'" in reply["error"] and "send only" in reply["error"], reply
    assert store.drafts("ana", "essay") == [] and store.activity() == []


@pytest.mark.parametrize(
    "path",
    [
        "api/paths/" + "e" * 50_000 + "/round",
        "api/paths/essay/drafts/" + "r" * 50_000,
        "api/paths/%1b%5b31messay/round",
        "api/paths/es%00say/drafts",
    ],
)
def test_an_id_in_the_url_is_never_echoed_long_or_raw(service: str, path: str) -> None:
    status, reply = send(service, "PUT" if path.split("/")[-2] == "drafts" else "GET", path, b"{}")
    assert 400 <= status < 500, reply
    assert len(reply["error"]) <= 200, len(reply["error"])
    assert "\x1b" not in reply["error"] and "\x00" not in reply["error"]
    assert "e" * 100 not in reply["error"] and "r" * 100 not in reply["error"]
