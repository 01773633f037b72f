"""The behaviour every answer widget shares: save on every change, follow other tabs, say where it stands.

A kind (reflection, scale, checklist, profile, action plan, example) only builds its controls and
says how to read a value from them and write one into them; :class:`AnswerWidget` does the rest:

* every change of any control is saved at once through the page's :class:`PathSession`;
* when the sheet changes under it (a reload, another tab, a preheated kernel meeting its visitor)
  the controls are updated without saving again;
* a status line under the controls says "saved at 15:04:09 UTC" (shown in the reader's own time
  zone by the page), or what went wrong and that nothing typed was thrown away.
"""

from __future__ import annotations

import html
from typing import Any, ClassVar

import ipywidgets as widgets

from peerkit.core.answers import JSON, AnswerSheet, check_answer_id
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession, SaveStatus
from peerkit.widgets.status import Tone, local_time, status_line, status_markup


class AnswerWidget(widgets.VBox):
    """Base class: subclasses set :attr:`kind`, build controls, and implement :meth:`read`/:meth:`write`."""

    kind: ClassVar[str]

    def __init__(self, session: PathSession, answer_id: str, controls: list[Any], *, look: Look) -> None:
        self.session = session
        self.answer_id = check_answer_id(answer_id)
        self._applying = False
        self.status = look.html_widget()
        super().__init__([*controls, self.status], layout=look.block)
        self.add_class("peerkit-answer-widget")
        self.add_class(f"peerkit-{self.kind}")
        session.on_change(self._on_sheet, first=self._show_sheet)

    # -- what a kind provides ----------------------------------------------------------------------

    def read(self) -> JSON:
        """The answer as the controls hold it now."""
        raise NotImplementedError

    def write(self, value: JSON | None) -> None:
        """Put a saved answer (None: no answer yet) into the controls."""
        raise NotImplementedError

    def describe(self, value: JSON) -> str:
        """A short note for the status line (a word count, say); empty by default."""
        return ""

    # -- shared behaviour --------------------------------------------------------------------------

    def watch(self, *controls: Any) -> None:
        """Save whenever any of *controls* changes value."""
        for control in controls:
            control.observe(self._on_control, names="value")

    def _show(self, value: JSON | None) -> None:
        self._applying = True
        try:
            self.write(value)
        finally:
            self._applying = False

    def _show_sheet(self, sheet: AnswerSheet) -> None:
        answer = sheet.get(self.answer_id)
        self._show(answer.value if answer is not None else None)
        self.status.value = self._idle_status()

    def _prefix(self, value: JSON) -> str:
        note = self.describe(value)
        return f"{note} · " if note else ""

    def _idle_status(self) -> str:
        saved = self.session.sheet.get(self.answer_id)
        if saved is None:
            return status_line(self.describe(self.read()) or " ", "muted")
        where = "saved" if self.session.saves else "preview, not saved"
        return status_line(f"{self._prefix(saved.value)}{where}", "muted")

    def _on_control(self, _change: dict[str, Any]) -> None:
        if self._applying:
            return
        value = self.read()
        self.report(self.session.save(self.answer_id, self.kind, value), value)

    def report(self, result: SaveStatus, value: JSON) -> None:
        """Show the outcome of a save in the status line."""
        if not result.ok:
            self.status.value = status_line(result.message, "error", role="alert")
            return
        when = f" at {local_time(result.at, seconds=True, style='time')}" if result.at and self.session.saves else ""
        tone: Tone = "warn" if result.kept_backup else "ok"
        self.status.value = status_markup(html.escape(f"{self._prefix(value)}{result.message}") + when, tone)

    def _on_sheet(self, sheet: AnswerSheet, origin: str | None) -> None:
        if origin == self.answer_id:
            return  # this widget's own save: the controls already show it
        answer = sheet.get(self.answer_id)
        if answer is None:
            return  # nothing saved for this answer: keep whatever is on the page (maybe unsaved text)
        if answer.value != self.read():
            self._show(answer.value)
            self.status.value = self._idle_status()
