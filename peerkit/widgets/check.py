"""A check of understanding: answer, press "Check my answer", read whether it is right and why, try again.

Three forms, one widget (the question is a :class:`~peerkit.core.kinds.check.CheckQuestion`):

* **choice** — one radio group; the question above it is the group's name (the page's script points
  the group at it), the choices stay in the course's order (authors may write "all of the above");
* **order** — the steps in a list box, shuffled the same way on every visit of the same learner and
  never already in order; "Move up" and "Move down" move the selected step, so the keyboard alone
  reorders it, and a status line says where the step went;
* **match** — one drop-down per term, named by the term, its meanings shuffled the same way.

Nothing is saved while the learner is still choosing: pressing "Check my answer" judges the answer,
saves it with the number of tries and whether the first was right (so progress counts it and it
comes back on reload), and writes the feedback into a live region: "Right" or "Not yet" in words
and a mark (never colour alone), the chosen choice's hint, why, and that they may try again.
"""

from __future__ import annotations

import html
from typing import Any, Unpack

import ipywidgets as widgets

from peerkit.core.answers import JSON
from peerkit.core.kinds.check import CheckArguments, CheckQuestion, question
from peerkit.widgets.answer import AnswerWidget
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession
from peerkit.widgets.status import status_markup

COLORS = {"ok": "#1a6b37", "warn": "#8a5300"}  # the status lines' own, 4.5:1 or more on white

NOT_CHOSEN = -1  # a drop-down's "Choose a meaning" entry


def feedback_html(spec: CheckQuestion, given: JSON, right: bool) -> str:
    """The feedback for *given*, escaped: right or not yet (in words and a mark, never colour alone), the
    chosen choice's hint or how much is in place, why, and what the learner can do next."""
    detail = ""
    if right:
        verdict, tone, next_step = "✓ Right.", "ok", "You can look at it again at any time."
    else:
        verdict, tone, next_step = "✗ Not yet.", "warn", "You can change your answer and check it again."
        if spec.type == "order":
            detail = f"{spec.in_place(given)} of {len(spec.items)} steps are in the right place."
        elif spec.type == "match":
            detail = f"{spec.in_place(given)} of {len(spec.items)} terms are matched rightly."
        elif isinstance(given, int):
            detail = spec.hints.get(given, "")
    lines = [
        f"<strong>{html.escape(verdict)}</strong>" + (f" {html.escape(detail)}" if detail else ""),
        f"<strong>Why:</strong> {html.escape(spec.why)}",
        html.escape(next_step),
    ]
    color = COLORS[tone]
    body = "".join(f'<p style="margin:2px 0">{line}</p>' for line in lines)
    return (
        f'<div class="peerkit-check-feedback peerkit-{tone}" role="status" aria-live="polite" '
        f'style="border-left:4px solid {color};padding:4px 10px;margin:6px 0;color:#1f2328">{body}</div>'
    )


