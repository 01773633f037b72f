"""The learner's "my progress" page (a Voilà app): paths done, reviews to do, feedback waiting,
the summary notes released to everyone, and the way to the example gallery."""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets
from traitlets.config import Config

from peerkit.apps.home import page_learner, path_card
from peerkit.apps.journey import status_of
from peerkit.apps.overview import Overview, learner_overview, reviews_left
from peerkit.apps.packet_view import grade_text
from peerkit.exchange.context import LearnerContext, resolve_learner_context
from peerkit.widgets.frame import Place, render_frame
from peerkit.widgets.look import Look
from peerkit.widgets.public_view import render_notes
from peerkit.widgets.visit import when_visited

_SECTION = '<h2 style="margin:1.2em 0 0.3em 0;font-size:1.25em">{}</h2>'


def _item(text: str, link: str | None = None, *, css: str) -> str:
    body = html.escape(text)
    if link:
        body = f'<a href="{html.escape(link)}" target="_self">{body}</a>'
    return f'<li class="{css}" style="margin:4px 0">{body}</li>'


def render_overview(view: Overview, learner: str | None) -> str:
    """The whole page as HTML (every text escaped)."""
    who = f" · signed in as {learner}" if learner else ""
    title = next((e.course_title for e in view.entries if e.course_title), "Your course")
    parts = [
        render_frame(Place(course_title=title, here="My progress")),
        '<h1 style="margin:0.2em 0 0.1em 0">My progress</h1>',
        f'<p style="margin:0;color:#55595f">{view.done} of {len(view.paths)} paths done{html.escape(who)} · '
        '<a href="home.ipynb" target="_self">Course home</a></p>',
        _SECTION.format("Reviews to do"),
    ]
    todo = [r for r in view.reviews if r.open or r.unsent]
    if not todo:
        parts.append('<p class="peerkit-none">Nothing to review right now.</p>')
    else:
        items = []
        for r in todo:
            state = reviews_left(r) or "all written"
            if r.unsent:
                state += "; submit your reviews so your peers get them"
            items.append(_item(f"{r.title} ({state})", r.link, css="peerkit-review-todo"))
        parts.append("<ul>" + "".join(items) + "</ul>")
    parts.append(_SECTION.format("Feedback for you"))
    if not view.feedback:
        parts.append('<p class="peerkit-none">No feedback released yet.</p>')
    else:
        items = []
        for f in view.feedback:
            grade = grade_text(f.points, f.max_points, f.gradebook)
            rate = f"; rate {f.reviews - f.rated} of the {f.reviews} reviews" if f.rated < f.reviews else "; all rated"
            items.append(_item(f"{f.title}: {grade}{rate}", f.link, css="peerkit-feedback-waiting"))
        parts.append("<ul>" + "".join(items) + "</ul>")
    parts.append(_SECTION.format("Summary notes"))
    if not view.notes:
        parts.append('<p class="peerkit-none">Your facilitator has not released summary notes yet.</p>')
    parts += [render_notes(doc, open_=index == len(view.notes) - 1) for index, doc in enumerate(view.notes)]
    parts.append(_SECTION.format("Example gallery"))
    count = f"{view.gallery_items} example{'s' if view.gallery_items != 1 else ''}"
    parts.append(
        f'<p><a class="peerkit-gallery-link" href="gallery.ipynb" target="_self">Browse the gallery ({count})</a></p>'
    )
    parts.append(_SECTION.format("Paths"))
    return "".join(parts)


class ProgressPage(widgets.VBox):
    """The learner's progress page; re-read when a visitor arrives and on Refresh."""

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
        self.look = Look()
        self.notice = widgets.HTML()
        self.body = self.look.html_widget()
        self.cards = self.look.html_widget()
        self.learner, self.notice.value = page_learner(self.context)
        self.button = widgets.Button(description="Refresh", icon="refresh")
        self.button.on_click(lambda _b: self.refresh())
        super().__init__(
            [self.notice, self.body, self.cards, self.button], layout=widgets.Layout(width="100%", max_width="48rem")
        )
        self.add_class("peerkit-progress-page")
        self.refresh()
        when_visited(self.refresh, name="peerkit-progress-refresh")

    def refresh(self) -> None:
        """Read everything again and update the page in place."""
        self.overview = learner_overview(self.folder, self.config, learner=self.learner, context=self.context)
        self.body.value = render_overview(self.overview, self.learner)
        cards = "".join(path_card(entry, status_of(entry, self.overview), level=3) for entry in self.overview.paths)
        self.cards.value = cards or "<p>No paths released yet.</p>"
