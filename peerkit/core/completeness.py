"""Is a submission complete? The one rule, for the learner's Submit button, the course home,
ingest and the facilitator's dashboard alike.

A path's *required* answers are every answer widget its notebook puts on the page
(``page.reflection("id", ...)``, ``page.answer("kind", "id", ...)``, ...) unless the call says
``optional=True``; :func:`peerkit.nbgrader.tasks.required_answers` reads them from the notebook. An
answer is blank unless its kind says it holds something (:func:`peerkit.core.answers.is_answered`).

Three states, never confused with one another:

``complete``    every required answer holds something;
``incomplete``  some required answers are blank (:attr:`Completeness.blank` says how many);
``no-answers``  nothing answered at all: no answers file, or only blank answers.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from peerkit.core.answers import AnswerSheet, is_answered

Status = Literal["complete", "incomplete", "no-answers"]
STATUSES: Final[tuple[Status, ...]] = ("complete", "incomplete", "no-answers")


@dataclass(frozen=True, slots=True)
class Completeness:
    """Where a sheet stands against its path's required answers."""

    status: Status
    #: How many answers are required (0 when the path's notebook could not be read: then any answer counts).
    required: int
    #: The required answers that are blank, in notebook order.
    blank: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.status == "complete"

    @property
    def done(self) -> int:
        """Required answers that hold something."""
        return self.required - len(self.blank)

    def summary(self) -> str:
        """Plain words for a learner or a facilitator, e.g. "3 of 4 answers complete"."""
        if self.status == "no-answers":
            return "no answers"
        if self.required:
            return f"{self.done} of {self.required} answers complete"
        return "answers given"


def completeness(sheet: AnswerSheet | None, required: Sequence[str] | None) -> Completeness:
    """How complete *sheet* is (None: no answers file at all) against the *required* answer ids
    (None: unknown, then a sheet with any answer counts as complete)."""
    answered = set() if sheet is None else {key for key, answer in sheet.answers.items() if is_answered(answer)}
    needed = tuple(dict.fromkeys(required or ()))
    blank = tuple(key for key in needed if key not in answered)
    if not answered and (required is None or needed):
        return Completeness("no-answers", len(needed), blank)
    return Completeness("incomplete" if blank else "complete", len(needed), blank)


def status_label(status: str, blank: int = 0) -> str:
    """How a stored status reads in a facilitator's table: "complete", "3 blank", "no answers"."""
    if status == "incomplete":
        return f"{blank} blank"
    return "no answers" if status == "no-answers" else status
