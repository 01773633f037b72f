"""Free-text reflection: a prompt, a labelled text box, a live word count and a save status."""

from __future__ import annotations

import html
import re
from typing import Any

import ipywidgets as widgets

from peerkit.core.answers import AnswerSheet
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession
from peerkit.widgets.status import clock, status_line

_WORD = re.compile(r"\S+")


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


class Reflection(widgets.VBox):
    """A reflection answer that saves itself on every change and comes back when the page reopens.

    Parameters
    ----------
    session:
        The page's :class:`PathSession`.
    answer_id:
        Key of the answer in the sheet; the nbgrader task cell that grades it has the same grade id.
    prompt:
        A question shown in bold above the box (plain text). Course notebooks usually leave it
        out: the nbgrader task cell just above already asks the question.
    label:
        The box's visible label (read out by screen readers).
    min_words, max_words:
        Guidance shown with the live word count; text is saved whatever its length (up to the
        course's character limit), so nothing is lost while a learner is still writing.
    """

    def __init__(
        self,
        session: PathSession,
        answer_id: str,
        prompt: str = "",
        *,
        label: str = "Your reflection",
        placeholder: str = "Write here. Your words are saved as you type.",
        rows: int = 6,
        min_words: int = 0,
        max_words: int | None = None,
        look: Look | None = None,
    ) -> None:
        look = look or Look()
        self.session = session
        self.answer_id = answer_id
        self.min_words = min_words
        self.max_words = max_words
        self._applying = False
        question = f'<p class="peerkit-prompt" style="margin:0 0 4px 0"><strong>{html.escape(prompt)}</strong></p>'
        self.prompt = look.html_widget(question) if prompt else None
        self.text = widgets.Textarea(
            value=str(session.value(answer_id, "") or ""),
            description=label,
            placeholder=placeholder,
            rows=rows,
            continuous_update=True,
            layout=look.stacked,
            style=look.text,
        )
        self.text.add_class("peerkit-answer")
        self.status = look.html_widget(self._idle_status())
        self.text.observe(self._on_change, names="value")
        session.on_reload(self._on_reload)
        children = [self.text, self.status] if self.prompt is None else [self.prompt, self.text, self.status]
        super().__init__(children, layout=look.block)
        self.add_class("peerkit-reflection")

    def _words_note(self, text: str) -> str:
        words = count_words(text)
        note = f"{words} word{'s' if words != 1 else ''}"
        if self.min_words and words < self.min_words:
            note += f" (aim for at least {self.min_words})"
        elif self.max_words and words > self.max_words:
            note += f" (aim for at most {self.max_words})"
        return note

    def _idle_status(self) -> str:
        text = self.text.value if hasattr(self, "text") else ""
        if not text:
            return status_line(self._words_note(""), "muted")
        where = "saved" if self.session.saves else "preview, not saved"
        return status_line(f"{self._words_note(text)} · {where}", "muted")

    def _on_change(self, change: dict[str, Any]) -> None:
        if self._applying:
            return
        value = change["new"]
        result = self.session.save(self.answer_id, "text", value)
        if result.ok:
            when = f" at {clock(result.at)}" if result.at and self.session.saves else ""
            self.status.value = status_line(f"{self._words_note(value)} · {result.message}{when}", "ok")
        else:
            self.status.value = status_line(result.message, "error", role="alert")

    def _on_reload(self, sheet: AnswerSheet) -> None:
        answer = sheet.get(self.answer_id)
        value = "" if answer is None else str(answer.value)
        if value != self.text.value:
            self._applying = True
            try:
                self.text.value = value
            finally:
                self._applying = False
            self.status.value = self._idle_status()
