"""One status per path along the learner's journey, and where to continue."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from peerkit.apps.catalog import PathEntry
from peerkit.apps.home import path_card, render_continue
from peerkit.apps.journey import continue_with, status_of
from peerkit.apps.overview import FeedbackWaiting, Overview, ReviewsToDo, reviews_left
from peerkit.apps.progress import render_overview


def entry(path_id: str, state: Any, *, review_of: str | None = None, **extra: Any) -> PathEntry:
    return PathEntry(
        id=path_id,
        title=path_id.title(),
        summary="",
        minutes=0,
        position=1,
        course_title="C",
        state=state,
        review_of=review_of,
        **extra,
    )


def overview(
    *entries: PathEntry,
    reviews: tuple[ReviewsToDo, ...] = (),
    feedback: tuple[FeedbackWaiting, ...] = (),
    closed: frozenset[str] = frozenset(),
) -> Overview:
    return Overview(
        paths=tuple(e for e in entries if e.review_of is None),
        reviews=reviews,
        feedback=feedback,
        notes=(),
        gallery_items=0,
        entries=entries,
        closed=closed,
    )


ESSAY, REVIEW, PLAIN = (
    entry("essay", "submitted"),
    entry("essay-review", "not-started", review_of="essay"),
    entry("plain", "submitted"),
)


def test_the_journey_of_a_peer_reviewed_path() -> None:
    assert status_of(entry("essay", "available"), overview()).label == "Not started"
    assert status_of(entry("essay", "in-progress", answered=2), overview()).detail == "2 answers saved"
    assert status_of(ESSAY, overview(ESSAY, REVIEW)).label == "Submitted"
    todo = ReviewsToDo("essay", "Review: Essay", "essay-review/essay-review.ipynb", packets=4, written=1, unsent=True)
    status = status_of(ESSAY, overview(ESSAY, REVIEW, reviews=(todo,)))
    assert (status.label, status.link) == ("3 reviews to do", "essay-review/essay-review.ipynb")
    sent = ReviewsToDo("essay", "Review: Essay", "x", packets=4, written=4, unsent=False)
    assert status_of(ESSAY, overview(ESSAY, REVIEW, reviews=(sent,))).label == "Reviews sent"
    ready = FeedbackWaiting("essay", "Essay", "x", points=5, max_points=6, reviews=3, rated=1)
    assert status_of(ESSAY, overview(ESSAY, REVIEW, reviews=(sent,), feedback=(ready,))).label == "Feedback ready"
    rated = FeedbackWaiting("essay", "Essay", "x", points=5, max_points=6, reviews=3, rated=3)
    assert status_of(ESSAY, overview(ESSAY, REVIEW, reviews=(sent,), feedback=(rated,))).label == "Done"


def test_a_path_without_review_is_done_when_submitted_complete() -> None:
    assert status_of(PLAIN, overview(PLAIN)).label == "Done"
    assert status_of(entry("plain", "submitted-with-blanks"), overview()).label == "Submitted with blanks"


def test_the_card_shows_the_due_date_in_the_readers_zone_and_the_number() -> None:
    due = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    card = path_card(entry("essay", "not-started", number=2, due=due))
    assert "Path 2: " in card
    assert (
        '<time class="peerkit-time" datetime="2026-03-02T16:00:00Z" data-format="datetime">2 Mar 2026, 16:00 UTC</time>'
        in card
    )
    assert "Start here: " in path_card(entry("orientation", "not-started", number=None))


def test_continue_where_you_left_off_is_the_last_path_touched() -> None:
    early, late = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    a, b = entry("a", "in-progress", last_touched=late), entry("b", "submitted", last_touched=early)
    assert continue_with([b, a, entry("c", "available")]) is a
    assert continue_with([entry("c", "not-started")]) is None
    line = render_continue(a)
    assert 'href="a/a.ipynb"' in line and "Continue where you left off" in line and "2026-01-02T00:00:00Z" in line


def test_the_journey_of_a_rolling_path() -> None:
    early = ReviewsToDo(
        "essay", "Review: Essay", "r", packets=1, written=1, unsent=False, mode="rolling", waiting_for=2
    )
    for shown in (ESSAY, REVIEW):
        status = status_of(shown, overview(ESSAY, REVIEW, reviews=(early,)))
        assert status.label == "Waiting for classmates' work" and "2 more to review" in status.detail
    todo = ReviewsToDo("essay", "Review: Essay", "r", packets=3, written=1, unsent=False, mode="rolling")
    assert status_of(ESSAY, overview(ESSAY, REVIEW, reviews=(todo,))).label == "2 reviews to do"
    sent = ReviewsToDo("essay", "Review: Essay", "r", packets=3, written=3, unsent=False, mode="rolling")
    waiting = status_of(ESSAY, overview(ESSAY, REVIEW, reviews=(sent,)))
    assert waiting.label == "Waiting for reviews" and "as soon as" in waiting.detail
    ready = FeedbackWaiting("essay", "Essay", "r", points=None, max_points=6, reviews=3, rated=0)
    assert status_of(ESSAY, overview(ESSAY, REVIEW, reviews=(sent,), feedback=(ready,))).label == "Feedback ready"


ROLLING_REVIEW = entry("essay-review", "not-started", review_of="essay", review_mode="rolling", practice=True)


def test_before_any_work_a_review_card_says_what_brings_it_as_the_path_is_reviewed() -> None:
    in_round = status_of(REVIEW, overview(ESSAY, REVIEW))
    assert in_round.label == "Waiting" and "once your facilitator opens the review round" in in_round.detail
    submitted = status_of(ROLLING_REVIEW, overview(ESSAY, ROLLING_REVIEW))
    assert submitted.label == "Waiting for classmates' work" and submitted.link == "essay-review/essay-review.ipynb"
    assert "as they submit" in submitted.detail and "practise on the examples" in submitted.detail
    not_yet = status_of(ROLLING_REVIEW, overview(entry("essay", "in-progress"), ROLLING_REVIEW))
    assert "submit the path first" in not_yet.detail
    for status in (submitted, not_yet):
        assert "facilitator" not in status.detail and "round" not in status.detail
    no_practice = entry("essay-review", "not-started", review_of="essay", review_mode="rolling")
    assert "practise" not in status_of(no_practice, overview(ESSAY, no_practice)).detail


def test_once_the_review_closed_nothing_more_is_promised() -> None:
    closed = frozenset({"essay"})
    for review in (REVIEW, ROLLING_REVIEW):
        card = status_of(review, overview(ESSAY, review, closed=closed))
        assert card.label == "Closed" and card.detail.startswith("peer review of this path has closed")
        assert "your facilitator has it" in card.detail
        path = status_of(ESSAY, overview(ESSAY, review, closed=closed))
        assert path.label == "Submitted" and "no classmate will review your work" in path.detail
    unsubmitted = status_of(ROLLING_REVIEW, overview(entry("essay", "in-progress"), ROLLING_REVIEW, closed=closed))
    assert unsubmitted.label == "Closed" and "facilitator" not in unsubmitted.detail
    early = ReviewsToDo(
        "essay", "Review: Essay", "r", packets=1, written=1, unsent=False, mode="rolling", waiting_for=2
    )
    stale = status_of(ROLLING_REVIEW, overview(ESSAY, ROLLING_REVIEW, reviews=(early,), closed=closed))
    assert stale.label == "Closed" and "as classmates submit" not in stale.detail  # no more work will come
    ready = FeedbackWaiting("essay", "Essay", "r", points=4, max_points=6, reviews=2, rated=0)
    done = overview(ESSAY, ROLLING_REVIEW, feedback=(ready,), closed=closed)
    assert status_of(ROLLING_REVIEW, done).label == status_of(ESSAY, done).label == "Feedback ready"
    assert status_of(PLAIN, overview(PLAIN, closed=frozenset({"plain"}))).label == "Done"  # not peer reviewed


def test_a_title_that_begins_with_its_label_is_not_prefixed_twice() -> None:
    start = entry("orientation", "not-started", number=None)
    card = path_card(replace(start, title="Start here: how this course works"))
    assert "Start here: how this course works" in card and "Start here: Start here" not in card
    assert "Path 2: " in path_card(replace(start, number=2, title="Start here: how this course works"))


def test_reviews_still_to_write_come_before_feedback_and_done_means_nothing_is_left() -> None:
    """The audit's path 1: feedback released on a rolling path while none of the learner's reviews were
    written; the card said "Feedback ready", then "Done · feedback read and rated" while My progress
    still listed every review to write."""
    todo = ReviewsToDo("essay", "Review: Essay", "r", packets=2, written=0, unsent=False, mode="rolling", own=True)
    unread = FeedbackWaiting("essay", "Essay", "r", points=None, max_points=6, reviews=2, rated=0)
    rated = replace(unread, rated=2)
    for received in (unread, rated):
        for card in (ESSAY, ROLLING_REVIEW):
            status = status_of(card, overview(ESSAY, ROLLING_REVIEW, reviews=(todo,), feedback=(received,)))
            assert status.label == "2 reviews to do and your self-assessment", status
            assert status.detail == "your feedback is ready too" and status.link == "r"
    unsent = replace(todo, written=2, own_written=True, unsent=True)
    status = status_of(ESSAY, overview(ESSAY, REVIEW, reviews=(unsent,), feedback=(rated,)))
    assert (status.label, status.detail) == ("Reviews to submit", "written, not sent yet; your feedback is ready too")
    sent = replace(unsent, unsent=False)
    assert status_of(ESSAY, overview(ESSAY, REVIEW, reviews=(sent,), feedback=(unread,))).label == "Feedback ready"
    assert status_of(ESSAY, overview(ESSAY, REVIEW, reviews=(sent,), feedback=(rated,))).label == "Done"


def test_the_self_assessment_is_counted_apart_from_classmates_reviews() -> None:
    """course.yml's two reviewers per path read "3 of 3 still to write": the self-assessment was a review."""
    todo = ReviewsToDo("essay", "Review: Essay", "r", packets=2, written=0, unsent=False, own=True)
    assert (todo.to_do, todo.own_to_do, todo.open) == (2, True, True)
    assert reviews_left(todo) == "2 reviews to do and your self-assessment"
    assert reviews_left(replace(todo, written=1)) == "1 review to do and your self-assessment"
    assert reviews_left(replace(todo, written=2)) == "your self-assessment to do"
    assert reviews_left(replace(todo, own_written=True)) == "2 reviews to do"
    assert reviews_left(replace(todo, written=2, own_written=True)) == ""
    assert reviews_left(replace(todo, own=False)) == "2 reviews to do"  # no self-assessment asked
    only_self = status_of(ESSAY, overview(ESSAY, REVIEW, reviews=(replace(todo, written=2),)))
    assert only_self.label == "Your self-assessment to do" and only_self.link == "r"
    page = render_overview(overview(ESSAY, REVIEW, reviews=(todo,)), "ana")
    assert "Review: Essay (2 reviews to do and your self-assessment)" in page and "of 3" not in page


