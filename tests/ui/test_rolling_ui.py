"""One rolling path end to end in a real browser, one learner alone with the demo cohort, nobody else acting.

The served demo (the same command as ``python -m peerkit serve``), path 1 from the course home:
answers given by keyboard, Submit; the path's review page: the practice (two examples rated, compared
with the model review, a difference explained), then classmates' work, which the course's steward
delivers within seconds while the page is open (the page says so, and shows it on request), the
reviews written and submitted; the feedback the demo peers give back, each review rated, the response
to feedback written (sent as it is written, no second Submit); the course home shows the path moving
on. axe finds nothing on any page, and the learner never reads the course's internal words.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from peerkit.config.course import load_course
from tests.browser import ConsoleLog
from tests.conftest import COURSE_FILE
from tests.ui.conftest import Served, start_serve, stop_serve
from tests.ui.test_access_ui import check_page, follow, submit, tab_to, type_words, wait_ready
from tests.ui.test_course_ui import close_tab, open_page

pytestmark = pytest.mark.ui

COURSE = load_course(COURSE_FILE)
PATH = COURSE.paths[1]  # path 1, after the orientation ("Start here")
REVIEW = f"{PATH.review_id}.ipynb"
HOME = "/voila/render/home.ipynb"
#: Words of the course's plumbing that a learner must never read.
INTERNAL = ("packet", "nbgrader", "exchange", "ingest", "allocation", "steward", "manifest", "token")

#: The page's visible text without what learners wrote (their answers, reviews and comments are theirs).
OWN_TEXT = """() => {
  const main = document.querySelector('#peerkit-main');
  const written = '.peerkit-author-answer, .peerkit-received-review p, .peerkit-received-review li, textarea';
  const hidden = [...main.querySelectorAll(written)].map(e => [e, e.style.display]);
  hidden.forEach(([e]) => { e.style.display = 'none'; });
  const text = main.innerText;
  hidden.forEach(([e, was]) => { e.style.display = was; });
  return text;
}"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    instance = start_serve(tmp_path_factory.mktemp("rolling") / "work", "--no-dashboard")
    yield instance
    stop_serve(instance)


#: The first visible text in the page's main part, and whether it is the page's header (the frame).
FIRST_TEXT = """() => {
  const walker = document.createTreeWalker(document.querySelector('#peerkit-main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || !node.parentElement.checkVisibility()) continue;
    return [!!node.parentElement.closest('header.peerkit-frame'), node.textContent.trim().slice(0, 120)];
  }
  return [false, ''];
}"""


def header_first(page: Any, what: str) -> None:
    """Nothing the learner can see precedes the page's header (the review page once put a stray label
    per form above it: the forms' stand-ins, put out where no form would replace them)."""
    in_header, text = page.evaluate(FIRST_TEXT)
    assert in_header, f"{what} shows {text!r} above its header"


def plain_words(page: Any, what: str) -> str:
    """The page's own visible text (not what classmates wrote), checked for internal words; returned."""
    text = str(page.evaluate(OWN_TEXT))
    found = [w for w in INTERNAL if re.search(rf"\b{w}s?\b", text, re.IGNORECASE)]
    assert found == [], f"{what} says {found}:\n{text[:2000]}"
    return text


