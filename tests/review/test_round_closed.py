"""A review written after the round closed is never lost in silence: the learner's page says the round
closed, `peerkit review status` lists the reviews submitted since (waiting for a grade), the next
`peerkit review close` takes them in, and `peerkit review open` opens a closed round again. In rounds
and in rolling review, with the real nbgrader exchange and store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from peerkit.apps.review import ReviewPage
from peerkit.config.course import load_course
from peerkit.core.answers import FILENAME, Answer, AnswerSheet
from peerkit.core.review import Review
from peerkit.core.rubric import ReviewContent
from peerkit.facilitator.api import Facilitator
from peerkit.review.closing import closed_since
from peerkit.review.round_closed import late_reviews
from peerkit.storage.sql import SqlStore
from tests.conftest import CourseLayout, write_review_course
from tests.review.test_closing import board_of
from tests.review.test_rolling import _rolling_template, desk, hand_in, rolling
from tests.review.test_round_flow import PATH, review_everything, write_and_submit

__all__ = ["_rolling_template", "desk", "rolling"]  # fixtures, used by name


@pytest.fixture
def rounds(review_course: CourseLayout, store: SqlStore) -> Iterator[Facilitator]:
    yield Facilitator(
        store=store,
        workspace=review_course.workspace,
        course=review_course.course,
        exchange=review_course.build.exchange_root,
        build=review_course.build,
    )


def reviewers(store: SqlStore) -> set[str]:
    return {r.reviewer for r in store.reviews(PATH) if r.kind == "peer"}


def test_a_review_submitted_after_the_close_is_listed_then_taken_in_by_the_next_close(
    review_course: CourseLayout, store: SqlStore, rounds: Facilitator
) -> None:
    for learner in ("ana", "bo", "cy"):
        write_and_submit(review_course, learner)
    rounds.open_round(path_id=PATH, seed=1)
    review_everything(review_course, "ana")
    review_everything(review_course, "bo")
    first = rounds.close_round(path_id=PATH, gradebook=False)
    assert reviewers(store) == {"ana", "bo"} and first.late == ()
    status = rounds.round_status(path_id=PATH)
    assert status.late_reviews == () and "closed 20" in status.table()
    assert closed_since(board_of(review_course, "cy"), PATH) is not None  # the learners' pages know it

    page = ReviewPage(
        PATH, folder=review_course.folder("cy", f"{PATH}-review"), config=review_course.learner_config("cy")
    )
    assert page.closed_at is not None and page.forms  # cy's work to review is still there
    page.close()
    review_everything(review_course, "cy")  # after the close: kept, and submitted to the facilitator
    assert "cy" not in reviewers(store)
    status = rounds.round_status(path_id=PATH)
    assert status.late_reviews == ("cy",)
    assert "submitted reviews since, in no grade yet: cy" in status.table()
    assert f"peerkit review close {PATH}" in status.table()

    again = rounds.close_round(path_id=PATH, gradebook=False)
    assert "cy" in reviewers(store) and again.late == ("cy",)
    assert "after the close of" in again.summary() and "taken in and graded: cy" in again.summary()
    assert rounds.round_status(path_id=PATH).late_reviews == ()  # nothing waits any more


def test_a_review_submitted_while_the_close_grades_is_late_not_lost(
    review_course: CourseLayout, store: SqlStore, rounds: Facilitator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The round's close time was taken after grading, so a review sent between the close's collect
    and that time was in no grade and not late either: listed nowhere. The close now dates from before
    its collect."""
    for learner in ("ana", "bo", "cy"):
        write_and_submit(review_course, learner)
    rounds.open_round(path_id=PATH, seed=1)
    review_everything(review_course, "ana")
    review_everything(review_course, "bo")
    collect = rounds.collect_reviews

    def collect_then_cy_submits(**options):  # type: ignore[no-untyped-def]
        done = collect(**options)
        review_everything(review_course, "cy")  # cy sends while the close grades
        return done

    monkeypatch.setattr(rounds, "collect_reviews", collect_then_cy_submits)
    rounds.close_round(path_id=PATH, gradebook=False)
    assert "cy" not in reviewers(store)
    assert rounds.round_status(path_id=PATH).late_reviews == ("cy",)  # waiting for the next close


