"""Review drafts kept by the course's exchange as the learner writes (where it keeps drafts: the hub).

The answers file in the learner's folder stays the source of truth in the kernel, as on a laptop;
where the exchange keeps drafts (:attr:`~peerkit.exchange.base.LearnerExchange.keeps_drafts`, the
hub service under JupyterHub) every review answer is also sent there as a draft, on a background
thread so that typing never waits for the network. When the learner opens the review app again
(another browser, a rebuilt server, a lost home folder), newer drafts from the service are taken in.

Each draft carries the version this kernel last saw; if another tab saved in between, the exchange
refuses (:class:`~peerkit.core.errors.Conflict`), the mirror learns the current version and sends its
own change again (it is the newer edit; the other tab's text stays in the service's history of that
tab and in the local backups).

Once the facilitator has closed the path's peer review (:mod:`peerkit.review.round_closed`), a review
(``r-<token>``, ``self``) is no longer kept as a draft by the course (:func:`closed_to_drafts`; the
service answers 409 with :func:`closed_message`): it stays in the learner's answers file, and the
mirror stops sending it and tells the page when it closed. Ratings of the feedback (``h-<token>``)
come after the close and are kept as ever.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from peerkit.core.answers import Answer, AnswerSheet, answer_doc, parse_answer, parse_time
from peerkit.core.errors import Conflict, PeerkitError
from peerkit.exchange.base import LearnerExchange, feedback_file, round_file
from peerkit.review.closing import closed_since

log = logging.getLogger(__name__)

DRAFT_ID = re.compile(r"^(?:[rh]-[0-9a-f]{32}|self)$")
#: The drafts of the round itself (a review of a classmate's work, the self-assessment): not kept once it closed.
REVIEW_DRAFT = re.compile(r"^(?:r-[0-9a-f]{32}|self)$")


def closed_to_drafts(answer_id: str) -> bool:
    """Whether draft *answer_id* is a review, which the course keeps no longer once the path's peer review
    closed (a rating of the feedback, ``h-<token>``, comes after the close: it is kept)."""
    return REVIEW_DRAFT.match(answer_id) is not None


def closed_message(closed_at: datetime) -> str:
    """Why a review draft is not kept after the close, for the learner (the service's 409)."""
    when = closed_at.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC").lstrip("0")
    return (
        f"peer review of this path closed on {when}: this review stays on your page but is not sent to "
        "the author; reviews you submit now reach your facilitator, who can still take late reviews in"
    )


def draft_documents(path_id: str) -> tuple[str, str]:
    """The names of the learner's two documents of *path_id* that decide which drafts they may keep
    there (:func:`allowed_drafts`): their round manifest and their feedback."""
    return round_file(path_id), feedback_file(path_id)


def allowed_drafts(manifest: Mapping[str, Any], feedback: Mapping[str, Any]) -> frozenset[str]:
    """The drafts a learner may keep on a path, read from the documents delivered to them there
    (:func:`draft_documents`; ``{}`` for one not delivered yet): a review ``r-<token>`` of each packet
    their round *manifest* hands them, their self-assessment ``self`` when it names their own work, and
    a rating ``h-<token>`` of each review their *feedback* holds. Anything malformed grants nothing."""
    packets = manifest.get("packets")
    ids = {f"r-{t}" for t in packets if isinstance(t, str)} if isinstance(packets, list) else set()
    if manifest.get("self"):
        ids.add("self")
    reviews = feedback.get("reviews")
    if isinstance(reviews, list):
        ids |= {f"h-{r['token']}" for r in reviews if isinstance(r, dict) and isinstance(r.get("token"), str)}
    return frozenset(ids)


#: ``on_status(message, ok)``: told when drafts stop (or start again) reaching the service.
StatusListener = Callable[[str, bool], None]
#: ``on_closed(closed_at)``: told when the service refused a review because the path's peer review closed.
ClosedListener = Callable[[datetime], None]


class DraftMirror:
    """Sends the review answers of one path session to the learner's exchange, newest version each."""

    def __init__(
        self,
        exchange: LearnerExchange,
        path_id: str,
        *,
        on_status: StatusListener | None = None,
        closed_at: datetime | None = None,
        on_closed: ClosedListener | None = None,
    ) -> None:
        self.exchange = exchange
        self.path_id = path_id
        self.on_status = on_status
        #: When the path's peer review closed (None: open, as far as this page knows): reviews are not sent.
        self.closed_at = closed_at
        self.on_closed = on_closed
        self.versions: dict[str, int] = {}
        self._pending: dict[str, Answer] = {}
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stop = False
        self.sent = 0
        self.failing = False

    # -- taking drafts in ---------------------------------------------------------------------------

    def newer_drafts(self, sheet: AnswerSheet) -> dict[str, Answer]:
        """The service's drafts that are newer than the local answers (to adopt into the session)."""
        newer: dict[str, Answer] = {}
        for answer_id, draft in self.exchange.drafts(self.path_id).items():
            if not DRAFT_ID.match(answer_id):
                continue
            self.versions[answer_id] = draft.version
            try:
                remote = parse_answer(answer_id, draft.answer)
            except PeerkitError as exc:
                log.warning("draft %s from the service is unreadable: %s", answer_id, exc)
                continue
            local = sheet.get(answer_id)
            if local is None or _time(remote) > _time(local):
                newer[answer_id] = remote
        return newer

    # -- sending ----------------------------------------------------------------------------------

    def listener(self, sheet: AnswerSheet, origin: str | None) -> None:
        """A :meth:`PathSession.on_change` listener: queue each saved review answer."""
        if origin is None or not DRAFT_ID.match(origin):
            return
        answer = sheet.get(origin)
        if answer is not None:
            self.push(origin, answer)

    def push(self, answer_id: str, answer: Answer) -> None:
        if self.closed_at is not None and closed_to_drafts(answer_id):
            return  # kept in the answers file; the service would refuse it
        with self._wake:
            self._pending[answer_id] = answer
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"peerkit-drafts-{self.path_id}", daemon=True)
                self._thread.start()
            self._wake.notify()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued draft was sent (for tests and before submitting)."""
        with self._wake:
            return self._wake.wait_for(lambda: not self._pending and not self._busy, timeout)

    def stop(self) -> None:
        with self._wake:
            self._stop = True
            self._wake.notify_all()

    _busy = False

    def _run(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._pending or self._stop)
                if self._stop and not self._pending:
                    return
                answer_id, answer = next(iter(self._pending.items()))
                del self._pending[answer_id]
                self._busy = True
            try:
                self._send(answer_id, answer)
            except PeerkitError as exc:
                self._status(f"Your review is saved on this server, but not yet with the course service: {exc}", False)
                with self._wake:
                    self._pending.setdefault(answer_id, answer)  # a newer edit wins over the retry
                    self._busy = False
                    self._wake.notify_all()
                    self._wake.wait(5.0)
                continue
            with self._wake:
                self._busy = False
                self._wake.notify_all()

    def _send(self, answer_id: str, answer: Answer) -> None:
        doc: dict[str, Any] = answer_doc(answer)
        try:
            saved = self.exchange.save_draft(self.path_id, answer_id, doc, base=self.versions.get(answer_id))
        except Conflict:
            current = self.exchange.drafts(self.path_id).get(answer_id)
            base = current.version if current else None
            try:
                saved = self.exchange.save_draft(self.path_id, answer_id, doc, base=base)
            except Conflict:  # not another tab's save: the review closed since this page opened?
                closed = closed_since(self.exchange, self.path_id) if closed_to_drafts(answer_id) else None
                if closed is None:
                    raise
                self._closed(closed)
                return
        self.versions[answer_id] = saved.version
        self.sent += 1
        if self.failing:
            self._status("Your review drafts reach the course service again.", True)

    def _closed(self, closed_at: datetime) -> None:
        """The service refused a review: the path's peer review closed at *closed_at*. Reviews queued are
        dropped (the answers file keeps them), and the page is told."""
        self.closed_at = closed_at
        with self._wake:
            for answer_id in [a for a in self._pending if closed_to_drafts(a)]:
                del self._pending[answer_id]
        log.info("review drafts of %s are no longer kept: peer review closed at %s", self.path_id, closed_at)
        self.failing = False
        if self.on_closed is not None:
            self.on_closed(closed_at)

    def _status(self, message: str, ok: bool) -> None:
        self.failing = not ok
        log.log(logging.INFO if ok else logging.WARNING, "%s", message)
        if self.on_status is not None:
            self.on_status(message, ok)


def _time(answer: Answer) -> Any:
    try:
        return parse_time(answer.updated, field="updated")
    except PeerkitError:
        return parse_time("1970-01-01T00:00:00Z", field="updated")
