"""What travels between learners and the course beside nbgrader's own release/fetch/submit/collect.

Two sides, each one small interface:

* the **course side** (:class:`CourseExchange`, the facilitator's tools and the hub service): deliver a
  learner's private documents (their round manifest, review packets, feedback), publish and withdraw
  the public documents every learner reads (summary notes, the gallery), take in the activity records
  learners' pages left, read a learner's review drafts;
* the **learner side** (:class:`LearnerExchange`, a learner's Voilà kernel): read my round, my packets,
  my feedback and the public documents, record what I do, keep my review drafts.

A backend provides both sides (:class:`ExchangeBackend`); :mod:`peerkit.exchange.registry` picks one by
name. The document names and their checks live here, because every backend and the hub service's
routes agree on them. Errors come from :mod:`peerkit.core.errors`: a malformed name or token is a
:class:`~peerkit.core.errors.ValidationError`, a lost draft race a :class:`~peerkit.core.errors.Conflict`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from peerkit.config.identity import check_learner_id
from peerkit.core import documents
from peerkit.core.activity import ActivityEvent
from peerkit.core.errors import ValidationError
from peerkit.core.review import Draft
from peerkit.core.rubric import Rubric

if TYPE_CHECKING:  # a learner's page imports this module: it must not pull in the database layer
    from peerkit.storage.sql import SqlStore

# -- the documents and their names ----------------------------------------------------------------

FEEDBACK_FORMAT: Final = documents.FEEDBACK.name
NOTES_FORMAT: Final = documents.NOTES.name
GALLERY_FORMAT: Final = documents.GALLERY.name
REVIEW_STATE_FORMAT: Final = documents.REVIEW_STATE.name
GALLERY_FILE: Final = "gallery.json"
#: The version of the public documents (notes, gallery).
PUBLIC_VERSION: Final = documents.NOTES.version

_HEX = set("0123456789abcdef")
_PUBLIC_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,80}\.json$")
MAX_DOCUMENT_NAME: Final = 100


def round_file(path_id: str) -> str:
    """A learner's round manifest of *path_id* (their packet tokens and the rubric)."""
    return f"round-{path_id}.json"


def packet_file(token: str) -> str:
    return f"packet-{token}.json"


def feedback_file(path_id: str) -> str:
    """The learner's feedback on *path_id* (grade and the reviews they received)."""
    return f"feedback-{path_id}.json"


def notes_file(path_id: str) -> str:
    return f"notes-{path_id}.json"


def review_state_file(path_id: str) -> str:
    """The public document that says whether *path_id*'s peer review has closed."""
    return f"review-{path_id}.json"


def check_document_name(name: str) -> str:
    """A private document's name: one plain file name, never a path."""
    if not name or len(name) > MAX_DOCUMENT_NAME or "/" in name or "\\" in name or name.startswith("."):
        raise ValidationError(f"unsafe document name {name!r}: use one plain file name", field="name")
    return name


def check_public_name(name: str) -> str:
    """A public document's name: lower-case letters, digits, ``-`` and ``_``, ending in ``.json``."""
    if not _PUBLIC_NAME.match(name):
        raise ValidationError(f"unsafe public file name {name!r}", field="name")
    return name


def check_token(token: str) -> str:
    """A packet token: hexadecimal (32 characters as issued; the check only refuses what is unsafe)."""
    if not token or len(token) > 64 or not set(token) <= _HEX:
        raise ValidationError("malformed packet token", field="token")
    return token


# -- values that cross -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Parcel:
    """What one learner receives in one delivery: documents by name.

    ``channel_key`` names the learner's review channel on backends that address learners by it (the
    files backend, see :attr:`CourseExchange.needs_channel_key`); None when it is unknown."""

    learner: str
    documents: Mapping[str, dict[str, Any]]
    channel_key: str | None = None

    def __post_init__(self) -> None:
        check_learner_id(self.learner)
        for name in self.documents:
            check_document_name(name)


@dataclass(frozen=True, slots=True)
class Delivered:
    """A learner's round on one path: the manifest, its rubric and every packet token they hold."""

    manifest: dict[str, Any]
    rubric: Rubric
    tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ActivityReport:
    files: int
    added: int
    known: int
    skipped: int  # lines that did not parse (or named another learner), and unreadable files
    #: Records left out because someone other than their learner wrote them (one host: a file owned by
    #: another Unix user), each saying which file, whom it claims and who wrote it.
    refused: tuple[str, ...] = ()

    def summary(self) -> str:
        text = f"activity: {self.added} new events from {self.files} learners"
        if self.known:
            text += f", {self.known} already known"
        if self.skipped:
            text += f", {self.skipped} lines skipped"
        if self.refused:
            text += f"\nactivity REFUSED, not written by the learner named: {'; '.join(self.refused)}"
        return text


@dataclass(frozen=True, slots=True)
class SavedDraft:
    """A review draft as the learner side sees it: the answer document and its version."""

    answer_id: str
    answer: dict[str, Any]
    version: int
    updated: str = ""


