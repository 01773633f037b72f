"""The frame of every learner page: where a path sits ("Path 1 of 2"), home / previous / next, and
the way on after Submit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from peerkit.core import documents
from peerkit.widgets.frame import (
    Place,
    next_step_after,
    notebook_stop,
    place_of,
    render_frame,
    stop_from_metadata,
    titled,
)
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


def write_stop(folder: Path, path_id: str, **meta: Any) -> None:
    """A fetched notebook of *path_id* in the course *folder*, with its ``metadata.peerkit``."""
    (folder / path_id).mkdir(parents=True)
    stamped = documents.dump(documents.NOTEBOOK, {"path": path_id, "course_title": "C", **meta})
    nb = {"cells": [], "metadata": {"peerkit": stamped}, "nbformat": 4, "nbformat_minor": 5}
    (folder / path_id / f"{path_id}.ipynb").write_text(json.dumps(nb))


def reviewed_course(folder: Path, mode: str, *, practice: bool = True) -> Path:
    """Path "essay" (peer reviewed, 2 reviews each) reviewed in *mode*, then path "next"."""
    write_stop(folder, "essay", title="Essay", position=1, number=1, peer_review=True, reviews_to_write=2)
    examples = {"examples": [{"id": "x"}]} if practice else {}
    review = {"title": "Review: Essay", "position": 1, "number": 1, "review_of": "essay", "review_mode": mode}
    write_stop(folder, "essay-review", **review, practice=examples)
    write_stop(folder, "next", title="Next one", position=2, number=2)
    return folder


def test_after_submit_the_reviews_are_announced_as_the_path_is_reviewed(tmp_path: Path) -> None:
    rolling = next_step_after("essay", reviewed_course(tmp_path / "rolling", "rolling"))
    assert "review 2 classmates&#x27; work" in rolling and 'href="../essay-review/essay-review.ipynb"' in rolling
    assert "as classmates submit theirs" in rolling and "practise on the examples there" in rolling
    assert "facilitator" not in rolling and "round" not in rolling
    plain = next_step_after("essay", reviewed_course(tmp_path / "bare", "rolling", practice=False))
    assert "as classmates submit theirs" in plain and "practise" not in plain
    in_round = next_step_after("essay", reviewed_course(tmp_path / "round", "round"))
    assert "once your facilitator opens the review round" in in_round


def test_after_a_submit_that_came_once_the_review_closed_the_page_says_so(tmp_path: Path) -> None:
    folder = reviewed_course(tmp_path, "rolling")
    late = next_step_after("essay", folder, review_closed=True)
    assert "Peer review of this path has closed" in late and "Your facilitator has your submission" in late
    assert "as classmates submit" not in late and "Open the review page" not in late
    assert "Next path: Next one." in late and 'href="../next/next.ipynb"' in late
    assert "closed" not in next_step_after("next", folder, review_closed=True)  # a path nobody reviews


def test_a_title_that_begins_with_its_label_is_not_prefixed_twice(tmp_path: Path) -> None:
    assert titled("Start here", "Start here: how this course works") == "Start here: how this course works"
    assert titled("Path 2", "Peer learning at work") == "Path 2 · Peer learning at work"
    write_stop(tmp_path, "orientation", title="Start here: how this course works", position=1, number=None)
    write_stop(tmp_path, "essay", title="Essay", position=2, number=1, numbered_paths=1)
    banner = render_frame(place_of("essay", tmp_path))
    assert "Previous: Start here: how this course works" in banner and "Start here · Start here" not in banner
