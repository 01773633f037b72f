"""Progress through a path: how many of its activities hold an answer, and, where the page has
optional ones (checks, practice), how many of the answers its submission needs are complete: the
count the Submit button gives ("1 of 5 answers complete"), so the page tells one story."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from peerkit.core.answers import AnswerSheet, is_answered
from peerkit.core.completeness import completeness
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession
from peerkit.widgets.status import status_line


class PathProgress(widgets.VBox):
    """A progress bar and a line such as "2 of 6 activities done", or on a page with optional
    activities "2 of 9 activities done · 1 of 5 answers complete" (the answers Submit counts).

    The page registers every answer widget it creates (:meth:`track`), so a progress bar shown at
    the top of the page counts the activities of cells further down. *describe*, when given, says
    what the page's submission needs instead (the review page: the reviews left to write).
    """

    def __init__(
        self,
        session: PathSession,
        *,
        look: Look | None = None,
        describe: Callable[[AnswerSheet], tuple[str, bool]] | None = None,
    ) -> None:
        look = look or Look()
        self.session = session
        self.describe = describe
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

    def needed(self, sheet: AnswerSheet) -> tuple[str, bool]:
        """What the submission needs, in words ("" when that is every activity on the page), and
        whether it has it all."""
        if self.describe is not None:
            return self.describe(sheet)
        required = self.session.required_answers()
        if not required or set(required) == set(self.answer_ids):
            return "", bool(self.answer_ids) and self.done(sheet) == len(self.answer_ids)
        state = completeness(sheet, required)
        return f"{state.done} of {state.required} answers complete", state.complete

    def update(self, sheet: AnswerSheet) -> None:
        total = len(self.answer_ids)
        done = self.done(sheet)
        self.bar.max = max(total, 1)
        self.bar.value = done
        self.bar.bar_style = "success" if total and done == total else ""
        text = f"{done} of {total} activit{'y' if total == 1 else 'ies'} done"
        needed, ready = self.needed(sheet)
        if needed:
            text += f" · {needed}"
        if total and ready:
            text += " — ready to submit"
        self.line.value = status_line(text, "ok" if total and ready else "muted")
