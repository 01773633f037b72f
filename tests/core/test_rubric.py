"""Rubrics and reviews: levels, minimum effort, totals."""

from __future__ import annotations

import pytest

from peerkit.core.errors import ValidationError
from peerkit.core.rubric import Criterion, Level, ReviewContent, Rubric, check_review, content_from_value, total

RUBRIC = Rubric(
    id="r",
    title="R",
    comment_min_words=3,
    criteria=(
        Criterion("a", "Criterion A", (Level(0, "No"), Level(1, "Partly"), Level(2, "Yes"))),
        Criterion("b", "Criterion B", (Level(0, "No"), Level(3, "Yes"))),
    ),
)


def test_max_points_and_total() -> None:
    assert RUBRIC.max_points == 5
    assert total(RUBRIC, ReviewContent(scores={"a": 2, "b": 0})) == 2


def test_a_complete_review_has_nothing_left_to_do() -> None:
    content = ReviewContent(
        scores={"a": 1, "b": 3}, comments={"strengths": "the second paragraph", "suggestion": "ask a colleague first"}
    )
    assert check_review(RUBRIC, content) == []


def test_missing_levels_and_short_comments_are_listed() -> None:
    todo = check_review(RUBRIC, ReviewContent(scores={"a": 1}, comments={"strengths": "well done!"}))
    assert todo == [
        "choose a level for “Criterion B”",
        "write at least 3 words for “What works well, and why” (2 so far)",
        "write at least 3 words for “One change that would make it stronger” (0 so far)",
    ]
    assert check_review(RUBRIC, ReviewContent(scores={"a": 1}), complete=False) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (ReviewContent(scores={"zz": 1}), "no criterion 'zz'"),
        (ReviewContent(scores={"a": 1.5}), "not one of this criterion's levels"),
        (ReviewContent(comments={"flattery": "x"}), "unknown feedback prompt"),
    ],
)
def test_forged_reviews_are_refused(content: ReviewContent, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        check_review(RUBRIC, content)


def test_content_from_saved_value() -> None:
    content = content_from_value({"packet": "p", "scores": {"a": 2}, "comments": {"strengths": "x"}})
    assert content.scores == {"a": 2.0} and content.comments == {"strengths": "x"}
    with pytest.raises(ValidationError):
        content_from_value({"scores": {"a": "two"}})


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (float("nan"), "finite number, not nan"),
        (float("inf"), "finite number, not inf"),
        (-float("inf"), "finite number, not -inf"),
        ("2", "finite number, not '2'"),
        (True, "finite number, not True"),
        (-1, "outside 0 to 100"),
        (100.5, "outside 0 to 100"),
    ],
)
def test_a_level_gives_finite_points_in_range(points: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        Level(points, "Odd")  # type: ignore[arg-type]
    assert info.value.field == "points"


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ((0, 2, 1), "level '1' .1 points. must be worth more than the level before it, '2' .2."),
        ((0, 1, 1), "must be worth more"),
        ((3,), "at least two levels"),
        ((), "at least two levels"),
    ],
)
def test_a_criterion_lists_levels_from_fewest_to_most_points(points: tuple[float, ...], message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        Criterion("c", "C", tuple(Level(p, str(p)) for p in points))
    assert info.value.field == "c"
    assert Criterion("c", "C", (Level(0, "a"), Level(0.5, "b"), Level(100, "c"))).max_points == 100


def test_a_rubric_has_distinct_criteria() -> None:
    criterion = Criterion("a", "A", (Level(0, "No"), Level(1, "Yes")))
    with pytest.raises(ValidationError, match="criterion id 'a' appears twice"):
        Rubric(id="r", title="R", criteria=(criterion, criterion))
    with pytest.raises(ValidationError, match="at least one criterion"):
        Rubric(id="r", title="R", criteria=())
    with pytest.raises(ValidationError, match="comment_min_words cannot be negative"):
        Rubric(id="r", title="R", criteria=(criterion,), comment_min_words=-1)
