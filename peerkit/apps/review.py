"""The review app (a Voilà page): a learner's review packets one by one, the rubric, their self-assessment.

It is the notebook of the ``<path>-review`` nbgrader assignment; its answers are reviews, saved
and submitted like any path's answers. Packets come from the learner's own review channel
(:mod:`peerkit.review.channel`), found through their nbgrader submission secrets.
"""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from traitlets.config import Config

from peerkit.apps.packet_view import render_feedback_summary, render_packet, render_received_review
from peerkit.core.errors import PeerkitError
from peerkit.core.packets import MAX_PACKET_BYTES
from peerkit.core.rubric import Rubric
from peerkit.review.channel import FEEDBACK_FORMAT, feedback_file, learner_channels, read_packet, read_round
from peerkit.widgets.page import PathPage
from peerkit.widgets.rating import RatingForm
from peerkit.widgets.review_form import ReviewForm
from peerkit.widgets.status import notice_box, status_line

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
    ) -> None:
        super().__init__(f"{path_id}-review", folder=folder, learner=learner, config=config)
        self.reviewed_path = path_id
        self.forms: list[ReviewForm] = []
        self.ratings: list[RatingForm] = []
        self.titles: list[str] = []
        self.view = widgets.VBox(layout=self.look.block)
        self.view.add_class("peerkit-review-app")
        self._build()

    def _channel(self) -> tuple[list[Path], str]:
        session = self.session
        if not session.saves or session.config is None or session.learner is None:
            return [], session.notice
        try:
            channels = learner_channels(session.config, self.reviewed_path, learner=session.learner)
        except PeerkitError as exc:
            return [], f"Your review packets cannot be found: {exc}."
        if not channels:
            return [], (
                "No reviews for you yet. Packets are shared with learners who submitted the path; "
                "once the facilitator opens the review round after your submission, they appear here."
            )
        return channels, ""

    def _build(self) -> None:
        channels, problem = self._channel()
        if problem:
            self.view.children = (self.look.html_widget(notice_box(problem, "info")),)
            return
        manifest, rubric = read_round(channels[0], self.reviewed_path)
        tokens: list[str] = []
        for channel in channels:  # a learner who resubmitted may hold packets in an older channel too
            doc, _ = read_round(channel, self.reviewed_path)
            tokens += [t for t in doc["packets"] if t not in tokens]
        pages: list[Any] = []
        for number, token in enumerate(tokens, start=1):
            packet = self._packet(channels, token)
            title = f"Submission {number} of {len(tokens)}"
            pages.append(self._page(title, packet, review_answer_id(token), token, rubric))
        own = manifest.get("self")
        if own:
            packet = self._packet(channels, own)
            pages.append(self._page("Your own submission", packet, SELF, own, rubric, own_work=True))
        feedback = self._feedback(channels)
        if feedback is not None:
            pages.append(self._feedback_page(feedback))
        title = html.escape(str(manifest.get("path_title", self.reviewed_path)))
        header = self.look.html_widget(
            f'<h2 style="margin:0.2em 0">Review: {title}</h2>'
            f'<div class="peerkit-guidance" style="max-width:46rem">{_paragraphs(rubric.guidance)}</div>'
        )
        if not pages:
            self.view.children = (
                header,
                self.look.html_widget(notice_box("You have no packets to review in this round.")),
            )
            return
        picker = widgets.ToggleButtons(options=[(t, i) for i, t in enumerate(self.titles)], value=0, description="Show")
        picker.add_class("peerkit-packet-picker")
        stack = widgets.Stack(pages, selected_index=0, layout=self.look.full_width)
        widgets.jslink((picker, "index"), (stack, "selected_index"))
        self.picker, self.stack = picker, stack
        self.view.children = (header, picker, stack)

    def _feedback(self, channels: list[Path]) -> dict[str, Any] | None:
        for channel in channels:
            try:
                doc = json.loads((channel / feedback_file(self.reviewed_path)).read_bytes()[:MAX_PACKET_BYTES])
            except (OSError, ValueError):
                continue
            if isinstance(doc, dict) and doc.get("format") == FEEDBACK_FORMAT:
                return doc
        return None

    def _feedback_page(self, doc: dict[str, Any]) -> Any:
        """The learner's grade, each review they received, and a rating form for each review."""
        self.titles.append("Your feedback")
        children: list[Any] = [self.look.html_widget(render_feedback_summary(doc))]
        reviews = [r for r in doc.get("reviews", []) if isinstance(r, dict) and isinstance(r.get("token"), str)]
        if reviews:
            children.append(
                self.look.html_widget(
                    status_line("Rate each review: your ratings help reviewers improve and stay anonymous.", "info")
                )
            )
        for review in reviews:
            children.append(self.look.html_widget(render_received_review(review)))
            form = self._answer(
                RatingForm(self.session, rating_answer_id(review["token"]), review["token"], look=self.look)
            )
            self.ratings.append(form)
            children.append(form)
        return widgets.VBox(children, layout=self.look.full_width)

    def _packet(self, channels: list[Path], token: str) -> dict[str, Any] | None:
        for channel in channels:
            try:
                return read_packet(channel, token)
            except PeerkitError:
                continue
        log.warning("review packet %s could not be read", token)
        return None

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
            else f"<h3>{html.escape(title)}</h3><p><em>This packet could not be read.</em></p>"
        )
        form = self._answer(ReviewForm(self.session, answer_id, token, rubric, look=self.look))
        self.forms.append(form)
        return widgets.VBox(
            [self.look.html_widget(body), self.look.html_widget(status_line(intro, "info")), form],
            layout=self.look.full_width,
        )


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip())
