"""Free-text reflection: a labelled text box with a live word count."""

from __future__ import annotations

import html
import re

import ipywidgets as widgets

from peerkit.core.answers import JSON
from peerkit.widgets.answer import AnswerWidget
from peerkit.widgets.look import Look
from peerkit.widgets.model_answer import ModelAnswer, attach_model
from peerkit.widgets.session import PathSession

_WORD = re.compile(r"\S+")
PLACEHOLDER = "Write here. Your words are saved as you type."


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def word_note(text: str, min_words: int = 0, max_words: int | None = None) -> str:
    """The live word count under a text box, with the page's guidance when the text falls outside it."""
    words = count_words(text)
    note = f"{words} word{'s' if words != 1 else ''}"
    if min_words and words < min_words:
        note += f" (aim for at least {min_words})"
    elif max_words and words > max_words:
        note += f" (aim for at most {max_words})"
    return note


def text_box(
    label: str,
    *,
    look: Look,
    rows: int,
    placeholder: str = PLACEHOLDER,
    layout: widgets.Layout | None = None,
) -> widgets.Textarea:
    """A box for the learner's own words, as every answer widget draws one: labelled (screen readers
    read *label*), saved as they type, and marked ``peerkit-answer`` for the page's styles and walks."""
    box = widgets.Textarea(
        description=label,
        placeholder=placeholder,
        rows=rows,
        continuous_update=True,
        layout=layout or look.stacked,
        style=look.text,
    )
    box.add_class("peerkit-answer")
    return box


class Reflection(AnswerWidget):
    """A reflection answer that saves itself on every keystroke and comes back when the page reopens.

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
        Guidance shown with the live word count. Text is saved whatever its length (up to the
        course's character limit), so nothing is lost while a learner is still writing.
    model:
        A model answer in the course's words, offered under the box once the learner has submitted
        the path (:mod:`peerkit.widgets.model_answer`); None: no model answer.
    """

    kind = "text"

    def __init__(
        self,
        session: PathSession,
        answer_id: str,
        prompt: str = "",
        *,
        label: str = "Your reflection",
        placeholder: str = PLACEHOLDER,
        rows: int = 6,
        min_words: int = 0,
        max_words: int | None = None,
        model: str | None = None,
        look: Look | None = None,
    ) -> None:
        look = look or Look()
        self.min_words = min_words
        self.max_words = max_words
        question = f'<p class="peerkit-prompt" style="margin:0 0 4px 0"><strong>{html.escape(prompt)}</strong></p>'
        self.prompt = look.html_widget(question) if prompt else None
        self.text = text_box(label, look=look, rows=rows, placeholder=placeholder)
        controls = [self.text] if self.prompt is None else [self.prompt, self.text]
        super().__init__(session, answer_id, controls, look=look)
        self.watch(self.text)
        self.model: ModelAnswer | None = attach_model(self, model, look=look)

    def read(self) -> JSON:
        return str(self.text.value)

    def write(self, value: JSON | None) -> None:
        self.text.value = "" if value is None else str(value)

    def describe(self, value: JSON) -> str:
        return word_note(str(value or ""), self.min_words, self.max_words)
