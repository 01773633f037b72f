"""What the rolling steward remembers of a path (:mod:`peerkit.review.rolling_state`), read again from
a real store: the same reviews open, handed back and away as the steward left them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from peerkit.core.rubric import ReviewSettings
from peerkit.review.rolling_state import changed_k, inbound_time, settle
from tests.review.conftest import T0, RollingPath


def test_a_state_read_again_from_the_store_is_the_one_the_steward_left(rolling_path: RollingPath) -> None:
    rolling_path.submit("ana", "bo", "cy")
    first = rolling_path.state()
    assert len(first.open) == 6 and settle(first) == []  # given once per load
    handed_back = next(t for t, (reviewer, _, _) in first.open.items() if reviewer == "ana")
    rolling_path.store.replace_assignments([handed_back])

    again = rolling_path.state(now=T0 + timedelta(hours=2), give=False)

    assert set(again.open) == set(first.open) - {handed_back}
    assert set(again.expired) == {handed_back} and handed_back not in again.tokens["ana"]
    assert again.away_since == {"ana": T0 + timedelta(hours=1)}  # away since its lease ran out
    assert again.round.per_submission == 2 and again.stamp == rolling_path.store.round_stamp("essay")
    assert again.pool.away("ana") and not again.pool.away("bo")


def test_the_facilitator_is_told_when_course_yml_changes_k_under_an_open_rolling_review(
    rolling_path: RollingPath,
) -> None:
    state = rolling_path.state(give=False)
    assert changed_k(rolling_path.path, state.round) is None
    review = rolling_path.path.review
    assert isinstance(review, ReviewSettings)
    three = replace(rolling_path.path, review=replace(review, per_submission=3))
    told = changed_k(three, state.round)
    assert told is not None and "per_submission: 3" in told and "put per_submission: 2 back" in told
    assert changed_k(three, replace(state.round, closed_at=T0)) is None  # a closed path keeps what it had


def test_an_inbound_entry_says_when_nbgrader_stamped_it() -> None:
    assert inbound_time("ana+essay+2026-11-22 10:00:00.000000 UTC+0f3a") == T0
    assert inbound_time("stray-folder") is None
