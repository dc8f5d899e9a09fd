"""Webhooks: audit events fanned out to registered integrations through the outbox, signed.

The fan-out reads events after each webhook's cursor, keeps those its organization may
see and its kinds ask for, and writes one outbox row per event (idempotency key
``webhook:<id>:event:<event id>``); the dispatcher delivers them with retries like any
other message.  The receiver checks ``X-Monitoris-Signature: sha256=<hex>``, the
HMAC-SHA256 of the raw body with the webhook's secret.
"""

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request

import sqlalchemy as sa

from monitoris import clock, permissions
from monitoris.extensions import db
from monitoris.models import Event, Organization
from monitoris.models.notification import Webhook
from monitoris.notifications.channels import DeliveryError
from monitoris.notifications.outbox import insert_ignoring_duplicates

BATCH = 1000


def new_secret():
    return secrets.token_urlsafe(32)


def sign(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event_payload(event):
    return {
        "id": event.id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "organization_id": event.organization_id,
        "at": event.at.isoformat(),
        "before": event.before,
        "after": event.after,
    }


def _visible_events(webhook):
    """The events the webhook's organization may see: everything for the control body, else its own bodies' work
    (not a draft act's: those it does not receive, then or later)."""
    stmt = sa.select(Event).where(Event.id > webhook.last_event_id)
    if webhook.organization.kind != "control":
        own = sa.select(Organization.id).where(Organization.path.startswith(webhook.organization.path))
        stmt = stmt.where(permissions.events_of_bodies(own))
    return stmt.order_by(Event.id).limit(BATCH)


def fan_out():
    """Queue deliveries of new events to every active webhook.  Returns the number of new outbox rows."""
    created = 0
    now = clock.now()
    for webhook in db.session.scalars(sa.select(Webhook).where(Webhook.active.is_(True)).order_by(Webhook.id)):
        events = db.session.scalars(_visible_events(webhook)).all()
        if not events:
            continue
        rows = [{
            "webhook_id": webhook.id, "recipient_id": None, "channel": "webhook", "kind": "assignment",
            "template": "webhook_event", "payload": event_payload(e),
            "idempotency_key": f"webhook:{webhook.id}:event:{e.id}", "state": "pending", "attempts": 0,
            "next_attempt_at": now, "created_at": now,
        } for e in events if webhook.wants(e.action)]
        created += insert_ignoring_duplicates(rows)
        # A plain UPDATE, not the versioned ORM write: the cursor moves whatever an admin edits meanwhile.
        db.session.execute(sa.update(Webhook).where(Webhook.id == webhook.id)
                           .values(last_event_id=events[-1].id).execution_options(synchronize_session=False))
    return created


class WebhookSender:
    def __init__(self, timeout=10):
        self.timeout = timeout

    def send(self, notification):
        """POST the event; returns the HTTP status; raises DeliveryError on anything but 2xx."""
        webhook = notification.webhook
        body = json.dumps({"delivery": notification.idempotency_key, "event": notification.payload},
                          separators=(",", ":"), ensure_ascii=False).encode()
        request = urllib.request.Request(webhook.url, data=body, method="POST", headers={
            "Content-Type": "application/json",
            "User-Agent": "Monitoris-Webhook/1",
            "X-Monitoris-Event": notification.payload.get("action", ""),
            "X-Monitoris-Delivery": notification.idempotency_key,
            "X-Monitoris-Signature": sign(webhook.secret, body),
        })
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            notification.response_status = exc.code
            raise DeliveryError(f"webhook {webhook.url} answered {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise DeliveryError(f"webhook {webhook.url} unreachable: {exc}") from exc
