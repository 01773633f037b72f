""" "Review one more classmate's work" on a rolling review page: offered once the learner's reviews are
submitted, it records one ``review-another`` event and says plainly what happens next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from peerkit.apps.another import ASKED, INVITE, NOT_YET, AnotherReview
from peerkit.core.answers import Answer, AnswerSheet
from peerkit.exchange.base import MemoryActivityLog
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession


@dataclass
class _Exchange:
    activity: MemoryActivityLog = field(default_factory=lambda: MemoryActivityLog("bo"))


@dataclass
class _Session:
    """The parts of a page's session the button reads: the answers, when they were last submitted, the exchange."""

    sheet: AnswerSheet
    submitted: datetime | None = None
    exchange: _Exchange = field(default_factory=_Exchange)

    def last_submitted(self) -> datetime | None:
        return self.submitted


def review(at: datetime) -> Answer:
    value: dict[str, Any] = {"packet": "t1", "scores": {"clear": 2}, "comments": {"strengths": "Clear."}}
    return Answer(kind="review", value=value, updated=at.replace(microsecond=0).isoformat().replace("+00:00", "Z"))


def test_offered_once_reviews_are_submitted_and_asked_once() -> None:
    now = datetime.now(UTC)
    session = _Session(AnswerSheet(path="essay-review", answers={"r-t1": review(now)}))
    asked: list[bool] = []
    another = AnotherReview(
        cast(PathSession, session),
        "essay-review",
        look=Look(),
        tokens=lambda: ["t1"],
        on_asked=lambda: asked.append(True),
    )
    assert another.button.description == "Review one more classmate’s work"
    assert another.offer.layout.display == "none"  # not offered before the reviews are sent
    assert not another.ask()  # written, not submitted yet
    assert "First finish and submit" in another.said.value and "peerkit-live" in another.said._dom_classes
    session.submitted = now - timedelta(minutes=5)  # submitted before the last change: not yet
    assert not another.reviews_done()
    session.submitted = now + timedelta(seconds=1)
    another.update()  # the page does, after a Submit and on every change to the answers
    assert another.offer.layout.display is None and INVITE in another.offer.children[0].value
    assert another.ask() and asked == [True]
    assert [(e.event, e.path_id) for e in session.exchange.activity.events] == [("review-another", "essay-review")]
    assert another.button.disabled and "will appear on this page shortly" in another.said.value
    assert another.ask() and len(session.exchange.activity.events) == 1  # once per piece of work asked for
    assert NOT_YET.startswith("First") and "shortly" in ASKED


def test_nothing_to_review_is_not_done() -> None:
    session = _Session(AnswerSheet(path="essay-review"), submitted=datetime.now(UTC))
    another = AnotherReview(cast(PathSession, session), "essay-review", look=Look(), tokens=list)
    assert not another.reviews_done() and not another.ask()
    assert session.exchange.activity.events == []


def test_the_invitation_is_not_shown_before_the_learners_own_reviews_are_done() -> None:
    """The review page said "Your reviews are done. Would you like to help one more classmate?" at "0 of 8
    activities done": the invitation showed whatever the learner had written."""
    session = _Session(AnswerSheet(path="essay-review"))
    look = Look()
    another = AnotherReview(cast(PathSession, session), "essay-review", look=look, tokens=lambda: ["t1", "t2"])
    assert another.offer.layout.display == "none"
    assert look.full_width.display is None  # a layout shared with the page's other widgets would hide them all
    now = datetime.now(UTC)
    session.sheet = AnswerSheet(path="essay-review", answers={"r-t1": review(now)})
    session.submitted = now + timedelta(seconds=1)
    another._on_sheet(session.sheet, "r-t1")
    assert another.offer.layout.display == "none"  # one of two written and sent: not done
    session.sheet = AnswerSheet(path="essay-review", answers={"r-t1": review(now), "r-t2": review(now)})
    another._on_sheet(session.sheet, "r-t2")
    assert another.offer.layout.display is None
    session.sheet.answers["r-t2"] = review(now + timedelta(minutes=1))  # changed after the Submit
    another._on_sheet(session.sheet, "r-t2")
    assert another.offer.layout.display == "none"
