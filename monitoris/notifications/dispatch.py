"""The dispatcher: claim due outbox rows, send them, record the outcome.

Claims are short transactions: rows move to ``sending`` with a lease; a dispatcher killed
between claim and send leaves them to be claimed again when the lease runs out.  On
PostgreSQL the claim skips rows another dispatcher has locked, so several share the work.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from monitoris import clock
from monitoris.extensions import db
from monitoris.models.notification import Notification
from monitoris.notifications.channels import DeliveryError, SmtpMailer, sms_gateway_from_config
from monitoris.notifications.render import render
from monitoris.notifications.webhooks import WebhookSender


def claim(limit):
    """Take up to ``limit`` due rows for this dispatcher; returns their ids (committed)."""
    now = clock.now()
    lease = timedelta(seconds=current_app.config["DISPATCH_LEASE_SECONDS"])
    due = (
        sa.select(Notification.id)
        .where(Notification.channel.in_(("email", "sms", "webhook")))
        .where(sa.or_(
            sa.and_(Notification.state == "pending", Notification.next_attempt_at <= now),
            sa.and_(Notification.state == "sending", Notification.lease_until < now),
        ))
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = db.session.scalars(
        sa.update(Notification)
        .where(Notification.id.in_(due.scalar_subquery()))
        .values(state="sending", lease_until=now + lease, attempts=Notification.attempts + 1)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(ids)


def _backoff(attempts):
    base = current_app.config["DISPATCH_RETRY_SECONDS"]
    return timedelta(seconds=base * 2 ** max(0, attempts - 1))


def dispatch(limit=200, mailer=None, sms=None, webhooks=None):
    """Send what is due now.  Returns (sent, failed)."""
    ids = claim(limit)
    if not ids:
        return 0, 0
    config = current_app.config
    mailer = mailer or SmtpMailer.from_config(config)
    sms = sms or sms_gateway_from_config(config)
    webhooks = webhooks or WebhookSender()
    sent = failed = 0
    session = db.session()
    expire_on_commit = session.expire_on_commit
    # The claimed rows are leased to this dispatcher: nobody else changes them meanwhile, so there is no
    # need to reload every remaining row (one SELECT each) after each message's commit.
    session.expire_on_commit = False
    try:
        claimed = db.session.scalars(sa.select(Notification).where(Notification.id.in_(ids))
                                     .order_by(Notification.id)).all()
        for notification in claimed:
            try:
                _deliver(notification, mailer, sms, webhooks)
            except (DeliveryError, LookupError, ValueError) as exc:
                failed += 1
                _failed(notification, str(exc))
            else:
                sent += 1
                notification.state = "sent"
                notification.sent_at = clock.now()
                notification.lease_until = None
                notification.error = None
            # One commit per message: a crash after a send can repeat at most that one message.
            db.session.commit()
    finally:
        session.expire_on_commit = expire_on_commit
        mailer.close()
        sms.close()
    return sent, failed


def _deliver(notification, mailer, sms, webhooks):
    if notification.channel == "webhook":
        notification.response_status = webhooks.send(notification)
        return
    recipient = notification.recipient
    message = render(notification)
    if notification.channel == "email":
        mailer.send(recipient.name, recipient.email, message["subject"], message["text"], message.get("html"),
                    reference=notification.idempotency_key)
    elif notification.channel == "sms":
        if not recipient.phone:
            raise DeliveryError("the recipient has no phone number")
        sms.send(recipient.phone, message["sms"], reference=notification.idempotency_key)
    else:
        raise ValueError(f"channel {notification.channel} is not dispatched")


def _failed(notification, error):
    notification.error = error[:2000]
    notification.lease_until = None
    if notification.attempts >= current_app.config["DISPATCH_MAX_ATTEMPTS"]:
        notification.state = "dead"
        current_app.logger.error("notification %s is dead after %s attempts: %s", notification.id,
                                 notification.attempts, error)
    else:
        notification.state = "pending"
        notification.next_attempt_at = clock.now() + _backoff(notification.attempts)
