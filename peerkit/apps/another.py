""" "Review one more": on a rolling review page, a learner whose reviews are done asks for another
classmate's work.

The page cannot give work out itself: who reviews whom is the course's side (its steward). So the
request travels as an activity event, ``review-another``, the way the page's other events do (the
hub service's activity route, or the learner's own activity file on one host); the steward acts on
it at its next look and delivers the work, which appears on this page a few seconds later. The
extra review goes to the classmate whose work needs reviews most, and counts for the reviewer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import ipywidgets as widgets

from peerkit.core.answers import parse_time
from peerkit.core.errors import PeerkitError
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession
from peerkit.widgets.status import status_line

EVENT = "review-another"

INVITE = (
    "Your reviews are done. Would you like to help one more classmate? You can review another piece of "
    "work: it goes to the classmate whose work has had the fewest reviews so far, and it counts as one "
    "of your reviews."
)
ASKED = (
    "Asked. One more classmate’s work will appear on this page shortly; you do not need to reload or do "
    "anything else. Your answers so far are kept."
)
NOT_YET = "First finish and submit your reviews of the work on this page (“Submit my reviews”), then ask for one more."
NOT_SENT = "Your request could not be sent from this page: {}. Please try again in a moment."


class AnotherReview:
    """The invitation, its button and what happened; :attr:`view` goes below the work to review.

    *tokens* gives the work on the page now; *on_asked* is called once the request is recorded (the
    page then looks for the new work)."""

    def __init__(
        self,
        session: PathSession,
        path_id: str,
        *,
        look: Look,
        tokens: Callable[[], Sequence[str]],
        on_asked: Callable[[], None] = lambda: None,
    ) -> None:
        self.session, self.path_id, self.tokens, self.on_asked = session, path_id, tokens, on_asked
        self.asked = False
        self.button = widgets.Button(
            description="Review one more classmate’s work",
            tooltip="Ask for another classmate’s work to review",
            layout=widgets.Layout(width="auto"),
            style=look.button,
        )
        self.button.add_class("peerkit-review-another")
        self.button.on_click(lambda _b: self.ask())
        self.said = look.live_widget("")
        self.said.add_class("peerkit-another-said")
        intro = look.html_widget(f'<p class="peerkit-another-invite">{INVITE}</p>')
        #: The invitation and its button: shown only once the learner's own reviews are done.
        self.offer = widgets.VBox([intro, self.button], layout=widgets.Layout(width="100%"))  # its own: it is hidden
        self.view = widgets.VBox([self.offer, self.said], layout=look.full_width)
        self.view.add_class("peerkit-another")
        self.update()

    def update(self) -> None:
        """Show the invitation only while it is true: the learner's reviews are done (or they asked)."""
        self.offer.layout.display = None if self.asked or self.reviews_done() else "none"

    def _on_sheet(self, _sheet: object, _origin: str | None) -> None:
        self.update()

    def reviews_done(self) -> bool:
        """Every piece of work on the page has a review, submitted since it last changed."""
        tokens = list(self.tokens())
        answers = self.session.sheet.answers
        if not tokens or any(f"r-{t}" not in answers for t in tokens):
            return False
        submitted = self.session.last_submitted()
        if submitted is None:
            return False
        try:
            changed = max(parse_time(answers[f"r-{t}"].updated, field="updated") for t in tokens)
        except PeerkitError:
            return False
        return _aware(submitted) >= changed

    def ask(self) -> bool:
        """Record the request (once per piece of work that arrives); say what happens next."""
        if self.asked:
            self.said.value = status_line(ASKED, "ok")
            return True
        if not self.reviews_done():
            self.said.value = status_line(NOT_YET, "warn", role="alert")
            return False
        exchange = self.session.exchange
        if exchange is None:
            self.said.value = status_line(NOT_SENT.format("this server cannot reach your course"), "warn", role="alert")
            return False
        exchange.activity.record(EVENT, self.path_id)
        self.asked = True
        self.button.disabled = True
        self.said.value = status_line(ASKED, "ok")
        self.on_asked()
        return True


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
