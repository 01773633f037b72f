"""Reading nbgrader's exchange timestamps (peerkit.nbgrader.learner)."""

from __future__ import annotations

from datetime import UTC, datetime

from peerkit.nbgrader.learner import parse_exchange_time


def test_nbgraders_own_utc_stamp_is_read_exactly() -> None:
    assert parse_exchange_time("2026-11-22 14:20:38.487702 UTC") == datetime(2026, 11, 22, 14, 20, 38, 487702, UTC)


def test_an_offset_is_converted_to_utc() -> None:
    assert parse_exchange_time("2026-11-05 09:00:00+02:00") == datetime(2026, 11, 5, 7, 0, tzinfo=UTC)


def test_an_offset_of_a_day_or_more_is_no_time_rather_than_a_crash() -> None:
    # dateutil accepts "+99:00"; Python cannot convert it: the stamp is unreadable, ingest goes on.
    assert parse_exchange_time("2026-11-05 09:00:00+99:00") is None
    assert parse_exchange_time("not a time") is None
