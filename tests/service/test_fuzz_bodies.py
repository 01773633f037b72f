"""The course service against fuzzed request bodies: review drafts and page activity.

A learner's page sends JSON the service did not write: any bytes, JSON nested thousands deep,
answers of every shape and hostile text. Each request is answered 200 or a clear 4xx (never a 500
or a dropped connection); what is stored is the learner's own, and nobody else's drafts or activity
change (the course service over HTTP, the hub's token check stubbed as in the exchange contract).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from peerkit.config.course import load_course
from peerkit.storage.sql import SqlStore
from tests.conftest import write_review_course
from tests.exchange.backends import StubHubAuth, running_service
from tests.fuzzing import DEEP, FUZZ_SLOW, answer_values, hostile_text, json_values, kind_names, times

TOKENS = {"ana": "token-of-ana", "bo": "token-of-bo"}
PACKET = "a" * 32
OK = {200, 400, 404, 405, 409, 413}


@pytest.fixture
def service(tmp_path: Path, store: SqlStore) -> Iterator[str]:
    auth = StubHubAuth()
    auth.users.update({token: learner for learner, token in TOKENS.items()})
    round_doc = {"path": "essay", "packets": [PACKET], "self": "s"}
    store.deliver([(learner, "round-essay.json", round_doc) for learner in TOKENS])
    store.save_draft("bo", "essay", f"r-{PACKET}", {"kind": "review", "value": {"packet": PACKET}, "updated": "x"})
    serving = running_service(load_course(write_review_course(tmp_path / "src")), store, auth)
    try:
        yield next(serving)
    finally:
        serving.close()


def send(url: str, method: str, path: str, data: bytes) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"token {TOKENS['ana']}", "Content-Type": "application/json"}
    req = urllib.request.Request(url + path, data=data, method=method, headers=headers)  # noqa: S310 - local
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 - a local test server
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def as_bytes(doc: Any) -> bytes:
    return json.dumps(doc).encode()  # lone surrogates travel escaped, as a browser's JSON.stringify sends them


def others(store: SqlStore) -> tuple[list[Any], list[Any]]:
    drafts = [(d.answer_id, d.version, json.dumps(d.answer, sort_keys=True)) for d in store.drafts("bo", "essay")]
    activity = sorted(e.id for e in store.activity() if e.learner != "ana")
    return drafts, activity


draft_bodies = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "answer": st.one_of(
                st.fixed_dictionaries({"kind": kind_names, "value": answer_values, "updated": times}), json_values
            ),
            "base": st.one_of(st.none(), st.integers(min_value=-1, max_value=3), json_values),
        },
    ).map(as_bytes),
    st.binary(max_size=100),
    st.sampled_from([d.encode() for d in DEEP[:4]]),
)
draft_ids = st.one_of(st.sampled_from([f"r-{PACKET}", "self", f"h-{PACKET}", f"r-{'b' * 32}"]), hostile_text)
event = st.fixed_dictionaries(
    {"id": st.sampled_from(["b" * 32, "c" * 32]), "time": times, "learner": st.sampled_from(["ana", "bo"])},
    optional={"event": st.one_of(st.just("opened"), hostile_text), "path": st.just("essay"), "detail": json_values},
)
activity_bodies = st.one_of(
    st.fixed_dictionaries({"events": st.one_of(st.lists(event, max_size=3), json_values)}).map(as_bytes),
    st.binary(max_size=100),
    st.sampled_from([d.encode() for d in DEEP[:4]]),
)


@FUZZ_SLOW
@given(draft_id=draft_ids, body=draft_bodies)
@example(draft_id="self", body=DEEP[0].encode())
@example(draft_id="self", body=b'{"answer": ' + DEEP[2].encode() + b"}")
@example(
    draft_id="self",
    body=as_bytes(
        {
            "answer": {
                "kind": "review",
                "value": {"comments": {"strengths": "\ud800"}},
                "updated": "2026-11-05T09:00:00Z",
            }
        }
    ),
)
def test_fuzzed_drafts_are_stored_as_the_learners_own_or_refused(
    service: str, store: SqlStore, draft_id: str, body: bytes
) -> None:
    before = others(store)
    status, reply = send(service, "PUT", f"api/paths/essay/drafts/{urllib.parse.quote(draft_id, safe='')}", body)
    assert status in OK, (status, reply)
    if status != 200:
        assert isinstance(reply.get("error"), str) and len(reply["error"]) <= 800
    assert others(store) == before


@FUZZ_SLOW
@given(body=activity_bodies)
@example(
    body=as_bytes(
        {
            "events": [
                {
                    "id": "b" * 32,
                    "time": "2026-11-05T09:00:00Z",
                    "learner": "ana",
                    "event": "opened",
                    "path": "essay",
                    "detail": "\ud800",
                }
            ]
        }
    )
)
def test_fuzzed_activity_is_the_learners_own_or_refused(service: str, store: SqlStore, body: bytes) -> None:
    before = others(store)
    status, reply = send(service, "POST", "api/activity", body)
    assert status in OK, (status, reply)
    assert others(store) == before
    assert {e.learner for e in store.activity()} <= {"ana"}
