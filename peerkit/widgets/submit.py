"""The Submit control: sends the path through nbgrader's exchange and confirms with the time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import ipywidgets as widgets

from peerkit.core.errors import PeerkitError
from peerkit.nbgrader.learner import parse_exchange_time
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession
from peerkit.widgets.status import day_and_time, status_line


class SubmitPanel(widgets.VBox):
    """A Submit button with a status line that always says where the learner stands."""

    def __init__(self, session: PathSession, *, label: str = "Submit my answers", look: Look | None = None) -> None:
        look = look or Look()
        self.session = session
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

    def _on_click(self, _button: Any) -> None:
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
            self.status.value = status_line(
                f"Submitted {day_and_time(when, seconds=True)}. Your facilitator has your answers; you can keep "
                "editing and submit again.",
                "ok",
            )
        finally:
            self.button.disabled = not self.session.saves