#: ``on_wait(message, seconds)``: told before each pause while a remote exchange is away.
WaitListener = Callable[[str, float], None]


# -- the learner's side ----------------------------------------------------------------------------


class ActivityLog(Protocol):
    """Where a page records what its learner does."""

    def record(self, event: str, path_id: str, detail: str = "") -> None:
        """Record *event* on *path_id* now. Must never raise."""
        ...


class NoActivityLog:
    """Records nothing (previews, pages without a course)."""

    def record(self, event: str, path_id: str, detail: str = "") -> None:
        return None


@dataclass
class MemoryActivityLog:
    """Keeps events in memory: for tests and previews that want to look."""

    learner: str = "someone"
    events: list[ActivityEvent] = field(default_factory=list)

    def record(self, event: str, path_id: str, detail: str = "") -> None:
        from peerkit.core.activity import new_event

        self.events.append(new_event(self.learner, event, path_id, detail))


class LearnerExchange(Protocol):
    """One learner's side of the exchange, as their page sees it. Reading never shows another
    learner's private documents; a document that is absent reads as None."""

    #: The backend's registered name ("files", "hub", ...).
    backend: str
    learner: str
    #: Where the page records what its learner does (never raises).
    activity: ActivityLog
    #: Whether :meth:`save_draft` keeps review drafts beside the answers file (a hub service does;
    #: on one host the answers file in the learner's folder is the only copy).
    keeps_drafts: bool

    def round(self, path_id: str) -> Delivered | None:
        """My round on *path_id*, or None before any delivery. Raises a PeerkitError when it exists
        but cannot be read."""
        ...

    def packet(self, path_id: str, token: str) -> dict[str, Any] | None:
        """One of my packets (None when it is not mine or cannot be read; the reason is logged)."""
        ...

    def feedback(self, path_id: str) -> dict[str, Any] | None: ...

    def public(self, name: str, fmt: str) -> dict[str, Any] | None:
        """The public document *name* of format *fmt*; None when absent or malformed."""
        ...

    def notes(self) -> list[dict[str, Any]]:
        """Every released summary note, in file-name order."""
        ...

    def drafts(self, path_id: str) -> dict[str, SavedDraft]:
        """My saved review drafts on *path_id*, by answer id."""
        ...

    def save_draft(self, path_id: str, answer_id: str, answer: dict[str, Any], *, base: int | None) -> SavedDraft:
        """Save one draft. With *base* (the version I last saw; 0 for none) a save that another
        came in before is refused with :class:`~peerkit.core.errors.Conflict`."""
        ...

    def on_wait(self, listener: WaitListener | None) -> None:
        """Tell *listener* while a remote exchange is away and requests are retried."""
        ...


# -- the course's side -----------------------------------------------------------------------------


class CourseExchange(Protocol):
    """The course's side: what the facilitator's tools send to learners and read back."""

    backend: str
    #: Whether learners are addressed by their review channel key (files: only whoever submitted
    #: through nbgrader's exchange, with its secret, can be reached) or by name (hub).
    needs_channel_key: bool

    def prepare(self) -> None:
        """Create whatever learners need to be able to write and read (idempotent)."""
        ...

    def deliver(self, parcels: Sequence[Parcel]) -> int:
        """Deliver each parcel to its learner, replacing older documents of the same name; return
        how many parcels reached their learner."""
        ...

    def publish(self, name: str, doc: dict[str, Any]) -> str:
        """Publish *doc* as the public document *name*; return where it went (for messages)."""
        ...

    def withdraw(self, name: str) -> None:
        """Withdraw the public document *name*, if it is there."""
        ...

    def collect_activity(self, store: SqlStore, path_ids: Collection[str] | None = None) -> ActivityReport:
        """Take every activity record learners left into *store* (idempotent by event id): of
        *path_ids* only (:func:`~peerkit.core.activity.activity_paths`; None: any path), dated about
        now (:func:`~peerkit.core.activity.check_event`)."""
        ...

    def drafts(self, learner: str, path_id: str) -> list[Draft]:
        """A learner's review drafts on *path_id* (empty where the backend keeps none)."""
        ...


class ExchangeBackend(Protocol):
    """A transport: it opens both sides from plain values (see :mod:`peerkit.exchange.registry`)."""

    name: str

    def course(
        self,
        *,
        course_id: str,
        exchange_root: Path | None,
        store: SqlStore | None,
        unix_users: Mapping[str, str] | None = None,
    ) -> CourseExchange:
        """The course's side. *unix_users*: learner id → Unix login where they differ, for backends
        that tell a learner's records by their file's owner (files, on one host)."""
        ...

    def learner(
        self,
        *,
        learner: str,
        course_id: str,
        exchange_root: Path | None,
        cache_dir: Path | None,
        service_url: str,
        token: str,
    ) -> LearnerExchange: ...
