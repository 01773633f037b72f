""" "Review one more" in rolling review: the learner's page records a ``review-another`` event, the
steward acts on it at its next look, on one host (the learner's activity file) and on the hub (the
service's activity route into the store): the learner is given the submission needing reviews most,
and it counts for them."""

from __future__ import annotations

from peerkit.core.activity import event_line, new_event, parse_line
from peerkit.exchange.base import round_file
from peerkit.exchange.context import resolve_learner_context
from peerkit.facilitator.api import Facilitator
from peerkit.storage.sql import SqlStore
from tests.conftest import CourseLayout
from tests.review.test_rolling import (
    PATH,
    REVIEW,
    _rolling_template,
    desk,
    hand_in,
    hub_steward,
    manifest,
    review_all,
    rolling,
)

__all__ = ["_rolling_template", "desk", "rolling"]


def ask_from_the_page(course: CourseLayout, learner: str) -> None:
    """What the review page does on "Review one more classmate's work" (one host: an activity file)."""
    ctx = resolve_learner_context(
        course.folder(learner, PATH), config=course.learner_config(learner), learner=learner, env={}
    )
    assert ctx.exchange is not None
    ctx.exchange.activity.record("review-another", REVIEW)


def test_one_host_a_learner_whose_reviews_are_done_gets_one_more(rolling: CourseLayout, desk: Facilitator) -> None:
    desk.prepare()
    desk.rolling.request_check_seconds = 0
    for learner in ("ana", "bo", "cy", "dee"):
        hand_in(rolling, learner)
        desk.steward()
    pool = desk.rolling._paths[PATH].pool
    assert pool.given("bo") == 2
    ask_from_the_page(rolling, "bo")  # reviews still open: the request waits for nothing, and is not kept
    assert desk.steward().reports[0].another == ()
    review_all(rolling, "bo", manifest(rolling, "bo")["packets"])  # type: ignore[index]
    desk.steward()
    before = {a: pool.live(a) for a in ("ana", "cy", "dee")}
    held = pool.holds("bo")
    ask_from_the_page(rolling, "bo")
    report = desk.steward().reports[0]
    assert report.another == ("bo",) and "one more to review for bo" in report.summary()
    assert pool.given("bo") == 3  # it counts for the reviewer
    (extra,) = pool.holds("bo") - held
    assert before[extra] == min(v for a, v in before.items() if a not in held)  # the one needing reviews most
    packets = manifest(rolling, "bo")["packets"]  # type: ignore[index]
    assert len(packets) == 3 and manifest(rolling, "bo")["waiting_for"] == 0  # type: ignore[index]
    assert desk.steward().reports[0].another == ()  # acted on once


def test_the_hub_takes_the_request_through_the_services_activity_route(rolling: CourseLayout, store: SqlStore) -> None:
    steward = hub_steward(rolling, store)
    for learner in ("ana", "bo", "cy", "dee"):
        hand_in(rolling, learner)
        steward.tick(PATH)
    tokens = store.documents("bo", [round_file(PATH)])[round_file(PATH)]["packets"]
    assert len(tokens) == 2
    review_all(rolling, "bo", tokens)
    steward.tick(PATH)
    # What POST api/activity does with the page's event: the same check as a line of an activity file.
    line = event_line(new_event("bo", "review-another", REVIEW)).strip()
    store.record_activity([parse_line(line, learner="bo", source="api/activity")])
    report = steward.tick(PATH)
    assert report.another == ("bo",)
    doc = store.documents("bo", [round_file(PATH)])[round_file(PATH)]
    assert len(doc["packets"]) == 3 and doc["packets"][:2] == tokens
    assert steward.tick(PATH).another == ()