def test_a_path_submitted_with_blanks_says_so_beside_its_review() -> None:
    """Path 1 submitted with 1 of 5 answers read "Feedback ready", then "Done": the blanks vanished."""
    blanks = entry("essay", "submitted-with-blanks")
    sent = ReviewsToDo("essay", "Review: Essay", "r", packets=2, written=2, unsent=False, mode="rolling")
    unread = FeedbackWaiting("essay", "Essay", "r", points=4, max_points=6, reviews=2, rated=0)
    ready = status_of(blanks, overview(blanks, REVIEW, reviews=(sent,), feedback=(unread,)))
    assert (ready.label, ready.tone) == ("Submitted with blanks · Feedback ready", "action")
    rated = status_of(blanks, overview(blanks, REVIEW, reviews=(sent,), feedback=(replace(unread, rated=2),)))
    assert rated.label == "Submitted with blanks" and rated.detail == "feedback read and rated"
    todo = status_of(blanks, overview(blanks, REVIEW, reviews=(replace(sent, written=0),)))
    assert todo.label == "Submitted with blanks · 2 reviews to do"
    assert status_of(blanks, overview(blanks, REVIEW)).label == "Submitted with blanks"
    closed = status_of(blanks, overview(blanks, REVIEW, closed=frozenset({"essay"})))
    assert closed.label == "Submitted with blanks" and "no classmate will review" in closed.detail
    assert status_of(blanks, overview(blanks)).label == "Submitted with blanks"  # not peer reviewed: not Done
