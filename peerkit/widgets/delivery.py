"""Answers that are sent as they are given: no second Submit for them.

A learner rates the reviews they received long after they submitted their own reviews; a rating
that waited for another press of "Submit my reviews" was lost when nobody pressed it. An
:class:`AutoDelivery` listens to a :class:`~peerkit.widgets.session.PathSession` and, shortly after
each saved answer it cares about (a rating), sends the session's answers on a background thread
(the same submission as the Submit button: the facilitator's review collect takes the ratings in),
then tells the page when they were sent. A burst of changes (a rating, then a note typed) is sent
once, *delay* seconds after the last.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from peerkit.core.answers import AnswerSheet
from peerkit.core.errors import PeerkitError
from peerkit.nbgrader.learner import parse_exchange_time
from peerkit.widgets.session import PathSession
from peerkit.widgets.trouble import plain_problem

log = logging.getLogger(__name__)

#: ``on_sent(when)`` after each delivery; ``on_failed(message)`` when one did not go through (the message
#: is the learner's: plain words and a reference, the error itself in the server's log).
SentListener = Callable[[datetime], None]
FailedListener = Callable[[str], None]


class AutoDelivery:
    """Sends *session* shortly after each saved answer whose id *wanted* accepts."""

    def __init__(
        self,
        session: PathSession,
        *,
        wanted: Callable[[str], bool],
        on_sent: SentListener,
        on_failed: FailedListener,
        delay: float = 1.5,
        then: str = "It is sent with your next change.",
    ) -> None:
        """*then*: what the learner can do after a failed delivery (said in :attr:`on_failed`'s message)."""
        self.session = session
        self.then = then
        self.wanted = wanted
        self.on_sent = on_sent
        self.on_failed = on_failed
        self.delay = delay
        self.sent_at: datetime | None = None
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._idle = threading.Event()
        self._idle.set()
        session.on_change(self.listener)

    def listener(self, _sheet: AnswerSheet, origin: str | None) -> None:
        """A :meth:`PathSession.on_change` listener: a saved answer it wants starts (or restarts) the wait."""
        if origin is None or not self.wanted(origin) or not self.session.saves:
            return
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._idle.clear()
            self._timer = threading.Timer(self.delay, self._send)
            self._timer.name = f"peerkit-deliver-{self.session.path_id}"
            self._timer.daemon = True
            self._timer.start()

    def _send(self) -> None:
        try:
            submission = self.session.submit()
        except PeerkitError as exc:
            message = plain_problem(
                "Your answer is saved here but could not be sent to your facilitator yet.",
                exc,
                then=self.then,
                where=f"automatic delivery of {self.session.path_id}, learner {self.session.learner}",
            )
            self._tell(lambda: self.on_failed(message))
        else:
            self.sent_at = parse_exchange_time(submission.timestamp) or datetime.now(UTC)
            when = self.sent_at
            self._tell(lambda: self.on_sent(when))
        finally:
            with self._lock:
                timer = self._timer
                if timer is None or timer is threading.current_thread() or not timer.is_alive():
                    self._idle.set()  # no newer change is waiting to be sent

    @staticmethod
    def _tell(call: Callable[[], None]) -> None:
        try:
            call()
        except Exception:  # a listener's failure must not stop the next delivery
            log.exception("delivery listener failed")

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every scheduled delivery has run (for tests and before the kernel stops)."""
        return self._idle.wait(timeout)

    def stop(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._idle.set()
