"""A person's in-app notifications: the unread count, the list, marking as read.

Only the recipient ever sees or marks a notification; anyone else's is "not found".  Marking as
read writes no audit event: it changes nothing anybody else relies on, and one event per click
would bury the trail that matters.
"""

import sqlalchemy as sa
from flask_babel import gettext as _

from monitoris import clock
from monitoris.errors import NotFound
from monitoris.extensions import db
from monitoris.models.notification import Notification


def _own(user):
    # Matches ix_notifications_recipient_id_channel_read_at, so the count and the list are index scans.
    return (Notification.recipient_id == user.id, Notification.channel == "in_app")


def unread_count(user):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(*_own(user), Notification.read_at.is_(None)))


def notifications_of(user, *, unread=None):
    """The person's in-app notifications, newest first; ``unread`` True or False filters."""
    stmt = sa.select(Notification).where(*_own(user))
    if unread is True:
        stmt = stmt.where(Notification.read_at.is_(None))
    elif unread is False:
        stmt = stmt.where(Notification.read_at.is_not(None))
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


def get_own(user, notification_id):
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.recipient_id != user.id or notification.channel != "in_app":
        raise NotFound(_("There is no such notification."))
    return notification


def mark_read(user, notification_id):
    """Mark one of the person's notifications read (again is harmless); returns it."""
    notification = get_own(user, notification_id)
    if notification.read_at is None:
        notification.read_at = clock.now()
        db.session.flush()
    return notification


def mark_all_read(user):
    """Mark every unread notification of the person read; returns how many."""
    result = db.session.execute(sa.update(Notification).where(*_own(user), Notification.read_at.is_(None))
                                .values(read_at=clock.now()).execution_options(synchronize_session="fetch"))
    return result.rowcount


def safe_link(notification):
    """The notification's link inside this site, or None: a payload never sends a person elsewhere."""
    link = (notification.payload or {}).get("link")
    if isinstance(link, str) and link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return link
    return None
