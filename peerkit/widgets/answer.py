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
import re
from typing import Any, ClassVar

import ipywidgets as widgets

from peerkit.core.answers import JSON, AnswerSheet, check_answer_id
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession, SaveStatus
from peerkit.widgets.status import Tone, local_time, status_line, status_markup

#: The core's wording of a text over its limit (peerkit.core.kinds.values.text), after the field's name.
_OVER_LIMIT = re.compile(r"([\d,]+) characters is over the limit of ([\d,]+)")
#: What stays when a value is refused: the controls keep it, only the save waits.
KEPT = "Nothing is lost: what you typed is still here, and it is saved as soon as it fits."


def _label(control: object) -> str:
    """A control's visible label (its ``description``), or ""."""
    return str(getattr(control, "description", None) or "")


def refusal(result: SaveStatus, label: str | None) -> str:
    """A refused save in the learner's words: the field by its visible *label* (never the internal
    ``answer-id.field``), what is wrong, the fix, and that nothing was thrown away."""
    message = result.message
    if result.field and message.startswith(f"{result.field}: "):
        problem = message[len(result.field) + 2 :]
        name = label or "This answer"
        over = _OVER_LIMIT.fullmatch(problem)
        if over:
            return f"{name} is {over[1]} characters; shorten it to {over[2]} or fewer. {KEPT}"
        return f"{name}: {problem}. Change it to save it. {KEPT}"
    return message


class AnswerWidget(widgets.VBox):
    """Base class: subclasses set :attr:`kind`, build controls, and implement :meth:`read`/:meth:`write`."""

    kind: ClassVar[str]

    def __init__(self, session: PathSession, answer_id: str, controls: list[Any], *, look: Look) -> None:
        self.session = session
        self.answer_id = check_answer_id(answer_id)
        self._applying = False
        self._invalid: list[Any] = []  # the controls marked as refused (peerkit-invalid)
        self.status = look.live_widget()
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

    def control_for(self, field: str | None) -> Any:
        """The control that holds *field* (``answer-id.title``, ``answer-id.tags[2]``, the answer id
        itself), found by the field's name among this widget's attributes; None when there is none."""
        if not field or not (field == self.answer_id or field.startswith(f"{self.answer_id}.")):
            return None
        path = [part for part in re.split(r"[.\[]", field[len(self.answer_id) :]) if part and not part.endswith("]")]
        if not path:  # the whole answer: its one control, if it has one
            described = [c for c in self.children if isinstance(c, widgets.ValueWidget) and _label(c)]
            return described[0] if len(described) == 1 else None
        found: Any = self
        for part in path:
            found = found.get(part) if isinstance(found, dict) else getattr(found, part, None)
            if found is None:
                return None
        return found if isinstance(found, widgets.DOMWidget) else None

    def _mark(self, control: Any) -> None:
        """Mark *control* as refused (the page's script sets aria-invalid and points it at the status
        line), and unmark the others."""
        for old in self._invalid:
            if old is not control:
                old.remove_class("peerkit-invalid")
        self._invalid = [control] if control is not None else []
        if control is not None:
            control.add_class("peerkit-invalid")

    def report(self, result: SaveStatus, value: JSON) -> None:
        """Show the outcome of a save in the status line."""
        if not result.ok:
            control = self.control_for(result.field)
            self._mark(control)
            label = _label(control) or None
            self.status.value = status_line(refusal(result, label), "error", role="alert")
            return
        self._mark(None)
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
