"""The facilitator dashboard (a Voilà app): progress, participation, review health, grades, summary
notes, the gallery and exports, for one path or the whole course.

``Dashboard()`` reads its settings like every front end (:class:`peerkit.config.settings.PeerkitConfig`:
the course's ``peerkit_config.py`` and the facilitator server's ``PEERKIT_*`` variables), or takes
them as arguments; every action goes through :class:`peerkit.facilitator.api.Facilitator`.
**Refresh** ingests what learners' pages recorded and reads the store again. The read-only sections
are rendered by :mod:`peerkit.dashboard.views`; the summary notes editor, the gallery's curation and
the exports act through the same API as the ``peerkit`` commands.

Speed: the cohort snapshot is read once per refresh (choosing another path reuses it), and only
the tab on screen is drawn; another tab is drawn when it is first shown, and again only after a
refresh or a change of path. The snapshot reads what the first tab needs (statuses, not answers);
answer sheets and reviews are read when a tab first needs them (:mod:`peerkit.facilitator.data`).
``bench/dashboard.py`` times the first tab for 100 and 10,000 learners.
"""

from __future__ import annotations

import base64
import getpass
import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from peerkit.config.settings import PeerkitConfig
from peerkit.core.curation import SummaryNote
from peerkit.core.errors import NotFound, PeerkitError
from peerkit.dashboard import views
from peerkit.dashboard.plots import INK
from peerkit.facilitator.api import Facilitator
from peerkit.facilitator.data import Cohort
from peerkit.widgets.look import Look
from peerkit.widgets.public_view import markdown_html
from peerkit.widgets.status import day_and_time, status_line

SECTIONS = ("Progress", "Participation", "Review health", "Grades", "Summary notes", "Gallery", "Exports")
#: The dashboard's own page styles (the template is the learners' pages'): tab labels and buttons
#: with text at ≥ 4.5:1 (ipywidgets draws inactive tab labels at 4.45:1 on their grey), and a
#: visible focus ring; a tab's content never scrolls inside the tab (a region that scrolls must
#: take keyboard focus, which ipywidgets' boxes cannot), the page does.
STYLE = f"""<style>
.peerkit-dashboard .lm-TabBar-tab, .peerkit-dashboard .lm-TabBar-tabLabel {{ color: {INK} !important; }}
.peerkit-dashboard .lm-TabBar-tab:not(.lm-mod-current) {{ background: #e8eaed !important; }}
.peerkit-dashboard :focus-visible {{ outline: 2px solid #0b57d0 !important; outline-offset: 2px; }}
.peerkit-dashboard .widget-tab-contents > .widget-box {{ overflow: visible !important; }}
.peerkit-dashboard h2 {{ font-size: 1.3em; margin: 0.4em 0 0.3em 0; }}
.peerkit-dashboard details > summary {{ cursor: pointer; color: {INK}; }}
.peerkit-dashboard .peerkit-responses td {{ white-space: pre-line; }}
</style>"""


