"""Deadline scan on the national dataset (200,000 assignments, 20,000 instructions) against its bare candidate queries.

Prints ``deadline scan 200k: N ms`` (the whole scan: select, decide, queue the outbox rows)
next to ``deadline scan bare sql: N ms`` (only the SELECTs the scan needs: the candidate
assignments, the candidate instructions awaiting an answer and, when a candidate date ends a reporting
period, the recurring work whose period ends then), and how many assignments and instructions were
candidates for a reminder.
"""

import sys
import tempfile
from datetime import UTC, datetime

import sqlalchemy as sa

from bench.common import bench_database, figure, make_app, timed
from bench.datagen import generate
from monitoris import clock, periods
from monitoris.extensions import db
from monitoris.models import Act, Assignment, Task
from monitoris.notifications import reminders
from monitoris.notifications.calendar import WorkingCalendar

# A Tuesday: a working day, so the scan has work.
AT = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def main(scale=1.0):
    with bench_database() as url, tempfile.TemporaryDirectory() as instance:
        app = make_app(url, instance, clock_at=AT)
        with app.app_context():
            today = clock.today()
        written = generate(url, scale, today=today, history=False)  # the scan reads no events
        with app.app_context():
            offsets = reminders.parse_policy(app.config["REMINDER_POLICY"])
            dates = reminders.candidate_due_dates((today, today), WorkingCalendar.load(today), offsets, True)
            bare = (sa.select(Assignment.id, Assignment.due_on, Act.reminder_policy)
                    .join(Task, Assignment.task_id == Task.id).join(Act, Task.act_id == Act.id)
                    .where(Assignment.state.in_(reminders.WORKING_STATES), Act.state == "active")
                    .where(Assignment.due_on.in_(dates)))

            instructions = reminders.instruction_candidates(dates)
            ends = periods.period_ends(dates)  # on a month end, the recurring tasks' periods that end then
            recurring = reminders.period_candidates(ends) if ends else None

            def bare_sql():
                if recurring is not None:
                    db.session.execute(recurring).all()
                return len(db.session.execute(bare).all()), len(db.session.execute(instructions).all())

            def scan():
                created = reminders.scan(today)
                db.session.rollback()  # measure the same work every time
                return created

            bare_sql()  # warm the caches equally for both
            bare_ms, (candidates, instruction_candidates) = timed(bare_sql)
            scan_ms, created = timed(scan)
            due = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)
                                    .where(Assignment.state.in_(reminders.WORKING_STATES)))
            plan, instruction_plan = explain(bare), explain(instructions)
        app_engine_dispose(app)
    label = f"{written['assignments'] // 1000}k"
    figure(f"deadline scan {label}", scan_ms, "ms")
    figure("deadline scan bare sql", bare_ms, "ms")
    figure("deadline scan candidates", candidates, "assignments")
    figure("deadline scan instruction candidates", instruction_candidates, "instructions")
    figure("deadline scan open assignments", due, "assignments")
    figure("deadline scan outbox rows queued", created, "rows")
    if "Seq Scan on assignments" in plan:
        print("warning: the candidate query scans the whole assignments table:\n" + plan, file=sys.stderr)
    if "Seq Scan on instructions" in instruction_plan:
        print("warning: the instruction candidate query scans the whole instructions table:\n" + instruction_plan,
              file=sys.stderr)


def explain(select):
    """PostgreSQL's plan of ``select``, its parameters written in (as the scan's own are lists of dates)."""
    return "\n".join(db.session.execute(sa.text("EXPLAIN " + str(select.compile(
        db.engine, compile_kwargs={"literal_binds": True})))).scalars())


def app_engine_dispose(app):
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
