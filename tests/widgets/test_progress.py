"""The progress bar tells the page's one story: activities done, and on a page with optional ones
(checks) the answers its submission needs, counted as the Submit button counts them."""

from __future__ import annotations

from typing import Any

from peerkit.widgets import PathPage


def line(page: PathPage) -> Any:
    return page.progress_widget.line.value


def test_a_page_with_checks_counts_the_answers_submit_counts_beside_its_activities(page: PathPage) -> None:
    """Path 1 said "0 of 9 activities done" (5 answers and 4 checks) while Submit said "1 of 5 answers
    complete": two counts on one page, neither naming the other. The path's notebook requires "first"
    and "second"."""
    assert page.session.required_answers() == ("first", "second")
    bar = page.progress()
    first, second = page.reflection("first"), page.reflection("second")
    page.check("check-roles", "Who teaches?", choices=["Nobody", "Each member"], answer=1, why="Each.")
    assert "0 of 3 activities done · 0 of 2 answers complete" in line(page)
    first.text.value = "Ana showed me the returns scanner."
    assert "1 of 3 activities done · 1 of 2 answers complete" in line(page)
    assert page.session.completeness().summary() == "1 of 2 answers complete"  # what Submit says
    second.text.value = "I could write up the statistics report."
    assert "2 of 3 activities done · 2 of 2 answers complete — ready to submit" in line(page)  # the check is optional
    assert (bar.bar.value, bar.bar.max) == (2, 3)  # the bar still counts every activity


def test_a_page_whose_activities_are_all_required_says_one_count(page: PathPage) -> None:
    page.progress()
    first, second = page.reflection("first"), page.reflection("second")
    assert line(page).count(" of ") == 1 and "0 of 2 activities done" in line(page)
    first.text.value = second.text.value = "done"
    assert "2 of 2 activities done — ready to submit" in line(page)
