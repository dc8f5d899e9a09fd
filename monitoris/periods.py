"""Reporting periods of a recurring task: date arithmetic only, shared by the reports and the deadline scan.

A one-off task has one period, "final".  A recurring task has one per year, half-year, quarter or month,
aligned on the calendar ("2026", "2026-H2", "2026-Q3", "2026-07"), from the first one that holds its start
until the one that holds the assignment's due date.  Each is due at the end of its period, except the last,
the final one, which is due on the assignment's due date (an approved extension moves it).
"""

from dataclasses import dataclass
from datetime import date, timedelta

MONTHS_PER_PERIOD = {"annual": 12, "semiannual": 6, "quarterly": 3, "monthly": 1}
MAX_PERIODS = 120


@dataclass(frozen=True)
class Period:
    label: str
    due_on: date
    final: bool


def _month_end(year, month):
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _label(year, month, months):
    if months == 12:
        return str(year)
    if months == 6:
        return f"{year}-H{(month - 1) // 6 + 1}"
    if months == 3:
        return f"{year}-Q{(month - 1) // 3 + 1}"
    return f"{year}-{month:02d}"


def _first(start, due_on, months):
    """(year, month) of the first period: the one that holds ``start`` (no later than the due date's)."""
    start = min(start or due_on, due_on)
    return start.year, (start.month - 1) // months * months + 1


def schedule(recurrence, start, due_on):
    """The periods of work of ``recurrence`` ("none", "annual", …) from ``start`` until ``due_on``, in order; the
    last one is final.  ``start``: the task's period start, else the day the work was assigned, else None."""
    months = MONTHS_PER_PERIOD.get(recurrence)
    if months is None:
        return [Period("final", due_on, True)]
    year, month = _first(start, due_on, months)
    result = []
    while len(result) < MAX_PERIODS:
        end = _month_end(year + (month + months - 2) // 12, (month + months - 2) % 12 + 1)
        if end >= due_on:
            result.append(Period(_label(year, month, months), due_on, True))
            return result
        result.append(Period(_label(year, month, months), end, False))
        month += months
        if month > 12:
            year, month = year + 1, month - 12
    return result


def ending_on(recurrence, start, due_on, day):
    """The period of ``schedule(recurrence, start, due_on)`` that is not the final one and is due on ``day``, or
    None: worked out from ``day`` alone, without listing the periods before it (the deadline scan asks this of
    every recurring assignment it reads)."""
    months = MONTHS_PER_PERIOD.get(recurrence)
    if months is None or day >= due_on or (day + timedelta(days=1)).day != 1 or day.month % months:
        return None
    year, month = _first(start, due_on, months)
    first_month = day.month - months + 1
    index = ((day.year - year) * 12 + first_month - month) // months
    if not 0 <= index < MAX_PERIODS:
        return None
    return Period(_label(day.year, first_month, months), day, False)


def period_ends(days):
    """{day: the recurrences with a period that ends on it} of those ``days`` that end some period."""
    out = {}
    for day in days:
        if (day + timedelta(days=1)).day == 1:
            out[day] = sorted(r for r, months in MONTHS_PER_PERIOD.items() if day.month % months == 0)
    return out
