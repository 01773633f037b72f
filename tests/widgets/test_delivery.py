"""Answers sent as they are given: a rating reaches the facilitator's inbound without a second Submit."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from peerkit.widgets.context import open_path
from peerkit.widgets.delivery import AutoDelivery
from tests.conftest import CourseLayout


def test_a_wanted_answer_is_sent_once_after_a_burst(course: CourseLayout) -> None:
    course.enroll("ida")
    session = open_path("alpha", folder=course.folder("ida", "alpha"), config=course.learner_config("ida"))
    sent: list[datetime] = []
    failed: list[str] = []
    delivery = AutoDelivery(
        session, wanted=lambda answer_id: answer_id == "first", on_sent=sent.append, on_failed=failed.append, delay=0.2
    )
    session.save("second", "text", "not one that is sent by itself")
    assert delivery.flush(5) and not list(course.inbound().iterdir())
    session.save("first", "text", "a")
    session.save("first", "text", "ab")  # a burst of changes goes once
    assert delivery.flush(30)
    assert len(sent) == 1 and failed == [] and delivery.sent_at == sent[0]
    assert len(list(course.inbound().iterdir())) == 1


def test_a_failed_delivery_says_so_plainly_and_logs_why(course: CourseLayout, caplog: pytest.LogCaptureFixture) -> None:
    course.enroll("jo")
    session = open_path("alpha", folder=course.folder("jo", "alpha"), config=course.learner_config("jo"))
    inbound = course.inbound()
    inbound.rename(inbound.with_name("elsewhere"))
    failed: list[str] = []
    delivery = AutoDelivery(session, wanted=lambda _a: True, on_sent=lambda _w: None, on_failed=failed.append, delay=0)
    session.save("first", "text", "kept here")
    assert delivery.flush(30) and failed and "could not be sent to your facilitator yet" in failed[0]
    assert "Inbound directory" not in failed[0] and "It is sent with your next change." in failed[0]
    reference = re.search(r"reference ([A-Z0-9]{6})\.", failed[0])
    assert reference, failed[0]
    logged = [r.getMessage() for r in caplog.records if r.levelname == "WARNING" and reference[1] in r.getMessage()]
    assert logged and "Inbound directory" in logged[0]  # the facilitator finds the reason under the reference
    assert session.value("first") == "kept here"
