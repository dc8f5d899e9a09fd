"""Who gets which message, and how the notification machinery is run: the use-cases behind the
profile page (language, phone, channel choices) and the admin pages (outbox, holidays, webhooks).

Each function takes the actor, checks permission, flushes and writes its audit event; the caller
commits.  A webhook's secret never enters the audit trail: it is shown once, to the admin who
created or rotated it.
"""

import re
from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _

from monitoris import clock, permissions
from monitoris.errors import Conflict, Forbidden, NotFound, ValidationError
from monitoris.extensions import db
from monitoris.models import LOCALES, Event, Organization
from monitoris.models.notification import (
    CHANNELS,
    NOTIFICATION_STATES,
    OUTBOX_CHANNELS,
    Holiday,
    Notification,
    NotificationPreference,
    Webhook,
)
from monitoris.notifications.outbox import DEFAULT_CHANNELS, load_preferences
from monitoris.notifications.webhooks import new_secret
from monitoris.services import audit, contacts

EVENT_KIND = re.compile(r"^(\*|[a-z_]+\.|[a-z_]+\.[a-z_]+)$")
WEBHOOK_FIELDS = ("name", "url", "organization_id", "event_kinds", "active")


def _admin(actor):
    if not permissions.can_administer(actor):
        raise Forbidden()


def _self(actor, user):
    if actor is None or actor.id != user.id:
        raise Forbidden(_("Only the person themself changes these settings."))


# -- the person's own settings ------------------------------------------------------------------

def update_profile(actor, user, *, locale, phone):
    """The person's language (of pages' messages and of every notification) and phone (for SMS)."""
    _self(actor, user)
    phone = (phone or "").strip() or None
    errors = {}
    if locale not in LOCALES:
        errors["locale"] = [_("Choose one of: %(locales)s.", locales=", ".join(LOCALES))]
    if phone is not None and (problem := contacts.phone_problem(phone)):
        errors["phone"] = [problem]
    if errors:
        raise ValidationError(_("Your details could not be saved."), errors=errors)
    before = audit.snapshot(user, ("locale", "phone"))
    user.locale, user.phone = locale, phone
    db.session.flush()
    old, new = audit.diff(before, audit.snapshot(user, ("locale", "phone")))
    if new:
        audit.record(actor, "user.updated", "user", user.id, before=old, after=new)
    return user


def channel_choices(user):
    """{(kind, channel): chosen} for every kind and channel: the person's choices over the defaults."""
    saved = load_preferences([user.id])
    return {(kind, channel): saved.get((user.id, kind, channel), channel in defaults)
            for kind, defaults in DEFAULT_CHANNELS.items() for channel in CHANNELS}


