"""A learner's inbox for one reviewed path: their round manifest, their packets, their feedback.

It reads them from the learner's side of the course's exchange (:mod:`peerkit.exchange`): their own
review channel on a local course, the course's hub service under JupyterHub. The review app and the
progress page are the same notebooks on both.
"""

from __future__ import annotations

from typing import Any

from peerkit.core.rubric import Rubric
from peerkit.exchange.base import LearnerExchange

NO_PACKETS_YET = (
    "Nothing to review yet. Classmates' work is shared with learners who submitted the path; "
    "once your facilitator opens the review round after your submission, it appears here."
)


class Inbox:
    """The documents of one reviewed path, from the learner's *exchange*."""

    def __init__(self, path_id: str, exchange: LearnerExchange) -> None:
        self.path_id = path_id
        self.exchange = exchange

    def manifest(self) -> tuple[dict[str, Any], Rubric, list[str]] | None:
        """The round manifest, its rubric and every packet token, or None before any delivery."""
        delivered = self.exchange.round(self.path_id)
        return None if delivered is None else (delivered.manifest, delivered.rubric, list(delivered.tokens))

    def packet(self, token: str) -> dict[str, Any] | None:
        return self.exchange.packet(self.path_id, token)

    def feedback(self) -> dict[str, Any] | None:
        return self.exchange.feedback(self.path_id)