class Dashboard(widgets.VBox):
    """The facilitator's dashboard; display it (a notebook's last expression)."""

    def __init__(
        self,
        *,
        course: Path | str | None = None,
        workdir: Path | str | None = None,
        db: str | None = None,
        facilitator: Facilitator | None = None,
        by: str | None = None,
    ) -> None:
        self.desk = facilitator or Facilitator.open(PeerkitConfig.load(course_file=course, workdir=workdir, db_url=db))
        self.by = by or getpass.getuser()
        self.look = Look()
        self.status = self.look.html_widget()
        self.path = widgets.Dropdown(description="Path", style=self.look.text, layout=widgets.Layout(width="28rem"))
        refresh = widgets.Button(description="Refresh", icon="refresh")
        refresh.on_click(lambda _b: self.refresh())
        self.sections = {name: self.look.html_widget() for name in SECTIONS[:4]}
        self.notes = NotesEditor(self)
        self.gallery = GalleryCurator(self)
        self.exports = Exports(self)
        self.tabs = widgets.Tab(
            children=[
                *(widgets.VBox([w]) for w in self.sections.values()),
                self.notes,
                self.gallery,
                self.exports,
            ],
            titles=list(SECTIONS),
        )
        self.tabs.selected_index = 0
        self.drawn: set[str] = set()  # the tabs drawn since the last refresh or change of path
        header = self.look.html_widget(
            f"{STYLE}"
            f'<h1 style="margin:0.2em 0 0.1em 0">Facilitator dashboard</h1>'
            f'<p style="margin:0;color:{INK}">{html.escape(self.desk.course.title)}</p>'
        )
        super().__init__(
            [header, widgets.HBox([self.path, refresh]), self.status, self.tabs], layout=widgets.Layout(width="100%")
        )
        self.add_class("peerkit-dashboard")
        self.path.options = list(views.path_options(self.desk.course))
        self.path.value = ""
        self.path.observe(lambda _change: self.render(), names="value")
        self.tabs.observe(lambda _change: self.show_tab(), names="selected_index")
        self.refresh()

    @property
    def path_id(self) -> str | None:
        return self.path.value or None

    def act(self, what: Callable[[], str]) -> None:
        """Run a facilitator action; say how it went in the status line, never raise into the page."""
        try:
            self.status.value = status_line(what(), "ok")
        except PeerkitError as exc:
            self.status.value = status_line(str(exc), "error", role="alert")

    def refresh(self) -> None:
        """Ingest learners' activity, then read the store again (one snapshot) and redraw."""
        self.act(lambda: self.desk.refresh().summary())
        self.cohort: Cohort = self.desk.cohort()
        self.render()

    def render(self) -> None:
        """Forget what was drawn (a refresh, another path) and draw the tab on screen."""
        self.drawn.clear()
        self.show_tab()

    def show_tab(self) -> None:
        """Draw the selected tab unless it is drawn already for this snapshot and path."""
        name = SECTIONS[self.tabs.selected_index or 0]
        if name in self.drawn:
            return
        self.drawn.add(name)
        path_id = self.path_id
        if name in self.sections:
            body = f"<h2>{html.escape(name)}</h2>{views.SECTIONS[name](self.cohort, path_id)}"
            css = f"peerkit-dash-{name.lower().replace(' ', '-')}"
            self.sections[name].value = f'<div class="{css}">{body}</div>'
        elif name == "Summary notes":
            self.notes.show(path_id)
        elif name == "Gallery":
            self.gallery.show()
        else:
            self.exports.show(path_id)


class NotesEditor(widgets.VBox):
    """Draft, edit and release the summary notes of the selected path."""

    def __init__(self, board: Dashboard) -> None:
        self.board = board
        self.state = board.look.html_widget()
        self.text = widgets.Textarea(rows=16, layout=widgets.Layout(width="100%", max_width="56rem"))
        self.text.add_class("peerkit-notes-text")
        self.preview = board.look.html_widget()
        self.text.observe(lambda change: setattr(self.preview, "value", markdown_html(change["new"])), names="value")
        buttons = []
        for label, action, style in (
            ("Draft from reflections", self.draft, ""),
            ("Save", self.save, ""),
            ("Release to learners", self.release, "primary"),
        ):
            button = widgets.Button(description=label, button_style=style, layout=widgets.Layout(width="auto"))
            button.on_click(lambda _b, act=action: board.act(act))
            buttons.append(button)
        self.buttons = widgets.HBox(buttons)
        self.text.description = "Notes (Markdown)"
        self.text.style = board.look.text
        super().__init__(
            [
                board.look.html_widget("<h2>Summary notes</h2>"),
                self.state,
                self.text,
                self.buttons,
                board.look.html_widget("<h3>Preview</h3>"),
                self.preview,
            ]
        )
        self.add_class("peerkit-notes-editor")

    @property
    def path_id(self) -> str | None:
        return self.board.path_id

    def show(self, path_id: str | None) -> None:
        self.buttons.layout.display = "none" if path_id is None else ""
        self.text.disabled = path_id is None
        if path_id is None:
            self.state.value = status_line("Choose a path above to draft, edit and release its summary notes.", "info")
            self.text.value = ""
            return
        try:
            note: SummaryNote | None = self.board.desk.note(path_id=path_id)
        except NotFound:  # before the first draft
            note = None
        self.text.value = note.text if note else ""
        self.show_state(note)

    def show_state(self, note: SummaryNote | None) -> None:
        state = "no notes yet" if note is None else note.state
        if note is not None and note.released_at is not None:
            state += f" (released {day_and_time(note.released_at)})"
        self.state.value = status_line(f"{self.path_id}: {state}", "muted")

    def draft(self) -> str:
        note = self.board.desk.draft_notes(path_id=str(self.path_id), keep_edits=False)
        self.text.value = note.text
        self.show_state(note)
        return f"drafted from {note.sources} reflections; edit, save, release"

    def save(self) -> str:
        note = self.board.desk.edit_notes(path_id=str(self.path_id), text=self.text.value, by=self.board.by)
        self.show_state(note)
        return f"saved ({note.state})"

    def release(self) -> str:
        desk, path_id = self.board.desk, str(self.path_id)
        desk.edit_notes(path_id=path_id, text=self.text.value, by=self.board.by)
        desk.release_notes(path_id=path_id, by=self.board.by)
        self.show_state(desk.note(path_id=path_id))
        return "released: every learner's progress page shows these notes"


