"""What a rolling review page says while classmates' work and feedback are still to come (pure parts;
the look itself is tested on the page, in tests/apps/test_review.py)."""

from __future__ import annotations

from peerkit.apps.arrivals import closed_notice, nothing_yet, review_count, waiting_notice
from peerkit.review.inbox import NO_PACKETS_YET


def test_reviews_in_a_feedback_document_are_counted_and_none_means_no_feedback_yet() -> None:
    assert review_count(None) == 0
    assert review_count({"reviews": [{}, {}, {}]}) == 3
    assert review_count({"reviews": []}) == 1  # feedback without reviews is still feedback
    assert review_count({"grade": None}) == 1


def test_the_first_learners_are_told_work_arrives_by_itself() -> None:
    first = waiting_notice({"waiting_for": 2}, 0, practice=True)
    assert first.startswith("You are among the first") and "Start with the practice" in first
    assert "2 more classmates’ work will appear" in first
    some = waiting_notice({"waiting_for": 1}, 1, practice=False)
    assert some.startswith("One more classmate’s work will appear") and "practice" not in some
    for owed in (0, None, True, "2"):
        assert waiting_notice({"waiting_for": owed}, 0, practice=True) == ""


def test_before_any_work_the_page_points_to_practice_when_there_is_some() -> None:
    assert nothing_yet("round", practice=False) == NO_PACKETS_YET
    assert nothing_yet("round", practice=True).endswith("practise on the two examples below.")
    assert "shortly after you submit the path" in nothing_yet("rolling", practice=True)
    assert nothing_yet("rolling", practice=True).endswith("practise on the two examples below.")


def test_before_any_work_a_rolling_page_never_waits_for_a_facilitator() -> None:
    for practice in (True, False):
        rolling = nothing_yet("rolling", practice=practice)
        assert "facilitator" not in rolling and "round" not in rolling
        assert "as they submit theirs" in rolling
    assert "practise" not in nothing_yet("rolling", practice=False)
    assert "facilitator opens the review round" in nothing_yet("round", practice=False)


def test_a_closed_review_promises_nothing_more() -> None:
    late = closed_notice(submitted=True)
    assert late.startswith("Peer review of this path has closed") and "Your facilitator has your submission" in late
    assert "will come" in late and "shortly" not in late and "as they submit" not in late
    assert "submission" not in closed_notice(submitted=False).split(",", 1)[1]
    assert "no more classmates' work will come" in closed_notice(submitted=True, delivered=True)
