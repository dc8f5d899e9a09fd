"""Writing and verifying the hash-chained audit trail."""

from datetime import UTC, date, datetime
from enum import Enum

import sqlalchemy as sa

from monitoris import clock
from monitoris.extensions import db
from monitoris.models import GENESIS_HASH, Event
from monitoris.models.event import event_hash

# Serialises appends on PostgreSQL so that concurrent transactions extend one chain.
# Held until the transaction ends; the unique prev_hash is the database's own guard.
AUDIT_LOCK_KEY = 0x6D6F6E69  # "moni"


def json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(v) for v in (sorted(value) if isinstance(value, set | frozenset) else value)]
    return value


def snapshot(obj, fields):
    """The named attributes of ``obj`` as JSON-native values, for an event's before/after."""
    return {f: json_value(getattr(obj, f)) for f in fields}


def diff(before, after):
    """Only what changed: (before, after) restricted to the differing keys."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def chain_head():
    """The hash the next event links to, with the chain's lock taken until the transaction ends.

    Every writer of events starts here, so concurrent transactions extend one chain.
    """
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    session.flush()
    return session.scalar(sa.select(Event.hash).order_by(Event.id.desc()).limit(1)) or GENESIS_HASH


def apply_changes(actor, obj, changes, fields, action, object_type, *, organization_id=None, act_id=None):
    """Set ``changes`` on ``obj``, flush, and record only what really changed; returns the new values."""
    before = snapshot(obj, fields)
    for key, value in changes.items():
        setattr(obj, key, value)
    db.session.flush()
    old, new = diff(before, snapshot(obj, fields))
    if new:
        record(actor, action, object_type, obj.id, organization_id=organization_id, act_id=act_id, before=old,
               after=new)
    return new


def record(actor, action, object_type, object_id, *, organization_id=None, act_id=None, before=None, after=None):
    """Append one event to the chain, in the caller's transaction.

    An event about a body's work names the body (``organization_id``: its people may see the event) and the act
    the work belongs to (``act_id``: not while the act is a draft)."""
    session = db.session
    prev = chain_head()
    event = Event(
        # Normalised to UTC here, so that the hash is of the value the database gives back.
        at=clock.now().astimezone(UTC),
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        organization_id=organization_id,
        act_id=act_id,
        before=before,
        after=after,
        ip=getattr(actor, "ip", None),
        prev_hash=prev,
    )
    event.hash = event.compute_hash()
    session.add(event)
    session.flush()
    return event


class ChainReport:
    def __init__(self, checked, bad_event_id=None, reason=None):
        self.checked = checked
        self.bad_event_id = bad_event_id
        self.reason = reason

    @property
    def ok(self):
        return self.bad_event_id is None


def verify_chain(batch=5000):
    """Walk the events in order; name the first one whose hash or link does not hold.

    Reads plain rows in batches, so a million events never sit in the session at once.
    """
    table = Event.__table__
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        rows = db.session.execute(sa.select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch)).all()
        if not rows:
            return ChainReport(checked)
        for row in rows:
            if row.prev_hash != expected_prev:
                return ChainReport(checked, row.id, "its link to the previous event is broken "
                                   "(an event before it was changed or deleted)")
            if event_hash(row) != row.hash:
                return ChainReport(checked, row.id, "its content does not match its hash (it was edited)")
            expected_prev = row.hash
            checked += 1
            last_id = row.id