class GalleryCurator(widgets.VBox):
    """Approve or hide learners' examples; the approved ones are published without their authors."""

    def __init__(self, board: Dashboard) -> None:
        self.board = board
        self.pick = widgets.Select(
            description="Examples",
            rows=8,
            style=board.look.text,
            layout=widgets.Layout(width="100%", max_width="56rem"),
        )
        self.preview = board.look.html_widget()
        self.pick.observe(lambda _change: self.preview_item(), names="value")
        approve = widgets.Button(description="Approve", icon="check")  # "success" green fails contrast (4.1:1)
        hide = widgets.Button(description="Hide", icon="eye-slash")
        approve.on_click(lambda _b: board.act(lambda: self.decide("approved")))
        hide.on_click(lambda _b: board.act(lambda: self.decide("hidden")))
        super().__init__(
            [board.look.html_widget("<h2>Gallery</h2>"), self.pick, widgets.HBox([approve, hide]), self.preview]
        )
        self.add_class("peerkit-gallery-curator")
        self.items: dict[str, Any] = {}

    def show(self) -> None:
        found = self.board.desk.gallery()
        self.items = {i.id: i for i in found}
        chosen = self.pick.value
        self.pick.options = [(f"[{i.state}] {i.path_id}: {i.title or '(untitled)'} — {i.learner}", i.id) for i in found]
        self.pick.value = chosen if chosen in self.items else (found[0].id if found else None)
        self.preview_item()

    def preview_item(self) -> None:
        from peerkit.widgets.public_view import render_example

        item = self.items.get(self.pick.value or "")
        if item is None:
            self.preview.value = status_line("No examples contributed yet.", "muted")
            return
        path_title = self.board.desk.course.path(item.path_id).title
        self.preview.value = render_example({**item.value, "path_title": path_title})

    def decide(self, status: str) -> str:
        if not self.pick.value:
            return "choose an example first"
        item = self.board.desk.decide_example(item=self.pick.value, status=status, by=self.board.by)
        self.show()
        return f"“{item.title}”: {item.state}; gallery published"


class Exports(widgets.VBox):
    """Write grades, reviews or the whole round to the work folder's ``exports/``, with a download link."""

    def __init__(self, board: Dashboard) -> None:
        self.board = board
        self.names = widgets.Checkbox(
            description="learners' ids instead of pseudonyms", value=False, style=board.look.check
        )
        self.links = board.look.html_widget()
        buttons = []
        for label, kind in (
            ("Grades CSV (Canvas)", "grades-canvas"),
            ("Grades CSV (Moodle)", "grades-moodle"),
            ("Reviews CSV", "reviews"),
            ("Round JSON", "round"),
        ):
            button = widgets.Button(description=label, layout=widgets.Layout(width="auto"), icon="download")
            button.on_click(lambda _b, k=kind: board.act(lambda: self.export(k)))
            buttons.append(button)
        self.note = board.look.html_widget()
        super().__init__(
            [board.look.html_widget("<h2>Exports</h2>"), self.note, widgets.HBox(buttons), self.names, self.links]
        )
        self.add_class("peerkit-exports")

    @property
    def path_id(self) -> str | None:
        return self.board.path_id

    def show(self, path_id: str | None) -> None:
        scope = "every peer-reviewed path" if path_id is None else path_id
        self.note.value = status_line(f"Grades of {scope}; reviews and the round need one peer-reviewed path.", "muted")

    def export(self, kind: str) -> str:
        desk = self.board.desk
        if kind.startswith("grades"):
            chosen = [self.path_id] if self.path_id else []
            made = desk.export(kind="grades", path_ids=chosen, lms=kind.split("-", 1)[1])
        else:
            if self.path_id is None or desk.course.path(self.path_id).review is None:
                return "choose one peer-reviewed path above first"
            made = desk.export(kind=kind, path_ids=[self.path_id], names=self.names.value)
        file = desk.save_export(made)
        name, text = made.name, made.text
        kind_type = "text/csv" if name.endswith(".csv") else "application/json"
        data = base64.b64encode(text.encode("utf-8")).decode("ascii")
        self.links.value += (
            f'<p class="peerkit-export-link"><a download="{html.escape(name)}" '
            f'href="data:{kind_type};base64,{data}">Download {html.escape(name)}</a></p>'
        )
        return f"wrote {file}"
