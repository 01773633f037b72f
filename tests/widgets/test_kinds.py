"""Every widget kind without a browser: a change saves at once, a reopened page shows it again,
another tab's save reaches the controls, progress counts answered activities."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from peerkit.core.answers import FILENAME, parse_sheet
from peerkit.core.errors import ValidationError
from peerkit.widgets import PathPage
from peerkit.widgets.scale import point_labels
from tests.conftest import CourseLayout


@pytest.fixture
def pages(course: CourseLayout) -> Iterator[Any]:
    course.enroll("ren")
    opened: list[PathPage] = []

    def open_page() -> PathPage:
        page = PathPage("alpha", folder=course.folder("ren", "alpha"), config=course.learner_config("ren"))
        opened.append(page)
        return page

    yield open_page
    for page in opened:
        page.close()


def saved(course: CourseLayout, answer_id: str) -> Any:
    answer = parse_sheet((course.folder("ren", "alpha") / FILENAME).read_bytes()).get(answer_id)
    return None if answer is None else answer.value


def build(page: PathPage, kind: str) -> Any:
    if kind == "scale":
        return page.scale("often", label="How often do you learn from peers?", low="never", high="every day")
    if kind == "checklist":
        return page.checklist("when", ["To solve a problem", "To build a skill", "To stay connected"], label="When?")
    if kind == "profile":
        return page.profile("me")
    if kind == "plan":
        return page.plan("next")
    if kind == "example":
        return page.example("story")
    return page.reflection("first", label="Your answer")


def fill(widget: Any, kind: str) -> Any:
    """Change the controls the way a learner would; return the value that must be saved."""
    if kind == "scale":
        widget.choice.value = 4
        return 4
    if kind == "checklist":
        widget.boxes[0].value = True
        widget.boxes[2].value = True
        widget.other.value = "To be less alone"
        return {"selected": ["To solve a problem", "To stay connected"], "other": "To be less alone"}
    if kind == "profile":
        widget.tags["know"].value = "storytimes"
        widget.tags["want"].value = "coaching, video,"
        widget.notes.value = "Small rural branch."
        return {"know": ["storytimes"], "bring": [], "want": ["coaching", "video"], "notes": "Small rural branch."}
    if kind == "plan":
        widget.step.value = "Ask Ana to co-run a session"
        widget.date.value = dt.date(2026, 12, 14)
        widget.checkin.value = widget.checkin.options[1][1]
        return {
            "step": "Ask Ana to co-run a session",
            "date": "2026-12-14",
            "checkin": widget.checkin.options[1][1],
            "support": "",
        }
    if kind == "example":
        widget.title.value = "Shared translations"
        widget.story.value = "Two libraries split the cost of translating resume guides."
        widget.tags.value = "libraries"
        return {
            "title": "Shared translations",
            "story": "Two libraries split the cost of translating resume guides.",
            "tags": ["libraries"],
        }
    widget.text.value = "Learning with a colleague."
    return "Learning with a colleague."


KINDS = ["text", "scale", "checklist", "profile", "plan", "example"]


@pytest.mark.parametrize("kind", KINDS)
def test_each_change_is_saved_and_comes_back(kind: str, pages: Any, course: CourseLayout) -> None:
    widget = build(pages(), kind)
    expected = fill(widget, kind)
    assert saved(course, widget.answer_id) == expected
    assert "saved at" in widget.status.value
    again = build(pages(), kind)  # the tab was closed and the page opened again
    assert again.read() == expected


@pytest.mark.parametrize("kind", KINDS)
def test_another_tabs_save_reaches_the_controls_without_saving_again(kind: str, pages: Any) -> None:
    here = build(pages(), kind)
    there = build(pages(), kind)
    expected = fill(there, kind)
    revision = here.session.reload().revision
    assert here.read() == expected
    assert here.session.sheet.revision == revision


def test_unsaved_text_is_not_wiped_by_a_reload(
    pages: Any, course: CourseLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = pages()
    box = page.reflection("first")
    from peerkit.core.errors import StorageError
    from peerkit.storage import answerfile

    def full(*_a: object, **_k: object) -> None:
        raise StorageError("could not save: the disk is full")

    monkeypatch.setattr(answerfile, "write_atomic", full)
    box.text.value = "typed while the disk was full"
    assert "the disk is full" in box.status.value
    page.session.reload()
    assert box.text.value == "typed while the disk was full"


def test_progress_counts_activities_including_later_cells(pages: Any) -> None:
    page = pages()
    bar = page.progress()
    text = page.reflection("first")
    scale = page.scale("often", label="How often?", low="never", high="daily")
    page.checklist("when", ["a", "b"], label="When?")
    assert bar.bar.max == 3 and bar.bar.value == 0 and "0 of 3 activities done" in bar.line.value
    text.text.value = "done"
    scale.choice.value = 2
    assert bar.bar.value == 2 and "2 of 3" in bar.line.value
    text.text.value = "   "  # cleared again
    assert bar.bar.value == 1


def test_scale_ends_are_labelled_and_labels_must_match_points() -> None:
    assert point_labels(5, "never", "daily", None) == ["1 · never", "2", "3", "4", "5 · daily"]
    with pytest.raises(ValidationError, match="needs 3 labels"):
        point_labels(3, "a", "b", ["one", "two"])


def test_checklist_refuses_duplicate_options(pages: Any) -> None:
    with pytest.raises(ValidationError, match="distinct"):
        pages().checklist("bad", ["same", "same"], label="Oops")


def test_every_control_has_a_visible_label(pages: Any) -> None:
    page = pages()
    for kind in KINDS:
        widget = build(page, kind)
        for control in widget.children[:-1]:  # the last child is the status line
            label = getattr(control, "description", None)
            assert (
                label
                or "peerkit-label" in getattr(control, "value", "")
                or "peerkit-prompt" in getattr(control, "value", "")
            ), (kind, control)


@pytest.mark.parametrize(
    ("typed", "tags"),
    [
        ("", []),
        ("a, b", ["a", "b"]),
        ("  spaced   out , , tabs\tinside ;semi", ["spaced out", "tabs inside", "semi"]),
        ("Video, video, VIDEO, audio", ["Video", "audio"]),
        ("x" * 300, ["x" * 200]),
    ],
)
def test_tags_are_typed_as_comma_separated_words(typed: str, tags: list[str]) -> None:
    from peerkit.widgets.tags import parse_tags, show_tags

    assert parse_tags(typed) == tags
    assert parse_tags(show_tags(tags)) == tags


def test_every_registered_kind_names_a_widget_that_saves_that_kind() -> None:
    from peerkit.core import kinds
    from peerkit.widgets.answer import AnswerWidget

    for kind in kinds.all_kinds():
        widget = kind.widget_class()
        assert issubclass(widget, AnswerWidget) and widget.kind == kind.name