def test_a_learner_walks_a_rolling_path_alone(browser: Any, served: Served) -> None:
    assert PATH.review is not None and PATH.review.mode == "rolling"
    k = PATH.review.per_submission
    rubric = COURSE.rubric_for(PATH.id)
    examples = COURSE.examples[PATH.id]
    console = ConsoleLog()
    page = open_page(browser, served.url + HOME, console, width=1280)
    wait_ready(page)
    check_page(page, "home")
    assert page.locator(f'.peerkit-path-card[data-path="{PATH.id}"]').get_attribute("data-status") == "Not started"

    # Home → path 1; every activity answered by keyboard.
    follow(page, f"{PATH.id}.ipynb")
    check_page(page, "the path page")
    plain_words(page, "the path page")
    header_first(page, "the path page")
    tab_to(
        page, ".peerkit-answer-widget.peerkit-check input[type=radio]"
    )  # a check of understanding: choose, check, read why
    page.keyboard.press("Space")
    tab_to(page, ".peerkit-check button.peerkit-check-button")
    page.keyboard.press("Enter")
    page.locator(".peerkit-check-feedback", has_text="Why:").first.wait_for(timeout=15_000)
    tab_to(page, ".peerkit-checklist input[type=checkbox]")
    page.keyboard.press("Space")
    tab_to(page, ".peerkit-text textarea")
    type_words(page, 70)
    tab_to(page, ".peerkit-scale input[type=radio]")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    tab_to(page, ".peerkit-project textarea")
    type_words(page, 70)
    tab_to(page, ".peerkit-text textarea")
    type_words(page, 60)
    page.locator(".peerkit-answer-widget:has(textarea:focus) .peerkit-status", has_text="saved").wait_for(
        timeout=15_000
    )
    check_page(page, "the path page, answered")
    tab_to(page, "button.peerkit-submit")
    assert submit(page) == "sent"  # every required activity answered: no "submit anyway"
    check_page(page, "the path page after Submit")
    step = plain_words(page, "the path page after Submit")
    assert "review" in page.locator(".peerkit-next-step").inner_text().lower(), step[-600:]

    # The next step: the review page, opening on the practice.
    follow(page, REVIEW)
    page.locator(".peerkit-practice").first.wait_for(timeout=60_000)
    check_page(page, "the review page, practice first")
    text = plain_words(page, "the review page")
    assert "Practice before you review" in text
    header_first(page, "the review page")
    assert page.locator("h1", has_text=f"Review: {PATH.title}").count() == 1

    # Practice: each example rated by keyboard, one level away from the model review on the first criterion.
    first = rubric.criteria[0]
    for number, example in enumerate(examples):
        levels = [lv.points for lv in first.levels]
        model = levels.index(example.model.scores[first.id])
        for index, criterion in enumerate(rubric.criteria):
            want = [lv.points for lv in criterion.levels].index(example.model.scores[criterion.id])
            if index == 0:
                want = (model + 1) % len(levels)  # differ from the model here, agree everywhere else
            view = page.locator(".peerkit-practice").nth(number)
            radios = view.locator(".peerkit-level").nth(index).locator("input[type=radio]")
            radios.first.focus()  # the view's own radio group (the Tab order is checked in the access test)
            page.keyboard.press("Space")
            for _ in range(want):
                page.keyboard.press("ArrowDown")
            assert view.locator(".peerkit-level").nth(index).locator("input:checked").count() == 1
        view = page.locator(".peerkit-practice").nth(number)
        view.locator("button.peerkit-compare:not([disabled])").wait_for(timeout=15_000)
        view.locator("button.peerkit-compare").focus()
        page.keyboard.press("Enter")
        compared = view.locator(".peerkit-practice-compare")
        compared.wait_for(timeout=15_000)
        total = len(rubric.criteria)
        assert f"the same level as the model review on {total - 1} of {total} criteria" in compared.inner_text()
        differ = compared.locator("tr.peerkit-differ")
        assert differ.count() == 1
        assert "the model review chose" in differ.inner_text()
        assert example.reasons[first.id].split()[0] in differ.inner_text()  # why, in the course's words
    check_page(page, "the practice, compared")

    # Classmates' work: already here, or it arrives while the page is open and the page says so.
    picker = page.locator(".peerkit-packet-picker button")
    deadline = time.monotonic() + 90
    while picker.filter(has_text="Submission 1").count() == 0:
        arrived = page.locator("button.peerkit-show-arrived:visible")
        if arrived.count():
            assert "has arrived" in page.locator(".peerkit-arrived").inner_text()
            check_page(page, "the review page, work arrived")
            arrived.focus()
            page.keyboard.press("Enter")
            picker.filter(has_text="Submission 1").wait_for(timeout=30_000)
            print("classmates' work arrived while the review page was open")
            break
        assert time.monotonic() < deadline, "no classmate's work reached the review page:\n" + "".join(served.log[-30:])
        page.wait_for_timeout(500)
    titles = [t.strip() for t in picker.all_inner_texts()]
    assert titles[0] == "Practice" and f"Submission {k} of {k}" in titles, titles
    check_page(page, "the review page with classmates' work")

    # One review per classmate, by keyboard: a level per criterion, the comments.
    for number in range(1, k + 1):
        tab_to(page, f".peerkit-packet-picker button:nth-of-type({number + 1})", backwards=True)
        page.keyboard.press("Enter")
        page.locator(".peerkit-review:visible").first.wait_for(timeout=15_000)
        form = page.locator(".peerkit-review:visible").first
        plain_words(page, f"submission {number}")
        for index in range(len(rubric.criteria)):
            radios = form.locator(".peerkit-level").nth(index).locator("input[type=radio]")
            radios.first.focus()
            page.keyboard.press("Space")
            page.keyboard.press("ArrowDown")
        for prompt in rubric.prompts:
            form.locator(f".peerkit-prompt-{prompt.id} textarea").focus()
            type_words(page, rubric.comment_min_words + 5)
        form.locator(".peerkit-status", has_text=re.compile(r"complete \(\d+ words")).wait_for(timeout=15_000)
    check_page(page, "the reviews, written")
    tab_to(page, "button.peerkit-submit")
    submit(page)
    check_page(page, "the review page after Submit")

    # The demo peers review the learner back: the feedback arrives on the open page (or is there already).
    deadline = time.monotonic() + 120
    while picker.filter(has_text="Your feedback").count() == 0:
        arrived = page.locator("button.peerkit-show-arrived:visible")
        if arrived.count():
            assert "feedback" in page.locator(".peerkit-arrived").inner_text()
            arrived.focus()
            page.keyboard.press("Enter")
            picker.filter(has_text="Your feedback").wait_for(timeout=30_000)
            print("feedback arrived while the review page was open")
            break
        assert time.monotonic() < deadline, "no feedback reached the review page:\n" + "".join(served.log[-30:])
        page.wait_for_timeout(500)
    picker.filter(has_text="Your feedback").focus()
    page.keyboard.press("Enter")
    ratings = page.locator(".peerkit-rating:visible")
    ratings.first.wait_for(timeout=30_000)
    check_page(page, "the feedback")
    feedback = plain_words(page, "the feedback")
    assert "grade" in feedback.lower()  # it says when the grade comes (the path is still open)
    assert ratings.count() >= k
    for index in range(ratings.count()):  # each review's helpfulness, by keyboard
        ratings.nth(index).locator("input[type=radio]").first.focus()
        page.keyboard.press("Space")
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        ratings.nth(index).locator(".peerkit-status", has_text="rated 4 of 5").wait_for(timeout=15_000)

    # The response to feedback: what I changed, what I kept and why, one answer revised (prefilled).
    response = page.locator(".peerkit-response:visible")
    response.locator("textarea").first.focus()
    page.keyboard.type("I named the day and the people, as the first review asked.")
    response.locator("textarea").nth(1).focus()
    page.keyboard.type("I kept the length: the second reviewer wanted more, but the story is complete.")
    menu = response.locator("select")
    menu.focus()
    page.keyboard.press("ArrowDown")  # the first of my answers: its text appears, ready to revise
    revised = response.locator("textarea").nth(2)
    page.wait_for_function("t => t.value.length > 40", arg=revised.element_handle(), timeout=15_000)
    revised.focus()
    page.keyboard.press("End")
    page.keyboard.type(" Revised after feedback.")
    response.locator(".peerkit-status", has_text="saved").wait_for(timeout=15_000)
    page.locator(".peerkit-ratings-sent", has_text="Sent to your facilitator").first.wait_for(timeout=30_000)
    check_page(page, "the feedback, rated and answered")
    close_tab(page)

    # The course home: the path has moved on (feedback read and rated), but it is not done while the
    # self-assessment, never written here, is still to do.
    page = open_page(browser, served.url + HOME, console, width=1280)
    wait_ready(page)
    card = page.locator(f'.peerkit-path-card[data-path="{PATH.id}"]')
    assert card.get_attribute("data-status") == "Your self-assessment to do", card.inner_text()
    check_page(page, "home at the end")
    plain_words(page, "home at the end")
    close_tab(page)
    assert console.errors == [], "\n".join(console.errors)

    # Nobody acted but the learner: the course's own log names no facilitator step.
    assert not any("the facilitator closed the round" in line for line in served.log)
