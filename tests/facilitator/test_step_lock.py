"""One step of a path at a time: the Facilitator API holds the path's store-wide step lock in every
step, so the rolling steward, a facilitator's command and a second service replica never work on the
same path at once; a step that runs another step keeps its own lock."""

from __future__ import annotations

import pytest

from peerkit.core.errors import Conflict
from peerkit.facilitator.api import Facilitator
from peerkit.storage.locks import exclusive
from tests.conftest import CourseLayout
from tests.review.test_rolling import _rolling_template, desk, hand_in, manifest, rolling

__all__ = ["_rolling_template", "desk", "rolling"]


def test_the_steward_skips_a_path_while_someone_else_holds_its_step(rolling: CourseLayout, desk: Facilitator) -> None:
    hand_in(rolling, "ana")
    with exclusive(desk.store.engine, f"peerkit:step:{rolling.course.id}:essay"):  # a facilitator's `review close`
        assert desk.steward().reports == ()
    assert manifest(rolling, "ana") is None
    (report,) = desk.steward().reports
    assert report.changed and manifest(rolling, "ana") is not None


def test_a_facilitators_step_is_refused_while_another_holds_the_path(rolling: CourseLayout, desk: Facilitator) -> None:
    hand_in(rolling, "ana")
    desk.steward()
    lock = exclusive(desk.store.engine, f"peerkit:step:{rolling.course.id}:essay")
    with lock, pytest.raises(Conflict) as caught, desk.step("essay", wait=0.3):  # waits this long, then says why
        pass
    assert "essay" in str(caught.value)
    assert desk.collect_reviews(path_id="essay").summary()  # free again once the other holder is done


def test_a_step_that_runs_another_step_keeps_its_lock(rolling: CourseLayout, desk: Facilitator) -> None:
    hand_in(rolling, "ana")
    desk.steward()
    with desk.step("essay"):
        closed = desk.close_round(path_id="essay")  # collects reviews inside: the same lock, held once
    assert closed.reviews is not None
    with exclusive(desk.store.engine, f"peerkit:step:{rolling.course.id}:essay"):
        pass  # released afterwards


def test_a_facilitators_step_waits_out_a_short_look_of_the_steward(rolling: CourseLayout, desk: Facilitator) -> None:
    import threading

    hand_in(rolling, "ana")
    desk.steward()
    held, release = threading.Event(), threading.Event()

    def steward_look() -> None:
        with exclusive(desk.store.engine, f"peerkit:step:{rolling.course.id}:essay"):
            held.set()
            release.wait(10)

    other = threading.Thread(target=steward_look)
    other.start()
    assert held.wait(10)
    threading.Timer(0.5, release.set).start()
    assert desk.collect_reviews(path_id="essay").summary()  # waited, then ran
    other.join(10)
