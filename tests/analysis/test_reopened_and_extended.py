"""The figures of work reopened after its acceptance, and of a recurring task whose final period an extension moved."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from monitoris.analysis import figures
from monitoris.analysis.items import Filters
from monitoris.extensions import db
from monitoris.models import AnalysisItem
from monitoris.services import assignments, extensions, reports
from tests.factories import make_assignment, make_task, make_world

FIGURES = ("assigned", "accepted", "on_time", "late", "overdue", "open_not_due", "average_delay", "reviews", "returns")


@pytest.fixture
def w():
    return make_world()


def _on(clock, day):
    """09:00 in Baku on ``day``."""
    clock.at = datetime(day.year, day.month, day.day, 5, tzinfo=UTC)


def _figures(organization, today, dialect):
    f = Filters(date_from=date(2026, 1, 1), date_to=date(2026, 12, 31), today=today, timezone="Asia/Baku",
                dialect=dialect, organization_id=organization.id)
    row = figures.compute(db.session, f, "organization")[0]
    return {k: row[k] for k in FIGURES}


def _items(assignment):
    return [(i.period, i.due_on, i.accepted, i.accepted_on, i.reviews, i.returns) for i in db.session.scalars(
        sa.select(AnalysisItem).where(AnalysisItem.assignment_id == assignment.id).order_by(AnalysisItem.period))]


def test_reopened_work_counts_by_its_latest_acceptance(w, clock, dialect):
    a = make_assignment(make_task(w.act, "1.1", controller_id=w.controller.id), w.sa, state="in_progress",
                        due_on=date(2026, 3, 31))
    _on(clock, date(2026, 3, 1))
    first = reports.create(w.exec_sa, a, text="Done.")
    reports.submit(w.exec_sa, first)
    _on(clock, date(2026, 3, 2))
    reports.review(w.controller, first, "accept")
    _on(clock, date(2026, 3, 3))
    assignments.transition(w.controller, a, "reopen", "The evidence was forged.")
    assert _figures(w.sa, date(2026, 4, 5), dialect) == {
        "assigned": 1, "accepted": 0, "on_time": 0, "late": 0, "overdue": 1, "open_not_due": 0,
        "average_delay": 5.0, "reviews": 1, "returns": 0}

    _on(clock, date(2026, 4, 10))
    second = reports.create(w.exec_sa, a, text="Done, with the real evidence.")
    reports.submit(w.exec_sa, second)
    _on(clock, date(2026, 4, 11))
    reports.review(w.controller, second, "accept")
    # Delivered again ten days after the due date: accepted late, no longer overdue.
    assert _figures(w.sa, date(2026, 6, 15), dialect) == {
        "assigned": 1, "accepted": 1, "on_time": 0, "late": 1, "overdue": 0, "open_not_due": 0,
        "average_delay": 10.0, "reviews": 2, "returns": 0}
    assert _items(a) == [("", date(2026, 3, 31), True, date(2026, 4, 10), 2, 0)]


def test_an_extended_recurring_assignment_stays_open_until_its_new_final_period(w, clock, dialect):
    task = make_task(w.act, "2.1", controller_id=w.controller.id, recurrence="quarterly",
                     period_start=date(2026, 1, 1))
    a = make_assignment(task, w.sa, state="in_progress", due_on=date(2026, 6, 30))
    _on(clock, date(2026, 3, 30))
    q1 = reports.create(w.exec_sa, a, period="2026-Q1", text="Q1 events held.")
    reports.submit(w.exec_sa, q1)
    _on(clock, date(2026, 4, 1))
    reports.review(w.controller, q1, "accept")
    _on(clock, date(2026, 5, 20))
    q2 = reports.create(w.exec_sa, a, period="2026-Q2", text="Q2 events planned.")
    reports.submit(w.exec_sa, q2)
    reports.review(w.controller, q2, "return", "Hold them first.")
    _on(clock, date(2026, 6, 2))
    asked = extensions.request(w.exec_sa, a, proposed_due_on=date(2026, 9, 30), reason="The venue burnt down.")
    _on(clock, date(2026, 6, 3))
    extensions.decide(w.controller, asked, "approved")
    _on(clock, date(2026, 6, 20))
    q2 = reports.create(w.exec_sa, a, period="2026-Q2", text="Q2 events held.")
    reports.submit(w.exec_sa, q2)
    _on(clock, date(2026, 6, 21))
    reports.review(w.controller, q2, "accept")

    # Q1 and Q2 on time on their own dates, Q2's return on Q2; the assignment open until Q3, due 30 September.
    assert _items(a) == [("", date(2026, 9, 30), False, None, 0, 0),
                         ("2026-Q1", date(2026, 3, 31), True, date(2026, 3, 30), 1, 0),
                         ("2026-Q2", date(2026, 6, 30), True, date(2026, 6, 20), 2, 1)]
    assert _figures(w.sa, date(2026, 6, 21), dialect) == {
        "assigned": 3, "accepted": 2, "on_time": 2, "late": 0, "overdue": 0, "open_not_due": 1,
        "average_delay": None, "reviews": 3, "returns": 1}
