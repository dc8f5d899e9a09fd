"""The hot queries use indexes at scale: no sequential scan of assignments or events.

PostgreSQL only.  Enough rows for the planner to care are written with generate_series inside
the test's transaction (rolled back afterwards) and ANALYZEd; then each query's EXPLAIN is read.
The text search (``q``) may scan: it is allowed to be slower.
"""

from datetime import date

import pytest
import sqlalchemy as sa

from monitoris import permissions, queries
from monitoris.extensions import db
from monitoris.models import Act, Assignment, Event, Organization, Task
from monitoris.notifications import reminders
from monitoris.notifications.calendar import WorkingCalendar
from tests.factories import make_user

pytestmark = pytest.mark.postgresql

TODAY = date(2026, 6, 15)
ORGS, ACTS, TASKS, ASSIGNMENTS, EVENTS, INSTRUCTIONS = 60, 20, 4000, 40_000, 40_000, 20_000
STATES = "(ARRAY['accepted','accepted','accepted','accepted','in_progress','in_progress','in_progress'," \
         "'assigned','submitted','cancelled'])"


@pytest.fixture
def national_shape():
    """A small country: ids far above anything the factories use, so nothing collides."""
    run = db.session.execute
    run(sa.text(f"""
        INSERT INTO organizations (id, name, short_name, kind, parent_id, path, active, created_at, version)
        SELECT 100000 + i, 'Body ' || i, 'PLAN' || i, 'central', NULL, '/' || (100000 + i) || '/', true, now(), 1
        FROM generate_series(1, {ORGS}) i"""))
    run(sa.text(f"""
        INSERT INTO acts (id, kind, title, state, created_at, updated_at, version)
        SELECT 100000 + i, 'action_plan', 'Plan ' || i, CASE WHEN i = 1 THEN 'draft' ELSE 'active' END, now(), now(), 1
        FROM generate_series(1, {ACTS}) i"""))
    run(sa.text(f"""
        INSERT INTO tasks (id, act_id, number, sort_key, title, recurrence, priority, published, created_at,
                           updated_at, version)
        SELECT 100000 + i, 100001 + i % {ACTS}, i::text, lpad(i::text, 5, '0'), 'Measure ' || i, 'none', 'normal',
               true, now(), now(), 1
        FROM generate_series(1, {TASKS}) i"""))
    run(sa.text(f"""
        INSERT INTO assignments (id, task_id, act_id, organization_id, role, due_on, original_due_on, state,
                                 progress, created_at, updated_at, version)
        SELECT 100000 + i, 100001 + i % {TASKS}, 100001 + (1 + i % {TASKS}) % {ACTS}, 100001 + (i / {TASKS}) % {ORGS},
               'lead', due, due, state, 0, now(), now(), 1
        FROM (SELECT i, {STATES}[1 + (i * 31) % 10] AS state FROM generate_series(1, {ASSIGNMENTS}) i) s,
        -- As in a real plan: finished work lies in the past, open work mostly ahead, some of it overdue.
        LATERAL (SELECT CASE WHEN state IN ('accepted', 'cancelled') THEN DATE '{TODAY}' - 1 - (i * 7919) % 500
                             ELSE DATE '{TODAY}' - 60 + (i * 7919) % 460 END AS due) d"""))
    run(sa.text(f"""
        INSERT INTO events (id, at, action, object_type, object_id, organization_id, prev_hash, hash)
        SELECT 100000 + i, now(), 'assignment.start', 'assignment', 100000 + i, 100001 + i % {ORGS},
               md5(i::text) || md5('p' || i), md5('h' || i) || md5(i::text)
        FROM generate_series(1, {EVENTS}) i"""))
    # Instructions: most answered or closed long ago, a few awaiting an answer, with response dates spread.
    run(sa.text(f"""
        INSERT INTO instructions (id, assignment_id, task_id, organization_id, kind, text, response_due_on, state,
                                  issued_at, version)
        SELECT 100000 + i, 100000 + i, 100001 + i % {TASKS}, 100001 + (i / {TASKS}) % {ORGS}, 'request',
               'Explain the delay', DATE '{TODAY}' - 300 + (i * 7919) % 400,
               (ARRAY['closed','closed','closed','answered','answered','closed','closed','closed','issued',
                      'acknowledged'])[1 + (i * 31) % 10], now(), 1
        FROM generate_series(1, {INSTRUCTIONS}) i"""))
    # Statistics from every row, not a random sample: the same plans on every run.
    run(sa.text("SET LOCAL default_statistics_target = 1000"))
    run(sa.text("ANALYZE organizations, acts, tasks, assignments, events, instructions"))
    controller = make_user("controller")
    executor = make_user("executor", organization=db.session.get(Organization, 100007))
    db.session.flush()
    return controller, executor


