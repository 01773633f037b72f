"""Hostile use of the service through the real hub: every endpoint with the wrong token, and
malformed requests. Nothing leaks, every refusal is a 4xx that says why, never a 500 or a traceback."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.hub.flow import FACILITATOR, LEARNERS, OUTSIDER, PATH, Flow
from tests.hub.harness import Hub, Response, request

pytestmark = [pytest.mark.hub, pytest.mark.postgres]

FACILITATOR_ENDPOINTS = [
    ("GET", "api/facilitator/paths"),
    ("GET", f"api/facilitator/paths/{PATH}/submissions"),
    ("GET", f"api/facilitator/paths/{PATH}/round"),
    ("GET", f"api/facilitator/paths/{PATH}/grades"),
    ("POST", f"api/facilitator/paths/{PATH}/release"),
    ("POST", f"api/facilitator/paths/{PATH}/collect"),
    ("POST", f"api/facilitator/paths/{PATH}/round"),
    ("POST", f"api/facilitator/paths/{PATH}/reviews"),
    ("POST", f"api/facilitator/paths/{PATH}/close"),
]


def clean_refusal(response: Response, status: int) -> None:
    assert response.status == status, (response.status, response.body[:300])
    assert response.headers.get("content-type", "").startswith("application/json")
    assert response.error, "a refusal says why"
    assert b"Traceback" not in response.body


def a_review(text: str = "Specific and kind.") -> dict[str, Any]:
    return {
        "kind": "review",
        "value": {"scores": {}, "comments": {"strengths": text}},
        "updated": "2026-11-22T10:00:00Z",
    }


@pytest.fixture(scope="module")
def alice_docs(flow: Flow) -> dict[str, Any]:
    """What alice legitimately holds once the round is closed: her packets, the reviews she received."""
    flow.feedback()
    hub = flow.hub
    round_doc = hub.service("GET", f"api/paths/{PATH}/round", "alice").json()
    feedback = hub.service("GET", f"api/paths/{PATH}/feedback", "alice").json()
    return {
        "packets": list(round_doc["packets"]),
        "self": round_doc["self"],
        "received": [r["token"] for r in feedback["reviews"]],
    }


def test_alice_reads_her_own_documents(flow: Flow, alice_docs: dict[str, Any]) -> None:
    hub = flow.hub
    for token in alice_docs["packets"]:
        packet = hub.service("GET", f"api/paths/{PATH}/packets/{token}", "alice")
        assert packet.status == 200 and packet.json()["token"] == token
        assert "alice" not in packet.body.decode()  # she reviews others, anonymously
    assert hub.service("GET", f"api/paths/{PATH}/drafts", "alice").status == 200


def test_another_learner_cannot_read_alices_packets_feedback_or_drafts(flow: Flow, alice_docs: dict[str, Any]) -> None:
    hub = flow.hub
    for intruder in ["bob", OUTSIDER]:
        for token in [*alice_docs["packets"], alice_docs["self"]]:
            clean_refusal(hub.service("GET", f"api/paths/{PATH}/packets/{token}", intruder), 404)
        # Drafts are answered for the caller only: bob's own (he has some), never alice's.
        drafts = hub.service("GET", f"api/paths/{PATH}/drafts", intruder).json()["drafts"]
        alice_ids = {f"r-{t}" for t in alice_docs["packets"]}
        assert not alice_ids & {d["answer_id"] for d in drafts}
        # Writing a draft on alice's packet or rating a review alice received is refused.
        for token in alice_docs["packets"]:
            body = {"answer": a_review("hijacked"), "base": None}
            clean_refusal(hub.service("PUT", f"api/paths/{PATH}/drafts/r-{token}", intruder, body=body), 404)
        for token in alice_docs["received"]:
            body = {"answer": {"kind": "rating", "value": {"helpful": 1}, "updated": "2026-11-22T10:00:00Z"}}
            clean_refusal(hub.service("PUT", f"api/paths/{PATH}/drafts/h-{token}", intruder, body=body), 404)
    # The outsider (never submitted) has no round, no feedback and no self-assessment to draft.
    clean_refusal(hub.service("GET", f"api/paths/{PATH}/round", OUTSIDER), 404)
    clean_refusal(hub.service("GET", f"api/paths/{PATH}/feedback", OUTSIDER), 404)
    body = {"answer": a_review(), "base": None}
    clean_refusal(hub.service("PUT", f"api/paths/{PATH}/drafts/self", OUTSIDER, body=body), 404)
    # alice's own drafts are untouched by all of that.
    mine = {d["answer_id"]: d for d in hub.service("GET", f"api/paths/{PATH}/drafts", "alice").json()["drafts"]}
    assert all("hijacked" not in str(d["answer"]) for d in mine.values())


@pytest.mark.parametrize(("method", "path"), FACILITATOR_ENDPOINTS)
def test_learners_cannot_reach_facilitator_endpoints(flow: Flow, method: str, path: str) -> None:
    flow.opened()
    for learner in [LEARNERS[0], OUTSIDER]:
        clean_refusal(flow.hub.service(method, path, learner, body={} if method == "POST" else None), 403)


def test_the_facilitator_lists_submissions_and_grades(flow: Flow) -> None:
    flow.closed()
    hub = flow.hub
    submissions = hub.service("GET", f"api/facilitator/paths/{PATH}/submissions", FACILITATOR).json()
    assert sorted(s["learner"] for s in submissions["submissions"]) == LEARNERS
    grades = hub.service("GET", f"api/facilitator/paths/{PATH}/grades", FACILITATOR).json()["grades"]
    assert sorted(g["author"] for g in grades) == LEARNERS
    overview = hub.service("GET", "api/facilitator/paths", FACILITATOR).json()["paths"]
    assert overview[0]["path"] == PATH and overview[0]["submissions"] == 3
    # A facilitator is not a learner with packets of her own.
    clean_refusal(hub.service("GET", f"api/paths/{PATH}/round", FACILITATOR), 404)


def test_tokens_without_the_right_owner_or_scope_are_refused(flow: Flow) -> None:
    hub = flow.hub
    learner_paths = [f"api/paths/{PATH}/round", f"api/paths/{PATH}/drafts", "api/whoami"]
    narrow = hub.token("alice", scopes=["read:users:name!user=alice"])  # no access to the service
    for path in learner_paths:
        clean_refusal(hub.service("GET", path), 401)  # no token at all
        clean_refusal(hub.service("GET", path, token="not-a-token"), 401)
        clean_refusal(hub.service("GET", path, token=narrow), 403)
    # A hub service's token passes the access check but is nobody's learner: no packets for it.
    clean_refusal(hub.service("GET", f"api/paths/{PATH}/round", token=hub.admin_token), 403)
    # A token in the query string or a cookie is not accepted (header only: no cross-site requests).
    token = hub.token("alice")
    clean_refusal(Response(*_get(f"{hub.service_url}api/whoami?token={token}")), 401)


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    response = request("GET", url)
    return response.status, response.body, response.headers


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "api/paths/nonexistent/round", None, 404),
        ("GET", "api/paths/..%2F..%2Fetc/round", None, 404),
        ("GET", f"api/paths/{PATH}/packets/not-hex", None, 400),
        ("GET", f"api/paths/{PATH}/packets/{'a' * 32}", None, 404),
        ("GET", "api/no/such/endpoint", None, 404),
        ("PUT", f"api/paths/{PATH}/drafts/../../x", b"{}", 404),
        ("PUT", f"api/paths/{PATH}/drafts/r-xyz", b"{}", 400),
        ("PUT", f"api/paths/{PATH}/drafts/self", b"{not json", 400),
        ("PUT", f"api/paths/{PATH}/drafts/self", b"[1, 2]", 400),
        ("PUT", f"api/paths/{PATH}/drafts/self", b'{"answer": {"kind": "text", "value": "x"}}', 400),
        (
            "PUT",
            f"api/paths/{PATH}/drafts/self",
            b'{"answer": {"kind": "review", "value": 7, "updated": "2026-11-22T10:00:00Z"}}',
            400,
        ),
        ("PUT", f"api/paths/{PATH}/drafts/self", b'{"answer": null, "base": "three"}', 400),
        ("PUT", f"api/paths/{PATH}/drafts/self", b'{"answer": {}, "base": true}', 400),
        ("PUT", f"api/paths/{PATH}/drafts/self", b"x" * (300 * 1024), 413),
        ("POST", f"api/paths/{PATH}/round", b"{}", 405),
        ("DELETE", f"api/paths/{PATH}/drafts/self", None, 405),
    ],
)
def test_malformed_requests_get_a_4xx_with_a_reason(
    flow: Flow, method: str, path: str, body: bytes | None, status: int
) -> None:
    flow.opened()
    response = request(method, flow.hub.service_url + path, token=flow.hub.token("bob"), body=body)
    assert response.status == status, (response.status, response.body[:300])
    assert b"Traceback" not in response.body
    assert response.error


def test_oversize_text_in_a_draft_is_refused_and_loses_nothing(flow: Flow) -> None:
    flow.drafting()
    hub = flow.hub
    before = hub.service("GET", f"api/paths/{PATH}/drafts", "carol").json()["drafts"]
    huge = {"answer": a_review("x" * 200_000), "base": None}
    clean_refusal(hub.service("PUT", f"api/paths/{PATH}/drafts/self", "carol", body=huge), 400)
    after = hub.service("GET", f"api/paths/{PATH}/drafts", "carol").json()["drafts"]
    assert before == after


def test_a_stale_draft_version_is_a_conflict_not_an_overwrite(flow: Flow) -> None:
    flow.drafting()
    hub = flow.hub
    first = hub.service("PUT", f"api/paths/{PATH}/drafts/self", "carol", body={"answer": a_review("one"), "base": None})
    assert first.status == 200
    version = first.json()["version"]
    second = hub.service(
        "PUT", f"api/paths/{PATH}/drafts/self", "carol", body={"answer": a_review("two"), "base": version}
    )
    assert second.status == 200 and second.json()["version"] == version + 1
    stale = hub.service(
        "PUT", f"api/paths/{PATH}/drafts/self", "carol", body={"answer": a_review("three"), "base": version}
    )
    clean_refusal(stale, 409)
    drafts = {d["answer_id"]: d for d in hub.service("GET", f"api/paths/{PATH}/drafts", "carol").json()["drafts"]}
    assert drafts["self"]["answer"]["value"]["comments"]["strengths"] == "two"


def test_html_in_a_draft_comes_back_as_inert_json(flow: Flow) -> None:
    flow.drafting()
    hub = flow.hub
    script = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    saved = hub.service("PUT", f"api/paths/{PATH}/drafts/self", "bob", body={"answer": a_review(script), "base": None})
    assert saved.status == 200
    response = hub.service("GET", f"api/paths/{PATH}/drafts", "bob")
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers.get("x-content-type-options") == "nosniff"
    drafts = {d["answer_id"]: d for d in response.json()["drafts"]}
    assert drafts["self"]["answer"]["value"]["comments"]["strengths"] == script  # kept exactly; escaped when shown


def test_health_needs_no_token_and_says_nothing_private(hub: Hub) -> None:
    response = hub.service("GET", "api/health")
    # readiness: the database answers and its schema is current; nothing about anyone
    assert response.status == 200 and response.json() == {
        "ok": True,
        "course": response.json()["course"],
        "database": True,
        "migrations": True,
    }


def test_a_learner_cannot_record_activity_for_someone_else(flow: Flow) -> None:
    flow.opened()
    event = {
        "id": "a" * 32,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),  # the service takes events dated about now
        "learner": "alice",
        "event": "submitted",
        "path": PATH,
        "detail": "",
    }
    clean_refusal(flow.hub.service("POST", "api/activity", "bob", body={"events": [event]}), 400)
    clean_refusal(flow.hub.service("POST", "api/activity", "bob", body={"events": "nope"}), 400)
    assert flow.hub.service("POST", "api/activity", "alice", body={"events": [event]}).status == 200
