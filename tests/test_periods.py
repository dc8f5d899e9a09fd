"""Reporting periods: the deadline scan's period for a day is the one the reports list for it."""

import calendar
import itertools
import random
from datetime import date, timedelta

import pytest

from monitoris.periods import MAX_PERIODS, MONTHS_PER_PERIOD, Period, ending_on, period_ends, schedule


def test_a_quarterly_task_from_april_to_december():
    assert schedule("quarterly", date(2026, 4, 15), date(2026, 12, 20)) == [
        Period("2026-Q2", date(2026, 6, 30), False),
        Period("2026-Q3", date(2026, 9, 30), False),
        Period("2026-Q4", date(2026, 12, 20), True),
    ]
    assert ending_on("quarterly", date(2026, 4, 15), date(2026, 12, 20), date(2026, 9, 30)) == \
        Period("2026-Q3", date(2026, 9, 30), False)
    assert ending_on("quarterly", date(2026, 4, 15), date(2026, 12, 20), date(2026, 3, 31)) is None  # before it
    assert ending_on("quarterly", date(2026, 4, 15), date(2026, 12, 20), date(2026, 8, 31)) is None  # not an end
    assert ending_on("quarterly", date(2026, 4, 15), date(2026, 12, 31), date(2026, 12, 31)) is None  # final


def test_a_one_off_task_has_one_final_period():
    assert schedule("none", date(2026, 1, 1), date(2026, 12, 31)) == [Period("final", date(2026, 12, 31), True)]
    assert ending_on("none", date(2026, 1, 1), date(2026, 12, 31), date(2026, 6, 30)) is None


@pytest.mark.parametrize("recurrence", sorted(MONTHS_PER_PERIOD))
def test_ending_on_agrees_with_the_schedule_on_every_month_end(recurrence):
    rng = random.Random(recurrence)
    for _ in range(200):
        start = date(2024, 1, 1) + timedelta(days=rng.randrange(900)) if rng.random() < 0.9 else None
        due_on = date(2024, 6, 1) + timedelta(days=rng.randrange(1500))
        listed = {p.due_on: p for p in schedule(recurrence, start, due_on) if not p.final}
        for year, month in itertools.product(range(2023, 2030), range(1, 13)):
            day = date(year, month, calendar.monthrange(year, month)[1])
            assert ending_on(recurrence, start, due_on, day) == listed.get(day), (start, due_on, day)
            assert ending_on(recurrence, start, due_on, day - timedelta(days=1)) is None


def test_a_monthly_task_started_years_ago_still_has_this_years_periods():
    listed = schedule("monthly", date(2016, 1, 1), date(2027, 12, 31))
    assert len(listed) == 144 and listed[-1] == Period("2027-12", date(2027, 12, 31), True)
    assert ending_on("monthly", date(2016, 1, 1), date(2027, 12, 31), date(2026, 6, 30)) == \
        Period("2026-06", date(2026, 6, 30), False)


def test_past_the_limit_the_final_period_covers_the_rest_and_the_work_can_still_be_closed():
    start, due_on = date(1990, 1, 1), date(2045, 12, 31)  # 672 months: a mistyped date
    listed = schedule("monthly", start, due_on)
    assert len(listed) == MAX_PERIODS and listed[-1] == Period("2039-12", due_on, True)
    assert [p.final for p in listed].count(True) == 1
    assert ending_on("monthly", start, due_on, listed[-2].due_on) == listed[-2]
    assert ending_on("monthly", start, due_on, date(2039, 12, 31)) is None  # the final period's month
    assert ending_on("monthly", start, due_on, date(2042, 6, 30)) is None


def test_period_ends_names_the_recurrences_of_each_month_end():
    days = [date(2026, 6, 29), date(2026, 6, 30), date(2026, 5, 31), date(2026, 12, 31), date(2026, 9, 30)]
    assert period_ends(days) == {
        date(2026, 6, 30): ["monthly", "quarterly", "semiannual"],
        date(2026, 5, 31): ["monthly"],
        date(2026, 12, 31): ["annual", "monthly", "quarterly", "semiannual"],
        date(2026, 9, 30): ["monthly", "quarterly"],
    }
