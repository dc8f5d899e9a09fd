"""Working days: weekends from configuration, holidays from the database."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from monitoris.extensions import db
from monitoris.models.notification import Holiday


class WorkingCalendar:
    def __init__(self, weekend, holidays):
        self.weekend = frozenset(weekend)
        self.holidays = frozenset(holidays)

    @classmethod
    def load(cls, around, days=60):
        """The calendar for ``days`` either side of ``around``, from configuration and the holidays table."""
        holidays = db.session.scalars(sa.select(Holiday.day).where(
            Holiday.day.between(around - timedelta(days=days), around + timedelta(days=days)))).all()
        return cls(current_app.config["WEEKEND_DAYS"], holidays)

    def is_working_day(self, day):
        return day.weekday() not in self.weekend and day not in self.holidays

    def working_day_on_or_before(self, day):
        """Where a reminder meant for ``day`` goes out: that day, or the last working day before it."""
        for _ in range(31):
            if self.is_working_day(day):
                return day
            day -= timedelta(days=1)
        return day  # a calendar with a month of days off is misconfigured; send rather than never