class CheckWidget(AnswerWidget):
    """A check of understanding saved as *answer_id* (see :mod:`peerkit.core.kinds.check` for the value)."""

    kind = "check"

    def __init__(
        self,
        session: PathSession,
        answer_id: str,
        prompt: str,
        *,
        why: str,
        look: Look | None = None,
        **arguments: Unpack[CheckArguments],
    ) -> None:
        look = look or Look()
        self.spec = question(answer_id, prompt, why=why, **arguments)
        self._state: dict[str, JSON] | None = None
        self._order: list[int] = []
        self.heading = look.html_widget(
            f'<p class="peerkit-label peerkit-check-question" role="heading" aria-level="4">'
            f"{html.escape(self.spec.prompt)}</p>"
        )
        self.choice: widgets.RadioButtons | None = None
        self.steps: widgets.Select | None = None
        self.up: widgets.Button | None = None
        self.down: widgets.Button | None = None
        self.moved: widgets.HTML | None = None
        self.menus: list[widgets.Dropdown] = []
        controls: list[widgets.Widget] = [self.heading, *self._controls(session, look)]
        self.button = widgets.Button(description="Check my answer", layout=look.auto, style=look.button)
        self.button.add_class("peerkit-check-button")
        self.button.on_click(self._on_check)
        self.feedback = look.live_widget()
        self.feedback.add_class("peerkit-check-feedback-box")
        super().__init__(session, answer_id, [*controls, self.button, self.feedback], look=look)

    # -- building ----------------------------------------------------------------------------------

    def _controls(self, session: PathSession, look: Look) -> list[widgets.Widget]:
        spec = self.spec
        if spec.type == "choice":
            self.choice = widgets.RadioButtons(
                options=[(text, i) for i, text in enumerate(spec.items)],
                value=None,
                layout=look.stacked,
                style=look.text,
            )
            self.choice.add_class("peerkit-check-choice")
            return [self.choice]
        if spec.type == "order":
            self._order = spec.shuffled(session.learner)
            self.steps = widgets.Select(
                options=self._step_options(),
                value=self._order[0],
                rows=len(spec.items),
                description="Steps, first at the top",
                layout=look.stacked,
                style=look.text,
            )
            self.up = widgets.Button(description="Move up", layout=look.auto, style=look.button)
            self.down = widgets.Button(description="Move down", layout=look.auto, style=look.button)
            self.up.on_click(lambda _b: self._move(-1))
            self.down.on_click(lambda _b: self._move(+1))
            self.moved = look.live_widget()
            return [self.steps, widgets.HBox([self.up, self.down]), self.moved]
        meanings = [(spec.meanings[i], i) for i in spec.shuffled(session.learner)]
        self.menus = [
            widgets.Dropdown(
                options=[("Choose a meaning", NOT_CHOSEN), *meanings],
                value=NOT_CHOSEN,
                description=term,
                layout=look.stacked,
                style=look.text,
            )
            for term in spec.items
        ]
        return list(self.menus)

    def _step_options(self) -> list[tuple[str, int]]:
        return [(f"{place}. {self.spec.items[i]}", i) for place, i in enumerate(self._order, start=1)]

    def _move(self, step: int) -> None:
        if self.steps is None or self.moved is None or self.steps.value is None:
            return
        item = int(self.steps.value)
        here = self._order.index(item)
        there = here + step
        if not 0 <= there < len(self._order):
            where = "first" if there < 0 else "last"
            self.moved.value = self._moved_line(f"“{self.spec.items[item]}” is already {where}.")
            return
        self._order[here], self._order[there] = self._order[there], self._order[here]
        self._show_order(select=item)
        place = f"{there + 1} of {len(self._order)}"
        self.moved.value = self._moved_line(f"“{self.spec.items[item]}” is now in place {place}.")

    def _moved_line(self, text: str) -> str:
        return status_markup(html.escape(text), "muted")

    def _show_order(self, *, select: int) -> None:
        if self.steps is not None:
            self.steps.options = self._step_options()
            self.steps.value = select

    def close(self) -> None:
        """Close the controls nested in a row too (a page closes only its widgets' own children)."""
        for child in self.children:
            if isinstance(child, widgets.Box):
                for inner in child.children:
                    inner.close()
        super().close()

    # -- the answer ----------------------------------------------------------------------------------

    def response(self) -> JSON:
        """What the controls hold now, in the course's indices (None or None entries: not chosen)."""
        if self.choice is not None:
            return self.choice.value
        if self.steps is not None:
            return [self._order.index(i) for i in range(len(self._order))]
        return [None if m.value == NOT_CHOSEN else int(m.value) for m in self.menus]

    def _place(self, given: JSON) -> None:
        if self.choice is not None:
            self.choice.value = given
        elif self.steps is not None and isinstance(given, list):
            self._order = [given.index(p) for p in range(len(given))]
            self._show_order(select=self._order[0])
        elif isinstance(given, list):
            for menu, chosen in zip(self.menus, given, strict=True):
                menu.value = NOT_CHOSEN if chosen is None else chosen

    def read(self) -> JSON:
        return self._state  # what was last checked: choosing again is not saved until it is checked

    def write(self, value: JSON | None) -> None:
        if (
            not isinstance(value, dict)
            or value.get("type") != self.spec.type
            or not self.spec.fits(value.get("response"))
        ):
            self._state = None
            self.feedback.value = ""
            return  # nothing saved, or saved for a question the course has changed since
        self._state = dict(value)
        self._place(value["response"])
        if value.get("attempts"):
            given = value["response"]
            self.feedback.value = feedback_html(self.spec, given, self.spec.judge(given))

    def describe(self, value: JSON) -> str:
        tries = value.get("attempts", 0) if isinstance(value, dict) else 0
        return f"checked {tries} time{'s' if tries != 1 else ''}" if tries else "not checked yet"

    def _on_check(self, _button: Any) -> None:
        given = self.response()
        if given is None or (isinstance(given, list) and None in given):
            what = "Choose an answer" if self.spec.type == "choice" else "Choose a meaning for every term"
            self.feedback.value = status_markup(html.escape(f"{what} first, then check it."), "warn")
            return
        right = self.spec.judge(given)
        before = self._state or {}
        tries = int(before.get("attempts", 0)) + 1
        first = bool(before.get("first_right")) if tries > 1 else right
        state: dict[str, JSON] = {
            "type": self.spec.type,
            "response": given,
            "attempts": tries,
            "right": right,
            "first_right": first,
        }
        self._state = state
        self.feedback.value = feedback_html(self.spec, given, right)
        self.report(self.session.save(self.answer_id, self.kind, state), state)
