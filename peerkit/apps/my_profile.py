"""The course home's "My profile" section: the profile asked once (in Start here), edited any time.

A learner gives their profile in the first path that asks it (the orientation). Their interests
change, so the home page opens the same answer in the same widget: edits are saved in that path's
answers as they are typed, and "Share my updated profile" submits that path again so that the
course sees the new profile when it next chooses reviewers. The section builds its widgets only
when the learner opens it, so the home page loads no faster or slower for having it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

import ipywidgets as widgets

from peerkit.apps.catalog import PathEntry
from peerkit.core.errors import PeerkitError
from peerkit.exchange.context import LearnerContext
from peerkit.nbgrader.tasks import answer_kinds
from peerkit.widgets.context import open_path
from peerkit.widgets.look import Look
from peerkit.widgets.profile import Profile
from peerkit.widgets.session import PathSession
from peerkit.widgets.status import status_line
from peerkit.widgets.trouble import TRY_AGAIN, plain_problem

HEADING = '<h2 id="peerkit-my-profile" style="margin:1.2em 0 0.2em 0;font-size:1.15em">My profile</h2>'
INTRO = (
    "What you know and what you want to learn: the course uses it to give you reviewers who know "
    "something you want to learn."
)


def profile_place(entries: Sequence[PathEntry]) -> tuple[PathEntry, str] | None:
    """The first path, in course order, whose page asks a profile, and that activity's id (None when no
    path asks one). A path not fetched yet counts too: the section then says where to fill it in."""
    for entry in entries:
        if entry.review_of is not None or entry.folder is None:
            continue
        notebook = entry.folder / f"{entry.id}.ipynb"
        if not notebook.is_file():
            continue
        for answer_id, kind in answer_kinds(notebook).items():
            if kind == "profile":
                return entry, answer_id
    return None


class ProfileSection(widgets.VBox):
    """ "My profile" on the course home: a button that opens the profile widget, and one that shares it."""

    def __init__(self, context: LearnerContext, *, look: Look, on_shared: Callable[[], None] | None = None) -> None:
        self.context = context
        self.on_shared = on_shared
        self.look = look
        self.place: tuple[PathEntry, str] | None = None
        self.heading = look.html_widget(HEADING)
        self.note = look.html_widget()
        self.edit = widgets.Button(description="Edit my profile", icon="pencil", style=look.button)
        self.edit.add_class("peerkit-edit-profile")
        self.edit.on_click(lambda _b: self.edit_profile())
        self.share = widgets.Button(description="Share my updated profile", button_style="primary", style=look.button)
        self.share.add_class("peerkit-share-profile")
        self.share.on_click(lambda _b: self.share_profile())
        self.status = look.live_widget()
        self.session: PathSession | None = None
        self.widget: Profile | None = None
        self.body = widgets.VBox(layout=look.full_width)
        # Its own layout: the section hides itself, and the page's shared one would hide every card with it.
        super().__init__([self.heading, self.note, self.body, self.status], layout=widgets.Layout(width="100%"))
        self.add_class("peerkit-my-profile")

    def show(self, entries: Sequence[PathEntry]) -> None:
        """Where the profile lives for these entries (called on every refresh of the home page)."""
        self.place = profile_place([e for e in entries if e.state != "available"])
        if self.place is None:
            waiting = next((e for e in entries if e.state == "available"), None)
            self.layout.display = None if waiting is not None else "none"
            self.note.value = (
                f"<p>{html.escape(INTRO)} You fill it in when you start a path that asks it.</p>"
                if waiting is not None
                else ""
            )
            self.body.children = ()
            return
        self.layout.display = None
        entry, _ = self.place
        submitted = entry.submitted_at is not None
        where = f"“{html.escape(entry.title)}”"
        shared = (
            f"You gave it in {where}; changes are saved as you type, and the course sees them once you share them."
            if submitted
            else f"It is part of {where}: the course sees it when you submit that path."
        )
        self.note.value = f"<p>{html.escape(INTRO)} {shared}</p>"
        if self.widget is None:
            self.body.children = (self.edit,)
        else:
            self.body.children = (self.widget, self.share) if submitted else (self.widget,)

    def edit_profile(self) -> Profile | None:
        """Build the profile widget over the path's saved answers (once) and show it."""
        if self.place is None or self.place[0].folder is None:
            return None
        entry, answer_id = self.place
        if self.widget is None and entry.folder is not None:
            self.session = open_path(entry.id, context=self.context.at(entry.folder))
            if not self.session.saves:
                self.status.value = status_line(self.session.notice or "Your profile cannot be saved here.", "warn")
            self.widget = Profile(self.session, answer_id, look=self.look, heading_level=3)  # under the h2
        self.body.children = (self.widget, self.share) if entry.submitted_at is not None else (self.widget,)
        return self.widget

    def share_profile(self) -> None:
        """Submit the profile's path again, so that the course has the profile as it stands now."""
        if self.session is None:
            return
        self.status.value = status_line("Sharing your profile…", "info")
        try:
            self.session.submit()
        except PeerkitError as exc:
            self.status.value = status_line(
                plain_problem(
                    "Your profile could not be shared with the course right now.",
                    exc,
                    safe="It is still saved here.",
                    then=TRY_AGAIN,
                    where=f"profile of learner {self.context.learner}",
                ),
                "error",
                role="alert",
            )
            return
        self.status.value = status_line("Shared: the course uses this profile from now on.", "ok")
        if self.on_shared is not None:
            self.on_shared()
