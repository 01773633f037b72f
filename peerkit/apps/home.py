"""The course home (a Voilà app): the learner's paths in order, with where they stand in each."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from traitlets.config import Config

from peerkit.apps.catalog import PathEntry, list_paths
from peerkit.core.errors import PeerkitError
from peerkit.exchange.context import LearnerContext, resolve_learner_context
from peerkit.widgets.look import Look
from peerkit.widgets.status import day_and_time, notice_box, status_line
from peerkit.widgets.visit import when_visited

#: The learner's other apps, beside the home in their course folder (:data:`peerkit.apps.APP_NOTEBOOKS`).
LINKS = (
    '<a href="progress.ipynb" target="_self">My progress</a> · '
    '<a href="gallery.ipynb" target="_self">Example gallery</a>'
)

_BADGES = {
    "available": ("Not fetched yet", "#55595f"),
    "not-started": ("Not started", "#55595f"),
    "in-progress": ("In progress", "#8a5300"),
    "submitted-with-blanks": ("Submitted with blanks", "#8a5300"),
    "submitted": ("Submitted", "#1a6b37"),
}


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
    return None, notice_box(f"Your progress cannot be shown: {context.problem}.", "warn")


def path_card(entry: PathEntry) -> str:
    """The HTML card of one path (every text escaped)."""
    label, color = _BADGES[entry.state]
    detail = ""
    if entry.state in ("submitted", "submitted-with-blanks") and entry.submitted_at:
        detail = f" · {day_and_time(entry.submitted_at)}"
        if entry.state == "submitted-with-blanks":
            detail += f" · {blanks_detail(entry)}"
        if entry.changed_since_submit:
            detail += " · changed since: submit again to send your changes"
    elif entry.state == "in-progress":
        detail = f" · {entry.answered} answer{'s' if entry.answered != 1 else ''} saved"
    minutes = f"{entry.minutes} min · " if entry.minutes else ""
    title = html.escape(entry.title)
    heading = title if entry.state == "available" else f'<a href="{html.escape(entry.link)}" target="_self">{title}</a>'
    # A review assignment sits under its path, indented, without a number of its own.
    review = entry.review_of is not None
    number = "" if review else f"{entry.position}. "
    kind, indent = (
        ("peerkit-path-card peerkit-review-card", "margin:-4px 0 10px 2rem")
        if review
        else ("peerkit-path-card", "margin:10px 0")
    )
    return (
        f'<article class="{kind}" data-path="{html.escape(entry.id)}" '
        f'style="border:1px solid #d0d7de;border-radius:8px;padding:12px 16px;{indent};max-width:46rem">'
        f'<h3 style="margin:0 0 4px 0;font-size:1.15em">{number}{heading}</h3>'
        f'<p style="margin:0 0 6px 0">{html.escape(entry.summary)}</p>'
        f'<p style="margin:0;font-size:0.9em;color:#55595f">{minutes}'
        f'<span class="peerkit-badge" style="color:{color};font-weight:600">{label}</span>{html.escape(detail)}</p>'
        "</article>"
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
        super().__init__([self.header, self.notice, self.cards], layout=widgets.Layout(width="100%", max_width="48rem"))
        self.add_class("peerkit-home")
        self.refresh()
        when_visited(self.refresh, name="peerkit-home-refresh")

    def refresh(self) -> None:
        """Re-read where the learner stands and update the cards in place.

        Runs when a preheated kernel is handed to a visitor, i.e. while the browser is still
        loading this page's widgets: existing widgets are updated, never replaced, so the page
        never refers to a widget the browser has not received yet.
        """
        entries = list_paths(self.folder, self.config, learner=self.learner)
        course_title = next((e.course_title for e in entries if e.course_title), "Your course")
        who = f" · signed in as {self.learner}" if self.learner else ""
        paths = [e for e in entries if e.review_of is None]
        done = sum(1 for e in paths if e.state == "submitted")
        blanks = sum(1 for e in paths if e.state == "submitted-with-blanks")
        partly = f" ({blanks} more submitted with blanks)" if blanks else ""
        self.header.value = (
            f'<h1 style="margin:0.2em 0 0.1em 0">{html.escape(course_title)}</h1>'
            f'<p style="margin:0;color:#55595f">{done} of {len(paths)} paths submitted{partly}{html.escape(who)}</p>'
            f'<p class="peerkit-home-links" style="margin:6px 0 0 0">{LINKS}</p>'
        )
        children: list[Any] = []
        for entry in entries:
            card = self._cards.get(entry.id)
            if card is None:
                card = self._cards[entry.id] = widgets.HTML(layout=self.look.full_width, style=self.look.html)
            card.value = path_card(entry)
            if entry.state == "available":
                children.append(self._start_box(entry, card))
            else:
                children.append(card)
        if not entries:
            children.append(self._empty)
        if tuple(children) != tuple(self.cards.children):
            self.cards.children = tuple(children)

    def _start_box(self, entry: PathEntry, card: widgets.HTML) -> widgets.VBox:
        box = self._start_boxes.get(entry.id)
        if box is None:
            button = widgets.Button(description=f"Start “{entry.title}”", button_style="primary", icon="download")
            status = widgets.HTML()
            button.on_click(lambda _b, e=entry, s=status: self._fetch(e, s))
            box = self._start_boxes[entry.id] = widgets.VBox([card, button, status])
        return box

    def _fetch(self, entry: PathEntry, status: widgets.HTML) -> None:
        if self.learner is None:
            status.value = status_line("Cannot fetch: no learner is known for this session.", "error", role="alert")
            return
        status.value = status_line("Fetching…", "info")
        try:
            from peerkit.nbgrader.learner import fetch

            fetch(self.config, entry.id, assignment_dir=self.folder, learner=self.learner)
        except PeerkitError as exc:
            status.value = status_line(f"Could not fetch this path: {exc}", "error", role="alert")
            return
        self.refresh()
