"""The hub's recent answers about tokens: kept for their time only, forgotten on a refusal, never the token itself."""

from __future__ import annotations

import time

from peerkit.service.auth import Caller
from peerkit.service.tokens import RecentCallers

ANA = Caller(name="ana", kind="user", facilitator=False)


def test_an_answer_is_recent_for_its_time_only() -> None:
    callers = RecentCallers(seconds=0.2)
    assert callers.recent("token-a") is None
    callers.remember("token-a", ANA)
    assert callers.recent("token-a") == ANA
    assert callers.recent("token-b") is None
    time.sleep(0.25)
    assert callers.recent("token-a") is None


def test_a_refusal_forgets_the_token_and_tokens_are_kept_only_as_digests() -> None:
    callers = RecentCallers(seconds=30)
    callers.remember("token-a", ANA)
    assert "token-a" not in repr(callers._entries)
    callers.remember("token-a", None)
    assert callers.recent("token-a") is None
