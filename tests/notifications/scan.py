"""What the deadline scan queued, for the reminder tests."""

from datetime import UTC, datetime

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Notification
from monitoris.notifications import reminders


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
