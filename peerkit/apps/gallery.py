"""The example gallery (a Voilà app): examples contributed by earlier learners, approved by the
facilitator, published without their authors; filter by path and tag, search by words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as widgets
from traitlets.config import Config

from peerkit.exchange.base import GALLERY_FILE, GALLERY_FORMAT
from peerkit.exchange.context import LearnerContext, resolve_learner_context
from peerkit.widgets.frame import Place, course_title, render_frame
from peerkit.widgets.look import Look
from peerkit.widgets.public_view import render_example
from peerkit.widgets.status import notice_box
from peerkit.widgets.visit import when_visited

ALL = ""


def matches(item: dict[str, Any], *, path: str, tag: str, words: str) -> bool:
    """Whether *item* belongs to *path* (ALL: any), carries *tag* (ALL: any), and holds every one of *words*."""
    if path and item.get("path") != path:
        return False
    tags = [str(t).lower() for t in item.get("tags", [])]
    if tag and tag.lower() not in tags:
        return False
    haystack = " ".join([str(item.get("title", "")), str(item.get("story", "")), *tags]).lower()
    return all(word in haystack for word in words.lower().split())


class GalleryPage(widgets.VBox):
    """Browse the published gallery."""

    def __init__(
        self,
        *,
        folder: Path | str | None = None,
        config: Config | None = None,
        context: LearnerContext | None = None,
    ) -> None:
        self.context = context or resolve_learner_context(folder, config=config)
        self.look = Look()
        self.header = self.look.html_widget()
        self.path = widgets.Dropdown(description="Path", options=[("All paths", ALL)], value=ALL, style=self.look.text)
        self.tag = widgets.Dropdown(description="Tag", options=[("Any tag", ALL)], value=ALL, style=self.look.text)
        self.search = widgets.Text(
            description="Search", placeholder="words in the title or story", style=self.look.text
        )
        self.shown = self.look.html_widget()
        for control in (self.path, self.tag, self.search):
            control.observe(lambda _change: self.show(), names="value")
        filters = widgets.HBox([self.path, self.tag, self.search], layout=widgets.Layout(flex_flow="row wrap"))
        super().__init__([self.header, filters, self.shown], layout=widgets.Layout(width="100%", max_width="48rem"))
        self.add_class("peerkit-gallery-page")
        self.items: list[dict[str, Any]] = []
        self.refresh()
        when_visited(self.refresh, name="peerkit-gallery-refresh")

    def refresh(self) -> None:
        doc = self.context.public(GALLERY_FILE, GALLERY_FORMAT) or {}
        self.items = [i for i in doc.get("items", []) if isinstance(i, dict)]
        paths = {str(i.get("path", "")): str(i.get("path_title", "")) for i in self.items}
        tags = sorted({str(t) for i in self.items for t in i.get("tags", []) if str(t).strip()}, key=str.lower)
        self.path.options = [("All paths", ALL), *((title, pid) for pid, title in paths.items())]
        self.tag.options = [("Any tag", ALL), *((t, t) for t in tags)]
        self.header.value = (
            render_frame(Place(course_title=course_title(self.context.folder), here="Example gallery"))
            + '<h1 style="margin:0.2em 0 0.1em 0">Example gallery</h1><p style="margin:0 0 8px 0;color:#55595f">'
            "Examples of peer learning contributed by learners of this course and chosen by the facilitator. "
            '<a href="progress.ipynb" target="_self">My progress</a> · '
            '<a href="home.ipynb" target="_self">Course home</a></p>'
        )
        self.show()

    def visible(self) -> list[dict[str, Any]]:
        return [i for i in self.items if matches(i, path=self.path.value, tag=self.tag.value, words=self.search.value)]

    def show(self) -> None:
        chosen = self.visible()
        if not self.items:
            self.shown.value = notice_box("No examples have been published yet.", "info")
            return
        count = f'<p class="peerkit-count" style="color:#55595f">{len(chosen)} of {len(self.items)} examples</p>'
        self.shown.value = count + "".join(render_example(i) for i in chosen)
