"""The dispatcher: claim due outbox rows, send them, record the outcome.

Claims are short transactions: rows move to ``sending`` with a lease; a dispatcher killed
between claim and send leaves them to be claimed again when the lease runs out.  On
PostgreSQL the claim skips rows another dispatcher has locked, so several share the work.
"""

import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from monitoris import clock
from monitoris.database import writing
from monitoris.extensions import db
from monitoris.models.notification import Notification
from monitoris.notifications.channels import DeliveryError, SmtpMailer, sms_gateway_from_config
from monitoris.notifications.render import render
from monitoris.notifications.webhooks import WebhookSender

# Saving a message's outcome: tries, and the pause before the next (times the attempt number).
RECORD_ATTEMPTS = 3
RECORD_PAUSE_SECONDS = 0.5


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
    """Send what is due now.  Returns (sent, failed).

    Every transaction here writes, so on SQLite each one takes the write lock as it begins (``writing``,
    whoever calls: the scheduler or ``flask notify dispatch``), and none is open while a message is on its
    way: the web and the other jobs write meanwhile, and each message's outcome then waits its turn.
    """
    with writing():
        ids = claim(limit)
        if not ids:
            return 0, 0
        return _send_claimed(ids, mailer, sms, webhooks)


def _send_claimed(ids, mailer, sms, webhooks):
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
        db.session.commit()  # the rows and their recipients are loaded: no transaction is open during a send
        for notification in claimed:
            try:
                _deliver(notification, mailer, sms, webhooks)
            except (DeliveryError, LookupError, ValueError) as exc:
                failed += 1
                outcome = _failure(notification, str(exc))
            else:
                sent += 1
                outcome = {"state": "sent", "sent_at": clock.now(), "lease_until": None, "error": None}
            if notification.channel == "webhook":
                outcome["response_status"] = notification.response_status
            _record(notification, outcome)
    finally:
        session.expire_on_commit = expire_on_commit
        mailer.close()
        sms.close()
    return sent, failed


def _record(notification, outcome):
    """Write one message's outcome and commit it: one commit per message, so that a crash after a send can
    repeat at most that one message.

    A message that has left cannot be called back, and a row left in ``sending`` is sent again once its
    lease runs out: a commit that fails (the database restarting, a lost connection) is tried again, on a
    fresh transaction, before giving up.
    """
    notification_id = notification.id
    for name, value in outcome.items():
        setattr(notification, name, value)
    for attempt in range(1, RECORD_ATTEMPTS + 1):
        try:
            if attempt > 1:
                db.session.execute(sa.update(Notification).where(Notification.id == notification_id)
                                   .values(**outcome).execution_options(synchronize_session=False))
            db.session.commit()
            return
        except sa.exc.DBAPIError as exc:
            db.session.rollback()
            if attempt == RECORD_ATTEMPTS:
                current_app.logger.error("notification %s went out but its state could not be saved; it may be "
                                         "sent again when its lease runs out: %s", notification_id, exc)
                raise
            current_app.logger.warning("notification %s went out; saving its state failed, trying again: %s",
                                       notification_id, exc)
            time.sleep(RECORD_PAUSE_SECONDS * attempt)


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


def _failure(notification, error):
    """The outcome of a failed attempt: retried later with backoff, or ``dead`` after the last attempt."""
    outcome = {"error": error[:2000], "lease_until": None}
    if notification.attempts >= current_app.config["DISPATCH_MAX_ATTEMPTS"]:
        outcome["state"] = "dead"
        current_app.logger.error("notification %s is dead after %s attempts: %s", notification.id,
                                 notification.attempts, error)
    else:
        outcome["state"] = "pending"
        outcome["next_attempt_at"] = clock.now() + _backoff(notification.attempts)
    return outcome
