"""A model answer under a reflection: closed (and absent from the page) until the learner has
submitted the path, then shown escaped on demand; a preview never shows it."""

from __future__ import annotations

from traitlets.config import Config

from peerkit.widgets import PathPage
from peerkit.widgets.model_answer import HIDE, LOCKED, SHOW, attach_model
from tests.apps.test_plain_language import internal_words, texts
from tests.conftest import CourseLayout

MODEL = "Peers learn <em>with</em> each other.\n\nEach is at times the teacher."


def test_closed_before_submitting_and_the_model_is_not_on_the_page(page: PathPage) -> None:
    box = page.reflection("first", label="Your answer", model=MODEL)
    assert box.model is not None and box.children[-1] is box.model
    assert box.model.button.description == SHOW and LOCKED in box.model.body.value
    box.model.button.click()
    assert box.model.button.description == SHOW and LOCKED in box.model.body.value
    assert 'role="status"' in box.model.body.value
    assert not any("each other" in text for text in texts(box))  # nothing a browser could reveal
    assert internal_words(box) == []


def test_opens_after_submitting_on_the_same_page_and_closes_again(page: PathPage) -> None:
    box = page.reflection("first", label="Your answer", model=MODEL)
    page.reflection("second", label="Another").text.value = "and this one"
    box.text.value = "My own answer first."
    panel = page.submit()
    panel.button.click()
    assert "Submitted" in panel.status.value
    box.model.button.click()  # type: ignore[union-attr]
    shown = box.model.body.value  # type: ignore[union-attr]
    assert box.model.button.description == HIDE  # type: ignore[union-attr]
    assert 'role="region" aria-label="Model answer"' in shown
    assert "Peers learn &lt;em&gt;with&lt;/em&gt; each other." in shown and "<em>with</em>" not in shown
    assert shown.count("<p>") == 2  # its paragraphs kept
    assert box.text.value == "My own answer first."  # the learner's answer stays as it was
    box.model.button.click()  # type: ignore[union-attr]
    assert box.model.button.description == SHOW and box.model.body.value == ""  # type: ignore[union-attr]


def test_a_page_opened_after_submitting_says_nothing_about_waiting(page: PathPage, course: CourseLayout) -> None:
    page.reflection("first", label="Your answer").text.value = "done"
    page.reflection("second", label="Another").text.value = "done too"
    page.submit().button.click()
    later = PathPage("alpha", folder=course.folder("mo", "alpha"), config=course.learner_config("mo"))
    box = later.reflection("first", label="Your answer", model=MODEL)
    assert box.model is not None and box.model.body.value == ""
    box.model.button.click()
    assert "each other" in box.model.body.value
    later.close()


def test_a_preview_never_opens_it(course: CourseLayout) -> None:
    preview = PathPage("alpha", folder=course.workspace.root, config=Config())
    box = preview.reflection("first", label="Your answer", model=MODEL)
    assert box.model is not None
    box.model.button.click()
    assert LOCKED in box.model.body.value and box.model.button.description == SHOW
    preview.close()


def test_no_model_no_disclosure(page: PathPage) -> None:
    assert page.reflection("first", label="Your answer").model is None
    assert page.reflection("second", label="Another", model="   ").model is None
    box = page.reflection("third", label="Third")
    assert attach_model(box, None, look=page.look) is None and len(box.children) == 2
    attached = attach_model(box, "Reusable by any answer widget.", look=page.look)
    assert attached is not None and box.children[-1] is attached
