"""Today is a date in the configured time zone, not in UTC."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from monitoris import clock as clock_module
from monitoris.clock import FrozenClock


@pytest.mark.parametrize("utc,baku_day", [
    (datetime(2026, 7, 1, 19, 59, 59, 999999, tzinfo=UTC), date(2026, 7, 1)),  # 23:59:59 in Baku
    (datetime(2026, 7, 1, 20, 0, tzinfo=UTC), date(2026, 7, 2)),  # midnight in Baku, 1 July in UTC
    (datetime(2026, 12, 31, 20, 0, tzinfo=UTC), date(2027, 1, 1)),
])
def test_today_turns_at_midnight_in_baku(clock, utc, baku_day):
    clock.at = utc
    assert clock_module.today() == baku_day
    assert clock_module.now() == utc


def test_local_time_for_display(clock):
    assert clock_module.local(datetime(2026, 7, 1, 20, 30, tzinfo=UTC)) == datetime(
        2026, 7, 2, 0, 30, tzinfo=ZoneInfo("Asia/Baku"))
    assert clock_module.local(None) is None


def test_frozen_clock_needs_an_aware_moment_and_moves_only_when_told():
    with pytest.raises(ValueError):
        FrozenClock(datetime(2026, 7, 1, 12, 0))
    c = FrozenClock(datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    assert c.now() == c.now() == datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    c.advance(hours=8, minutes=1)
    assert c.now() == datetime(2026, 7, 1, 20, 1, tzinfo=UTC)


def test_the_zone_follows_the_configuration(app, clock):
    clock.at = datetime(2026, 7, 1, 20, 0, tzinfo=UTC)
    app.config["TIMEZONE"] = "UTC"
    try:
        assert clock_module.today() == date(2026, 7, 1)
    finally:
        app.config["TIMEZONE"] = "Asia/Baku"
    assert clock_module.today() == date(2026, 7, 2)
