"""Placeholders: each activity's label and saved answer as escaped HTML, put out in Voilà only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from peerkit.widgets import PathPage
from peerkit.widgets import placeholder as ph
from tests.conftest import CourseLayout

HOSTILE = "<script>alert(1)</script> & <b>bold</b>"


@pytest.fixture
def page(course: CourseLayout) -> Iterator[PathPage]:
    p = PathPage("alpha", folder=course.folder("mo", "alpha"), config=course.learner_config("mo"))
    yield p
    p.close()


def put_out(monkeypatch: pytest.MonkeyPatch, *, preheat: bool = False) -> list[tuple[Any, dict[str, Any]]]:
    """Pretend to run in a Voilà kernel; collect what is displayed."""
    import IPython
    import IPython.display

    shown: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setenv("VOILA_KERNEL_ID", "k1")
    monkeypatch.setenv("VOILA_PREHEAT", "True" if preheat else "False")
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append((obj, kw)))
    return shown


def test_the_label_and_saved_answer_are_escaped_and_marked(page: PathPage, monkeypatch: pytest.MonkeyPatch) -> None:
    box = page.reflection("r1", label="Your <moment>")
    box.text.value = HOSTILE  # saved at once
    shown = put_out(monkeypatch)
    page.reflection("r1", label="Your <moment>")
    ((bundle, options),) = shown
    assert options == {"raw": True, "metadata": {ph.MARK: True}}
    markup = bundle["text/html"]
    assert '<p class="peerkit-label">Your &lt;moment&gt;</p>' in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in markup
    assert "<script>" not in markup and "<b>" not in markup
    assert ph.HIDE_ONCE_RENDERED in markup  # hides itself once the widget has rendered beside it


def test_a_checklist_is_named_by_its_label_line(page: PathPage) -> None:
    widget = page.checklist("c1", ["One", "Two"], label="Which & why")
    assert ph.widget_label(widget) == "Which & why"
    assert ph.placeholder_for(widget, page.session, "c1") == (
        f'<div class="peerkit-placeholder">{ph.HIDE_ONCE_RENDERED}<p class="peerkit-label">Which &amp; why</p></div>'
    )


def test_a_preheated_kernel_shows_no_answer_that_may_be_stale(page: PathPage, monkeypatch: pytest.MonkeyPatch) -> None:
    page.reflection("r1", label="Box").text.value = "written before the visit"
    shown = put_out(monkeypatch, preheat=True)
    page.reflection("r1", label="Box")
    assert "written before" not in shown[0][0]["text/html"] and "Box" in shown[0][0]["text/html"]


def test_nothing_is_put_out_outside_voila(page: PathPage, monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython.display

    shown: list[Any] = []
    monkeypatch.delenv("VOILA_KERNEL_ID", raising=False)
    monkeypatch.setattr(IPython.display, "display", lambda *a, **kw: shown.append(a))
    page.reflection("r1", label="Box")
    assert shown == []
