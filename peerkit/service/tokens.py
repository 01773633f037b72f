"""Who the hub said each token belongs to, lately: so that a write need not wait for the hub before
it starts its database work.

Every write asks the hub about its token again (a revoked token writes nothing more), and that
round trip is the larger part of a draft save. A write whose token the hub vouched for a moment ago
(within ``auth_cache`` seconds, on any request) therefore starts its transaction as that caller at
once and asks the hub *at the same time*; the transaction commits only once the hub's fresh answer
names the same caller, and is rolled back otherwise. The hub's word still decides every write: the
fresh check starts after the write arrived, so a token revoked before that is refused and writes
nothing. A token not vouched for lately is checked first, as before.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from peerkit.service.auth import Caller

#: Entries kept at most; past that the memory starts afresh (each entry is a few hundred bytes).
MAX_ENTRIES = 100_000


def _key(token: str) -> str:
    """Tokens are never kept in memory as they are, only their digest."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass
class RecentCallers:
    """The caller the hub named for each token in the last *seconds* (a digest of the token as key)."""

    seconds: float = 30.0
    _entries: dict[str, tuple[float, Caller]] = field(default_factory=dict)

    def remember(self, token: str, caller: Caller | None) -> None:
        """Keep the hub's answer about *token*; None (unknown, revoked) forgets it."""
        key = _key(token)
        if caller is None:
            self._entries.pop(key, None)
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.seconds, caller)

    def recent(self, token: str) -> Caller | None:
        """The caller the hub named for *token* within the last *seconds*, or None."""
        entry = self._entries.get(_key(token))
        if entry is None or time.monotonic() >= entry[0]:
            return None
        return entry[1]
