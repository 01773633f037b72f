"""Progress through a path: how many of its activities hold an answer."""

from __future__ import annotations

import ipywidgets as widgets

from peerkit.core.answers import AnswerSheet, is_answered
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession
from peerkit.widgets.status import status_line


class PathProgress(widgets.VBox):
    """A progress bar and a line such as "2 of 6 activities done".

    The page registers every answer widget it creates (:meth:`track`), so a progress bar shown at
    the top of the page counts the activities of cells further down.
    """

    def __init__(self, session: PathSession, *, look: Look | None = None) -> None:
        look = look or Look()
        self.session = session
        self.answer_ids: list[str] = []
        self.bar = widgets.IntProgress(
            value=0, min=0, max=1, description="Progress", style=look.progress, layout=look.stacked
        )
        self.bar.add_class("peerkit-progress-bar")
        self.line = look.live_widget()
        super().__init__([self.bar, self.line], layout=look.block)
        self.add_class("peerkit-progress")
        session.on_change(lambda sheet, _origin: self.update(sheet))

    def track(self, answer_id: str) -> None:
        if answer_id not in self.answer_ids:
            self.answer_ids.append(answer_id)
            self.session.showing(self.update)  # not a sheet read before a reload in another thread

    def done(self, sheet: AnswerSheet) -> int:
        return sum(1 for key in self.answer_ids if is_answered(sheet.get(key)))

    def update(self, sheet: AnswerSheet) -> None:
        total = len(self.answer_ids)
        done = self.done(sheet)
        self.bar.max = max(total, 1)
        self.bar.value = done
        self.bar.bar_style = "success" if total and done == total else ""
        text = f"{done} of {total} activit{'y' if total == 1 else 'ies'} done"
        if total and done == total:
            text += " — ready to submit"
        self.line.value = status_line(text, "ok" if total and done == total else "muted")
