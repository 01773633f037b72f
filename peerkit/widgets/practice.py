"""The practice step of the review page: rate a course example, then compare with the model review.

As on Moodle's compare page there is no pass mark: a learner sees, criterion by criterion, "you chose
X, the model review chose Y" and why where the two differ, reads the model review's comments, and
may rate again as often as they like. The rating is an ordinary answer of the review sheet
(``p-<example id>``, kind ``review``) and goes with the reviews when they are submitted.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets

from peerkit.core.answers import JSON
from peerkit.core.kinds import markup
from peerkit.core.practice import Comparison, compare, practice_answer_id
from peerkit.core.rubric import PracticeExample, Rubric
from peerkit.widgets.look import Look
from peerkit.widgets.review_form import ReviewForm
from peerkit.widgets.session import PathSession
from peerkit.widgets.status import status_line


class PracticeForm(ReviewForm):
    """The rubric form for an example: only the levels count (comments are welcome, not required)."""

    def missing(self) -> list[str]:
        return [f"choose a level for “{c.title}”" for c in self.rubric.criteria if self.levels[c.id].value is None]

    def describe(self, value: JSON) -> str:
        todo = self.missing()
        if not todo:
            return "every level chosen: compare with the model review below"
        return f"{len(self.rubric.criteria) - len(todo)} of {len(self.rubric.criteria)} levels chosen"


def render_example(example: PracticeExample, *, heading: str) -> str:
    """The example as a reviewer reads it: each question heading and the answer (everything escaped)."""
    parts = [
        f'<section class="peerkit-practice-example"><h2 style="margin:0.4em 0;font-size:1.25em">'
        f"{html.escape(heading)}: {html.escape(example.title)}</h2>",
        "<p><em>An example written by the course, not by a classmate.</em></p>",
    ]
    for question, text in example.answers.items():
        parts.append(
            '<div class="peerkit-packet-answer" style="border-left:3px solid #d0d7de;padding:0 0 0 12px;margin:12px 0">'
            f'<h3 style="margin:0.2em 0;font-size:1.05em">{html.escape(question)}</h3>'
            f'<div class="peerkit-author-answer">{markup.paragraphs(text)}</div></div>'
        )
    parts.append("</section>")
    return "".join(parts)


def render_comparison(comparison: Comparison, example: PracticeExample, rubric: Rubric) -> str:
    """Your levels beside the model review's, the reason where they differ, then the model's comments."""
    agreed, total = comparison.agreed, len(comparison.criteria)
    rows = []
    for row in comparison.criteria:
        yours = html.escape(row.yours) if row.yours is not None else "<em>no level</em>"
        if row.agrees:
            note = "Same level."
        else:
            direction = " (more generous)" if row.difference > 0 else " (stricter)" if row.difference < 0 else ""
            note = f"You chose {yours}{direction}; the model review chose {html.escape(row.model)}. "
            note += html.escape(row.reason)
        rows.append(
            f'<tr class="{"peerkit-agree" if row.agrees else "peerkit-differ"}"><th scope="row">'
            f"{html.escape(row.title)}</th><td>{yours}</td><td>{html.escape(row.model)}</td><td>{note}</td></tr>"
        )
    labels = {p.id: p.label for p in rubric.prompts}
    comments = "".join(
        markup.labelled(labels.get(key, key), "") + markup.paragraphs(text)
        for key, text in example.model.comments.items()
        if text.strip()
    )
    return (
        '<section class="peerkit-practice-compare" aria-live="polite">'
        f'<h3 style="margin:0.6em 0 0.2em 0;font-size:1.05em">Your rating and the model review</h3>'
        f"<p>You chose the same level as the model review on {agreed} of {total} criteria. Where you differ, "
        "read why the model review chose its level: there is no pass mark, and you may rate again.</p>"
        '<table class="peerkit-compare-table" style="border-collapse:collapse">'
        '<caption style="text-align:left;font-size:0.92em">Your levels beside the model review’s</caption>'
        '<thead><tr><th scope="col">Criterion</th><th scope="col">You chose</th>'
        '<th scope="col">The model review chose</th><th scope="col">Why</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        f'<h4 style="margin:0.6em 0 0.2em 0">The model review’s comments</h4>{comments}</section>'
    )


class PracticeExampleView(widgets.VBox):
    """One example: its answers, the rubric form, then (once every level is chosen) the comparison."""

    def __init__(
        self,
        session: PathSession,
        example: PracticeExample,
        rubric: Rubric,
        *,
        heading: str,
        look: Look,
    ) -> None:
        self.example = example
        self.rubric = rubric
        self.form = PracticeForm(session, practice_answer_id(example.id), example.id, rubric, look=look)
        self.compare_button = widgets.Button(
            description="Compare with the model review", layout=look.auto, style=look.button
        )
        self.compare_button.add_class("peerkit-compare")
        self.again_button = widgets.Button(description="Rate again", layout=look.auto, style=look.button)
        self.again_button.add_class("peerkit-rate-again")
        self.result = look.html_widget("")
        self.compare_button.on_click(lambda _b: self.show_comparison())
        self.again_button.on_click(lambda _b: self.rate_again())
        for choice in self.form.levels.values():
            choice.observe(self._levels_changed, names="value")
        intro = status_line("Rate this example as you would a classmate’s work, then compare.", "info")
        super().__init__(
            [
                look.html_widget(render_example(example, heading=heading)),
                look.html_widget(intro),
                self.form,
                widgets.HBox([self.compare_button, self.again_button]),
                self.result,
            ],
            layout=look.full_width,
        )
        self.add_class("peerkit-practice")
        self._levels_changed()
        if self.complete:  # rated on an earlier visit: show where it stands
            self.show_comparison()

    @property
    def complete(self) -> bool:
        return not self.form.missing()

    def comparison(self) -> Comparison:
        return compare(self.rubric, self.example, self.form.content())

    def _levels_changed(self, _change: Mapping[str, Any] | None = None) -> None:
        self.compare_button.disabled = not self.complete
        self.again_button.disabled = not any(c.value is not None for c in self.form.levels.values())
        if not self.complete:
            self.result.value = ""

    def show_comparison(self) -> None:
        if not self.complete:
            self.result.value = status_line("Choose a level for every criterion first.", "warn", role="alert")
            return
        self.result.value = render_comparison(self.comparison(), self.example, self.rubric)

    def rate_again(self) -> None:
        """Clear the levels (comments stay) and hide the comparison: a fresh look at the same example."""
        for choice in self.form.levels.values():
            choice.value = None
        self.result.value = ""


def practice_views(
    session: PathSession, examples: Sequence[PracticeExample], rubric: Rubric, *, look: Look
) -> list[PracticeExampleView]:
    return [
        PracticeExampleView(session, example, rubric, heading=f"Example {number} of {len(examples)}", look=look)
        for number, example in enumerate(examples, start=1)
    ]
