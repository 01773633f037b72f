"""One learner working on one learning path: the controller behind every widget on the page.

A :class:`PathSession` owns the path's answer sheet (:class:`~peerkit.storage.answerfile.AnswerFile`
in the assignment folder), saves each change at once, reloads from disk when asked or when another
writer changed the file (a second tab; a preheated kernel handed to a visitor later), and submits
through nbgrader's exchange. It tells its :class:`~peerkit.exchange.base.ActivityLog` what the learner
does (the page was opened, an answer was first given, the path was submitted) for the facilitator's
dashboard. It imports no widget library, so it is tested directly and reused by every widget kind.

Two modes:

``learner``  the notebook runs inside a fetched assignment folder with a known learner: answers
             are saved and can be submitted;
``preview``  anywhere else (the course's source notebooks, a facilitator's look, headless test
             runs): answers live in memory only and the page says so.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from traitlets.config import Config

from peerkit.core import kinds
from peerkit.core.answers import Answer, AnswerSheet, is_answered, utcnow
from peerkit.core.completeness import Completeness, completeness
from peerkit.core.errors import ConfigError, DocumentVersionError, PeerkitError, StorageError, ValidationError
from peerkit.exchange.base import ActivityLog, LearnerExchange, NoActivityLog
from peerkit.nbgrader.learner import Submission, last_submission_time
from peerkit.nbgrader.tasks import required_answers
from peerkit.storage.answerfile import AnswerFile
from peerkit.widgets import resync
from peerkit.widgets.trouble import RELOAD, plain_problem

log = logging.getLogger(__name__)

Mode = Literal["learner", "preview"]


@dataclass(frozen=True, slots=True)
class SaveStatus:
    """The outcome of one save, for the widget's status line."""

    ok: bool
    message: str
    at: datetime | None = None
    #: Another tab had changed this answer meanwhile; its version was kept as a backup.
    kept_backup: bool = False
    #: The refused field, as the check named it (``my-example.title``), when a value was refused.
    field: str | None = None


#: A listener gets the new sheet and the id of the answer whose save caused it (None: a reload).
Listener = Callable[[AnswerSheet, str | None], None]


