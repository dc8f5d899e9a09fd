"""Writing a checked plan in bulk: tasks level by level, assignments, audit events and messages.

Why not ``services.tasks.create_task`` and ``services.assignments.assign`` once per row: each call
repeats, with several queries, checks the importer has already made for the whole file at once
(number free, parent present and not a measure, body active, no duplicate), appends its audit
event with its own lock-and-read of the chain's head, and looks up the body's heads and their
channel choices for its one message.  A 5,000-row plan took minutes that way (bench/plan_import.py).
Here the same rows are written with a handful of statements (COPY on PostgreSQL): the same
permission rule (the importer's), the same audit events (action, object, before/after as the
services write them, chained in order under the chain's lock) and the same "new assignment"
messages with the same idempotency keys, in the caller's transaction.
"""

import json
from datetime import UTC
from types import SimpleNamespace

import sqlalchemy as sa

from monitoris import clock
from monitoris.analysis import facts
from monitoris.database import utcnow
from monitoris.extensions import db
from monitoris.models import Assignment, Event, Task, User, UserRole
from monitoris.models.event import event_hash
from monitoris.models.task import number_sort_key
from monitoris.notifications import outbox
from monitoris.notifications.messages import new_assignment_key
from monitoris.notifications.reminders import payload
from monitoris.services import audit
from monitoris.services import tasks as tasks_service


def _new_ids(table, count):
    """``count`` fresh primary keys of ``table``, increasing, reserved for this transaction's rows."""
    if count == 0:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        return sorted(db.session.scalars(
            sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
            {"table": table.name, "n": count}))
    # SQLite has one writer at a time; a concurrent import of the same act fails on its unique keys.
    first = (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
    return list(range(first, first + count))


def _insert(table, rows):
    """Insert plain rows (every column given): COPY on PostgreSQL, one executemany on SQLite."""
    if not rows:
        return
    if db.session.get_bind().dialect.name != "postgresql":
        db.session.execute(sa.insert(table), rows)
        return
    columns = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)
                    or isinstance(getattr(c.type, "impl", None), sa.JSON)}
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(row[c]) if c in json_columns and row[c] is not None else row[c]
                            for c in columns])
    cursor.close()


def _append_events(actor, entries):
    """Append events [(action, object_type, object_id, organization_id, after)] to the chain, in order.

    As ``audit.record`` does for one event: under the chain's lock, each event hashes its predecessor.
    """
    prev = audit.chain_head()
    at = clock.now().astimezone(UTC)
    ids = _new_ids(Event.__table__, len(entries))
    actor_id, ip = (actor.id if actor is not None else None), getattr(actor, "ip", None)
    rows = []
    for event_id, (action, object_type, object_id, organization_id, after) in zip(ids, entries, strict=True):
        row = {"id": event_id, "at": at, "actor_id": actor_id, "action": action, "object_type": object_type,
               "object_id": object_id, "organization_id": organization_id, "before": None, "after": after,
               "ip": ip, "prev_hash": prev}
        row["hash"] = prev = event_hash(SimpleNamespace(**row))
        rows.append(row)
    _insert(Event.__table__, rows)
    return ids


def _queue_messages(assignments, titles):
    """The "new assignment" message of each assignment to its body's heads, as messages.assignment_created."""
    if not assignments:
        return 0
    heads = _heads_by_organization({a["organization_id"] for a in assignments})
    preferences = outbox.load_preferences([u.id for users in heads.values() for u in users])
    now = clock.now()
    rows = []
    for a in assignments:
        number, title, short_name = titles[a["id"]]
        message = payload(a["id"], number, title, short_name, a["due_on"])
        for recipient in heads.get(a["organization_id"], []):
            rows += outbox.rows_for(recipient, kind="assignment", template="assignment_new",
                                    key=new_assignment_key(a["id"]), payload=message,
                                    preferences=preferences, now=now)
    return outbox.insert_ignoring_duplicates(rows)


def _heads_by_organization(organization_ids):
    rows = db.session.scalars(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(User.organization_id.in_(organization_ids), UserRole.role == "org_head", User.active.is_(True))
        .order_by(User.id)).unique().all()
    heads = {}
    for user in rows:
        heads.setdefault(user.organization_id, []).append(user)
    return heads


def write(actor, act, items):
    """Create the new ``items`` (importer.PlanItem, checked) of ``act``; returns (task rows, assignment rows)."""
    by_number = dict(db.session.execute(sa.select(Task.number, Task.id).where(Task.act_id == act.id)).all())
    new = [i for i in items if not i.exists]  # in tree order: a parent before its children
    now = utcnow()
    task_rows = []
    for item, task_id in zip(new, _new_ids(Task.__table__, len(new)), strict=True):
        item.task_id = by_number[item.number] = task_id
        task_rows.append({
            "id": task_id, "act_id": act.id, "parent_id": by_number[item.parent_number] if item.parent_number else None,
            "number": item.number, "sort_key": number_sort_key(item.number), "title": item.title.strip(),
            "indicator": (item.indicator or "").strip() or None, "period_start": item.period_start,
            "period_end": item.period_end, "recurrence": item.recurrence, "due_on": item.due_on,
            "priority": "normal", "controller_id": None, "published": False, "created_at": now, "updated_at": now,
            "version": 1})
    pairs = [(item, body) for item in new for body in item.bodies]
    assignment_rows, titles = [], {}
    for (item, body), assignment_id in zip(pairs, _new_ids(Assignment.__table__, len(pairs)), strict=True):
        assignment_rows.append({
            "id": assignment_id, "task_id": item.task_id, "act_id": act.id, "organization_id": body.organization.id,
            "parent_id": None,
            "role": body.role, "responsible_id": None, "due_on": item.assignment_due_on,
            "original_due_on": item.assignment_due_on, "state": "assigned", "progress": 0, "note": None,
            "submitted_at": None, "accepted_at": None, "created_at": now, "updated_at": now, "version": 1})
        titles[assignment_id] = (item.number, item.title, body.organization.short_name)
    db.session.flush()
    _insert(Task.__table__, task_rows)
    _insert(Assignment.__table__, assignment_rows)
    facts.refresh(db.session.connection(), [a["id"] for a in assignment_rows])  # written around the ORM
    entries = [("task.created", "task", t["id"], None, {f: audit.json_value(t[f]) for f in tasks_service.FIELDS}
                | {"act_id": act.id}) for t in task_rows]
    entries += [("assignment.created", "assignment", a["id"], a["organization_id"], {
        "task_id": a["task_id"], "organization_id": a["organization_id"], "role": a["role"],
        "due_on": a["due_on"].isoformat(), "responsible_id": None, "state": "assigned"}) for a in assignment_rows]
    _append_events(actor, entries)
    if act.state != "draft":  # a body hears of a draft act's work when the act comes into force (act_published)
        _queue_messages(assignment_rows, titles)
    return task_rows, assignment_rows
