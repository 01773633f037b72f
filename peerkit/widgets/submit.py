"""The Submit control: sends the path to the facilitator and confirms with the time and the way on.

Before it sends a path with required answers still blank (or with no answers at all) it says so in
plain words ("3 of 4 answers complete — submit anyway?") and waits for a second click: the learner
may submit a part on purpose, but never by accident. The facilitator sees such a submission as
incomplete, whichever way it was sent (:mod:`peerkit.core.completeness`).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import ipywidgets as widgets

from peerkit.core.answers import AnswerSheet
from peerkit.core.completeness import Completeness
from peerkit.core.errors import PeerkitError
from peerkit.nbgrader.learner import parse_exchange_time
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession
from peerkit.widgets.status import local_time, status_line, status_markup
from peerkit.widgets.trouble import TRY_AGAIN, plain_problem


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

    def __init__(
        self,
        session: PathSession,
        *,
        label: str = "Submit my answers",
        look: Look | None = None,
        noun: str = "answers",
        next_step: Callable[[], str] | None = None,
        nothing_to_submit: str = "",
    ) -> None:
        """*noun*: what is sent ("answers", "reviews"); *next_step*: the HTML of the way on, shown
        after each successful submit; *nothing_to_submit*: when set, the page has nothing that could
        be sent (an empty review page): no button, only this message."""
        look = look or Look()
        self.session = session
        self.label = label
        self.noun = noun
        self.next_step = next_step
        self.nothing_to_submit = nothing_to_submit
        #: Set after a first click on a submission with blanks: the next click sends it anyway.
        self.confirming = False
        self.button = widgets.Button(
            description=label,
            button_style="primary",
            icon="paper-plane",
            tooltip=f"Send your {noun} to your facilitator",
            layout=look.auto,
            style=look.button,
            disabled=not self._can_submit,
        )
        self.button.add_class("peerkit-submit")
        if nothing_to_submit:
            self.button.layout = widgets.Layout(display="none")
        self.status = look.live_widget(self._initial_status())
        self.next_line = look.html_widget("")
        self.next_line.add_class("peerkit-next")
        self.button.on_click(self._on_click)
        session.on_change(self._on_sheet)
        super().__init__([self.button, self.status, self.next_line], layout=look.panel)
        self.add_class("peerkit-submit-panel")

    @property
    def _can_submit(self) -> bool:
        return self.session.saves and not self.nothing_to_submit

    def _initial_status(self) -> str:
        if self.nothing_to_submit:
            return status_line(self.nothing_to_submit, "muted")
        if not self.session.saves:
            return status_line(self.session.notice or "Preview: nothing to submit.", "warn")
        last = self.session.last_submitted()
        if last is None:
            return status_line(
                "Not submitted yet. You can submit as often as you like; the latest copy counts.", "muted"
            )
        return status_markup(f"Last submitted {local_time(last)}. Submit again after any change.", "ok")

    def _reset(self) -> None:
        self.confirming = False
        self.button.description = self.label
        self.button.button_style = "primary"

    def _on_sheet(self, _sheet: AnswerSheet, _origin: str | None) -> None:
        if self.confirming:  # the answers changed: ask again, with the new count, on the next click
            self._reset()
            self.status.value = self._initial_status()

    def _on_click(self, _button: Any) -> None:
        if not self._can_submit:  # a button that is hidden or disabled cannot be clicked; a stale one says why
            self.status.value = self._initial_status()
            return
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
                plain_problem(
                    f"Submit failed: your {self.noun} did not reach your facilitator this time.",
                    exc,
                    safe=f"Your {self.noun} are still saved here.",
                    then=TRY_AGAIN,
                    where=f"submit of {self.session.path_id}, learner {self.session.learner}",
                ),
                "error",
                role="alert",
            )
        else:
            when = parse_exchange_time(submission.timestamp) or datetime.now(UTC)
            if state is None or state.complete:
                note = f"Your facilitator has your {self.noun}; you can keep editing and submit again."
            elif state.status == "no-answers":
                note = "It holds no answers yet: answer and submit again to complete it."
            else:
                note = f"{state.summary()}: fill in the rest and submit again to complete it."
            self.status.value = status_markup(
                f"Submitted {local_time(when, seconds=True)}: sent to your facilitator. {html.escape(note)}",
                "ok" if state is None or state.complete else "warn",
            )
            self.next_line.value = self._next_step()
        finally:
            self.button.disabled = not self._can_submit

    def _next_step(self) -> str:
        if self.next_step is None:
            return ""
        try:
            return self.next_step()
        except (PeerkitError, OSError, ValueError):  # a courtesy: never hide that the submit worked
            return ""
