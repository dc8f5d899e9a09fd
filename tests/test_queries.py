"""The shared read-side queries: counts, dashboard lists, filters, sorting, pages."""

from datetime import UTC, date, datetime

import pytest

from monitoris import clock as clock_module
from monitoris import queries
from monitoris.extensions import db
from monitoris.models import STATES
from tests.factories import make_assignment, make_task, make_world

DUE = date(2026, 7, 1)


@pytest.fixture
def w():
    return make_world()


def _list(user, **filters):
    filters.setdefault("today", clock_module.today())
    return db.session.scalars(queries.assignments(user, **filters)).unique().all()


def test_state_counts_and_overdue_turn_at_midnight_in_baku(w, clock):
    for state in STATES:
        make_assignment(make_task(w.act), w.sa, state=state, due_on=DUE)
    make_assignment(make_task(w.act), w.mt, state="in_progress", due_on=DUE)  # not SA's

    clock.at = datetime(2026, 7, 1, 19, 59, tzinfo=UTC)  # 23:59 on the due date in Baku
    counts = queries.state_counts(w.exec_sa, today=clock_module.today())
    assert counts == {s: 1 for s in STATES} | {"overdue": 0}
    assert _list(w.exec_sa, overdue=True) == []

    clock.at = datetime(2026, 7, 1, 20, 0, tzinfo=UTC)  # 00:00 the next day in Baku
    counts = queries.state_counts(w.exec_sa, today=clock_module.today())
    assert counts["overdue"] == 3  # assigned, in progress, submitted; never accepted or cancelled
    assert {a.state for a in _list(w.exec_sa, overdue=True)} == {"assigned", "in_progress", "submitted"}
    assert {a.state for a in _list(w.exec_sa, overdue=False)} == {"accepted", "cancelled"}
    assert queries.state_counts(w.controller, today=clock_module.today())["overdue"] == 4


def test_state_counts_are_zero_for_nothing(w):
    assert queries.state_counts(w.exec_sa, today=DUE) == {s: 0 for s in STATES} | {"overdue": 0}


def test_open_work_lists_overdue_and_due_within_a_week(w, clock):
    today = clock_module.today()  # 2026-06-15
    late = make_assignment(make_task(w.act), w.sa, state="in_progress", due_on=date(2026, 6, 14))
    due_today = make_assignment(make_task(w.act), w.sa, due_on=today)
    in_a_week = make_assignment(make_task(w.act), w.sa, due_on=date(2026, 6, 22))
    make_assignment(make_task(w.act), w.sa, due_on=date(2026, 6, 23))
    make_assignment(make_task(w.act), w.sa, state="accepted", due_on=date(2026, 6, 1))
    make_assignment(make_task(w.act), w.mt, due_on=date(2026, 6, 1))
    work = queries.open_work_heads(w.exec_sa, today=today)
    overdue, soon = work.overdue.items, work.due_soon.items
    assert overdue == [late]
    assert soon == [due_today, in_a_week]


def test_filters(w):
    a = make_assignment(make_task(w.act), w.sa, state="submitted", due_on=date(2026, 6, 10), responsible=w.exec_sa)
    b = make_assignment(make_task(w.act), w.mt, state="in_progress", due_on=date(2026, 8, 1))
    sub = make_assignment(a.task, w.sa1, parent=a, due_on=date(2026, 6, 5))
    assert _list(w.controller, organization_id=w.sa.id) == [a]
    assert _list(w.controller, task_id=a.task_id) == [sub, a]
    assert _list(w.controller, state="submitted") == [a]
    assert _list(w.controller, state=["submitted", "in_progress"]) == [a, b]
    assert _list(w.controller, state="bogus") == []
    assert _list(w.controller, due_before=date(2026, 6, 10)) == [sub, a]
    assert _list(w.controller, due_after=date(2026, 6, 10)) == [a, b]
    assert _list(w.controller, responsible_id=w.exec_sa.id) == [a]
    assert _list(w.controller, top_level=True) == [a, b]
    assert _list(w.controller, act_id=w.act.id + 1000) == []


def test_sorting_is_whitelisted(w):
    a = make_assignment(make_task(w.act, "1.10"), w.sa, due_on=date(2026, 6, 1))
    b = make_assignment(make_task(w.act, "1.2"), w.mt, due_on=date(2026, 7, 1))
    assert _list(w.controller, sort="number") == [b, a]  # 1.2 before 1.10
    assert _list(w.controller, sort="-due_on") == [b, a]
    assert _list(w.controller, sort="organization; DROP TABLE users") == [a, b]  # falls back to the due date


def test_paginate(w):
    rows = [make_assignment(make_task(w.act), w.sa, due_on=date(2026, 7, d)) for d in range(1, 6)]
    page = queries.paginate(queries.assignments(w.controller, today=DUE), page=2, per_page=2)
    assert (page.items, page.total, page.pages, page.has_prev, page.has_next) == (rows[2:4], 5, 3, True, True)
    page = queries.paginate(queries.assignments(w.controller, today=DUE), page=0, per_page=10 ** 6)
    assert (page.page, page.per_page, len(page.items), page.has_next) == (1, queries.MAX_PAGE_SIZE, 5, False)
