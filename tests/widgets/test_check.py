"""Checks of understanding without a browser: a check is judged at once, the feedback says right or
not yet in words with why, each try is saved so progress counts it and a reopened page shows it; the
order and matching forms shuffle per learner and work from buttons and drop-downs alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from peerkit.core.answers import FILENAME, parse_sheet
from peerkit.core.errors import ValidationError
from peerkit.nbgrader.tasks import answer_kinds, required_answers
from peerkit.widgets import PathPage
from peerkit.widgets.check import CheckWidget
from tests.apps.test_plain_language import internal_words, readable
from tests.conftest import CourseLayout

WHY = "Each member is at times a learner and at times a teacher."


@pytest.fixture
def pages(course: CourseLayout) -> Iterator[Any]:
    course.enroll("ren")
    opened: list[PathPage] = []

    def open_page(learner: str = "ren") -> PathPage:
        page = PathPage("alpha", folder=course.folder(learner, "alpha"), config=course.learner_config(learner))
        opened.append(page)
        return page

    yield open_page
    for page in opened:
        page.close()


def saved(course: CourseLayout, answer_id: str, learner: str = "ren") -> Any:
    file = course.folder(learner, "alpha") / FILENAME
    answer = parse_sheet(file.read_bytes()).get(answer_id) if file.is_file() else None
    return None if answer is None else answer.value


def roles(page: PathPage) -> CheckWidget:
    return page.check(
        "check-roles",
        "In a peer group, who <teaches>?",
        choices=["Nobody", "Each member, at times", "The facilitator"],
        answer=1,
        why=WHY,
        hints={0: "Someone always <b>teaches</b>.", 2: "The facilitator guides; members teach too."},
    )


def loop(page: PathPage) -> CheckWidget:
    return page.check("check-loop", "Put the stages in order.", order=["gain", "apply", "feedback", "reflect"], why=WHY)


def terms(page: PathPage) -> CheckWidget:
    pairs = [("Independent", "On your own"), ("Interdependent", "Counting on each other"), ("Passive", "Listening")]
    return page.check("check-terms", "Match each term to its meaning.", match=pairs, why=WHY)


def test_a_wrong_then_a_right_choice(pages: Any, course: CourseLayout) -> None:
    page = pages()
    bar = page.progress()
    check = roles(page)
    check.button.click()  # nothing chosen: asked to choose, nothing saved, no try counted
    assert "Choose an answer first" in check.feedback.value and saved(course, "check-roles") is None
    check.choice.value = 0  # choosing alone saves nothing
    assert saved(course, "check-roles") is None and bar.bar.value == 0
    check.button.click()
    assert saved(course, "check-roles") == {
        "type": "choice",
        "response": 0,
        "attempts": 1,
        "right": False,
        "first_right": False,
    }
    wrong = readable(check.feedback.value)
    assert "✗ Not yet." in wrong and "Someone always <b>teaches</b>." not in wrong
    assert "&lt;b&gt;teaches&lt;/b&gt;" in check.feedback.value and WHY in wrong and "check it again" in wrong
    assert bar.bar.value == 1 and "saved at" in check.status.value and "checked 1 time" in check.status.value
    check.choice.value = 1
    check.button.click()
    assert saved(course, "check-roles") == {
        "type": "choice",
        "response": 1,
        "attempts": 2,
        "right": True,
        "first_right": False,
    }
    assert "✓ Right." in check.feedback.value and WHY in check.feedback.value
    assert "Someone always" not in check.feedback.value  # the hint belongs to the other choice


def test_the_markup_names_the_group_and_speaks_the_feedback(pages: Any) -> None:
    check = roles(pages())
    heading = check.heading.value
    assert 'class="peerkit-label peerkit-check-question" role="heading"' in heading
    assert "who &lt;teaches&gt;?" in heading  # escaped
    assert check.choice.options == (("Nobody", 0), ("Each member, at times", 1), ("The facilitator", 2))
    assert check.button.description == "Check my answer"
    check.choice.value = 2
    check.button.click()
    assert "peerkit-live" in check.feedback._dom_classes and "role=" not in check.feedback.value
    assert "peerkit-check" in check._dom_classes and "peerkit-answer-widget" in check._dom_classes
    assert internal_words(check) == []


def test_the_check_comes_back_with_its_feedback_and_counts_as_done(pages: Any, course: CourseLayout) -> None:
    first = roles(pages())
    first.choice.value = 1
    first.button.click()
    again_page = pages()
    bar = again_page.progress()
    again = roles(again_page)
    assert again.choice.value == 1 and "✓ Right." in again.feedback.value
    assert bar.bar.value == 1
    again.button.click()  # another try after a right one keeps "right at the first try"
    assert saved(course, "check-roles")["attempts"] == 2 and saved(course, "check-roles")["first_right"] is True


def test_another_tabs_check_reaches_the_controls_and_unchecked_choices_survive_a_reload(pages: Any) -> None:
    here = roles(pages())
    there = roles(pages())
    there.choice.value = 2
    there.button.click()
    here.session.reload()
    assert here.choice.value == 2 and "✗ Not yet." in here.feedback.value
    here.choice.value = 0  # chosen here, not checked yet
    here.session.reload()
    assert here.choice.value == 0


def test_ordering_from_the_keyboard(pages: Any, course: CourseLayout) -> None:
    check = loop(pages())
    shown = [value for _, value in check.steps.options]
    assert shown == check.spec.shuffled("ren") and shown != [0, 1, 2, 3]
    assert [label.split(". ", 1)[0] for label, _ in check.steps.options] == ["1", "2", "3", "4"]
    assert check.steps.description and check.up.description == "Move up" and check.down.description == "Move down"
    check.button.click()  # checking the shuffled order is a try that is not right
    assert saved(course, "check-loop")["right"] is False
    assert "steps are in the right place" in check.feedback.value
    # a learner moves each step up to its place, selecting it in the list and pressing "Move up"
    for target in range(4):
        check.steps.value = target
        while [v for _, v in check.steps.options].index(target) > target:
            check.up.click()
    assert [v for _, v in check.steps.options] == [0, 1, 2, 3]
    assert "is now in place" in check.moved.value and "peerkit-live" in check.moved._dom_classes
    check.steps.value = 0
    check.up.click()
    assert "“gain” is already first." in check.moved.value
    check.steps.value = 3
    check.down.click()
    assert "“reflect” is already last." in check.moved.value
    check.button.click()
    assert saved(course, "check-loop") == {
        "type": "order",
        "response": [0, 1, 2, 3],
        "attempts": 2,
        "right": True,
        "first_right": False,
    }
    assert "✓ Right." in check.feedback.value


def test_an_order_comes_back_as_it_was_checked(pages: Any) -> None:
    check = loop(pages())
    check.steps.value = [v for _, v in check.steps.options][-1]
    check.up.click()
    arranged = [v for _, v in check.steps.options]
    check.button.click()
    again = loop(pages())
    assert [v for _, v in again.steps.options] == arranged


def test_shuffles_are_the_same_per_learner_and_differ_between_learners(pages: Any, course: CourseLayout) -> None:
    assert [v for _, v in loop(pages()).steps.options] == [v for _, v in loop(pages()).steps.options]
    others = set()
    for name in ("ana", "bo", "cy", "di"):
        course.enroll(name)
        others.add(tuple(v for _, v in loop(pages(name)).steps.options))
    assert len(others) > 1


def test_matching_with_a_drop_down_per_term(pages: Any, course: CourseLayout) -> None:
    check = terms(pages())
    assert [m.description for m in check.menus] == ["Independent", "Interdependent", "Passive"]
    options = [value for _, value in check.menus[0].options]
    assert options[0] == -1 and check.menus[0].options[0][0] == "Choose a meaning"
    assert options[1:] == check.spec.shuffled("ren") and options[1:] != [0, 1, 2]
    check.menus[0].value = 1
    check.button.click()
    assert "Choose a meaning for every term first" in check.feedback.value and saved(course, "check-terms") is None
    check.menus[1].value = 0
    check.menus[2].value = 2
    check.button.click()
    assert "1 of 3 terms are matched rightly" in check.feedback.value
    check.menus[0].value, check.menus[1].value = 0, 1
    check.button.click()
    assert saved(course, "check-terms") == {
        "type": "match",
        "response": [0, 1, 2],
        "attempts": 2,
        "right": True,
        "first_right": False,
    }
    assert internal_words(check) == []


def test_a_badly_written_check_fails_when_the_page_is_built(pages: Any) -> None:
    with pytest.raises(ValidationError, match=r"check-bad\.answer: expected the right choice's position, 0 to 1"):
        pages().check("check-bad", "Q?", choices=["a", "b"], answer=2, why="w")
    with pytest.raises(ValidationError, match="exactly one of choices=, order= or match="):
        pages().check("check-bad", "Q?", why="w")


def test_a_saved_value_that_no_longer_fits_the_question_is_set_aside(pages: Any) -> None:
    page = pages()
    page.session.save(
        "check-loop",
        "check",
        {"type": "order", "response": [1, 0], "attempts": 1, "right": False, "first_right": False},
    )
    check = loop(page)  # the course has four steps now, not two
    assert check.read() is None and check.feedback.value == ""
    assert [v for _, v in check.steps.options] == check.spec.shuffled("ren")


def test_ingest_finds_checks_as_activities_without_tasks(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('from peerkit.widgets import PathPage\npage = PathPage("alpha")'),
        nbformat.v4.new_markdown_cell("### Check your understanding"),
        nbformat.v4.new_code_cell('page.check("check-roles", "Q?", choices=["a", "b"], answer=1, why="w")'),
        nbformat.v4.new_code_cell('page.check("check-aside", "Q?", order=["a", "b"], why="w", optional=True)'),
    ]
    path = tmp_path / "alpha.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert answer_kinds(path) == {"check-roles": "check", "check-aside": "check"}
    assert required_answers(path) == ()  # a check never holds back a submission's completeness


def test_an_untried_check_counts_in_progress_but_never_makes_a_submission_incomplete(pages: Any) -> None:
    page = pages()
    bar = page.progress()
    page.reflection("first", label="Your answer").text.value = "written"
    page.reflection("second", label="Another").text.value = "written too"
    check = roles(page)
    assert bar.bar.max == 3 and bar.bar.value == 2
    assert page.session.completeness().status == "complete"
    page.session._required = None  # without the path's notebook: from the page, where the check is optional
    page.session.folder = None
    assert page.session.required_answers() == ("first", "second")
    check.choice.value = 1
    check.button.click()
    assert bar.bar.value == 3
