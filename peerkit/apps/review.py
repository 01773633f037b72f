"""The review app (a Voilà page): a learner's review packets one by one, the rubric, their self-assessment.

It is the notebook of the ``<path>-review`` nbgrader assignment; its answers are reviews, saved
and submitted like any path's answers. Packets come from the learner's side of the course's
exchange (:mod:`peerkit.exchange`, read through :mod:`peerkit.review.inbox`): their own review
channel on a local course, the course's hub service under JupyterHub, where each review answer is
also kept there as a draft.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from traitlets.config import Config

from peerkit.apps.packet_view import render_feedback_summary, render_packet, render_received_review
from peerkit.core.errors import PeerkitError
from peerkit.core.redaction import removed_message
from peerkit.core.rubric import Rubric
from peerkit.exchange.context import LearnerContext
from peerkit.review.drafts import DraftMirror
from peerkit.review.inbox import NO_PACKETS_YET, Inbox
from peerkit.widgets.delivery import AutoDelivery
from peerkit.widgets.frame import render_next_step
from peerkit.widgets.page import PathPage
from peerkit.widgets.rating import RatingForm
from peerkit.widgets.review_form import ReviewForm
from peerkit.widgets.status import local_time, notice_box, status_line, status_markup
from peerkit.widgets.submit import SubmitPanel

log = logging.getLogger(__name__)

SELF = "self"


def review_answer_id(token: str) -> str:
    return f"r-{token}"


def rating_answer_id(token: str) -> str:
    return f"h-{token}"


class ReviewPage(PathPage):
    """The page of ``<path_id>-review``; display :attr:`view`."""

    def __init__(
        self,
        path_id: str,
        *,
        folder: Path | str | None = None,
        learner: str | None = None,
        config: Config | None = None,
        context: LearnerContext | None = None,
    ) -> None:
        super().__init__(f"{path_id}-review", folder=folder, learner=learner, config=config, context=context)
        self.reviewed_path = path_id
        self.forms: list[ReviewForm] = []
        self.ratings: list[RatingForm] = []
        self.titles: list[str] = []
        self.drafts: DraftMirror | None = None
        self.delivery: AutoDelivery | None = None
        self.sync_line = self.look.html_widget("")
        #: Says when the ratings were last sent to the facilitator (they go as they are given).
        self.ratings_line = self.look.html_widget("")
        self.ratings_line.add_class("peerkit-ratings-sent")
        self.view = widgets.VBox(layout=self.look.block)
        self.view.add_class("peerkit-review-app")
        self._build()

    def _inbox(self) -> tuple[Inbox | None, str]:
        session = self.session
        if not session.saves or session.learner is None:
            return None, session.notice
        if session.exchange is None:
            return None, "The work to review cannot be found: this server cannot reach your course's shared files."
        return Inbox(self.reviewed_path, session.exchange), ""

    def _mirror_drafts(self, inbox: Inbox) -> None:
        """Where the exchange keeps drafts (JupyterHub): take in newer ones, then send each change."""
        mirror = DraftMirror(inbox.exchange, self.reviewed_path, on_status=self._sync_status)
        try:
            self.session.adopt(mirror.newer_drafts(self.session.sheet))
        except PeerkitError as exc:
            self._sync_status(f"Your saved drafts could not be fetched from the course service: {exc}", False)
        self.session.on_change(mirror.listener)
        self.drafts = mirror

    def _sync_status(self, message: str, ok: bool) -> None:
        self.sync_line.value = status_line(message, "ok" if ok else "warn")

    def _build(self) -> None:
        inbox, problem = self._inbox()
        if inbox is not None:  # say so on the page while a remote exchange is away, then retry
            inbox.exchange.on_wait(lambda message, _pause: self._sync_status(message.capitalize() + ".", False))
        try:
            delivered = inbox.manifest() if inbox is not None else None
        except PeerkitError as exc:
            delivered, problem = None, f"The work to review cannot be read right now: {exc}"
        if inbox is None or delivered is None:
            self.view.children = (self.look.html_widget(notice_box(problem or NO_PACKETS_YET, "info")),)
            return
        if inbox.exchange.keeps_drafts:
            self._mirror_drafts(inbox)
        manifest, rubric, tokens = delivered
        pages: list[Any] = []
        for number, token in enumerate(tokens, start=1):
            packet = inbox.packet(token)
            title = f"Submission {number} of {len(tokens)}"
            pages.append(self._page(title, packet, review_answer_id(token), token, rubric))
        own = manifest.get("self")
        if own:
            packet = inbox.packet(own)
            pages.append(self._page("Your own submission", packet, SELF, own, rubric, own_work=True))
        try:
            feedback = inbox.feedback()
        except PeerkitError as exc:
            feedback = None
            self._sync_status(f"Your feedback cannot be fetched right now: {exc}", False)
        if feedback is not None:
            pages.append(self._feedback_page(feedback))
        title = html.escape(str(manifest.get("path_title", self.reviewed_path)))
        header = self.look.html_widget(
            f'<h1 style="margin:0.2em 0;font-size:1.6em">Review: {title}</h1>'
            f'<div class="peerkit-guidance" style="max-width:46rem">{_paragraphs(rubric.guidance)}</div>'
        )
        removed = _removed_notice(manifest)
        if removed:
            header = widgets.VBox([header, self.look.html_widget(removed)], layout=self.look.full_width)
        if not pages:
            self.view.children = (
                header,
                self.sync_line,
                self.look.html_widget(notice_box("You have nothing to review in this round.")),
            )
            return
        picker = widgets.ToggleButtons(options=[(t, i) for i, t in enumerate(self.titles)], value=0, description="Show")
        picker.add_class("peerkit-packet-picker")
        stack = widgets.Stack(pages, selected_index=0, layout=self.look.full_width)
        widgets.jslink((picker, "index"), (stack, "selected_index"))
        self.picker, self.stack = picker, stack
        self.view.children = (header, self.sync_line, picker, stack)

    def _feedback_page(self, doc: dict[str, Any]) -> Any:
        """The learner's grade, each review they received, and a rating form for each review."""
        self.titles.append("Your feedback")
        children: list[Any] = [self.look.html_widget(render_feedback_summary(doc))]
        reviews = [r for r in doc.get("reviews", []) if isinstance(r, dict) and isinstance(r.get("token"), str)]
        if reviews:
            children.append(
                self.look.html_widget(
                    status_line(
                        "Rate each review: your ratings help reviewers improve and stay anonymous. "
                        "Each rating is sent to your facilitator as you give it: no need to submit again.",
                        "info",
                    )
                )
            )
            self._deliver_ratings()
        for review in reviews:
            children.append(self.look.html_widget(render_received_review(review)))
            form = self._answer(
                RatingForm(self.session, rating_answer_id(review["token"]), review["token"], look=self.look)
            )
            self.ratings.append(form)
            children.append(form)
        if reviews:
            children.append(self.ratings_line)
        return widgets.VBox(children, layout=self.look.full_width)

    def _deliver_ratings(self) -> None:
        """Send the ratings as they are given (a rating once waited for a second Submit and was lost)."""
        if not self.session.saves or self.delivery is not None:
            return
        self.delivery = AutoDelivery(
            self.session,
            wanted=lambda answer_id: answer_id.startswith("h-"),
            on_sent=self._ratings_sent,
            on_failed=self._ratings_failed,
        )
        rated = [a for key, a in self.session.sheet.answers.items() if key.startswith("h-")]
        last = self.session.last_submitted()
        if rated and last is not None:
            self.ratings_line.value = status_markup(
                f"Your ratings were sent to your facilitator {local_time(last)}.", "ok"
            )

    def _ratings_sent(self, when: Any) -> None:
        self.ratings_line.value = status_markup(f"Sent to your facilitator {local_time(when)}.", "ok")

    def _ratings_failed(self, message: str) -> None:
        self.ratings_line.value = status_line(
            f"Your rating is saved here but could not be sent yet: {message}. It is sent with your next change, "
            "or press “Submit my reviews”.",
            "warn",
            role="alert",
        )

    def submit(self, **options: Any) -> SubmitPanel:
        """The Submit control for the reviews; on a page with nothing to review or rate, no button at all."""
        options.setdefault("noun", "reviews")
        if not self.forms and not self.ratings:
            options.setdefault("nothing_to_submit", "Nothing to submit yet: there is no work for you to review.")
        return super().submit(**options)

    def next_step(self) -> str:
        """After submitting reviews: the feedback comes here; then the next path."""
        if self.ratings:
            return super().next_step()
        waiting = render_next_step("Next: your feedback appears on this page once your facilitator closes the round.")
        return waiting + super().next_step()

    def close(self) -> None:
        if self.delivery is not None:
            self.delivery.flush()
            self.delivery.stop()
        super().close()

    def _page(
        self,
        title: str,
        packet: dict[str, Any] | None,
        answer_id: str,
        token: str,
        rubric: Rubric,
        *,
        own_work: bool = False,
    ) -> Any:
        self.titles.append(title)
        intro = (
            "Assess your own submission on the same rubric."
            if own_work
            else "Read the whole submission first, then fill in the rubric."
        )
        body = (
            render_packet(packet, heading=title)
            if packet
            else f"<h2>{html.escape(title)}</h2><p><em>This submission could not be read.</em></p>"
        )
        form = self._answer(ReviewForm(self.session, answer_id, token, rubric, look=self.look))
        self.forms.append(form)
        return widgets.VBox(
            [self.look.html_widget(body), self.look.html_widget(status_line(intro, "info")), form],
            layout=self.look.full_width,
        )


def _removed_notice(manifest: dict[str, Any]) -> str:
    """The author's own line about names taken out of their submission before peers read it ("" if none)."""
    count = manifest.get("removed")
    if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
        return ""
    return f'<div class="peerkit-names-removed">{notice_box(removed_message(count), "info")}</div>'


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip())
