"""Widgets without a browser: trait changes save, reloads update the box, Submit confirms."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from traitlets.config import Config

from peerkit.core.answers import FILENAME, parse_sheet
from peerkit.widgets import PathPage
from peerkit.widgets.reflection import count_words
from tests.conftest import CourseLayout


@pytest.fixture
def page(course: CourseLayout) -> Iterator[PathPage]:
    course.enroll("mo")
    p = PathPage("alpha", folder=course.folder("mo", "alpha"), config=course.learner_config("mo"))
    yield p
    p.close()


def test_typing_saves_and_updates_the_status(page: PathPage, course: CourseLayout) -> None:
    box = page.reflection("first", "What did you learn?", min_words=5)
    box.text.value = "Three words here"
    sheet = parse_sheet((course.folder("mo", "alpha") / FILENAME).read_bytes())
    assert sheet.get("first").value == "Three words here"  # type: ignore[union-attr]
    assert "3 words (aim for at least 5)" in box.status.value and "saved at" in box.status.value


def test_box_starts_with_the_saved_answer(page: PathPage, course: CourseLayout) -> None:
    page.reflection("first", "Q?").text.value = "written before the tab closed"
    reopened = PathPage("alpha", folder=course.folder("mo", "alpha"), config=course.learner_config("mo"))
    assert reopened.reflection("first", "Q?").text.value == "written before the tab closed"
    reopened.close()


def test_reload_updates_the_box_without_saving_again(page: PathPage) -> None:
    box = page.reflection("first", "Q?")
    other = PathPage("alpha", session=None, folder=page.session.folder, config=page.session.config)
    other.reflection("first", "Q?").text.value = "from the other tab"
    revision = page.session.reload().revision
    assert box.text.value == "from the other tab"
    assert page.session.sheet.revision == revision  # applying the reload did not save
    other.close()


def test_labels_are_visible_and_prompt_is_escaped(course: CourseLayout) -> None:
    page = PathPage("alpha", folder=course.workspace.root, config=Config())  # preview
    box = page.reflection("first", "Is <script>alert(1)</script> escaped?", label="Your answer")
    assert box.text.description == "Your answer"
    assert "<script>" not in box.prompt.value and "&lt;script&gt;" in box.prompt.value
    page.close()


def test_oversize_text_shows_an_alert(page: PathPage) -> None:
    box = page.reflection("first", "Q?")
    box.text.value = "x" * 20_001
    assert 'role="alert"' in box.status.value and "limit is 20,000" in box.status.value


def test_submit_confirms_with_the_time(page: PathPage, course: CourseLayout) -> None:
    page.reflection("first", "Q?").text.value = "ready to submit"
    panel = page.submit()
    assert "Not submitted yet" in panel.status.value
    panel.button.click()
    assert re.search(r"Submitted \d+ \w+ \d{4}, \d\d:\d\d:\d\d UTC", panel.status.value), panel.status.value
    assert not panel.button.disabled
    inbound = list(course.inbound().iterdir())
    assert len(inbound) == 1 and inbound[0].name.startswith("mo+alpha+")
    again = PathPage("alpha", folder=course.folder("mo", "alpha"), config=course.learner_config("mo"))
    assert "Last submitted" in again.submit().status.value
    again.close()


def test_failed_submit_shows_why_and_keeps_answers(page: PathPage, course: CourseLayout) -> None:
    box = page.reflection("first", "Q?")
    box.text.value = "precious words"
    inbound = course.inbound()
    inbound.rename(inbound.with_name("elsewhere"))
    panel = page.submit()
    panel.button.click()
    assert "Submit failed" in panel.status.value and "Inbound directory" in panel.status.value
    assert box.text.value == "precious words"


def test_preview_page_has_a_banner_and_a_disabled_submit(course: CourseLayout) -> None:
    page = PathPage("alpha", folder=course.workspace.root, config=Config())
    assert "Preview" in page.banner().value
    assert page.submit().button.disabled
    page.close()


@pytest.mark.parametrize(("text", "words"), [("", 0), ("one", 1), ("  two  words\n", 2), ("a-b c,d", 2)])
def test_word_count(text: str, words: int) -> None:
    assert count_words(text) == words
