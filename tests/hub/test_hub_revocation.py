"""A token the hub revokes: the next write through the peerkit service is refused at once, reads stop
within the service's token cache (``auth_cache``: 30 s by default, set shorter by the test hub through
PEERKIT_AUTH_CACHE, as a deployment would), through the real hub and proxy."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.hub.flow import FACILITATOR, PATH
from tests.hub.harness import Hub, HubError

pytestmark = [pytest.mark.hub, pytest.mark.postgres]

SLACK = 10.0  # seconds beyond the cache for the service to notice (requests, the proxy, a slow machine)


def fresh_token(hub: Hub, user: str) -> tuple[str, str]:
    """A new API token of *user* that this test alone holds: (token, its id at the hub)."""
    response = hub.api("POST", f"users/{user}/tokens", {"note": "peerkit revocation test"})
    if response.status != 201:
        raise HubError(f"token for {user}: {response.status} {response.error}")
    model = response.json()
    return str(model["token"]), str(model["id"])


def revoke(hub: Hub, user: str, token_id: str) -> None:
    response = hub.api("DELETE", f"users/{user}/tokens/{token_id}")
    assert response.status == 204, (response.status, response.error)


def service_ready(hub: Hub, token: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if hub.service("GET", "api/whoami", token=token).status == 200:
            return
        time.sleep(0.5)
    raise HubError(f"the peerkit service did not answer within {timeout:.0f} s:\n{hub.log_tail()}")


def an_event(learner: str) -> dict[str, Any]:
    when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # the service takes events dated about now
    return {"id": os.urandom(16).hex(), "time": when, "learner": learner, "event": "opened", "path": PATH}


def test_a_revoked_learner_token_is_refused_for_writes_at_once_and_for_reads_within_the_cache(hub: Hub) -> None:
    token, token_id = fresh_token(hub, "carol")
    service_ready(hub, token)
    assert hub.service("POST", "api/activity", token=token, body={"events": [an_event("carol")]}).status == 200
    assert hub.service("GET", "api/whoami", token=token).status == 200  # the service now caches the answer
    cached_at = time.monotonic()

    revoke(hub, "carol", token_id)
    refused = hub.service("POST", "api/activity", token=token, body={"events": [an_event("carol")]})
    assert refused.status == 401 and "revoked" in refused.error
    draft = {"answer": {"kind": "review", "value": {}, "updated": "2026-11-22T10:00:00Z"}, "base": None}
    assert hub.service("PUT", f"api/paths/{PATH}/drafts/self", token=token, body=draft).status == 401

    while hub.service("GET", "api/whoami", token=token).status == 200:
        assert time.monotonic() - cached_at < hub.auth_cache + SLACK, "reads outlived the token cache"
        time.sleep(1)
    assert hub.service("GET", "api/whoami", token=token).status == 401


def test_a_revoked_facilitator_token_runs_no_step(hub: Hub) -> None:
    token, token_id = fresh_token(hub, FACILITATOR)
    service_ready(hub, token)
    assert hub.service("GET", "api/facilitator/paths", token=token).status == 200  # cached as a facilitator's
    revoke(hub, FACILITATOR, token_id)
    for step in ["round", "release", "collect", "reviews", "close"]:
        response = hub.service("POST", f"api/facilitator/paths/{PATH}/{step}", token=token, body={})
        assert response.status == 401, (step, response.status, response.error)
