"""Administration of notifications (admins only): the outbox, the holiday calendar, the webhooks."""

from datetime import date

import sqlalchemy as sa
from babel.dates import get_day_names
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField, DateField, SelectChoice, StringField, URLField
from wtforms.validators import DataRequired, Length

from monitoris import clock, permissions, queries
from monitoris.errors import ValidationError
from monitoris.extensions import db
from monitoris.models.notification import NOTIFICATION_STATES, OUTBOX_CHANNELS, Notification, Webhook
from monitoris.services import notification_settings as settings
from monitoris.web.admin import CheckboxesField, _organization_choices
from monitoris.web.forms import Form
from monitoris.web.helpers import EVENT_LABELS, OptionalSelectField, attach_errors, format_date

bp = Blueprint("admin_notifications", __name__, url_prefix="/admin")

# The years the holiday calendar shows (and so links to).
FIRST_YEAR, LAST_YEAR = clock.FIRST_DAY.year, clock.LAST_DAY.year

# What an integration can subscribe to; a prefix ending in "." takes every action under it.
EVENT_KIND_CHOICES = [
    SelectChoice("*", _l("Every event it may see")),
    SelectChoice("assignment.", _l("Every assignment event")),
    *[SelectChoice(action, label) for action, label in EVENT_LABELS.items()],
    SelectChoice("act.", _l("Acts created or changed")),
    SelectChoice("task.", _l("Tasks created or changed")),
]


@bp.before_request
@login_required
def _admins_only():
    if not permissions.can_administer(current_user):
        abort(403)


# -- the outbox ----------------------------------------------------------------------------------
# The filters keep the stored words (?state=dead&channel=sms); the page shows them in the reader's language.

@bp.get("/outbox")
def outbox():
    state = request.args.get("state") if request.args.get("state") in NOTIFICATION_STATES else None
    channel = request.args.get("channel") if request.args.get("channel") in OUTBOX_CHANNELS else None
    page = queries.paginate(settings.outbox_rows(state=state, channel=channel), request.args.get("page", 1, type=int),
                            50, clamp=True)
    return render_template("admin/outbox.html", page=page, state=state, channel=channel,
                           counts=settings.outbox_counts(), states=NOTIFICATION_STATES, channels=OUTBOX_CHANNELS,
                           max_attempts=current_app.config["DISPATCH_MAX_ATTEMPTS"])


@bp.post("/outbox/<int:notification_id>/retry")
def retry(notification_id):
    notification = db.session.get(Notification, notification_id) or abort(404)
    settings.retry_notification(current_user, notification)
    db.session.commit()
    flash(_("Message #%(id)s is queued again; the dispatcher sends it within moments.", id=notification.id),
          "success")
    back = {k: v for k in ("state", "channel", "page") if (v := request.form.get(k))}
    return redirect(url_for("admin_notifications.outbox", **back))


# -- holidays ------------------------------------------------------------------------------------

class HolidayForm(Form):
    day = DateField(_l("Day"), validators=[DataRequired(_l("Choose the day."))])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Name the holiday.")), Length(max=200)])


def _holidays_page(year, form, status=200):
    days = get_day_names("wide", locale=get_locale())  # Monday is 0, as in WEEKEND_DAYS and date.weekday()
    weekend = [days[d] for d in current_app.config["WEEKEND_DAYS"]]
    return render_template("admin/holidays.html", year=year, holidays=settings.holidays_in(year), form=form,
                           first_year=FIRST_YEAR, last_year=LAST_YEAR,
                           weekend=weekend, day_names=days), status


def _year():
    year = request.args.get("year", type=int) or clock.today().year
    return year if FIRST_YEAR <= year <= LAST_YEAR else abort(404)


@bp.get("/holidays")
def holidays():
    return _holidays_page(_year(), HolidayForm(formdata=None))


@bp.post("/holidays")
def add_holiday():
    form = HolidayForm()
    year = form.day.data.year if form.day.data else _year()
    if not form.validate_on_submit():
        return _holidays_page(year, form, 422)
    try:
        settings.add_holiday(current_user, day=form.day.data, name=form.name.data)
    except ValidationError as exc:
        db.session.rollback()
        return _holidays_page(year, attach_errors(form, exc), 422)
    db.session.commit()
    flash(_("%(day)s is now a holiday: %(name)s.", day=format_date(form.day.data), name=form.name.data.strip()),
          "success")
    return redirect(url_for("admin_notifications.holidays", year=form.day.data.year))


