"""The daily digest: one email a morning to each head of a body and each controller with work waiting."""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from monitoris import clock, periods
from monitoris.extensions import db
from monitoris.models import OPEN_STATES, Act, Assignment, Task, User, UserRole
from monitoris.notifications import outbox


def send_digest(today=None):
    """Queue today's digests (idempotent per person and day).  Returns the number of new outbox rows."""
    today = today or clock.today()
    soon = today + timedelta(days=7)
    # Open work of acts in force: a body hears nothing of a draft act's work (nor of a closed act's).
    open_ = sa.and_(Assignment.state.in_(OPEN_STATES),
                    Assignment.act_id.in_(sa.select(Act.id).where(Act.state == "active")))
    rows = []
    # A head counts the work of their own body.  A sub-assignment is the body's work only when it went to a
    # sub-unit (one split inside the same unit is the parent counted twice) and its parent is still open.
    parent = aliased(Assignment)
    own_work = sa.or_(Assignment.parent_id.is_(None),
                      sa.and_(parent.organization_id != Assignment.organization_id, parent.state.in_(OPEN_STATES)))
    heads = db.session.execute(
        sa.select(User, sa.func.count().filter(Assignment.due_on < today),
                  sa.func.count().filter(Assignment.due_on.between(today, soon)))
        .join(UserRole, UserRole.user_id == User.id)
        .join(Assignment, Assignment.organization_id == User.organization_id)
        .outerjoin(parent, Assignment.parent_id == parent.id)
        .where(UserRole.role == "org_head", User.active.is_(True), open_, Assignment.due_on <= soon, own_work)
        .group_by(User.id)).all()
    # A controller reviews the organizations' assignments; the sub-assignments roll up into them.  The work of
    # a task whose controller cannot act (none named, deactivated, no longer a controller) is every control
    # body controller's, as its messages are (outbox.controllers_of).
    counts = (sa.func.count().filter(Assignment.due_on < today),
              sa.func.count().filter(Assignment.state == "submitted"))
    controls = sa.exists().where(UserRole.user_id == User.id, UserRole.role.in_(outbox.CONTROLLER_ROLES))
    reviewers = db.session.execute(
        sa.select(User, *counts)
        .join(Task, Task.controller_id == User.id)
        .join(Assignment, Assignment.task_id == Task.id)
        .where(User.active.is_(True), controls, open_, Assignment.parent_id.is_(None))
        .group_by(User.id)).all()
    controlled = sa.select(User.id).where(User.active.is_(True), controls)
    unowned = db.session.execute(
        sa.select(*counts).select_from(Assignment).join(Task, Assignment.task_id == Task.id)
        .where(open_, Assignment.parent_id.is_(None),
               sa.or_(Task.controller_id.is_(None), Task.controller_id.not_in(controlled)))).one()
    late = _late_periods(today, open_)
    controlling = set(db.session.scalars(controlled))
    by_controller = {u.id: [u, overdue, other, 0] for u, overdue, other in reviewers}
    missing = set(late.by_controller) & controlling - set(by_controller)
    for person in db.session.scalars(sa.select(User).where(User.id.in_(missing))):
        by_controller[person.id] = [person, 0, 0, 0]
    unowned_late = 0
    for controller_id, count in late.by_controller.items():
        if controller_id in controlling:
            by_controller[controller_id][3] += count
        else:
            unowned_late += count
    if any(unowned) or unowned_late:
        for person in outbox.control_body_controllers():
            mine = by_controller.setdefault(person.id, [person, 0, 0, 0])
            mine[1] += unowned[0]
            mine[2] += unowned[1]
            mine[3] += unowned_late
    by_head = {u.id: [u, overdue, other, late.by_organization.get(u.organization_id, 0)] for u, overdue, other in heads}
    for head in _heads_of(set(late.by_organization) - {u.organization_id for u, *_ in heads}):
        by_head[head.id] = [head, 0, 0, late.by_organization[head.organization_id]]
    people = [(u, "head", *figures) for u, *figures in by_head.values()] + \
             [(u, "controller", *figures) for u, *figures in by_controller.values()]
    preferences = outbox.load_preferences([u.id for u, *_ in people])
    for user, role, overdue, other, late_periods in people:
        if not overdue and not other and not late_periods:
            continue
        payload = {"role": role, "overdue": overdue, "due_soon" if role == "head" else "to_review": other,
                   "late_periods": late_periods, "date": today.isoformat(), "link": "/"}
        rows += outbox.rows_for(user, kind="digest", template=f"digest_{role}", key=f"digest:{today}:{role}",
                                payload=payload, preferences=preferences)
    return outbox.insert_ignoring_duplicates(rows)


@dataclass
class LatePeriods:
    by_organization: Counter  # organization id -> its recurring work's periods past due, their report not sent
    by_controller: Counter  # the task's controller id (None: none named) -> the same


def _late_periods(today, open_):
    """The periods of recurring work whose due date has passed without their report being sent, counted per
    body and per task controller: those the scan reminds of as overdue (a report awaiting review is the
    controller's, counted among the reports to review).  Worked out in Python, as the scan does: only the open
    work of recurring tasks is read, with its reports' states in one more query."""
    rows = db.session.execute(
        sa.select(Assignment.id, Assignment.organization_id, Assignment.due_on, Assignment.created_at,
                  Task.recurrence, Task.period_start, Task.controller_id)
        .join(Task, Assignment.task_id == Task.id)
        .where(open_, Assignment.parent_id.is_(None), Task.recurrence != "none")).all()
    sent = periods.sent(r.id for r in rows)
    late = LatePeriods(Counter(), Counter())
    for row in rows:
        assigned_on = periods.assigned_on(row)
        count = sum(1 for p in periods.schedule(row.recurrence, row.period_start or assigned_on, row.due_on)
                    if not p.final and p.due_on < today and periods.owed(p, assigned_on)
                    and (row.id, p.label) not in sent)
        if count:
            late.by_organization[row.organization_id] += count
            late.by_controller[row.controller_id] += count
    return late


def _heads_of(organization_ids):
    """The active heads of ``organization_ids``."""
    return db.session.scalars(sa.select(User).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == "org_head", User.active.is_(True), User.organization_id.in_(organization_ids))).unique()
