"""The daily digest: one email a morning to each head of a body and each controller with work waiting."""

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from monitoris import clock
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
    by_controller = {u.id: [u, overdue, other] for u, overdue, other in reviewers}
    if any(unowned):
        for person in outbox.control_body_controllers():
            mine = by_controller.setdefault(person.id, [person, 0, 0])
            mine[1] += unowned[0]
            mine[2] += unowned[1]
    people = [(u, "head", overdue, other) for u, overdue, other in heads] + \
             [(u, "controller", overdue, other) for u, overdue, other in by_controller.values()]
    preferences = outbox.load_preferences([u.id for u, *_ in people])
    for user, role, overdue, other in people:
        if not overdue and not other:
            continue
        payload = {"role": role, "overdue": overdue, "due_soon" if role == "head" else "to_review": other,
                   "date": today.isoformat(), "link": "/"}
        rows += outbox.rows_for(user, kind="digest", template=f"digest_{role}", key=f"digest:{today}:{role}",
                                payload=payload, preferences=preferences)
    return outbox.insert_ignoring_duplicates(rows)
