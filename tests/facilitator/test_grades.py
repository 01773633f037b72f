"""Grades given by hand, parsed as a command or a form gives them: refused with the field at fault."""

from __future__ import annotations

import pytest

from peerkit.core.errors import ValidationError
from peerkit.core.rubric import Criterion, Level, Rubric
from peerkit.facilitator.grades import example_scores, override_points, override_reason

RUBRIC = Rubric(
    id="essay",
    title="Essay",
    criteria=(
        Criterion("clear", "Clear", (Level(0, "Not yet"), Level(1, "Partly"), Level(2, "Clearly"))),
        Criterion("grounded", "Grounded", (Level(0, "Not yet"), Level(2, "Yes"))),
    ),
)


def test_override_points_are_numbers_within_the_rubric_or_clear() -> None:
    assert override_points("3.5", 4.0) == 3.5
    assert override_points(0, 4.0) == 0.0
    assert override_points(None, 4.0) is None and override_points("clear", 4.0) is None
    for bad in ("lots", "4.5", -1):
        with pytest.raises(ValidationError, match="points must be") as caught:
            override_points(bad, 4.0)
        assert caught.value.field == "points"


def test_example_scores_from_texts_or_a_mapping_give_every_criterion_a_level() -> None:
    assert example_scores(RUBRIC, ["clear=1", "grounded=2"]) == {"clear": 1.0, "grounded": 2.0}
    assert example_scores(RUBRIC, {"clear": 2, "grounded": 0}) == {"clear": 2.0, "grounded": 0.0}
    with pytest.raises(ValidationError, match="missing: grounded"):
        example_scores(RUBRIC, ["clear=1"])
    with pytest.raises(ValidationError, match="expected CRITERION=POINTS") as caught:
        example_scores(RUBRIC, ["clear"])
    assert caught.value.field == "score"
    with pytest.raises(ValidationError) as caught:
        example_scores(RUBRIC, ["clear=high", "grounded=2"])
    assert caught.value.field == "clear"


def test_example_scores_refuse_a_criterion_given_twice() -> None:
    with pytest.raises(ValidationError, match=r"'clear' is given twice \(clear=1 and clear=2\)") as caught:
        example_scores(RUBRIC, ["clear=1", "clear=2", "grounded=2"])
    assert caught.value.field == "clear"


def test_an_override_reason_is_never_blank() -> None:
    assert override_reason("  graded in the meeting \n") == "graded in the meeting"
    for blank in ("", "   ", "\t\n"):
        with pytest.raises(ValidationError, match=r"the reason .* is empty") as caught:
            override_reason(blank)
        assert caught.value.field == "reason"
