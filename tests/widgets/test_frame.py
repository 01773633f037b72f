"""The frame of every learner page: where a path sits ("Path 1 of 2"), home / previous / next, and
the way on after Submit."""

from __future__ import annotations

from pathlib import Path

from peerkit.widgets.frame import Place, notebook_stop, render_frame, stop_from_metadata
from peerkit.widgets.page import PathPage
from tests.conftest import CourseLayout


def test_a_path_page_says_where_it_is_and_links_around(course: CourseLayout) -> None:
    course.enroll("fay")
    first = PathPage("alpha", folder=course.folder("fay", "alpha"), config=course.learner_config("fay"))
    banner = first.banner().value
    assert "A test course" in banner and "Path 1 of 2" in banner
    assert 'href="../home.ipynb"' in banner and 'rel="next" class="peerkit-nav-next"' in banner
    assert 'href="../beta/beta.ipynb"' in banner and 'rel="prev"' not in banner
    assert '<nav class="peerkit-frame-nav" aria-label="Course">' in banner and "<header" in banner
    first.close()
    second = PathPage("beta", folder=course.folder("fay", "beta"), config=course.learner_config("fay"))
    banner = second.banner().value
    assert "Path 2 of 2" in banner and 'href="../alpha/alpha.ipynb"' in banner and 'rel="next"' not in banner
    second.close()


def test_after_submit_the_next_path_is_offered(course: CourseLayout) -> None:
    course.enroll("gus")
    page = PathPage("alpha", folder=course.folder("gus", "alpha"), config=course.learner_config("gus"))
    page.reflection("first", "Q?").text.value = "one answer"
    page.reflection("second", "Q?").text.value = "and two"
    panel = page.submit()
    assert panel.next_line.value == ""  # nothing until something was sent
    panel.button.click()
    assert "Next path: Beta path." in panel.next_line.value and 'href="../beta/beta.ipynb"' in panel.next_line.value
    page.close()


def test_a_preview_has_no_frame() -> None:
    page = PathPage("alpha")
    assert "peerkit-frame" not in page.banner().value
    page.close()


def test_the_start_here_path_has_no_number_and_reviews_name_their_path() -> None:
    start = stop_from_metadata({"path": "orientation", "title": "Start", "position": 1, "number": None})
    later = stop_from_metadata({"path": "essay", "position": 3, "number": 2, "numbered_paths": 6})
    review = stop_from_metadata({"path": "essay-review", "position": 3, "number": 2, "review_of": "essay"})
    assert start is not None and later is not None and review is not None
    assert (start.label, later.label, review.label) == ("Start here", "Path 2 of 6", "Reviews of Path 2")
    assert stop_from_metadata({"title": "no path"}) is None


def test_an_unreadable_notebook_has_no_place(tmp_path: Path) -> None:
    (tmp_path / "x.ipynb").write_text("{not json")
    assert notebook_stop(tmp_path / "x.ipynb") is None


def test_the_frame_escapes_titles() -> None:
    html = render_frame(Place(course_title="<script>x()</script>", here="Course home"))
    assert "<script>" not in html and "&lt;script&gt;" in html
