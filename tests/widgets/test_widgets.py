"""Widgets without a browser: trait changes save, reloads update the box, Submit confirms."""

from __future__ import annotations

import re
import threading

import pytest
from traitlets.config import Config

from peerkit.core.answers import FILENAME, JSON, parse_sheet
from peerkit.widgets import PathPage
from peerkit.widgets.reflection import Reflection, count_words
from tests.conftest import CourseLayout
from tests.widgets.plain import logged_under


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
    assert "peerkit-live" in box.status._dom_classes and "limit is 20,000" in box.status.value


def test_submit_confirms_with_the_time(page: PathPage, course: CourseLayout) -> None:
    page.reflection("first", "Q?").text.value = "ready to submit"
    page.reflection("second", "Q?").text.value = "and this one too"
    panel = page.submit()
    assert "Not submitted yet" in panel.status.value
    panel.button.click()
    # The time names UTC; the page's script shows it in the reader's zone (its datetime attribute).
    assert re.search(
        r'Submitted <time class="peerkit-time" datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" data-format="datetime">'
        r"\d+ \w+ \d{4}, \d\d:\d\d:\d\d UTC</time>: sent to your facilitator",
        panel.status.value,
    ), panel.status.value
    assert not panel.button.disabled
    inbound = list(course.inbound().iterdir())
    assert len(inbound) == 1 and inbound[0].name.startswith("mo+alpha+")
    again = PathPage("alpha", folder=course.folder("mo", "alpha"), config=course.learner_config("mo"))
    assert "Last submitted" in again.submit().status.value
    again.close()


def test_failed_submit_says_so_plainly_and_keeps_answers(
    page: PathPage, course: CourseLayout, caplog: pytest.LogCaptureFixture
) -> None:
    box = page.reflection("first", "Q?")
    box.text.value = "precious words"
    inbound = course.inbound()
    inbound.rename(inbound.with_name("elsewhere"))
    panel = page.submit()
    panel.button.click()
    panel.button.click()  # "submit anyway": the second answer is blank
    assert "Submit failed" in panel.status.value and "Your answers are still saved here" in panel.status.value
    assert "Inbound directory" not in panel.status.value  # nbgrader's words: in the log, for the facilitator
    assert "Inbound directory" in logged_under(caplog, panel.status.value)
    assert box.text.value == "precious words"


def test_submit_with_blanks_asks_first_and_says_what_is_missing(page: PathPage, course: CourseLayout) -> None:
    first = page.reflection("first", "Q?")
    page.reflection("second", "Q?")
    panel = page.submit()
    panel.button.click()  # nothing answered yet
    assert "You have not answered anything yet — submit anyway?" in panel.status.value
    assert panel.confirming and panel.button.description == "Submit anyway"
    first.text.value = "one answer"  # a change: the question is asked again with the new count
    assert not panel.confirming and panel.button.description == "Submit my answers"
    panel.button.click()
    assert (
        "1 of 2 answers complete — submit anyway?" in panel.status.value and "peerkit-live" in panel.status._dom_classes
    )
    assert not list(course.inbound().iterdir())  # nothing sent until the learner confirms
    panel.button.click()
    assert "Submitted" in panel.status.value and "1 of 2 answers complete: fill in the rest" in panel.status.value
    assert "peerkit-warn" in panel.status.value
    assert len(list(course.inbound().iterdir())) == 1 and panel.button.description == "Submit my answers"


def test_an_optional_activity_may_stay_blank(course: CourseLayout) -> None:
    course.enroll("ola")
    folder = course.folder("ola", "alpha")
    (folder / "alpha.ipynb").unlink()  # no notebook to read: the page's widgets say what is required
    page = PathPage("alpha", folder=folder, config=course.learner_config("ola"))
    page.reflection("first", "Q?").text.value = "given"
    page.reflection("second", "Q?", optional=True)
    assert page.session.required_answers() == ("first",)
    assert page.session.completeness().complete
    page.close()


def test_preview_page_has_a_banner_and_a_disabled_submit(course: CourseLayout) -> None:
    page = PathPage("alpha", folder=course.workspace.root, config=Config())
    assert "Preview" in page.banner().value
    assert page.submit().button.disabled
    page.close()


@pytest.mark.parametrize(("text", "words"), [("", 0), ("one", 1), ("  two  words\n", 2), ("a-b c,d", 2)])
def test_word_count(text: str, words: int) -> None:
    assert count_words(text) == words


def test_a_reload_landing_while_a_box_is_built_reaches_the_box(page: PathPage, monkeypatch: pytest.MonkeyPatch) -> None:
    """Voilà hands a preheated kernel to its visitor before the last cells have run: the reload on the
    visit then runs in a thread while widgets are still being built, and must reach every one of them."""
    other = PathPage("alpha", folder=page.session.folder, config=page.session.config)
    other.reflection("first", "Q?").text.value = "saved since the page was preheated"
    reloaded = threading.Event()
    write = Reflection.write

    def visit() -> None:
        page.session.reload()
        reloaded.set()

    def slow_write(self: Reflection, value: JSON | None) -> None:
        write(self, value)
        if not reloaded.is_set():  # the box has read the sheet: the visitor arrives now
            thread = threading.Thread(target=visit)
            thread.start()
            thread.join(timeout=0.3)  # a reload that waits for the box to be built is what we want

    monkeypatch.setattr(Reflection, "write", slow_write)
    box = page.reflection("first", "Q?")
    assert reloaded.wait(timeout=5)
    assert box.text.value == "saved since the page was preheated"
    assert page.progress().line.value.count("1 of 1") == 1
    other.close()
