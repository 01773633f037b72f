"""Practice before reviewing: rate a course-written example, then compare with the model review.

Like Moodle's example assessments (the compare page, "re-assess" as often as wanted, no pass mark)
and ORA2's training step (a per-criterion "you agree / you differ" message), a learner rates two
examples of a path on the path's own rubric before their first real review. This module holds the
pure parts: the answer id a practice rating is saved under, the examples as they travel inside the
review notebook (a JSON document), and the comparison a learner reads. Practice ratings also reach
the grade model as reviews of submissions whose true score is known (the model review's levels):
:mod:`peerkit.review.practice`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from peerkit.core.errors import ValidationError
from peerkit.core.rubric import PracticeExample, ReviewContent, Rubric

#: A practice rating of example ``x`` is the review sheet's answer ``p-x`` (kind ``review``).
PRACTICE_PREFIX = "p-"
#: The practice document embedded in a review notebook's ``metadata.peerkit``.
METADATA_FIELD = "practice"


def practice_answer_id(example_id: str) -> str:
    return f"{PRACTICE_PREFIX}{example_id}"


def example_of_answer(answer_id: str) -> str | None:
    """The example id a practice answer id names (None for any other answer)."""
    return answer_id.removeprefix(PRACTICE_PREFIX) if answer_id.startswith(PRACTICE_PREFIX) else None


def example_document(example: PracticeExample) -> dict[str, Any]:
    """*example* as JSON (what the review notebook carries)."""
    return {
        "id": example.id,
        "title": example.title,
        "answers": dict(example.answers),
        "model": {"scores": dict(example.model.scores), "comments": dict(example.model.comments)},
        "reasons": dict(example.reasons),
    }


def _text_map(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValidationError(f"{where}: expected an object of texts", field=where)
    return dict(value)


def example_from_document(doc: object, where: str = "example") -> PracticeExample:
    """A :class:`PracticeExample` from :func:`example_document`'s JSON; anything else is refused,
    naming the field (a notebook is a file a learner can edit)."""
    if not isinstance(doc, dict):
        raise ValidationError(f"{where}: expected an object", field=where)
    model = doc.get("model")
    if not isinstance(model, dict):
        raise ValidationError(f"{where}.model: expected an object", field=f"{where}.model")
    scores = model.get("scores")
    if not isinstance(scores, dict) or not all(
        isinstance(k, str) and isinstance(v, int | float) and not isinstance(v, bool) for k, v in scores.items()
    ):
        raise ValidationError(f"{where}.model.scores: expected points per criterion", field=f"{where}.model.scores")
    for name in ("id", "title"):
        if not isinstance(doc.get(name), str) or not doc[name]:
            raise ValidationError(f"{where}.{name}: expected text", field=f"{where}.{name}")
    return PracticeExample(
        id=doc["id"],
        title=doc["title"],
        answers=_text_map(doc.get("answers", {}), f"{where}.answers"),
        model=ReviewContent(
            scores={k: float(v) for k, v in scores.items()},
            comments=_text_map(model.get("comments", {}), f"{where}.model.comments"),
        ),
        reasons=_text_map(doc.get("reasons", {}), f"{where}.reasons"),
    )


def practice_document(rubric_doc: Mapping[str, Any], examples: Sequence[PracticeExample]) -> dict[str, Any]:
    """What a review notebook carries for practice: the rubric (as a round manifest writes it) and the examples."""
    return {"rubric": dict(rubric_doc), "examples": [example_document(e) for e in examples]}


@dataclass(frozen=True, slots=True)
class ExampleProblem:
    """Why an example cannot be practised on its rubric: the field, what is wrong, how to fix it."""

    field: str
    message: str
    fix: str


def check_example(rubric: Rubric, example: PracticeExample) -> list[ExampleProblem]:
    """Why *example* cannot be practised on *rubric* (empty when it can): every criterion needs a level
    of the rubric and a reason, every required prompt a comment long enough, and nothing unknown."""
    problems: list[ExampleProblem] = []
    known = {c.id for c in rubric.criteria}
    for criterion in rubric.criteria:
        points = example.model.scores.get(criterion.id)
        allowed = ", ".join(f"{lv.points:g} ({lv.label})" for lv in criterion.levels)
        if points is None:
            problems.append(
                ExampleProblem(f"model.scores.{criterion.id}", "no level chosen", f"give one of the levels: {allowed}")
            )
        elif points not in {lv.points for lv in criterion.levels}:
            problems.append(
                ExampleProblem(
                    f"model.scores.{criterion.id}", f"{points:g} is not a level", f"use one of the levels: {allowed}"
                )
            )
        if not example.reasons.get(criterion.id, "").strip():
            problems.append(
                ExampleProblem(
                    f"reasons.{criterion.id}",
                    "no reason given",
                    "say in a sentence why the model review chose its level (learners read it when they differ)",
                )
            )
    for key in sorted(set(example.model.scores) - known) + sorted(set(example.reasons) - known):
        where = "model.scores" if key in example.model.scores else "reasons"
        problems.append(
            ExampleProblem(
                f"{where}.{key}",
                f"rubric {rubric.id!r} has no such criterion",
                "use the rubric's criteria: " + ", ".join(sorted(known)),
            )
        )
    prompts = {p.id for p in rubric.prompts}
    for key in sorted(set(example.model.comments) - prompts):
        problems.append(
            ExampleProblem(
                f"model.comments.{key}",
                f"rubric {rubric.id!r} has no such prompt",
                "use the rubric's prompts: " + ", ".join(sorted(prompts)),
            )
        )
    for prompt in rubric.prompts:
        words = len(example.model.comments.get(prompt.id, "").split())
        if prompt.required and words < rubric.comment_min_words:
            problems.append(
                ExampleProblem(
                    f"model.comments.{prompt.id}",
                    f"{words} words for “{prompt.label}”",
                    f"write at least {rubric.comment_min_words} words, as a learner's review must",
                )
            )
    if not any(text.strip() for text in example.answers.values()):
        problems.append(ExampleProblem("answers", "no answer to rate", "write the example's answers"))
    return problems


@dataclass(frozen=True, slots=True)
class CriterionComparison:
    """One criterion of a practice rating beside the model review."""

    criterion: str
    title: str
    #: The level the learner chose (label), or None when they chose none.
    yours: str | None
    model: str
    #: Steps between the two levels: positive when the learner was more generous than the model.
    difference: int
    reason: str

    @property
    def agrees(self) -> bool:
        return self.yours is not None and self.difference == 0


@dataclass(frozen=True, slots=True)
class Comparison:
    example: str
    criteria: tuple[CriterionComparison, ...]

    @property
    def agreed(self) -> int:
        return sum(1 for c in self.criteria if c.agrees)

    @property
    def complete(self) -> bool:
        """Whether the learner chose a level for every criterion (the comparison is shown then)."""
        return all(c.yours is not None for c in self.criteria)


def compare(rubric: Rubric, example: PracticeExample, rating: ReviewContent) -> Comparison:
    """The learner's *rating* of *example* beside its model review, criterion by criterion."""
    rows = []
    for criterion in rubric.criteria:
        steps = {lv.points: i for i, lv in enumerate(criterion.levels)}
        labels = {lv.points: lv.label for lv in criterion.levels}
        model_points = example.model.scores.get(criterion.id)
        chosen = rating.scores.get(criterion.id)
        yours = labels.get(chosen) if chosen is not None else None
        model = labels.get(model_points, "—") if model_points is not None else "—"
        difference = (
            steps[chosen] - steps[model_points]
            if yours is not None and model_points in steps and chosen in steps
            else 0
        )
        rows.append(
            CriterionComparison(
                criterion=criterion.id,
                title=criterion.title,
                yours=yours,
                model=model,
                difference=difference,
                reason=example.reasons.get(criterion.id, ""),
            )
        )
    return Comparison(example.id, tuple(rows))
