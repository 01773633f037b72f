"""The Submit control: sends the path through nbgrader's exchange and confirms with the time.

Before it sends a path with required answers still blank (or with no answers at all) it says so in
plain words ("3 of 4 answers complete — submit anyway?") and waits for a second click: the learner
may submit a part on purpose, but never by accident. The facilitator sees such a submission as
incomplete, whichever way it was sent (:mod:`peerkit.core.completeness`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import ipywidgets as widgets

from peerkit.core.answers import AnswerSheet
from peerkit.core.completeness import Completeness
from peerkit.core.errors import PeerkitError
from peerkit.nbgrader.learner import parse_exchange_time
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession
from peerkit.widgets.status import day_and_time, status_line


def blank_warning(state: Completeness) -> str:
    """The question asked before a submission that is not complete, in plain words."""
    if state.status == "no-answers":
        return (
            "You have not answered anything yet — submit anyway? Your facilitator will see a submission "
            "without answers. Click “Submit anyway” to send it, or answer first."
        )
    blank = len(state.blank)
    return (
        f"{state.done} of {state.required} answers complete — submit anyway? {blank} "
        f"{'answer is' if blank == 1 else 'answers are'} still blank, and your facilitator will see the "
        "submission as incomplete. Click “Submit anyway” to send it now; you can fill in the rest and "
        "submit again later."
    )


class SubmitPanel(widgets.VBox):
    """A Submit button with a status line that always says where the learner stands."""

    def __init__(self, session: PathSession, *, label: str = "Submit my answers", look: Look | None = None) -> None:
        look = look or Look()
        self.session = session
        self.label = label
        #: Set after a first click on a submission with blanks: the next click sends it anyway.
        self.confirming = False
        self.button = widgets.Button(
            description=label,
            button_style="primary",
            icon="paper-plane",
            tooltip="Send your answers to the facilitator through nbgrader",
            layout=look.auto,
            style=look.button,
            disabled=not session.saves,
        )
        self.button.add_class("peerkit-submit")
        self.status = look.html_widget(self._initial_status())
        self.button.on_click(self._on_click)
        session.on_change(self._on_sheet)
        super().__init__([self.button, self.status], layout=look.panel)
        self.add_class("peerkit-submit-panel")

    def _initial_status(self) -> str:
        if not self.session.saves:
            return status_line(self.session.notice or "Preview: nothing to submit.", "warn")
        last = self.session.last_submitted()
        if last is None:
            return status_line(
                "Not submitted yet. You can submit as often as you like; the latest copy counts.", "muted"
            )
        return status_line(f"Last submitted {day_and_time(last)}. Submit again after any change.", "ok")

    def _reset(self) -> None:
        self.confirming = False
        self.button.description = self.label
        self.button.button_style = "primary"

    def _on_sheet(self, _sheet: AnswerSheet, _origin: str | None) -> None:
        if self.confirming:  # the answers changed: ask again, with the new count, on the next click
            self._reset()
            self.status.value = self._initial_status()

    def _on_click(self, _button: Any) -> None:
        state = self.session.completeness() if self.session.saves else None
        if state is not None and not state.complete and not self.confirming:
            self.confirming = True
            self.button.description = "Submit anyway"
            self.button.button_style = "warning"
            self.status.value = status_line(blank_warning(state), "warn", role="alert")
            return
        self._reset()
        self.button.disabled = True
        self.status.value = status_line("Submitting…", "info")
        try:
            submission = self.session.submit()
        except PeerkitError as exc:
            self.status.value = status_line(
                f"Submit failed: {exc}. Your answers are still saved here; try again in a moment "
                "or tell your facilitator.",
                "error",
                role="alert",
            )
        else:
            when = parse_exchange_time(submission.timestamp) or datetime.now(UTC)
            if state is None or state.complete:
                note = "Your facilitator has your answers; you can keep editing and submit again."
            elif state.status == "no-answers":
                note = "It holds no answers yet: answer and submit again to complete it."
            else:
                note = f"{state.summary()}: fill in the rest and submit again to complete it."
            self.status.value = status_line(
                f"Submitted {day_and_time(when, seconds=True)}. {note}",
                "ok" if state is None or state.complete else "warn",
            )
        finally:
            self.button.disabled = not self.session.saves
