"""Grades a facilitator gives by hand: an override of one learner's grade, an example graded in full.

Both come from a command line as text as often as from a form as numbers, so both are parsed here,
and refused with the field at fault and what to type instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from peerkit.core.errors import ValidationError
from peerkit.core.rubric import Rubric


def override_points(points: float | str | None, maximum: float, *, scale: str = "") -> float | None:
    """*points* of an override as a number from 0 to *maximum*; None (or ``"clear"``): the computed grade.
    *scale* names the points in an error (e.g. "capstone's course points")."""
    if points is None or points == "clear":
        return None
    unit = f" ({scale})" if scale else ""
    try:
        value = float(points)
    except ValueError:
        raise ValidationError(
            f"points must be a number from 0 to {maximum:g}{unit}, or 'clear'", field="points"
        ) from None
    if not 0 <= value <= maximum:  # NaN fails this too
        raise ValidationError(f"points must be between 0 and {maximum:g}{unit}", field="points")
    return value


def override_reason(reason: str) -> str:
    """*reason* for an override, without surrounding spaces; a blank one is refused (it is recorded
    and shown to the learner)."""
    text = reason.strip()
    if not text:
        raise ValidationError(
            "the reason (--reason) is empty: say why the grade is set by hand; the learner is shown it",
            field="reason",
        )
    return text


def example_scores(rubric: Rubric, scores: Mapping[str, float] | Sequence[str]) -> dict[str, float]:
    """The points of a level of every criterion of *rubric*, from *scores*: a mapping, or
    ``CRITERION=POINTS`` texts (a command's ``--score`` options)."""
    pairs = scores.items() if isinstance(scores, Mapping) else [_score(item) for item in scores]
    parsed: dict[str, float] = {}
    seen: dict[str, str] = {}
    for key, value in pairs:
        if key in seen:
            raise ValidationError(
                f"--score {key!r} is given twice ({key}={seen[key]} and {key}={value}): give each criterion once",
                field=key,
            )
        seen[key] = str(value)
        try:
            parsed[key] = rubric.criterion(key).level(float(value)).points
        except ValueError:
            given = f"{key}={value}"
            raise ValidationError(f"--score {given!r}: expected CRITERION=POINTS", field=key) from None
    missing = [c.id for c in rubric.criteria if c.id not in parsed]
    if missing:
        raise ValidationError(f"give a score for every criterion; missing: {', '.join(missing)}", field="score")
    return parsed


def _score(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key:
        raise ValidationError(f"--score {item!r}: expected CRITERION=POINTS", field="score")
    return key, value
