"""The service's periodic look of rolling review: under the store-wide lock of the path's steps, so a
second replica skips a path the first is on; the interval comes from the environment."""

from __future__ import annotations

import pytest

from peerkit.core.errors import ConfigError
from peerkit.facilitator.api import Facilitator
from peerkit.service.app import steward_interval
from peerkit.service.state import ServiceState
from peerkit.storage.locks import exclusive
from tests.conftest import CourseLayout
from tests.review.test_rolling import _rolling_template, desk, hand_in, rolling

__all__ = ["_rolling_template", "desk", "rolling"]


def test_one_look_takes_submissions_in_and_a_busy_path_is_skipped(rolling: CourseLayout, desk: Facilitator) -> None:
    state = ServiceState(store=desk.store, course=rolling.course, hub_auth=None, facilitator_group="f", desk=desk)
    hand_in(rolling, "ana")
    assert state.steward() == ["essay: took in ana; 1 waiting for peers' work"]
    hand_in(rolling, "bo")
    with exclusive(desk.store.engine, f"peerkit:step:{rolling.course.id}:essay"):  # another replica is on it
        assert state.steward() == []
    assert state.steward()[0].startswith("essay: took in bo; 2 reviews given out")
    state.executor.shutdown()


def test_the_interval_comes_from_the_environment() -> None:
    assert steward_interval({}) == 5.0
    assert steward_interval({"PEERKIT_STEWARD_INTERVAL": "0.1"}) == 0.5
    with pytest.raises(ConfigError, match="PEERKIT_STEWARD_INTERVAL"):
        steward_interval({"PEERKIT_STEWARD_INTERVAL": "soon"})
