"""A model answer under a learner's own answer, to compare with once the path is submitted.

Seeing a good answer before writing one invites copying it; seeing it after is how a learner finds
what they missed. So the course's model answer stays in the kernel until this learner has submitted
the path: before, the disclosure says that it opens after submitting; after, "Compare with a model
answer" shows it (escaped) below the learner's answer, and hides it again.

Whether the path was submitted is asked when the button is pressed (nbgrader's local record, a quick
look at a few files), so a Submit further down the same page opens it without a reload. Any answer
widget can carry one (:func:`attach_model`); a review page never does, since it builds no path
widgets.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from peerkit.core.kinds import markup
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession
from peerkit.widgets.status import status_line

SHOW = "Compare with a model answer"
HIDE = "Hide the model answer"
LOCKED = "The model answer opens after you submit this path: write your own first, then compare."


def model_html(text: str) -> str:
    """The model answer as a labelled region; *text* is the course's, escaped here all the same."""
    return (
        '<div class="peerkit-model-answer" role="region" aria-label="Model answer" '
        'style="border-left:4px solid #55595f;padding:4px 12px;margin:6px 0;background:#f6f7f9;color:#1f2328">'
        '<p style="margin:2px 0"><strong>A model answer</strong></p>'
        f"{markup.paragraphs(text)}"
        '<p style="margin:2px 0"><em>One good answer among many: compare the ideas, not the words.</em></p>'
        "</div>"
    )


class ModelAnswer(widgets.VBox):
    """The disclosure: a button, a line saying whether it is open to this learner yet, and the model."""

    def __init__(self, session: PathSession, text: str, *, look: Look | None = None) -> None:
        look = look or Look()
        self.session = session
        self._text = text  # never put into a widget before the learner has submitted
        self.button = widgets.Button(description=SHOW, layout=look.auto, style=look.button)
        self.button.add_class("peerkit-model-button")
        self.button.on_click(self._toggle)
        self.body = look.html_widget(self._closed_note())
        super().__init__([self.button, self.body], layout=look.full_width)
        self.add_class("peerkit-model")

    def close(self) -> None:
        for child in self.children:
            child.close()
        super().close()

    @property
    def is_open(self) -> bool:
        return bool(self.button.description == HIDE)

    def submitted(self) -> bool:
        """Whether this learner has submitted the path (a preview never has)."""
        session: PathSession = self.session
        return session.saves and session.last_submitted() is not None

    def _closed_note(self) -> str:
        return "" if self.submitted() else status_line(LOCKED, "muted")

    def _toggle(self, _button: Any) -> None:
        if self.is_open:
            self.button.description = SHOW
            self.body.value = ""
        elif self.submitted():
            self.button.description = HIDE
            self.body.value = model_html(self._text)
        else:
            self.body.value = status_line(LOCKED, "info")


def attach_model(widget: widgets.Box, text: str | None, *, look: Look) -> ModelAnswer | None:
    """Put a :class:`ModelAnswer` of *text* at the end of *widget* (an answer widget built on the
    page's session); nothing when *text* is None or blank. Returns it, for tests and callers."""
    if text is None or not text.strip():
        return None
    session = getattr(widget, "session", None)
    if not isinstance(session, PathSession):
        raise TypeError(f"{type(widget).__name__} has no path session to ask whether the path was submitted")
    model = ModelAnswer(session, text, look=look)
    widget.children = (*widget.children, model)
    return model
