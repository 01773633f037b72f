"""The review assignment's line on the course home, built from the path's and its rubric's titles."""

from __future__ import annotations

import json

from peerkit.config.course import load_course
from peerkit.nbgrader.build import review_notebook, review_summary
from tests.conftest import COURSE_FILE


def test_the_review_line_quotes_each_rubric_title_as_written() -> None:
    """Rubric titles are names or phrases ("A group that can run"): "with the a group that can run" and
    "with the peer learning, recognised" were what lowercasing them after "the" gave."""
    assert review_summary("Essays", "A group that can run", 3) == (
        "Review 3 classmates' submissions of “Essays” with the rubric “A group that can run”, then assess your own."
    )
    assert review_summary("Essays", "Capstone review", 1).startswith("Review one classmate's submission of")
    real = load_course(COURSE_FILE)
    for path in real.reviewed_paths():
        summary = json.loads(review_notebook(real, path))["metadata"]["peerkit"]["summary"]
        assert f"with the rubric “{real.rubric_for(path.id).title}”" in summary
        assert "the a " not in summary.lower() and "with the peer" not in summary


def test_the_review_page_is_titled_by_its_path() -> None:
    """The browser tab and a screen reader's page title read "Review: <path title>", not the file name
    (Voilà's template falls back to the file name when the notebook has no metadata.title)."""
    real = load_course(COURSE_FILE)
    for path in real.reviewed_paths():
        assert json.loads(review_notebook(real, path))["metadata"]["title"] == f"Review: {path.title}"
