"""Queueing messages: one outbox row per recipient and channel, deduplicated by idempotency key."""

import json

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import aliased

from monitoris import clock
from monitoris.extensions import db
from monitoris.models import Organization, User, UserRole
from monitoris.models.notification import Notification, NotificationPreference

# What a person gets when they have not chosen: email and in-app for everything, SMS for deadlines.
DEFAULT_CHANNELS = {
    "reminder": ("email", "sms", "in_app"),
    "overdue": ("email", "sms", "in_app"),
    "assignment": ("email", "in_app"),
    "review": ("email", "in_app"),
    "instruction": ("email", "in_app"),
    "extension": ("email", "in_app"),
    "digest": ("email",),
}


def load_preferences(user_ids):
    """{(user_id, kind, channel): enabled} for these people, in one query."""
    if not user_ids:
        return {}
    rows = db.session.execute(sa.select(NotificationPreference).where(
        NotificationPreference.user_id.in_(set(user_ids)))).scalars()
    return {(p.user_id, p.kind, p.channel): p.enabled for p in rows}


def channels_for(user, kind, preferences=None):
    """The channels ``user`` receives ``kind`` on: their choices over the defaults; SMS only with a phone."""
    if preferences is None:
        preferences = load_preferences([user.id])
    channels = [c for c in ("email", "sms", "in_app")
                if preferences.get((user.id, kind, c), c in DEFAULT_CHANNELS[kind])]
    return [c for c in channels if c != "sms" or user.phone]


def rows_for(recipient, *, kind, template, key, payload, channels=None, preferences=None, now=None):
    """Outbox rows for one message to ``recipient`` on each of their channels for ``kind``.

    ``key`` names the occasion (for example ``assignment:42:due:2026-12-01:before-3``); the
    row's idempotency key adds the channel and the recipient.  ``channels`` overrides the
    person's choice (escalations reach org_heads and controllers whatever they chose).
    """
    if not recipient.active:
        return []
    now = now or clock.now()
    rows = []
    for channel in channels or channels_for(recipient, kind, preferences):
        if channel == "sms" and not recipient.phone:
            continue
        in_app = channel == "in_app"
        rows.append({
            "recipient_id": recipient.id, "channel": channel, "kind": kind, "template": template,
            "payload": payload, "idempotency_key": f"{key}:{channel}:user:{recipient.id}",
            # In-app messages are delivered by being written.
            "state": "sent" if in_app else "pending", "sent_at": now if in_app else None,
            "attempts": 0, "next_attempt_at": now, "created_at": now,
        })
    return rows


def queue(recipients, **message):
    """Queue one message for each recipient (deduplicated); returns how many rows were new."""
    seen, rows = set(), []
    preferences = load_preferences([r.id for r in recipients])
    for recipient in recipients:
        if recipient.id not in seen:
            seen.add(recipient.id)
            rows += rows_for(recipient, preferences=preferences, **message)
    return insert_ignoring_duplicates(rows)


COLUMNS = ("recipient_id", "webhook_id", "channel", "kind", "template", "payload", "idempotency_key", "state",
           "attempts", "next_attempt_at", "created_at", "sent_at")


def insert_ignoring_duplicates(rows):
    """Insert outbox rows; a row whose idempotency key exists already is skipped by the database.

    Returns the number of rows actually inserted.  On PostgreSQL the rows go through COPY into a
    temporary table and one INSERT … SELECT … ON CONFLICT DO NOTHING: a scan that queues ten
    thousand reminders spends milliseconds, not seconds, building statements.
    """
    if not rows:
        return 0
    values = [tuple(row.get(c) for c in COLUMNS) for row in rows]
    if db.session.get_bind().dialect.name == "postgresql":
        return _copy_insert(values)
    table = Notification.__table__
    stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(table.c.id)
    return len(db.session.execute(stmt, [dict(zip(COLUMNS, v, strict=True)) for v in values]).all())


def _copy_insert(values):
    cursor = db.session.connection().connection.driver_connection.cursor()
    columns = ", ".join(COLUMNS)
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS outbox_load ON COMMIT DROP AS "
                   f"SELECT {columns} FROM notifications WITH NO DATA")
    payload = COLUMNS.index("payload")
    with cursor.copy(f"COPY outbox_load ({columns}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row[:payload] + (json.dumps(row[payload]),) + row[payload + 1:])
    cursor.execute(f"INSERT INTO notifications ({columns}) SELECT {columns} FROM outbox_load "
                   f"ON CONFLICT (idempotency_key) DO NOTHING")
    inserted = cursor.rowcount
    cursor.execute("DELETE FROM outbox_load")
    cursor.close()
    return inserted


def heads_of(organization_id):
    """The active org_heads of an organization."""
    return db.session.scalars(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(User.organization_id == organization_id, UserRole.role == "org_head", User.active.is_(True))
        .order_by(User.id)).unique().all()


def works_in(person, organization_path):
    """Is ``person`` active and one of the people of the body at ``organization_path`` (or of its sub-units)?
    Only they hear of the body's work: someone moved to another body since no longer sees it."""
    return person is not None and person.active and person.organization.path.startswith(organization_path)


def people_responsible(assignment):
    """Who hears about an assignment: its responsible person, else the body's heads."""
    if works_in(assignment.responsible, assignment.organization.path):
        return [assignment.responsible]
    return heads_of(assignment.organization_id)


# Who may be a task's controller: what ``services.tasks`` asks of the person named.
CONTROLLER_ROLES = ("controller", "admin")


def still_controls(person):
    """Can ``person``, named a task's controller (or an instruction's issuer), still act as one: active, and
    still holding the controller or admin role?"""
    return person is not None and person.active and person.has_role(*CONTROLLER_ROLES)


def control_body_controllers():
    """The active controllers of the control body: people with the controller role in an active organization
    of kind "control" or one of its sub-units."""
    control = aliased(Organization)
    in_control_body = sa.exists().where(control.kind == "control", control.active.is_(True),
                                        Organization.path.startswith(control.path))
    return db.session.scalars(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .join(Organization, Organization.id == User.organization_id)
        .where(UserRole.role == "controller", User.active.is_(True), Organization.active.is_(True), in_control_body)
        .order_by(User.id)).unique().all()


def controller_or_control_body(person, control_body=None):
    """``[person]`` while they can still act as a controller, else the control body's controllers.

    ``control_body`` passes those already loaded (``control_body_controllers()``), for a scan that asks for many
    tasks at once and should load them once."""
    if still_controls(person):
        return [person]
    return control_body_controllers() if control_body is None else list(control_body)


def controllers_of(task):
    """Who answers for ``task`` in the control body: its controller, else (none named, deactivated, or no longer
    a controller) the control body's controllers, so that what waits for the control body never reaches
    nobody.  Every message meant for "the task's controller" asks here."""
    controller = db.session.get(User, task.controller_id) if task.controller_id is not None else None
    return controller_or_control_body(controller)


def organization_name(org_id):
    return db.session.scalar(sa.select(Organization.short_name).where(Organization.id == org_id))