class PathSession:
    """Answers, saving and submitting for one path, in one kernel."""

    def __init__(
        self,
        path_id: str,
        *,
        mode: Mode,
        folder: Path | None = None,
        learner: str | None = None,
        config: Config | None = None,
        notice: str = "",
        max_answer_chars: int = 20_000,
        activity: ActivityLog | None = None,
        exchange: LearnerExchange | None = None,
    ) -> None:
        if mode == "learner" and (folder is None or learner is None or config is None):
            raise ConfigError(
                "this page was opened without its course (your folder, your name and the course's settings): "
                "open it from the course home",
                where="PathSession",
            )
        self.path_id = path_id
        self.mode: Mode = mode
        self.folder = folder
        self.learner = learner
        self.config = config
        self.notice = notice
        self.max_answer_chars = max_answer_chars
        self.activity: ActivityLog = activity if activity is not None else NoActivityLog()
        #: The learner's side of the course's exchange (their packets, feedback, drafts); None in a preview.
        self.exchange = exchange
        self._answered: set[str] = set()  # answers this session has reported as answered
        self._shown: dict[str, bool] = {}  # answer widgets the page shows -> whether marked optional
        self._required: tuple[str, ...] | None = None
        self._file = AnswerFile(folder, path_id) if mode == "learner" and folder is not None else None
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._preload: threading.Thread | None = None
        self._stop = threading.Event()
        self._hurry = threading.Event()
        self.sheet = self._initial_sheet()
        self._stamp = self._file.last_stamp if self._file is not None else None

    # -- loading ---------------------------------------------------------------------------------

    def _initial_sheet(self) -> AnswerSheet:
        if self._file is None:
            return AnswerSheet(path=self.path_id)
        try:
            sheet = self._file.load()
        except PeerkitError as exc:
            self.notice = plain_problem(
                "Your saved answers cannot be read right now, so this page starts empty.",
                exc,
                safe="They are not lost: nothing you do here overwrites them.",
                then=RELOAD,
                where=f"path {self.path_id}, learner {self.learner}",
            )
            return AnswerSheet(path=self.path_id)
        if self._file.quarantined is not None:
            self.notice = (
                "Your saved answers file could not be read, so it was set aside as "
                f"{self._file.quarantined.name} (your facilitator can recover it). New answers are saved as usual."
            )
        return sheet

    @property
    def saves(self) -> bool:
        """Whether answers are written to disk (learner mode) or kept in memory (preview)."""
        return self._file is not None

    def value(self, answer_id: str, default: Any = None) -> Any:
        answer = self.sheet.get(answer_id)
        return default if answer is None else answer.value

    def on_change(self, callback: Listener, *, first: Callable[[AnswerSheet], None] | None = None) -> None:
        """Call *callback(sheet, origin)* after every save (origin: the saved answer's id) and every
        reload from disk (origin None), so that widgets show what another tab wrote.

        *first*, if given, is called at once with the current sheet (see :meth:`showing`); a reload in
        another thread then lands either before it, and *first* shows it, or after it, and *callback*
        does: never in between, where nothing would show it.
        """
        with self._lock:
            if first is not None:
                first(self.sheet)
            self._listeners.append(callback)

    def showing(self, show: Callable[[AnswerSheet], None]) -> None:
        """Call *show(sheet)* with the current sheet under the lock every save and reload holds while it
        tells the listeners. A visitor may be handed a preheated kernel while its page is still being
        built (Voilà sends the request before the last cells have run): the reload on the visit then
        runs in a thread beside the widgets being built, and a widget that read the sheet just before
        the reload must not put that older sheet on the page after it."""
        with self._lock:
            show(self.sheet)

    def off_change(self, callback: Listener) -> None:
        """Stop calling *callback* (a widget the page replaced; absent callbacks are ignored)."""
        if callback in self._listeners:
            self._listeners.remove(callback)

    def _publish(self, sheet: AnswerSheet, origin: str | None) -> None:
        """Tell the listeners, in the order the sheets were read (callers hold the lock: a reload on
        the visit and the watch loop run in threads of their own)."""
        for callback in list(self._listeners):
            callback(sheet, origin)

    def reload(self) -> AnswerSheet:
        """Re-read the answers from disk (another tab may have saved) and tell the widgets."""
        if self._file is None:
            return self.sheet
        with self._lock:
            try:
                self.sheet = self._file.load()
            except PeerkitError as exc:
                log.warning("reload of %s failed: %s", self.path_id, exc)
                return self.sheet
            self._stamp = self._file.last_stamp
            self._publish(self.sheet, None)  # under the lock: an older sheet can never be shown after a newer one
        return self.sheet

    def watch(self, interval: float = 2.0) -> None:
        """Reload whenever another writer (a second tab on this path) changes the answers file."""
        if self._file is None:
            return
        resync.install()  # a reload may land while a page is loading its widgets

        def loop() -> None:
            while not self._stop.wait(interval):
                stamp = self._file.stamp() if self._file is not None else None
                if stamp != self._stamp:
                    self.reload()

        threading.Thread(target=loop, name=f"peerkit-watch-{self.path_id}", daemon=True).start()

    def stop(self) -> None:
        """Stop watching the answers file."""
        self._stop.set()

    # -- saving ----------------------------------------------------------------------------------

    def save(self, answer_id: str, kind: str, value: Any) -> SaveStatus:
        """Validate and save one answer now. Never raises: the status says what happened."""
        try:
            length = kinds.get(kind, where=answer_id).text_length(value)
            if length is not None and length > self.max_answer_chars:
                raise ValidationError(
                    f"this answer is {length:,} characters long; the limit is {self.max_answer_chars:,}. "
                    "Shorten it to save it (nothing you typed has been thrown away).",
                    field=answer_id,
                )
            answer = Answer.make(kind, value, answer_id=answer_id, updated=utcnow())
        except ValidationError as exc:
            return SaveStatus(ok=False, message=str(exc), field=exc.field)
        with self._lock:
            if self._file is None:
                try:
                    self.sheet = self.sheet.with_answer(answer_id, answer)
                except ValidationError as exc:  # an answer id no answer may have, one answer too many
                    return SaveStatus(ok=False, message=str(exc), field=exc.field)
                self._publish(self.sheet, answer_id)
                return SaveStatus(ok=True, message="kept for this preview (not saved)", at=datetime.now())
            seen = self.sheet.get(answer_id)
            try:
                self.sheet, backup = self._file.save(answer_id, answer, seen=seen.updated if seen else None)
            except DocumentVersionError as exc:  # the saved answers, not this one: as any problem below
                return self._not_saved(exc)
            except ValidationError as exc:  # this answer refused (an id no answer may have): say how
                return SaveStatus(ok=False, message=f"Not saved: {exc}", field=exc.field)
            except PeerkitError as exc:
                return self._not_saved(exc)
            self._stamp = self._file.last_stamp
            self._publish(self.sheet, answer_id)
        if answer_id not in self._answered and is_answered(answer):
            self._answered.add(answer_id)  # the first save that answers it, once per session
            self.activity.record("answered", self.path_id, answer_id)
        if backup is not None:
            return SaveStatus(
                ok=True,
                message="saved; another tab had changed this answer, and its version is kept as a backup",
                at=datetime.now(),
                kept_backup=True,
            )
        return SaveStatus(ok=True, message="saved", at=datetime.now())

    def _not_saved(self, exc: PeerkitError) -> SaveStatus:
        """A save that failed for a reason that is not the answer's: what the learner reads, the
        reason in their words when it is one they can know (the disk is full), the detail logged."""
        reason = _plain_reason(exc)
        return SaveStatus(
            ok=False,
            message=plain_problem(
                f"Not saved: {reason}." if reason else "Not saved: your answers cannot be written right now.",
                exc,
                safe="Your text is still on this page; keep this tab open and copy it somewhere safe "
                "if the problem lasts.",
                then="",
                where=f"path {self.path_id}, learner {self.learner}",
            ),
        )

    def opened(self) -> None:
        """Record that the learner opened this path's page (learner mode only)."""
        if self._file is not None:
            self.activity.record("opened", self.path_id)

    def adopt(self, answers: dict[str, Answer]) -> AnswerSheet:
        """Take in answers saved elsewhere (drafts the hub service kept), keeping their own times,
        and tell the widgets as for a reload. A local version they replace is kept as a backup."""
        if not answers:
            return self.sheet
        with self._lock:
            for answer_id, answer in answers.items():
                if self._file is None:
                    self.sheet = self.sheet.with_answer(answer_id, answer)
                    continue
                seen = self.sheet.get(answer_id)
                try:
                    self.sheet, _ = self._file.save(answer_id, answer, seen=seen.updated if seen else None)
                except PeerkitError as exc:
                    log.warning("could not keep the draft of %s: %s", answer_id, exc)
            if self._file is not None:
                self._stamp = self._file.last_stamp
            self._publish(self.sheet, None)
        return self.sheet

    # -- completeness ----------------------------------------------------------------------------

    def expect(self, answer_id: str, *, optional: bool = False) -> None:
        """Note that the page shows an answer widget for *answer_id* (required unless *optional*)."""
        self._shown[answer_id] = optional

    def required_answers(self) -> tuple[str, ...]:
        """The answers this path requires: from the path's notebook in the assignment folder, as the
        facilitator's ingest reads them (:func:`peerkit.nbgrader.tasks.required_answers`); without a
        readable notebook, the answer widgets the page shows that are not marked optional."""
        if self._required is None and self.folder is not None:
            notebook = self.folder / f"{self.path_id}.ipynb"
            if notebook.is_file():
                try:
                    self._required = required_answers(notebook)
                except ConfigError as exc:
                    log.warning("required answers of %s unknown: %s", self.path_id, exc)
        if self._required is not None:
            return self._required
        return tuple(answer_id for answer_id, optional in self._shown.items() if not optional)

    def completeness(self) -> Completeness:
        """Whether the saved answers give every required answer (what Submit warns about)."""
        return completeness(self.sheet, self.required_answers())

    # -- submitting ------------------------------------------------------------------------------

    def preload_submit(self, *, delay: float = 0.0) -> None:
        """Import nbgrader's exchange in the background, after *delay* seconds, so that Submit answers
        in well under a second. The delay keeps the import (a second of CPU) off the page's own
        start; a Submit click during the delay starts it at once."""
        if self._file is None or self._preload is not None:
            return

        def work() -> None:
            self._hurry.wait(delay)
            try:
                from peerkit.nbgrader.parts import make_parts

                make_parts(Config())
            except Exception:
                log.debug("preloading nbgrader failed", exc_info=True)

        self._preload = threading.Thread(target=work, name="peerkit-preload-nbgrader", daemon=True)
        self._preload.start()

    def submit(self) -> Submission:
        """Submit the path through nbgrader's exchange. Raises a :class:`PeerkitError` saying why not."""
        if self._file is None or self.folder is None or self.learner is None or self.config is None:
            raise PeerkitError(self.notice or "this page is a preview: there is nothing to submit")
        if self._preload is not None:
            self._hurry.set()
            self._preload.join()
        from peerkit.nbgrader.learner import submit

        with self._lock:
            done = submit(self.config, self.folder, learner=self.learner)
        self.activity.record("submitted", self.path_id, done.timestamp)
        return done

    def last_submitted(self) -> datetime | None:
        """When this learner last submitted this path (from nbgrader's local cache), if ever."""
        if self.config is None or self.learner is None:
            return None
        return last_submission_time(self.config, self.path_id, learner=self.learner)


#: Why a save failed, as the answers file says it (:func:`peerkit.storage.atomic.describe_os_error`), when
#: the learner can know it: the end of the error's text. Any other text stays in the server's log.
_PLAIN_REASONS = (
    "the disk is full",
    "the disk quota is used up",
    "the folder is on a read-only file system",
    "permission was denied",
    "the folder no longer exists",
)


def _plain_reason(exc: PeerkitError) -> str:
    """The reason of a failed save when the learner can know it (the disk is full), else ""."""
    text = str(exc)
    return next((r for r in _PLAIN_REASONS if isinstance(exc, StorageError) and text.endswith(r)), "")
