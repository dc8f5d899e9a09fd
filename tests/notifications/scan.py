"""What the deadline scan queued, for the reminder tests."""

from datetime import UTC, date, datetime

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Notification
from monitoris.notifications import reminders
from tests.factories import make_act, make_assignment, make_org, make_task, make_user


def at(day, hour=9):
    """``hour`` o'clock in Baku (UTC+4) on ``day``."""
    return datetime(day.year, day.month, day.day, hour - 4, tzinfo=UTC)


def reminder_rows(prefix=""):
    """The outbox rows whose key starts with ``prefix`` ("assignment:", "instruction:"), oldest first."""
    return db.session.scalars(sa.select(Notification).where(Notification.idempotency_key.startswith(prefix))
                              .order_by(Notification.id)).all()


def queued_on(day, clock, prefix=""):
    """Scan at 09:00 on ``day``; the (object id, point, recipient id) of every reminder it queued whose key starts
    with ``prefix``."""
    before = {n.id for n in reminder_rows(prefix)}
    clock.at = at(day)
    reminders.scan()
    return {(int(n.idempotency_key.split(":")[1]), n.idempotency_key.split(":")[4], n.recipient_id)
            for n in reminder_rows(prefix) if n.id not in before}


def body_at_work(due_on, *, assigned_on=date(2026, 4, 1), **task_options):
    """State Agency (SA) at work since ``assigned_on`` on task 1.1 of an active act, due ``due_on``, Farid Babayev
    responsible: (the assignment, Farid, SA's head, the task's controller, the control body)."""
    body = make_org("SA", name="State Agency")
    executor = make_user("executor", organization=body, name="Farid Babayev", email="farid@sa.example",
                         phone="+994501112233")
    head = make_user("org_head", organization=body)
    control = make_org("CD", kind="control")
    controller = make_user("controller", organization=control)
    task = make_task(make_act(state="active"), "1.1", title="Hold awareness events", controller=controller,
                     **task_options)
    assignment = make_assignment(task, body, state="in_progress", due_on=due_on, responsible=executor,
                                 created_at=at(assigned_on))
    return assignment, executor, head, controller, control
