"""Reporting periods of a recurring task, shared by the reports, the assignments and the deadline scan.

A one-off task has one period, "final".  A recurring task has one per year, half-year, quarter or month,
aligned on the calendar ("2026", "2026-H2", "2026-Q3", "2026-07"), from the first one that holds its start
until the one that holds the assignment's due date, at most ``MAX_PERIODS`` of them.  Each is due at the end of
its period, except the last, the final one, which is due on the assignment's due date (an approved extension
moves it) and, past the limit, covers the rest of the work.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from monitoris import clock
from monitoris.extensions import db
from monitoris.models import Report

MONTHS_PER_PERIOD = {"annual": 12, "semiannual": 6, "quarterly": 3, "monthly": 1}
MAX_PERIODS = 600  # fifty years of months: only a mistyped date goes further


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
    while True:
        end = _month_end(year + (month + months - 2) // 12, (month + months - 2) % 12 + 1)
        if end >= due_on or len(result) == MAX_PERIODS - 1:  # the last one covers the rest, however long
            result.append(Period(_label(year, month, months), due_on, True))
            return result
        result.append(Period(_label(year, month, months), end, False))
        month += months
        if month > 12:
            year, month = year + 1, month - 12


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
    if not 0 <= index < MAX_PERIODS - 1:
        return None
    return Period(_label(day.year, first_month, months), day, False)


def owed(period, assigned_on):
    """Whether a body can be late with ``period``'s report: the final one always; another once it ends on or after
    ``assigned_on``, the day the work was given to the body (a plan's periods may start years before that, and
    those that ended before were never the body's to be late on)."""
    return period.final or assigned_on is None or period.due_on >= assigned_on


def period_ends(days):
    """{day: the recurrences with a period that ends on it} of those ``days`` that end some period."""
    out = {}
    for day in days:
        if (day + timedelta(days=1)).day == 1:
            out[day] = sorted(r for r, months in MONTHS_PER_PERIOD.items() if day.month % months == 0)
    return out


def assigned_on(assignment):
    """The local day the work was given to the body (``assignment``: an Assignment, or a row with its
    ``created_at``)."""
    return clock.local(assignment.created_at).date() if assignment.created_at is not None else None


def sent(assignment_ids):
    """{(assignment id, period)} of the periods of ``assignment_ids`` whose report was sent or accepted: the body
    has done its part for them."""
    ids, out = sorted(set(assignment_ids)), set()
    for i in range(0, len(ids), 1000):
        out.update(db.session.execute(
            sa.select(Report.assignment_id, Report.period).distinct()
            .where(Report.assignment_id.in_(ids[i:i + 1000]), Report.state.in_(("submitted", "accepted")))).all())
    return out


def of(assignment, due_on=None):
    """The reporting periods of ``assignment``, in order: its task's recurrence from the task's start (else the
    day the work was assigned) until the assignment's due date (or ``due_on``, to see what another would make)."""
    task = assignment.task
    return schedule(task.recurrence, task.period_start or assigned_on(assignment), due_on or assignment.due_on)


def stranded(assignment, due_on):
    """The periods whose reports the due date ``due_on`` would strand, in order: one that would no longer exist
    (it begins after the new date), or one whose report was sent or accepted as an ordinary period and would
    become the final one (its acceptance would then close, or have closed, the whole work)."""
    plan, now = {p.label: p for p in of(assignment, due_on)}, {p.label for p in of(assignment)}
    out = []
    for report in db.session.scalars(sa.select(Report).where(Report.assignment_id == assignment.id)
                                     .order_by(Report.period_due_on, Report.period)):
        period = plan.get(report.period)
        if report.period in now and report.period not in out and (period is None or (
                period.final and not report.final and report.state in ("submitted", "accepted"))):
            out.append(report.period)
    return out


def follow_due_date(assignment):
    """Make the reports agree with ``of(assignment)`` once its due date has moved (an approved extension, an edit).

    The final period is the one the due date falls in, so a new due date can move it: the periods of a
    recurring task that now end before the due date become ordinary periods, due at their own end,
    whose acceptance lets the work go on; the period the new due date falls in is the final one.  Every
    version of a period follows (a period is judged as one: its returns and its acceptance count on its
    own item of the analysis, or on the assignment's for the final period).
    """
    plan = {p.label: p for p in of(assignment)}
    for report in db.session.scalars(sa.select(Report).where(Report.assignment_id == assignment.id)):
        period = plan.get(report.period)
        if period is not None and (report.final, report.period_due_on) != (period.final, period.due_on):
            report.final, report.period_due_on = period.final, period.due_on
