"""The service's token rule: reads may trust the hub's cached answer, every write asks the hub again,
so a revoked token writes nothing more (the course service over HTTP; the hub's token check is the
stub of the exchange contract suite, which caches answers the way jupyterhub's HubAuth does)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from peerkit.config.course import load_course
from peerkit.config.settings import AUTH_CACHE_SECONDS, PeerkitConfig
from peerkit.storage.sql import SqlStore
from tests.conftest import write_review_course
from tests.exchange.backends import StubHubAuth, running_service

TOKEN = "token-of-ana"


@pytest.fixture
def service(tmp_path: Path, store: SqlStore) -> Iterator[tuple[str, StubHubAuth]]:
    auth = StubHubAuth()
    auth.users[TOKEN] = "ana"
    serving = running_service(load_course(write_review_course(tmp_path / "src")), store, auth)
    try:
        yield next(serving), auth
    finally:
        serving.close()


def call(url: str, method: str, path: str, body: Any = None) -> int:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"token {TOKEN}"}
    req = urllib.request.Request(url + path, data=data, method=method, headers=headers)  # noqa: S310 - local
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 - a local test server
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


WRITES = [
    ("POST", "api/activity", {"events": []}),
    ("PUT", "api/paths/essay/drafts/self", {"answer": {}, "base": None}),
    ("POST", "api/facilitator/paths/essay/round", {}),
    ("POST", "api/facilitator/paths/essay/close", {}),
]


def test_reads_use_the_cache_and_every_write_asks_the_hub(service: tuple[str, StubHubAuth]) -> None:
    url, auth = service
    assert call(url, "GET", "api/whoami") == 200
    assert call(url, "GET", "api/whoami") == 200
    assert auth.checks == [(TOKEN, True), (TOKEN, True)]
    for method, path, body in WRITES:
        auth.checks.clear()
        call(url, method, path, body)
        assert auth.checks == [(TOKEN, False)], (method, path)


def test_a_revoked_token_writes_nothing_more(service: tuple[str, StubHubAuth], store: SqlStore) -> None:
    url, auth = service
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # the service takes events dated about now
    event = {"id": "a" * 32, "time": now, "learner": "ana", "event": "opened", "path": "essay"}
    assert call(url, "POST", "api/activity", {"events": [event]}) == 200
    assert call(url, "GET", "api/whoami") == 200  # the hub's answer is now cached
    del auth.users[TOKEN]  # the hub revokes the token
    assert call(url, "GET", "api/whoami") == 200  # a read may still pass until the cache expires
    later = event | {"id": "b" * 32}
    for method, path, body in [("POST", "api/activity", {"events": [later]}), *WRITES]:
        assert call(url, method, path, body) == 401, (method, path)
    assert [e.id for e in store.activity()] == ["a" * 32]


def test_the_cache_is_short_by_default() -> None:
    assert AUTH_CACHE_SECONDS <= 30
    assert PeerkitConfig.load(env={}).auth_cache == AUTH_CACHE_SECONDS


def probe(url: str) -> tuple[int, dict[str, Any]]:
    """GET without a token."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - a local test server
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_health_and_readiness_answer_without_a_token_and_never_ask_the_hub(
    service: tuple[str, StubHubAuth], store: SqlStore
) -> None:
    url, auth = service
    root = url.removesuffix("services/peerkit/")
    for address in (url + "health", root + "health"):
        assert probe(address) == (200, {"ok": True, "course": "review-course"})
    for address in (url + "ready", root + "ready", url + "api/health"):
        assert probe(address) == (200, {"ok": True, "course": "review-course", "database": True, "migrations": True})
    assert auth.checks == []
    with store.engine.begin() as connection:  # a replica of an older peerkit than the database's schema
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'from-a-newer-peerkit'")
    status, body = probe(url + "ready")
    assert (status, body["ok"], body["migrations"]) == (503, False, False)
    assert "from-a-newer-peerkit, newer than this peerkit's" in body["reason"]  # why, and the fix
    assert "upgrade it, or restore the store's backup" in body["reason"]
    assert probe(url + "health")[0] == 200  # alive all the same: no restart would help


class SlowHub(StubHubAuth):
    """The hub answering fresh checks after *delay* seconds, as a busy hub does."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def user_for_token(self, token: str, use_cache: bool = True, sync: bool = True) -> dict[str, Any] | None:
        import asyncio

        if not use_cache:
            await asyncio.sleep(self.delay)
        return await super().user_for_token(token, use_cache, sync)


def put_draft(url: str, text: str) -> tuple[int, dict[str, str]]:
    """Save ana's self-assessment draft: (status, the answer's Server-Timing parts in ms)."""
    answer = {
        "kind": "review",
        "value": {"scores": {}, "comments": {"strengths": text}},
        "updated": "2026-11-22T10:00:00Z",
    }
    req = urllib.request.Request(  # noqa: S310 - a local test server
        url + "api/paths/essay/drafts/self",
        data=json.dumps({"answer": answer, "base": None}).encode(),
        method="PUT",
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 - a local test server
            status, timing = int(response.status), response.headers.get("Server-Timing", "")
    except urllib.error.HTTPError as exc:
        status, timing = exc.code, exc.headers.get("Server-Timing", "")
    parts = dict(part.strip().split(";dur=") for part in timing.split(",") if part.strip())
    return status, parts


def test_a_draft_save_begun_on_the_hubs_recent_word_commits_only_on_its_fresh_yes(
    tmp_path: Path, store: SqlStore
) -> None:
    auth = SlowHub(delay=0.3)
    auth.users[TOKEN] = "ana"
    store.deliver([("ana", "round-essay.json", {"path": "essay", "packets": [], "self": "a" * 32})])
    serving = running_service(load_course(write_review_course(tmp_path / "src")), store, auth)
    try:
        url = next(serving)
        status, first = put_draft(url, "first")  # nothing recent about this token: the hub answers first
        assert status == 200 and "wait" not in first and float(first["hub"]) >= 300
        status, second = put_draft(url, "second")  # begun at once, committed after the hub's fresh yes
        assert status == 200 and float(second["wait"]) > 0 and float(second["app"]) >= 300
        assert [d.answer["value"]["comments"]["strengths"] for d in store.drafts("ana", "essay")] == ["second"]

        del auth.users[TOKEN]  # revoked while the hub's last yes is still recent
        status, refused = put_draft(url, "third")
        assert status == 401 and float(refused["hub"]) >= 300
        assert [(d.version, d.answer["value"]["comments"]["strengths"]) for d in store.drafts("ana", "essay")] == [
            (2, "second")
        ]
        assert put_draft(url, "fourth")[0] == 401  # the refusal is remembered: no write starts early again
        assert auth.checks[-1] == (TOKEN, False)
    finally:
        serving.close()
