"""Reading nbgrader's exchange timestamps (peerkit.nbgrader.learner)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from peerkit.nbgrader.learner import parse_exchange_time


def test_nbgraders_own_utc_stamp_is_read_exactly() -> None:
    assert parse_exchange_time("2026-11-22 14:20:38.487702 UTC") == datetime(2026, 11, 22, 14, 20, 38, 487702, UTC)


def test_an_offset_is_converted_to_utc() -> None:
    assert parse_exchange_time("2026-11-05 09:00:00+02:00") == datetime(2026, 11, 5, 7, 0, tzinfo=UTC)


def test_an_offset_of_a_day_or_more_is_no_time_rather_than_a_crash() -> None:
    # dateutil accepts "+99:00"; Python cannot convert it: the stamp is unreadable, ingest goes on.
    assert parse_exchange_time("2026-11-05 09:00:00+99:00") is None
    assert parse_exchange_time("not a time") is None


# A learner server whose nbgrader says ``c.Exchange.timezone = "America/New_York"`` writes its stamps in
# that zone, named by abbreviation ("... EST", "... EDT"), as nbgrader's own Exchange.set_timestamp does.
MOMENTS = [
    datetime(2026, 3, 2, 0, 30, tzinfo=UTC),  # 1 March in Los Angeles, 2 March in Sydney
    datetime(2026, 3, 8, 6, 59, 59, tzinfo=UTC),  # New York: a second before EST becomes EDT
    datetime(2026, 3, 8, 7, 0, 1, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # Berlin: a second before CET becomes CEST
    datetime(2026, 3, 29, 1, 0, 1, tzinfo=UTC),
    datetime(2026, 7, 15, 12, 0, tzinfo=UTC),
]
ZONES = ["UTC", "America/New_York", "Europe/Berlin", "America/Los_Angeles", "Australia/Sydney", "Africa/Algiers"]


def _nbgrader_stamp(moment: datetime, zone: str) -> str:
    from dateutil.tz import gettz
    from nbgrader.exchange.abc.exchange import Exchange

    return moment.astimezone(gettz(zone)).strftime(Exchange.timestamp_format.default_value)


@pytest.mark.parametrize("facilitator_zone", ["UTC", "America/New_York", "Australia/Sydney"])
def test_a_stamp_in_another_zone_is_read_as_its_instant_or_not_at_all(
    facilitator_zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never a wrong instant (it would make an on-time submission late, or the reverse), and the same
    answer whatever the zone of the machine that reads it: an abbreviation the time zone database
    names for that moment (EST, CET) is read; one it does not (EDT, PDT, AEDT) is no time."""
    monkeypatch.setenv("TZ", facilitator_zone)
    time.tzset()
    try:
        for zone in ZONES:
            for moment in MOMENTS:
                stamp = _nbgrader_stamp(moment, zone)
                assert parse_exchange_time(stamp) in (moment, None), stamp
        assert parse_exchange_time(_nbgrader_stamp(MOMENTS[1], "America/New_York")) == MOMENTS[1]  # ... EST
        assert parse_exchange_time(_nbgrader_stamp(MOMENTS[3], "Europe/Berlin")) == MOMENTS[3]  # ... CET
        assert parse_exchange_time(_nbgrader_stamp(MOMENTS[5], "America/Los_Angeles")) is None  # ... PDT
        assert parse_exchange_time(_nbgrader_stamp(MOMENTS[5], "Africa/Algiers")) is None  # CET all year
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_learner_server_in_another_local_zone_still_stamps_utc() -> None:
    """nbgrader stamps in its ``Exchange.timezone`` (UTC unless configured), not the server's local zone."""
    from nbgrader.exchange.abc.exchange import Exchange

    assert Exchange.timezone.default_value == "UTC"
