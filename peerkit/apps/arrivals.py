"""What arrives while a rolling review page is open: classmates' work and feedback, announced, not forced.

In rolling review the work to review and the feedback come as classmates submit, and the page's words
promise they appear on it with no reload. So an open page looks at the learner's review inbox every
few seconds, in a thread of its own, while something is still to come; when something new is there
it says so and offers a button that shows it. The page is never rebuilt under the learner's hands.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from peerkit.core.errors import PeerkitError
from peerkit.review.inbox import NO_PACKETS_YET, Inbox
from peerkit.widgets.look import Look
from peerkit.widgets.status import status_line

log = logging.getLogger(__name__)

#: How often (seconds) an open rolling review page looks for classmates' work and feedback still to come.
WATCH_EVERY = 3.0


def review_count(feedback: dict[str, Any] | None) -> int:
    """How many reviews a feedback document holds (0: no feedback yet)."""
    if feedback is None:
        return 0
    reviews = feedback.get("reviews")
    return max(1, len(reviews)) if isinstance(reviews, list) else 1


def nothing_yet(mode: str, *, practice: bool) -> str:
    """Before anything to review has arrived: what happens next, in the learner's words."""
    if mode == "rolling":
        meanwhile = " While you wait, practise on the two examples below." if practice else ""
        return (
            "Nothing to review yet. Classmates' work comes to this page shortly after you submit the path, "
            f"as they submit theirs: nobody needs to open anything for you.{meanwhile}"
        )
    if not practice:
        return NO_PACKETS_YET
    return NO_PACKETS_YET + " While you wait, practise on the two examples below."


def closed_notice(*, submitted: bool, delivered: bool = False) -> str:
    """The path's peer review has closed (the facilitator closed it): nothing more will come to the page.
    *submitted*: the learner has submitted the path; *delivered*: the page was given work before it closed."""
    if delivered:
        return "Peer review of this path has closed: no more classmates' work will come to this page."
    if submitted:
        return (
            "Peer review of this path has closed, so no classmates' work will come to this page and no "
            "classmate will review your submission. Your facilitator has your submission."
        )
    return "Peer review of this path has closed, so no classmates' work will come to this page."


def waiting_notice(manifest: dict[str, Any], have: int, *, practice: bool) -> str:
    """In rolling review, when fewer classmates have submitted than this learner is to review (*have*: the
    work on the page now; *practice*: whether the page offers practice): say so plainly."""
    owed = manifest.get("waiting_for")
    if isinstance(owed, bool) or not isinstance(owed, int) or owed <= 0:
        return ""
    more = f"{owed} more classmate{'s' if owed != 1 else ''}’ work" if owed != 1 else "One more classmate’s work"
    practise = " Start with the practice: two examples to rate and compare." if practice else ""
    if have == 0:
        return (
            "You are among the first to finish this path, so there is no classmate’s work to review yet."
            f"{practise} {more} will appear on this page as others submit; nobody needs to do anything "
            "for it to arrive."
        )
    return (
        f"{more} will appear on this page as others submit; nobody needs to do anything for it to arrive. "
        "You can review what is here now."
    )


class ArrivalWatch:
    """The news line, its "Show it now" button and the look that fills them.

    :attr:`seen` is what the page shows (the work's tokens, the number of reviews in the feedback);
    *on_show* rebuilds the page with what arrived, and :attr:`opens_on` names the page part to open."""

    def __init__(self, path_id: str, *, look: Look, on_show: Callable[[], None]) -> None:
        self.path_id = path_id
        #: What arrived while the page was open, and the button that shows it.
        self.news = look.html_widget("")
        self.news.add_class("peerkit-arrived")
        self.show_news = widgets.Button(
            description="Show it now", layout=widgets.Layout(width="auto", display="none"), style=look.button
        )  # its own layout: the page's shared one would hide every button with it
        self.show_news.add_class("peerkit-show-arrived")
        self.show_news.on_click(lambda _b: on_show())
        self.seen: tuple[tuple[str, ...], int] | None = None
        #: The page that "Show it now" opens: the first classmate's work, or the feedback.
        self.opens_on = ""
        self.stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, inbox: Inbox, still_to_come: Callable[[], bool]) -> None:
        """Look at *inbox* every :data:`WATCH_EVERY` seconds while *still_to_come* says so."""
        self._thread = threading.Thread(
            target=self._loop, args=(inbox, still_to_come), name=f"peerkit-arrivals-{self.path_id}", daemon=True
        )
        self._thread.start()

    @property
    def watching(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self, inbox: Inbox, still_to_come: Callable[[], bool]) -> None:
        while still_to_come() and not self.stopped.wait(WATCH_EVERY):
            try:
                self.look(inbox)
            except PeerkitError as exc:
                log.info("no look at the review inbox of %s: %s", self.path_id, exc)
            except Exception:
                log.exception("looking for new work to review failed")

    def look(self, inbox: Inbox | None) -> None:
        """One look: when there is new work or more feedback than :attr:`seen`, say so and offer the button."""
        if inbox is None or self.seen is None:
            return
        delivered = inbox.manifest()
        tokens = tuple(delivered[2]) if delivered else ()
        reviews = review_count(inbox.feedback())
        seen_tokens, seen_reviews = self.seen
        new_work = len([t for t in tokens if t not in seen_tokens])
        if not new_work and reviews <= seen_reviews:
            return
        said: list[str] = []
        if new_work:
            said.append(
                f"{new_work} classmate{'s' if new_work != 1 else ''}’ work to review has arrived"
                if new_work != 1
                else "A classmate’s work to review has arrived"
            )
        if reviews > seen_reviews:
            said.append("your feedback has arrived" if not seen_reviews else "more feedback on your work has arrived")
        message = " and ".join(said) + ". Your answers so far are kept."
        self.news.value = status_line(message[0].upper() + message[1:], "ok")
        self.show_news.layout.display = None
        self.opens_on = "Your feedback" if reviews > seen_reviews and not new_work else "Submission 1"

    def clear(self) -> None:
        """Nothing new to announce (the page now shows it)."""
        self.news.value = ""
        self.show_news.layout.display = "none"
