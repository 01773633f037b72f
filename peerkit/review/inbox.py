"""A learner's inbox for one reviewed path: their round manifest, their packets, their feedback.

Two places deliver them, behind one interface so that the review app is the same notebook in both:

* :class:`ChannelInbox` reads the learner's review channel files beside nbgrader's exchange (a
  local course, where each learner's secret names their channel);
* :class:`ServiceInbox` asks the course's hub service, which knows the learner from their token
  (JupyterHub, where learners share one Unix user and files cannot keep them apart).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from traitlets.config import Config

from peerkit.core.errors import PeerkitError
from peerkit.core.packets import MAX_PACKET_BYTES, parse_packet, parse_round
from peerkit.core.rubric import Rubric
from peerkit.review.channel import FEEDBACK_FORMAT, feedback_file, learner_channels, read_packet, read_round
from peerkit.service.client import ServiceClient

log = logging.getLogger(__name__)

NO_PACKETS_YET = (
    "No reviews for you yet. Packets are shared with learners who submitted the path; "
    "once the facilitator opens the review round after your submission, they appear here."
)


class Inbox(Protocol):
    path_id: str

    def manifest(self) -> tuple[dict[str, Any], Rubric, list[str]] | None:
        """The round manifest, its rubric and every packet token, or None before any delivery."""

    def packet(self, token: str) -> dict[str, Any] | None: ...

    def feedback(self) -> dict[str, Any] | None: ...


def _feedback_doc(doc: Any) -> dict[str, Any] | None:
    return doc if isinstance(doc, dict) and doc.get("format") == FEEDBACK_FORMAT else None


class ChannelInbox:
    """The learner's channel folders (newest first: a resubmission opens a new one)."""

    def __init__(self, path_id: str, channels: list[Path]) -> None:
        self.path_id = path_id
        self.channels = channels

    def manifest(self) -> tuple[dict[str, Any], Rubric, list[str]] | None:
        if not self.channels:
            return None
        manifest, rubric = read_round(self.channels[0], self.path_id)
        tokens: list[str] = []
        for channel in self.channels:  # a learner who resubmitted may hold packets in an older channel too
            doc, _ = read_round(channel, self.path_id)
            tokens += [t for t in doc["packets"] if t not in tokens]
        return manifest, rubric, tokens

    def packet(self, token: str) -> dict[str, Any] | None:
        for channel in self.channels:
            try:
                return read_packet(channel, token)
            except PeerkitError:
                continue
        log.warning("review packet %s could not be read", token)
        return None

    def feedback(self) -> dict[str, Any] | None:
        for channel in self.channels:
            try:
                doc = json.loads((channel / feedback_file(self.path_id)).read_bytes()[:MAX_PACKET_BYTES])
            except (OSError, ValueError):
                continue
            if _feedback_doc(doc) is not None:
                return dict(doc)
        return None


class ServiceInbox:
    """The same documents from the course's hub service."""

    def __init__(self, path_id: str, client: ServiceClient) -> None:
        self.path_id = path_id
        self.client = client

    def manifest(self) -> tuple[dict[str, Any], Rubric, list[str]] | None:
        raw = self.client.round(self.path_id)
        if raw is None:
            return None
        manifest, rubric = parse_round(raw)
        return manifest, rubric, list(manifest["packets"])

    def packet(self, token: str) -> dict[str, Any] | None:
        try:
            raw = self.client.packet(self.path_id, token)
            return None if raw is None else parse_packet(raw)
        except PeerkitError as exc:
            log.warning("review packet %s could not be read: %s", token, exc)
            return None

    def feedback(self) -> dict[str, Any] | None:
        return _feedback_doc(self.client.feedback(self.path_id))


def open_inbox(
    config: Config, path_id: str, *, learner: str, env: Mapping[str, str] | None = None
) -> ChannelInbox | ServiceInbox:
    """The hub service's inbox when this server is configured for one, else the local channels."""
    client = ServiceClient.from_env(env)
    if client is not None:
        return ServiceInbox(path_id, client)
    return ChannelInbox(path_id, learner_channels(config, path_id, learner=learner))