def set_channels(actor, user, chosen):
    """Store the whole grid of kinds × channels: ``chosen`` is the set of (kind, channel) ticked.

    Every cell is stored, so what the person saw is what they get even if the defaults change.
    """
    _self(actor, user)
    chosen = set(chosen)
    unknown = [f"{k}:{c}" for k, c in chosen if k not in DEFAULT_CHANNELS or c not in CHANNELS]
    if unknown:
        raise ValidationError(_("Your channels could not be saved."), errors={"channels": [
            _("Unknown choices: %(choices)s.", choices=", ".join(sorted(unknown)))]})
    before = channel_choices(user)
    existing = {(p.kind, p.channel): p for p in db.session.scalars(
        sa.select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for kind in DEFAULT_CHANNELS:
        for channel in CHANNELS:
            enabled = (kind, channel) in chosen
            row = existing.get((kind, channel))
            if row is None:
                db.session.add(NotificationPreference(user_id=user.id, kind=kind, channel=channel, enabled=enabled))
            else:
                row.enabled = enabled
    db.session.flush()
    if {k for k, v in before.items() if v} != chosen:
        audit.record(actor, "user.channels_changed", "user", user.id,
                     before={"channels": sorted(f"{k}:{c}" for (k, c), v in before.items() if v)},
                     after={"channels": sorted(f"{k}:{c}" for k, c in chosen)})


# -- the outbox ---------------------------------------------------------------------------------

def outbox_rows(*, state=None, channel=None, webhook_id=None):
    """Outbox rows for the admins' page: dead first, then those being retried, then the rest, newest first."""
    stmt = sa.select(Notification)
    if state in NOTIFICATION_STATES:
        stmt = stmt.where(Notification.state == state)
    if channel in OUTBOX_CHANNELS:
        stmt = stmt.where(Notification.channel == channel)
    if webhook_id is not None:
        stmt = stmt.where(Notification.webhook_id == webhook_id)
    trouble = sa.case((Notification.state == "dead", 0),
                      (sa.and_(Notification.state.in_(("pending", "sending")), Notification.attempts > 0), 1),
                      else_=2)
    return stmt.order_by(trouble, Notification.created_at.desc(), Notification.id.desc())


def outbox_counts():
    """{state: rows} over the outbox."""
    return dict(db.session.execute(sa.select(Notification.state, sa.func.count()).group_by(Notification.state)).all())


def retry_notification(actor, notification):
    """Put a dead message back in the queue with its attempts reset; the dispatcher sends it next."""
    _admin(actor)
    if notification.state != "dead":
        raise Conflict(_("Only a message that has given up (dead) can be retried."))
    before = audit.snapshot(notification, ("state", "attempts", "error"))
    notification.state = "pending"
    notification.attempts = 0
    notification.next_attempt_at = clock.now()
    notification.lease_until = None
    db.session.flush()
    audit.record(actor, "notification.retried", "notification", notification.id, before=before,
                 after={"state": "pending", "attempts": 0, "channel": notification.channel,
                        "idempotency_key": notification.idempotency_key})
    return notification


# -- holidays ----------------------------------------------------------------------------------

def holidays_in(year):
    return db.session.scalars(sa.select(Holiday).where(Holiday.day.between(date(year, 1, 1), date(year, 12, 31)))
                              .order_by(Holiday.day)).all()


def add_holiday(actor, *, day, name):
    _admin(actor)
    name = (name or "").strip()
    errors = {}
    if day is None:
        errors["day"] = [_("Choose the day.")]
    elif db.session.get(Holiday, day) is not None:
        errors["day"] = [_("This day is a holiday already.")]
    if not name:
        errors["name"] = [_("Name the holiday.")]
    elif len(name) > 200:
        errors["name"] = [_("Use at most %(count)s characters.", count=200)]
    if errors:
        raise ValidationError(_("The holiday could not be added."), errors=errors)
    holiday = Holiday(day=day, name=name)
    db.session.add(holiday)
    db.session.flush()
    audit.record(actor, "holiday.added", "holiday", None, after={"day": day.isoformat(), "name": name})
    return holiday


def remove_holiday(actor, day):
    _admin(actor)
    holiday = db.session.get(Holiday, day)
    if holiday is None:
        raise NotFound(_("There is no holiday on that day."))
    db.session.delete(holiday)
    db.session.flush()
    audit.record(actor, "holiday.removed", "holiday", None, before={"day": day.isoformat(), "name": holiday.name})


# -- webhooks ----------------------------------------------------------------------------------

def _webhook_fields(fields):
    """Normalised fields, or ValidationError naming each bad one."""
    errors = {}
    name = (fields.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Name the integration.")]
    elif len(name) > 200:
        errors["name"] = [_("Use at most %(count)s characters.", count=200)]
    url = (fields.get("url") or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 1000 or " " in url:
        errors["url"] = [_("Give an http:// or https:// address.")]
    organization = db.session.get(Organization, fields.get("organization_id") or 0)
    if organization is None:
        errors["organization_id"] = [_("Choose the organization that owns the integration.")]
    kinds = [k.strip() for k in fields.get("event_kinds") or () if k.strip()]
    if not kinds:
        errors["event_kinds"] = [_("Choose at least one kind of event.")]
    elif any(not EVENT_KIND.match(k) for k in kinds):
        errors["event_kinds"] = [_("Kinds are actions such as assignment.submit, prefixes such as assignment., or *.")]
    elif len(",".join(kinds)) > 500:
        errors["event_kinds"] = [_("Too many kinds: use a prefix such as assignment. instead.")]
    if errors:
        raise ValidationError(_("The webhook could not be saved."), errors=errors)
    return {"name": name, "url": url, "organization_id": organization.id,
            "event_kinds": ",".join(dict.fromkeys(kinds)), "active": bool(fields.get("active", True))}


def create_webhook(actor, **fields):
    """Register an integration; ``webhook.secret`` is for the admin to copy now (it is never shown again).

    It receives the events from now on, not the whole history.
    """
    _admin(actor)
    webhook = Webhook(**_webhook_fields(fields), secret=new_secret(), created_by_id=actor.id)
    db.session.add(webhook)
    db.session.flush()
    audit.record(actor, "webhook.created", "webhook", webhook.id, after=audit.snapshot(webhook, WEBHOOK_FIELDS))
    webhook.last_event_id = db.session.scalar(sa.select(sa.func.max(Event.id))) or 0
    db.session.flush()
    return webhook


def update_webhook(actor, webhook, **fields):
    """Change an integration.  Deactivating it gives up its queued deliveries (admins can retry them)."""
    _admin(actor)
    values = _webhook_fields(fields)
    before = audit.snapshot(webhook, WEBHOOK_FIELDS)
    for key, value in values.items():
        setattr(webhook, key, value)
    db.session.flush()
    if before["active"] and not webhook.active:
        db.session.execute(sa.update(Notification)
                           .where(Notification.webhook_id == webhook.id, Notification.state == "pending")
                           .values(state="dead", error="The webhook was deactivated.")
                           .execution_options(synchronize_session="fetch"))
    old, new = audit.diff(before, audit.snapshot(webhook, WEBHOOK_FIELDS))
    if new:
        audit.record(actor, "webhook.updated", "webhook", webhook.id, before=old, after=new)
    return webhook


def rotate_secret(actor, webhook):
    """A new signing secret, in force at once; the receiver must be given it."""
    _admin(actor)
    webhook.secret = new_secret()
    db.session.flush()
    audit.record(actor, "webhook.secret_rotated", "webhook", webhook.id)
    return webhook
