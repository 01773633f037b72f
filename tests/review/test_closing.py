"""A closed peer review, as every learner may know it: once the facilitator closes a rolling path, the
steward says so on the course's public board, and a learner who submits after it is told plainly that
nothing more will come (on the course home, the path page and the review page) instead of being
promised classmates' work."""

from __future__ import annotations

from datetime import UTC, datetime

from peerkit.apps.journey import status_of
from peerkit.apps.overview import learner_overview
from peerkit.apps.review import ReviewPage
from peerkit.exchange.base import review_state_file
from peerkit.exchange.context import LearnerContext, resolve_learner_context
from peerkit.facilitator.api import Facilitator
from peerkit.review.closing import closed_document, review_closed
from peerkit.widgets.page import PathPage
from tests.conftest import CourseLayout
from tests.review.test_rolling import PATH, REVIEW, _rolling_template, desk, hand_in, rolling

__all__ = ["_rolling_template", "desk", "rolling"]  # fixtures, used by name


def board_of(course: CourseLayout, learner: str) -> LearnerContext:
    """What the learner's page reads the public board through."""
    course.enroll(learner)
    return resolve_learner_context(
        course.folder(learner, PATH), config=course.learner_config(learner), learner=learner, env={}
    )


def test_the_closed_document_names_the_path_and_no_one() -> None:
    doc = closed_document("essay", datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    assert doc == {
        "format": "peerkit-review-state",
        "version": 1,
        "path": "essay",
        "closed": True,
        "closed_at": "2026-03-02T16:00:00Z",
    }
    assert review_state_file("essay") == "review-essay.json"


def test_nothing_unreadable_or_absent_reads_as_closed() -> None:
    class Board:
        def __init__(self, doc: dict[str, object] | None) -> None:
            self.doc = doc

        def public(self, name: str, fmt: str) -> dict[str, object] | None:
            return self.doc

    assert not review_closed(None, "essay") and not review_closed(Board(None), "essay")
    assert not review_closed(Board({"path": "other", "closed": True}), "essay")
    assert review_closed(Board({"path": "essay", "closed": True}), "essay")


def test_a_learner_who_submits_after_the_close_is_told_so_everywhere(rolling: CourseLayout, desk: Facilitator) -> None:
    for learner in ("ana", "bo", "cy"):
        hand_in(rolling, learner)
        desk.steward()
    assert not review_closed(board_of(rolling, "dee"), PATH)
    desk.close_round(path_id=PATH, collect=False, gradebook=False)
    assert review_closed(board_of(rolling, "dee"), PATH)  # said by the close itself: a round has no steward
    assert desk.steward().reports[0].closed

    hand_in(rolling, "dee")  # late: the steward takes nothing in any more, and says a facilitator is needed
    looked = desk.steward()
    assert looked.reports[0].closed and looked.reports[0].late == ("dee",) and looked.actions == 1
    assert "nobody will review them: dee" in looked.summary() and f"peerkit override {PATH} LEARNER" in looked.summary()
    config, folder = rolling.learner_config("dee"), rolling.workspace.learner_course_dir("dee", rolling.course.id)
    home = learner_overview(folder, config, learner="dee")
    assert home.closed == frozenset({PATH})
    assert next(e for e in home.entries if e.id == REVIEW).review_mode == "rolling"  # read from its notebook
    cards = {e.id: status_of(e, home) for e in home.entries}
    assert cards[REVIEW].label == "Closed" and "your facilitator has it" in cards[REVIEW].detail
    assert "peer review of this path has closed" in cards[PATH].detail

    path_page = PathPage(PATH, folder=rolling.folder("dee", PATH), config=config)
    after = path_page.next_step()
    assert "Peer review of this path has closed" in after and "Open the review page" not in after
    path_page.close()
    review_page = ReviewPage(PATH, folder=rolling.folder("dee", REVIEW), config=config)
    assert review_page.closed and not review_page.forms
    review_page.close()

    desk.collect(path_id=PATH)  # taken in by the facilitator, to grade by hand: no longer waiting for them
    assert desk.steward().actions == 0
