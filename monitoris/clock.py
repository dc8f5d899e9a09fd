"""The one place that says what time it is, so tests (and the scheduler's catch-up) can move it."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

# The days the app works with where people choose a date freely (an analysis's range, a holiday calendar's
# year): far beyond any act's, and away from the ends of Python's calendar.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


class SystemClock:
    def now(self):
        return datetime.now(UTC)


class FrozenClock:
    """A clock that stands still until told to move; for tests and demonstrations."""

    def __init__(self, at):
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self.at = at

    def now(self):
        return self.at

    def advance(self, **delta):
        self.at += timedelta(**delta)


def _clock():
    return current_app.extensions["monitoris.clock"]


def now():
    return _clock().now()


def zone():
    return ZoneInfo(current_app.config["TIMEZONE"])


def today() -> date:
    """Today's date in the configured time zone: deadlines are dates there, not in UTC."""
    return now().astimezone(zone()).date()


def local(dt):
    return dt.astimezone(zone()) if dt else None
