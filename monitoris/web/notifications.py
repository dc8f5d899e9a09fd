"""The in-app inbox: the unread count in every page's header, the list, marking as read."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from jinja2 import TemplateError
from sqlalchemy.exc import SQLAlchemyError

from monitoris import queries
from monitoris.extensions import db
from monitoris.notifications.render import render
from monitoris.services import inbox

bp = Blueprint("notifications", __name__)
PAGE_SIZE = 25


@bp.before_request
@login_required
def _signed_in():
    pass


@bp.app_template_global()
def unread_notifications():
    """The header's badge: one indexed COUNT, only on pages shown to a signed-in person."""
    if not current_user.is_authenticated:
        return 0
    try:
        return inbox.unread_count(current_user)
    except SQLAlchemyError:
        # The error page of a failed transaction must still render: the badge is not worth a second failure.
        return 0


def _rendered(notification):
    try:
        return render(notification)
    except (LookupError, TemplateError):
        # A message whose template has gone still shows, plainly, rather than breaking the inbox.
        current_app.logger.exception("cannot render notification %s", notification.id)
        return {"subject": notification.template.replace("_", " ").capitalize(), "text": ""}


@bp.get("/notifications")
def index():
    unread_only = request.args.get("unread") == "1"
    stmt = inbox.notifications_of(current_user, unread=True if unread_only else None)
    page = queries.paginate(stmt, request.args.get("page", 1, type=int), PAGE_SIZE, clamp=True)
    items = [(n, _rendered(n), inbox.safe_link(n)) for n in page.items]
    return render_template("inbox/index.html", page=page, items=items, unread_only=unread_only)


@bp.get("/notifications/<int:notification_id>/open", endpoint="open")
def open_(notification_id):
    """Follow a notification's link, marking it read on the way."""
    notification = inbox.mark_read(current_user, notification_id)
    db.session.commit()
    return redirect(inbox.safe_link(notification) or url_for("notifications.index"))


@bp.post("/notifications/<int:notification_id>/read")
def mark_read(notification_id):
    inbox.mark_read(current_user, notification_id)
    db.session.commit()
    return redirect(_back())


@bp.post("/notifications/read-all")
def mark_all_read():
    count = inbox.mark_all_read(current_user)
    db.session.commit()
    flash(ngettext("%(num)d notification marked as read.", "%(num)d notifications marked as read.", count) if count
          else _("There was nothing unread."), "success")
    return redirect(url_for("notifications.index"))


def _back():
    # Back to the page of the list the person was on; only ever a page of the inbox.
    page = request.form.get("page", type=int)
    unread = request.form.get("unread") == "1"
    args = {k: v for k, v in (("page", page if page and page > 1 else None), ("unread", "1" if unread else None))
            if v}
    return url_for("notifications.index", **args)