def test_open_again_after_a_close_opens_the_round_and_the_learners_pages(
    review_course: CourseLayout, store: SqlStore, rounds: Facilitator
) -> None:
    for learner in ("ana", "bo", "cy"):
        write_and_submit(review_course, learner)
    rounds.open_round(path_id=PATH, seed=1)
    rounds.close_round(path_id=PATH, gradebook=False)
    round_ = store.review_round(PATH)
    assert round_ is not None and round_.closed_at is not None
    reopened = rounds.open_round(path_id=PATH)
    assert reopened.reopened == round_.closed_at and "open again" in reopened.summary()
    after = store.review_round(PATH)
    assert after is not None and after.closed_at is None
    assert closed_since(board_of(review_course, "cy"), PATH) is None
    page = ReviewPage(
        PATH, folder=review_course.folder("cy", f"{PATH}-review"), config=review_course.learner_config("cy")
    )
    assert page.closed_at is None and not page.closed
    page.close()
    assert store.reopen_round(PATH) is None  # open already: nothing to say


def test_after_a_rolling_path_closed_a_late_review_is_listed_then_taken_in(
    rolling: CourseLayout, store: SqlStore, desk: Facilitator
) -> None:
    for learner in ("ana", "bo", "cy"):
        hand_in(rolling, learner)
        desk.steward()
    desk.close_round(path_id=PATH, gradebook=False)
    late = next(a.reviewer for a in store.assignments(PATH) if a.status == "open")
    review_everything(rolling, late)
    desk.steward()  # the steward takes nothing in on a closed path
    status = desk.round_status(path_id=PATH)
    assert status.late_reviews == (late,) and f"in no grade yet: {late}" in status.table()
    again = desk.close_round(path_id=PATH, gradebook=False)
    assert late in again.late and desk.round_status(path_id=PATH).late_reviews == ()


def test_ratings_or_unchanged_reviews_sent_after_the_close_are_no_late_reviews(tmp_path: Path) -> None:
    rubric = load_course(write_review_course(tmp_path / "src")).rubric_for(PATH)
    closed_at = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    inbound = tmp_path / "inbound"
    words = " ".join(["specific"] * 20)
    content = ReviewContent({"clear": 2, "grounded": 2}, {"strengths": words, "suggestion": words})

    def entry(learner: str, hour: int, answer_id: str, answer: Answer) -> None:
        folder = inbound / f"{learner}+{PATH}-review+2026-03-02 {hour}:00:00.000000 UTC+abc"
        folder.mkdir(parents=True)
        (folder / FILENAME).write_text(AnswerSheet(f"{PATH}-review", {answer_id: answer}).to_json())

    def review(token: str) -> Answer:
        value = {"scores": dict(content.scores), "comments": dict(content.comments), "packet": token}
        return Answer("review", value, "2026-03-02T15:00:00Z")

    entry("ana", 17, "r-" + "a" * 32, review("a" * 32))  # sent again after the close, unchanged: in the store
    entry("bo", 17, "h-" + "c" * 32, Answer("rating", {"review": "c" * 32, "helpful": 4}, "2026-03-02T17:00:00Z"))
    entry("cy", 15, "r-" + "b" * 32, review("b" * 32))  # before the close: the close took it in
    entry("dee", 18, "r-" + "d" * 32, review("d" * 32))  # a review after the close
    stored = [Review("ana", "bo", "peer", content, closed_at, "a" * 32)]
    assert late_reviews(inbound, f"{PATH}-review", rubric, closed_at, stored) == ("dee",)
    assert late_reviews(tmp_path / "nowhere", f"{PATH}-review", rubric, closed_at, stored) == ()
