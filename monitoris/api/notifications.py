"""/notifications: your in-app notifications, and marking one read."""

from monitoris.api.core import actor, bp, page_of
from monitoris.extensions import db
from monitoris.notifications.render import render
from monitoris.schemas.common import MAX_ID
from monitoris.schemas.notifications import NotificationArgs, NotificationPageSchema, NotificationSchema
from monitoris.services import inbox

TAG = ["Notifications"]
ID = f"<int(min=1, max={MAX_ID}):object_id>"


def _readable(notification):
    notification.message = render(notification)
    notification.link = inbox.safe_link(notification)
    return notification


@bp.route("/notifications", methods=["GET"], tags=TAG)
@bp.arguments(NotificationArgs, location="query")
@bp.response(200, NotificationPageSchema)
def list_notifications(args):
    """Your in-app notifications, newest first, written in your language; `unread=true` for the unread ones."""
    page = page_of(inbox.notifications_of(actor(), unread=args.get("unread")), args)
    page["items"] = [_readable(n) for n in page["items"]]
    return page


@bp.route(f"/notifications/{ID}/read", methods=["POST"], tags=TAG)
@bp.response(200, NotificationSchema)
def mark_notification_read(object_id):
    """Mark one of your notifications read (again is harmless).  Someone else's is 404."""
    notification = inbox.mark_read(actor(), object_id)
    db.session.commit()
    return _readable(notification)