def plan(stmt):
    sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    return "\n".join(db.session.execute(sa.text("EXPLAIN " + sql)).scalars())


LISTS = {
    "by organization": ("controller", {"organization_id": 100005}),
    "by organization and state": ("controller", {"organization_id": 100005, "state": ["assigned", "in_progress"]}),
    "submitted": ("controller", {"state": ["submitted"]}),
    "overdue": ("controller", {"overdue": True}),
    "by act": ("controller", {"act_id": 100003}),
    "an executive body's own": ("executor", {}),
    "an executive body's overdue": ("executor", {"overdue": True}),
}


def dates_of_policy():
    """The due dates today's scan looks for under the usual policy."""
    offsets = reminders.parse_policy("7,3,1,0,-1")
    return reminders.candidate_due_dates((TODAY, TODAY), WorkingCalendar.load(TODAY), offsets, True)


def hot_queries(controller, executor):
    """(name, statement, table it must not scan) of every hot query."""
    for name, (who, filters) in LISTS.items():
        stmt = queries.assignments(controller if who == "controller" else executor, today=TODAY, **filters)
        yield f"list {name}", stmt.limit(50), "assignments"
        yield f"count {name}", sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()), "assignments"
    dates = dates_of_policy()
    assert len(dates) > 10  # the weekly overdue points reach back two years
    # The candidates reminders.scan selects: open work of active acts due on one of the dates.
    yield "deadline scan candidates", (
        sa.select(Assignment.id, Assignment.due_on, Act.reminder_policy)
        .join(Task, Assignment.task_id == Task.id)
        .join(Act, Task.act_id == Act.id)
        .where(Assignment.state.in_(reminders.WORKING_STATES), Act.state == "active", Assignment.due_on.in_(dates))
    ), "assignments"
    yield "deadline scan instructions", reminders.instruction_candidates(dates), "instructions"
    yield "an executive body's event feed", permissions.scope_events(
        executor, sa.select(Event).where(Event.id > 120_000)).order_by(Event.id).limit(100), "events"


def test_the_hot_queries_use_indexes(national_shape):
    """One test, one data set: rolled-back rows leave dead index entries behind, which would tilt the
    plans of every later test that loaded the same rows again."""
    controller, executor = national_shape
    scans = {}
    for name, stmt, table in hot_queries(controller, executor):
        text = plan(stmt)
        if f"Seq Scan on {table}" in text:
            scans[name] = text
    assert not scans, "\n\n".join(f"{name}:\n{text}" for name, text in scans.items())
    # The overdue list walks the partial index of open work in due-date order.
    assert "ix_assignments_open_due_on" in plan(queries.assignments(controller, today=TODAY, overdue=True).limit(50))
    # The scan's instructions come from the partial index of those awaiting an answer.
    assert "ix_instructions_awaiting_response_due_on" in plan(reminders.instruction_candidates(dates_of_policy()))
    # An act's list walks the act's own index in due-date order: no gathering of its tasks' assignments.
    assert "ix_assignments_act_id_due_on" in plan(queries.assignments(controller, today=TODAY, act_id=100003).limit(50))
    # The text search may scan, but answers.
    page = queries.paginate(queries.assignments(controller, today=TODAY, q="measure 12"), 1, 50)
    assert page.total > 0 and all("measure 12" in a.task.title.lower() for a in page.items)
