"""The hub backend: JupyterHub, where every learner's server runs as the same Unix user.

Files cannot keep learners apart there, so a learner's private documents (round, packets, feedback),
their review drafts and their activity records travel over HTTP to the course's hub service
(``peerkit service``), which knows each learner from their hub token and keeps everything in the
course's store (:mod:`peerkit.storage.delivery`). The course side writes into that store directly.
Public documents (summary notes, the gallery) hold no learner's name and stay on the exchange's
public board (:mod:`peerkit.exchange.files.public`), which every server mounts read-only.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peerkit.core import documents
from peerkit.core.errors import (
    ConfigError,
    Conflict,
    DocumentVersionError,
    PeerkitError,
    ServiceError,
    StorageError,
    ValidationError,
)
from peerkit.core.packets import parse_packet, parse_round
from peerkit.core.review import Draft
from peerkit.exchange.base import (
    ActivityLog,
    ActivityReport,
    Delivered,
    Parcel,
    SavedDraft,
    WaitListener,
    check_document_name,
    check_token,
)
from peerkit.exchange.files import public
from peerkit.exchange.hub.activity import ServiceActivityLog
from peerkit.exchange.hub.client import ServiceClient

if TYPE_CHECKING:
    from peerkit.storage.sql import SqlStore

log = logging.getLogger(__name__)

#: Activity is sent on a background thread; it waits less for a service that is away than a page does.
ACTIVITY_PATIENCE = 10.0


def _saved(doc: Any) -> SavedDraft:
    if not isinstance(doc, dict) or not isinstance(doc.get("answer"), dict):
        raise ServiceError("the course service sent a draft without its answer", status=0)
    return SavedDraft(
        answer_id=str(doc.get("answer_id", "")),
        answer=dict(doc["answer"]),
        version=int(doc.get("version", 0)),
        updated=str(doc.get("updated", "")),
    )


@dataclass
class HubLearnerExchange:
    """One learner's side under JupyterHub: the course service, as the token's owner."""

    learner: str
    client: ServiceClient
    board: Path | None = None
    activity: ActivityLog = field(default=None)  # type: ignore[assignment]  # set in __post_init__
    backend: str = "hub"
    keeps_drafts: bool = True

    def __post_init__(self) -> None:
        if self.activity is None:
            sender = ServiceClient(self.client.url, self.client.token, patience=ACTIVITY_PATIENCE)
            self.activity = ServiceActivityLog(sender, self.learner)

    def round(self, path_id: str) -> Delivered | None:
        raw = self.client.round(path_id)
        if raw is None:
            return None
        manifest, rubric = parse_round(raw, source=f"the hub service's round manifest of {path_id}")
        return Delivered(manifest, rubric, tuple(manifest["packets"]))

    def packet(self, path_id: str, token: str) -> dict[str, Any] | None:
        check_token(token)
        try:
            raw = self.client.packet(path_id, token)
            return None if raw is None else parse_packet(raw, source=f"the hub service's review packet {token}")
        except PeerkitError as exc:
            log.warning("review packet %s could not be read: %s", token, exc)
            return None

    def feedback(self, path_id: str) -> dict[str, Any] | None:
        doc = self.client.feedback(path_id)
        if doc is None:
            return None
        try:
            return documents.parse(doc, documents.FEEDBACK, source=f"the hub service's feedback on {path_id}")
        except DocumentVersionError as exc:
            log.warning("feedback not read: %s", exc)
            return None
        except ValidationError:
            return None

    def public(self, name: str, fmt: str) -> dict[str, Any] | None:
        return public.read_public(self.board, name, fmt)

    def notes(self) -> list[dict[str, Any]]:
        return public.released_notes(self.board)

    def drafts(self, path_id: str) -> dict[str, SavedDraft]:
        return {answer_id: _saved(doc) for answer_id, doc in self.client.drafts(path_id).items()}

    def save_draft(self, path_id: str, answer_id: str, answer: dict[str, Any], *, base: int | None) -> SavedDraft:
        try:
            return _saved(self.client.save_draft(path_id, answer_id, answer, base=base))
        except ServiceError as exc:
            if exc.status == 409:
                raise Conflict(str(exc)) from exc
            raise

    def on_wait(self, listener: WaitListener | None) -> None:
        self.client.on_wait = listener


@dataclass
class HubCourseExchange:
    """The course's side under JupyterHub: deliveries go into the store the service serves from."""

    course_id: str
    store: SqlStore
    exchange_root: Path | None = None
    backend: str = "hub"
    needs_channel_key: bool = False

    def prepare(self) -> None:
        if self.exchange_root is not None:
            public.ensure_public_root(self.exchange_root, self.course_id)

    def deliver(self, parcels: Sequence[Parcel]) -> int:
        self.store.deliver(
            [(p.learner, check_document_name(n), doc) for p in parcels for n, doc in p.documents.items()]
        )
        return len(parcels)

    def _root(self) -> Path:
        if self.exchange_root is None:
            raise StorageError("no exchange folder is configured for the course's public board (PEERKIT_EXCHANGE)")
        return self.exchange_root

    def publish(self, name: str, doc: dict[str, Any]) -> str:
        return str(public.publish(self._root(), self.course_id, name, doc))

    def withdraw(self, name: str) -> None:
        public.withdraw(self._root(), self.course_id, name)

    def collect_activity(self, store: SqlStore, path_ids: Collection[str] | None = None) -> ActivityReport:
        """Nothing to collect: the service checks and records each learner's events as they arrive."""
        return ActivityReport(files=0, added=0, known=0, skipped=0)

    def drafts(self, learner: str, path_id: str) -> list[Draft]:
        return self.store.drafts(learner, path_id)


class HubBackend:
    """Opens both sides of the hub backend (registered as ``hub``)."""

    name = "hub"

    def course(
        self,
        *,
        course_id: str,
        exchange_root: Path | None,
        store: SqlStore | None,
        unix_users: Mapping[str, str] | None = None,
    ) -> HubCourseExchange:
        """The course's side; *unix_users* is not needed: the hub says who calls."""
        if store is None:
            raise ConfigError("the hub exchange delivers through the course's store: give it the store (--db)")
        return HubCourseExchange(course_id, store, exchange_root)

    def learner(
        self,
        *,
        learner: str,
        course_id: str,
        exchange_root: Path | None,
        cache_dir: Path | None = None,
        service_url: str,
        token: str,
    ) -> HubLearnerExchange:
        if not service_url or not token:
            raise ConfigError("the hub exchange needs the course service's URL and the server's hub token")
        board = public.public_root(exchange_root, course_id) if exchange_root is not None and course_id else None
        return HubLearnerExchange(learner, ServiceClient(service_url, token), board)