@bp.post("/holidays/<day>/remove")
def remove_holiday(day):
    try:
        day = date.fromisoformat(day)
    except ValueError:
        abort(404)
    settings.remove_holiday(current_user, day)
    db.session.commit()
    flash(_("%(day)s is no longer a holiday.", day=format_date(day)), "success")
    return redirect(url_for("admin_notifications.holidays", year=day.year))


# -- webhooks ------------------------------------------------------------------------------------

class WebhookForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Name the integration.")), Length(max=200)],
                       description=_l("For example: the e-government portal."))
    url = URLField(_l("URL"), validators=[DataRequired(_l("Give the address to POST to.")), Length(max=1000)],
                   description=_l("http:// or https://; it receives a signed JSON POST per event."))
    organization_id = OptionalSelectField(_l("Owner organization"), validators=[DataRequired(_l("Choose the owner."))],
                                          description=_l("The integration receives only what this organization "
                                                         "may see."))
    event_kinds = CheckboxesField(_l("Events"))
    active = BooleanField(_l("Active (receives deliveries)"), default=True)

    def fill_choices(self, webhook=None):
        self.organization_id.choices = _organization_choices(_("— choose —"))
        known = {choice.value for choice in EVENT_KIND_CHOICES}
        extra = [SelectChoice(k) for k in (webhook.event_kinds.split(",") if webhook else []) if k and k not in known]
        self.event_kinds.choices = EVENT_KIND_CHOICES + extra
        return self

    def fields_for_service(self):
        return {"name": self.name.data, "url": self.url.data, "organization_id": self.organization_id.data,
                "event_kinds": self.event_kinds.data or [], "active": self.active.data}


@bp.get("/webhooks")
def webhooks():
    items = db.session.scalars(sa.select(Webhook).order_by(Webhook.active.desc(), Webhook.name)).all()
    return render_template("admin/webhooks.html", webhooks=items,
                           kind_labels={c.value: c.label for c in EVENT_KIND_CHOICES})


@bp.route("/webhooks/new", methods=["GET", "POST"])
def create_webhook():
    form = WebhookForm().fill_choices()
    if request.method == "GET":
        form.event_kinds.data = ["assignment."]
    if not form.validate_on_submit():
        return render_template("admin/webhook_form.html", form=form), 422 if form.is_submitted() else 200
    try:
        webhook = settings.create_webhook(current_user, **form.fields_for_service())
    except ValidationError as exc:
        db.session.rollback()
        return render_template("admin/webhook_form.html", form=attach_errors(form, exc)), 422
    db.session.commit()
    # The secret is on this answer only, never in a flash message, a log or the audit trail.
    return _webhook_page(webhook, secret=webhook.secret)


def _webhook_page(webhook, form=None, secret=None, status=200):
    if form is None:
        form = WebhookForm(formdata=None, obj=webhook).fill_choices(webhook)
        form.event_kinds.data = webhook.event_kinds.split(",")
    deliveries = queries.paginate(settings.outbox_rows(webhook_id=webhook.id), request.args.get("page", 1, type=int),
                                  25, clamp=True)
    return render_template("admin/webhook.html", webhook=webhook, form=form, secret=secret,
                           deliveries=deliveries, event_labels=EVENT_LABELS), status


@bp.get("/webhooks/<int:webhook_id>")
def webhook(webhook_id):
    return _webhook_page(db.session.get(Webhook, webhook_id) or abort(404))


@bp.post("/webhooks/<int:webhook_id>")
def edit_webhook(webhook_id):
    hook = db.session.get(Webhook, webhook_id) or abort(404)
    form = WebhookForm().fill_choices(hook)
    if not form.validate_on_submit():
        return _webhook_page(hook, form, status=422)
    try:
        settings.update_webhook(current_user, hook, **form.fields_for_service())
    except ValidationError as exc:
        db.session.rollback()
        return _webhook_page(hook, attach_errors(form, exc), status=422)
    db.session.commit()
    flash(_("The webhook %(name)s has been saved.", name=hook.name), "success")
    return redirect(url_for("admin_notifications.webhook", webhook_id=hook.id))


@bp.post("/webhooks/<int:webhook_id>/secret")
def rotate_secret(webhook_id):
    hook = db.session.get(Webhook, webhook_id) or abort(404)
    settings.rotate_secret(current_user, hook)
    db.session.commit()
    return _webhook_page(hook, secret=hook.secret)
