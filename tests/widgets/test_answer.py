"""What every answer widget shares: a refused value is explained in the learner's words, on one live region."""

from __future__ import annotations

from peerkit.core.answers import FILENAME, parse_sheet
from peerkit.widgets import PathPage
from peerkit.widgets.answer import KEPT
from peerkit.widgets.look import Look
from peerkit.widgets.status import status_line
from tests.conftest import CourseLayout


def test_an_over_long_field_is_named_by_its_label_with_the_fix(page: PathPage, course: CourseLayout) -> None:
    """The audit's "my-example.title: 312 characters is over the limit of 200": an internal id and no fix."""
    example = page.example("my-example")
    example.story.value = "kept"
    example.title.value = "A very long example title " * 12  # 312 characters
    said = example.status.value
    assert "my-example" not in said and "title:" not in said
    assert "Title of your example is 312 characters; shorten it to 200 or fewer." in said and KEPT in said
    assert example.title.value == "A very long example title " * 12  # nothing thrown away
    assert "peerkit-invalid" in example.title._dom_classes  # aria-invalid, described by the status line
    saved = parse_sheet((course.folder("mo", "alpha") / FILENAME).read_bytes()).get("my-example")
    assert saved is not None and saved.value["story"] == "kept"  # the last good value stays saved
    example.title.value = "A short title"
    assert "peerkit-invalid" not in example.title._dom_classes and "saved" in example.status.value


def test_any_refusal_of_a_whole_answer_names_its_visible_label(page: PathPage) -> None:
    box = page.reflection("first", "Q?", label="Your answer")
    box.text.value = "a NUL \x00 byte"
    said = box.status.value
    assert said.count("Your answer: text contains a NUL character. Change it to save it.") == 1
    assert "first:" not in said and KEPT in said and "peerkit-invalid" in box.text._dom_classes


def test_status_lines_are_one_persistent_live_region() -> None:
    """ipywidgets replaces an HTML widget's whole value: a role inside it would be a new live region, with
    its text already in it, on every update. The widget's own box is the region (peerkit-live)."""
    look = Look()
    line = look.live_widget(status_line("Saved", "ok", role="alert"))
    assert "peerkit-live" in line._dom_classes
    assert "role=" not in line.value and "aria-live" not in line.value and "Saved" in line.value
    line.value = status_line("Submitting…", "info")
    assert "role=" not in line.value
    line.close()
    look.close()
