"""A Likert-style scale: one choice among labelled points, ends named ("never" … "every day")."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets

from peerkit.core.answers import JSON
from peerkit.core.errors import ValidationError
from peerkit.widgets.answer import AnswerWidget
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession


def point_labels(points: int, low: str, high: str, labels: Sequence[str] | None) -> list[str]:
    """Labels of the points: *labels* as given, else numbers with the two ends named."""
    if labels is not None:
        if len(labels) != points:
            raise ValidationError(f"a {points}-point scale needs {points} labels, got {len(labels)}")
        return list(labels)
    return [f"{i} · {low}" if i == 1 else f"{i} · {high}" if i == points else str(i) for i in range(1, points + 1)]


class Scale(AnswerWidget):
    """Choose one of *points* labelled points; the answer is the point's number (1 = *low* end)."""

    kind = "scale"

    def __init__(
        self,
        session: PathSession,
        answer_id: str,
        *,
        label: str,
        low: str,
        high: str,
        points: int = 5,
        labels: Sequence[str] | None = None,
        look: Look | None = None,
    ) -> None:
        if not 2 <= points <= 11:
            raise ValidationError("a scale has between 2 and 11 points", field=answer_id)
        look = look or Look()
        options = [(text, i) for i, text in enumerate(point_labels(points, low, high, labels), start=1)]
        self.choice = widgets.RadioButtons(
            options=options,
            value=None,
            description=label,
            orientation="horizontal",
            layout=look.stacked,
            style=look.text,
        )
        self.choice.add_class("peerkit-scale-choice")
        super().__init__(session, answer_id, [self.choice], look=look)
        self.watch(self.choice)

    def read(self) -> JSON:
        return self.choice.value

    def write(self, value: JSON | None) -> None:
        valid = {v for _, v in self.choice.options}
        self.choice.value = value if value in valid else None
