"""The course home (a Voilà app): the learner's paths in order, with where they stand in each."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from traitlets.config import Config

from peerkit.apps.catalog import PathEntry
from peerkit.apps.journey import Status, continue_with, status_of
from peerkit.apps.my_profile import ProfileSection
from peerkit.apps.overview import Overview, learner_overview
from peerkit.core.errors import PeerkitError
from peerkit.exchange.context import LearnerContext, resolve_learner_context
from peerkit.widgets.context import unknown_learner
from peerkit.widgets.frame import Place, render_frame, titled
from peerkit.widgets.look import Look
from peerkit.widgets.status import local_time, notice_box, status_line
from peerkit.widgets.trouble import TRY_AGAIN, plain_problem
from peerkit.widgets.visit import when_visited

_TONES = {"muted": "#55595f", "progress": "#8a5300", "action": "#8a5300", "ok": "#1a6b37"}


def blanks_detail(entry: PathEntry) -> str:
    """What a path submitted with blanks lacks, in plain words."""
    state = entry.completeness
    if state is None or state.complete:
        return ""
    if state.status == "no-answers":
        return "no answers yet: answer, then submit again"
    return f"{state.summary()}: fill in the rest, then submit again"


def page_learner(context: LearnerContext) -> tuple[str | None, str]:
    """Whose page this is, and, when nobody can be told, None and a notice saying why."""
    if context.learner is not None:
        return context.learner, ""
    return None, notice_box(
        unknown_learner("Your progress cannot be shown", context.problem, where="course home"), "warn"
    )


def _plain_status(entry: PathEntry) -> Status:
    """A path's status from its own folder alone (without the review round's documents)."""
    return {
        "available": Status("Not started", "muted"),
        "not-started": Status("Not started", "muted"),
        "in-progress": Status("In progress", "progress"),
        "submitted-with-blanks": Status("Submitted with blanks", "action"),
        "submitted": Status("Submitted", "ok"),
    }[entry.state]


def path_card(entry: PathEntry, status: Status | None = None, *, level: int = 2) -> str:
    """The HTML card of one path (every text escaped): its number, title, summary, time it takes,
    its status, what it lacks, when it was submitted and when it is due (times in the reader's zone).

    *level*: the card title's heading level (3 where the cards sit under a "Paths" heading of level 2)."""
    status = status or _plain_status(entry)
    details: list[str] = []
    if status.detail:
        details.append(html.escape(status.detail))
    if entry.state in ("submitted", "submitted-with-blanks") and entry.submitted_at:
        details.append(f"submitted {local_time(entry.submitted_at)}")
        if entry.state == "submitted-with-blanks":
            details.append(html.escape(blanks_detail(entry)))
        if entry.changed_since_submit:
            details.append("changed since: submit again to send your changes")
    elif entry.state == "in-progress" and not status.detail:
        details.append(f"{entry.answered} answer{'s' if entry.answered != 1 else ''} saved")
    if entry.due is not None and status.label != "Done":
        details.append(f'<span class="peerkit-due">due {local_time(entry.due)}</span>')
    minutes = f"{entry.minutes} min · " if entry.minutes else ""
    title = html.escape(entry.title)
    heading = title if entry.state == "available" else f'<a href="{html.escape(entry.link)}" target="_self">{title}</a>'
    # A review assignment sits under its path, indented, without a number of its own.
    review = entry.review_of is not None
    number = "" if review or titled(entry.label, entry.title) == entry.title else f"{html.escape(entry.label)}: "
    kind, indent = (
        ("peerkit-path-card peerkit-review-card", "margin:-4px 0 10px 2rem")
        if review
        else ("peerkit-path-card", "margin:10px 0")
    )
    action = ""
    if status.link:
        action = (
            f' · <a class="peerkit-card-action" href="{html.escape(status.link)}" target="_self">'
            f"{html.escape(status.link_text or 'Open')}</a>"
        )
    color = _TONES[status.tone]
    return (
        f'<article class="{kind}" data-path="{html.escape(entry.id)}" data-status="{html.escape(status.label)}" '
        f'style="border:1px solid #d0d7de;border-radius:8px;padding:12px 16px;{indent};max-width:46rem;'
        'box-sizing:border-box;overflow-wrap:anywhere">'
        f'<h{level} style="margin:0 0 4px 0;font-size:1.15em">{number}{heading}</h{level}>'
        f'<p style="margin:0 0 6px 0">{html.escape(entry.summary)}</p>'
        f'<p style="margin:0;font-size:0.9em;color:#55595f">{minutes}'
        f'<span class="peerkit-badge" style="color:{color};font-weight:600">{html.escape(status.label)}</span>'
        f"{''.join(' · ' + d for d in details)}{action}</p>"
        "</article>"
    )


def render_continue(entry: PathEntry | None) -> str:
    """The "continue where you left off" line: the path the learner touched last ("" when none)."""
    if entry is None or entry.last_touched is None:
        return ""
    return (
        '<p class="peerkit-continue" style="margin:8px 0 0 0;font-weight:600">Continue where you left off: '
        f'<a href="{html.escape(entry.link)}" target="_self">{html.escape(entry.title)}</a> '
        f'<span style="font-weight:normal;color:#55595f">(last saved {local_time(entry.last_touched)})</span></p>'
    )


class CourseHome(widgets.VBox):
    """Lists the learner's learning paths; fetches a released path on request."""

    def __init__(
        self,
        *,
        folder: Path | str | None = None,
        config: Config | None = None,
        learner: str | None = None,
        context: LearnerContext | None = None,
    ) -> None:
        self.context = context or resolve_learner_context(folder, config=config, learner=learner)
        self.folder = self.context.folder
        self.config = self.context.config
        self.notice = widgets.HTML()
        self.header = widgets.HTML()
        self.look = Look()
        self.cards = widgets.VBox(layout=self.look.full_width)
        self._cards: dict[str, widgets.HTML] = {}
        self._start_boxes: dict[str, widgets.VBox] = {}
        self._empty = self.look.html_widget(status_line("No learning paths have been released yet.", "muted"))
        self.learner, self.notice.value = page_learner(self.context)
        # Asked once (in Start here), edited here whenever what a learner knows or wants changes.
        self.profile = ProfileSection(self.context, look=self.look, on_shared=self.refresh)
        super().__init__(
            [self.header, self.notice, self.cards, self.profile], layout=widgets.Layout(width="100%", max_width="48rem")
        )
        self.add_class("peerkit-home")
        self.refresh()
        when_visited(self.refresh, name="peerkit-home-refresh")

    def refresh(self) -> None:
        """Re-read where the learner stands and update the cards in place.

        Runs when a preheated kernel is handed to a visitor, i.e. while the browser is still
        loading this page's widgets: existing widgets are updated, never replaced, so the page
        never refers to a widget the browser has not received yet.
        """
        self.overview: Overview = learner_overview(self.folder, self.config, learner=self.learner, context=self.context)
        entries = list(self.overview.entries)
        course_title = next((e.course_title for e in entries if e.course_title), "Your course")
        who = f" · signed in as {self.learner}" if self.learner else ""
        paths = [e for e in entries if e.review_of is None]
        done = sum(1 for e in paths if e.state == "submitted")
        blanks = sum(1 for e in paths if e.state == "submitted-with-blanks")
        partly = f" ({blanks} more submitted with blanks)" if blanks else ""
        self.header.value = (
            render_frame(Place(course_title=course_title, here="Course home"))
            + f'<h1 style="margin:0.2em 0 0.1em 0">{html.escape(course_title)}</h1>'
            f'<p style="margin:0;color:#55595f">{done} of {len(paths)} paths submitted{partly}{html.escape(who)}</p>'
            + render_continue(continue_with(entries))
        )
        children: list[Any] = []
        for entry in entries:
            card = self._cards.get(entry.id)
            if card is None:
                card = self._cards[entry.id] = widgets.HTML(layout=self.look.full_width, style=self.look.html)
            card.value = path_card(entry, status_of(entry, self.overview))
            if entry.state == "available":
                children.append(self._start_box(entry, card))
            else:
                children.append(card)
        if not entries:
            children.append(self._empty)
        if tuple(children) != tuple(self.cards.children):
            self.cards.children = tuple(children)
        if self.learner is not None:
            self.profile.show(entries)
        else:
            self.profile.layout.display = "none"

    def _start_box(self, entry: PathEntry, card: widgets.HTML) -> widgets.VBox:
        box = self._start_boxes.get(entry.id)
        if box is None:
            button = widgets.Button(description=f"Start “{entry.title}”", button_style="primary", icon="play")
            status = widgets.HTML()
            button.on_click(lambda _b, e=entry, s=status: self._fetch(e, s))
            box = self._start_boxes[entry.id] = widgets.VBox([card, button, status])
        return box

    def _fetch(self, entry: PathEntry, status: widgets.HTML) -> None:
        if self.learner is None:
            status.value = status_line("Cannot start: no learner is known for this session.", "error", role="alert")
            return
        status.value = status_line("Getting the path ready…", "info")
        try:
            from peerkit.nbgrader.learner import fetch

            fetch(self.config, entry.id, assignment_dir=self.folder, learner=self.learner)
        except PeerkitError as exc:
            status.value = status_line(
                plain_problem(
                    "This path could not be got ready for you right now.",
                    exc,
                    safe="Nothing of yours is affected.",
                    then=TRY_AGAIN,
                    where=f"start of {entry.id}, learner {self.learner}",
                ),
                "error",
                role="alert",
            )
            return
        self.refresh()
