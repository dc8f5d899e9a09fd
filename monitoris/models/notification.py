"""The notification outbox, the working-day calendar, and per-user channel choices."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitoris.database import UTCDateTime, enum_check, utcnow
from monitoris.extensions import db
from monitoris.models.event import JSONType

CHANNELS = ("email", "sms", "in_app")
OUTBOX_CHANNELS = CHANNELS + ("webhook",)
NOTIFICATION_STATES = ("pending", "sending", "sent", "dead")
# Kinds of message a person can choose channels for.
KINDS = ("reminder", "overdue", "assignment", "review", "instruction", "extension", "digest")


class Notification(db.Model):
    """One message to one recipient on one channel.

    Written in the same transaction as the change (or the scan) that caused it; the
    idempotency key is unique, so a rerun, a second scheduler or a restart can never
    queue the same message twice.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        enum_check("channel", OUTBOX_CHANNELS),
        enum_check("state", NOTIFICATION_STATES),
        # A message goes to a person, or (channel webhook) to a registered integration.
        sa.CheckConstraint("(recipient_id IS NULL) <> (webhook_id IS NULL)", name="one_recipient"),
        # The dispatcher's claim: due rows in order.
        sa.Index("ix_notifications_state_next_attempt_at", "state", "next_attempt_at"),
        # The in-app list and unread count of one person.
        sa.Index("ix_notifications_recipient_id_channel_read_at", "recipient_id", "channel", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    webhook_id: Mapped[int | None] = mapped_column(sa.ForeignKey("webhooks.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(10))
    kind: Mapped[str] = mapped_column(sa.String(20))
    template: Mapped[str] = mapped_column(sa.String(60))
    payload: Mapped[dict] = mapped_column(JSONType, default=dict)
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    state: Mapped[str] = mapped_column(sa.String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A claimed row belongs to its dispatcher until this moment; after it, another may retry it.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(sa.Text)

    # The HTTP status of the last webhook delivery attempt, for the delivery log.
    response_status: Mapped[int | None]

    recipient = relationship("User", lazy="joined")
    webhook = relationship("Webhook", lazy="joined")

    def __repr__(self):
        return f"<Notification {self.id} {self.channel} {self.idempotency_key}>"


class Holiday(db.Model):
    """A day off besides the weekend: reminders due that day go out on the working day before."""

    __tablename__ = "holidays"

    day: Mapped[date] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))


class NotificationPreference(db.Model):
    """A person's choice of one channel for one kind of message (absent: the default)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (enum_check("channel", CHANNELS), enum_check("kind", KINDS))

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)


class Webhook(db.Model):
    """An integration (an e-government portal, a document system) that receives audit events.

    It belongs to an organization and only ever receives the events that organization may
    see.  Each delivery is signed with HMAC-SHA256 over the body with this webhook's secret.
    """

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    url: Mapped[str] = mapped_column(sa.String(1000))
    secret: Mapped[str] = mapped_column(sa.String(128))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    # Comma-separated action prefixes, e.g. "assignment.submit,assignment.accept" or "assignment." or "*".
    event_kinds: Mapped[str] = mapped_column(sa.String(500), default="*")
    active: Mapped[bool] = mapped_column(default=True)
    # The last audit event already fanned out to this webhook.
    last_event_id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organization = relationship("Organization", lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    def wants(self, action):
        kinds = [k.strip() for k in self.event_kinds.split(",") if k.strip()]
        return "*" in kinds or any(action == k or (k.endswith(".") and action.startswith(k)) for k in kinds)


class JobState(db.Model):
    """Where a recurring job got to, so that a restart catches up exactly what it missed."""

    __tablename__ = "job_states"

    name: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    last_day: Mapped[date | None]
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
