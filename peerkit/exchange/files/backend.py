"""The files backend: one host, Unix permissions keep learners apart (today's local course).

Private documents sit in each learner's review channel (:mod:`.channels`, found through the
submission secret in their own nbgrader cache), public ones on the course's board (:mod:`.public`),
activity records in a folder every learner may add a file to but nobody may list (:mod:`.activity`).
Review drafts are not kept here: on one host the answers file in the learner's folder is the draft.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peerkit.core.errors import ConfigError, PeerkitError, WorkflowError
from peerkit.core.review import Draft
from peerkit.exchange.base import (
    ActivityLog,
    ActivityReport,
    Delivered,
    Parcel,
    SavedDraft,
    WaitListener,
    check_token,
)
from peerkit.exchange.files import activity, channels, public

if TYPE_CHECKING:
    from peerkit.storage.sql import SqlStore

log = logging.getLogger(__name__)

NO_DRAFTS = "this course's exchange keeps no review drafts: the answers file in your folder is the only copy"


@dataclass
class FilesLearnerExchange:
    """One learner's side on one host: their channels, the public board, their activity file."""

    learner: str
    course_id: str
    exchange_root: Path
    cache_dir: Path
    backend: str = "files"
    keeps_drafts: bool = False
    activity: ActivityLog = field(init=False)

    def __post_init__(self) -> None:
        folder = activity.activity_root(self.exchange_root, self.course_id)
        # The activity file's name is kept beside nbgrader's cache, in the learner's private folder.
        keep = self.cache_dir.parent / activity.ACTIVITY / f"{self.course_id}.name"
        self.activity = activity.FileActivityLog(folder, self.learner, keep)

    def channels(self, path_id: str) -> list[Path]:
        """The learner's channels of *path_id*, newest first (a resubmission opens a new one)."""
        return channels.learner_channels(
            self.exchange_root, self.course_id, self.cache_dir, path_id, learner=self.learner
        )

    def round(self, path_id: str) -> Delivered | None:
        found = self.channels(path_id)
        if not found:
            return None
        manifest, rubric = channels.read_round(found[0], path_id)
        tokens: list[str] = []
        for channel in found:  # a learner who resubmitted may hold packets in an older channel too
            doc, _ = channels.read_round(channel, path_id)
            tokens += [t for t in doc["packets"] if t not in tokens]
        return Delivered(manifest, rubric, tuple(tokens))

    def packet(self, path_id: str, token: str) -> dict[str, Any] | None:
        check_token(token)
        for channel in self.channels(path_id):
            try:
                return channels.read_packet(channel, token)
            except PeerkitError:
                continue
        log.warning("review packet %s could not be read", token)
        return None

    def feedback(self, path_id: str) -> dict[str, Any] | None:
        for channel in self.channels(path_id):
            doc = channels.read_feedback(channel, path_id)
            if doc is not None:
                return doc
        return None

    @property
    def board(self) -> Path:
        return public.public_root(self.exchange_root, self.course_id)

    def public(self, name: str, fmt: str) -> dict[str, Any] | None:
        return public.read_public(self.board, name, fmt)

    def notes(self) -> list[dict[str, Any]]:
        return public.released_notes(self.board)

    def drafts(self, path_id: str) -> dict[str, SavedDraft]:
        return {}

    def save_draft(self, path_id: str, answer_id: str, answer: dict[str, Any], *, base: int | None) -> SavedDraft:
        raise WorkflowError(NO_DRAFTS)

    def on_wait(self, listener: WaitListener | None) -> None:
        return None


@dataclass
class FilesCourseExchange:
    """The course's side on one host. With a *store*, every delivery is also kept there: the
    course's record of what each learner received (and what a hub service would serve).
    *unix_users* maps learner ids to their Unix logins where the two differ: a learner's activity
    file counts only if their user (or the facilitator) wrote it (:mod:`.activity`)."""

    course_id: str
    exchange_root: Path
    store: SqlStore | None = None
    backend: str = "files"
    needs_channel_key: bool = True
    unix_users: Mapping[str, str] = field(default_factory=dict)

    def prepare(self) -> None:
        activity.ensure_activity_root(self.exchange_root, self.course_id)
        public.ensure_public_root(self.exchange_root, self.course_id)

    def deliver(self, parcels: Sequence[Parcel]) -> int:
        by_channel: dict[str, dict[str, dict[str, Any]]] = {}
        reached = 0
        for parcel in parcels:
            if parcel.channel_key is not None:
                by_channel.setdefault(parcel.channel_key, {}).update(parcel.documents)
                reached += 1
        channels.write_channels(self.exchange_root, self.course_id, by_channel)
        if self.store is not None:
            self.store.deliver([(p.learner, name, doc) for p in parcels for name, doc in p.documents.items()])
        return reached

    def publish(self, name: str, doc: dict[str, Any]) -> str:
        return str(public.publish(self.exchange_root, self.course_id, name, doc))

    def withdraw(self, name: str) -> None:
        public.withdraw(self.exchange_root, self.course_id, name)

    def collect_activity(self, store: SqlStore, path_ids: Collection[str] | None = None) -> ActivityReport:
        return activity.ingest_activity(
            store, self.exchange_root, self.course_id, unix_users=self.unix_users, path_ids=path_ids
        )

    def drafts(self, learner: str, path_id: str) -> list[Draft]:
        return self.store.drafts(learner, path_id) if self.store is not None else []


class FilesBackend:
    """Opens both sides of the files backend (registered as ``files``)."""

    name = "files"

    def course(
        self,
        *,
        course_id: str,
        exchange_root: Path | None,
        store: SqlStore | None,
        unix_users: Mapping[str, str] | None = None,
    ) -> FilesCourseExchange:
        if exchange_root is None:
            raise ConfigError("the files exchange needs the exchange folder (nbgrader's Exchange.root)")
        return FilesCourseExchange(course_id, exchange_root, store, unix_users=dict(unix_users or {}))

    def learner(
        self,
        *,
        learner: str,
        course_id: str,
        exchange_root: Path | None,
        cache_dir: Path | None,
        service_url: str = "",
        token: str = "",
    ) -> FilesLearnerExchange:
        if exchange_root is None or cache_dir is None:
            raise ConfigError(
                "the files exchange needs the exchange folder and nbgrader's cache (Exchange.root, .cache)"
            )
        return FilesLearnerExchange(learner, course_id, exchange_root, cache_dir)
