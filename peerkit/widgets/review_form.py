"""The rubric form of one review: a level per criterion and the feedback prompts, saved like any answer."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from peerkit.core.answers import JSON
from peerkit.core.errors import ValidationError
from peerkit.core.rubric import ReviewContent, Rubric, check_review, content_from_value
from peerkit.widgets.answer import AnswerWidget
from peerkit.widgets.look import Look
from peerkit.widgets.reflection import count_words
from peerkit.widgets.session import PathSession


class ReviewForm(AnswerWidget):
    """Review of the packet *token* on *rubric*; the answer is ``{"packet", "scores", "comments"}``.

    The status line says what is still missing (a level, a comment that is too short), so a learner
    knows when a review counts; everything is saved as it is typed, complete or not.
    """

    kind = "review"

    def __init__(
        self, session: PathSession, answer_id: str, token: str, rubric: Rubric, *, look: Look | None = None
    ) -> None:
        look = look or Look()
        self.token = token
        self.rubric = rubric
        self.levels: dict[str, widgets.RadioButtons] = {}
        self.comments: dict[str, widgets.Textarea] = {}
        controls: list[Any] = []
        for criterion in rubric.criteria:
            if criterion.description:
                controls.append(
                    look.html_widget(f'<p class="peerkit-criterion-help">{html.escape(criterion.description)}</p>')
                )
            choice = widgets.RadioButtons(
                options=[
                    (
                        f"{lv.label} ({lv.points:g}) — {lv.description}"
                        if lv.description
                        else f"{lv.label} ({lv.points:g})",
                        lv.points,
                    )
                    for lv in criterion.levels
                ],
                value=None,
                description=criterion.title,
                layout=look.stacked,
                style=look.text,
            )
            choice.add_class("peerkit-level")
            self.levels[criterion.id] = choice
            controls.append(choice)
        for prompt in rubric.prompts:
            box = widgets.Textarea(
                description=prompt.label,
                placeholder=prompt.help or "Write here.",
                rows=4,
                layout=look.stacked,
                style=look.text,
            )
            box.add_class("peerkit-answer")
            box.add_class(f"peerkit-prompt-{prompt.id}")
            self.comments[prompt.id] = box
            controls.append(box)
        super().__init__(session, answer_id, controls, look=look)
        self.watch(*self.levels.values(), *self.comments.values())

    def read(self) -> JSON:
        return {
            "packet": self.token,
            "scores": {key: choice.value for key, choice in self.levels.items() if choice.value is not None},
            "comments": {key: str(box.value) for key, box in self.comments.items() if box.value},
        }

    def write(self, value: JSON | None) -> None:
        record = value if isinstance(value, dict) else {}
        scores = record.get("scores", {}) if isinstance(record.get("scores"), dict) else {}
        comments = record.get("comments", {}) if isinstance(record.get("comments"), dict) else {}
        for key, choice in self.levels.items():
            valid = {v for _, v in choice.options}
            choice.value = scores.get(key) if scores.get(key) in valid else None
        for key, box in self.comments.items():
            box.value = str(comments.get(key, ""))

    def content(self) -> ReviewContent:
        try:
            return content_from_value(self.read())
        except ValidationError:
            return ReviewContent()

    def missing(self) -> list[str]:
        """What is still needed before this review counts (empty when it is complete)."""
        try:
            return check_review(self.rubric, self.content())
        except ValidationError as exc:
            return [str(exc)]

    def describe(self, value: JSON) -> str:
        record = value if isinstance(value, dict) else {}
        comments = record.get("comments", {}) if isinstance(record.get("comments"), dict) else {}
        todo = self.missing()
        if not todo:
            return f"complete ({sum(count_words(str(c)) for c in comments.values())} words of feedback)"
        return f"{len(todo)} thing{'s' if len(todo) != 1 else ''} left: {todo[0]}"
