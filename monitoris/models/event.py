"""The audit trail: append-only, hash-chained events."""

import hashlib
import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitoris.database import UTCDateTime, utcnow
from monitoris.extensions import db

GENESIS_HASH = "0" * 64
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def canonical_json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(e):
    """The hash of an event (a model instance or a row of the table) chained to its predecessor.

    It covers everything but the id, in a form that survives a round trip through the database.
    """
    content = {
        "at": e.at.isoformat(timespec="microseconds"),
        "actor_id": e.actor_id,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "organization_id": e.organization_id,
        "before": e.before,
        "after": e.after,
        "ip": e.ip,
    }
    return hashlib.sha256((e.prev_hash + canonical_json(content)).encode("utf-8")).hexdigest()


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        sa.Index("ix_events_object_type_object_id", "object_type", "object_id"),
        # One body's events after an id: the live feed of an executive body (0006).
        sa.Index("ix_events_organization_id_id", "organization_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    # The executive body the event concerns; it decides who may see the event in feeds.
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    # The act whose work the event is about: an executive body sees nothing of a draft act's work.  Outside the
    # hash, as it repeats what the event's object says (migration 0010 filled it for the events before it).
    act_id: Mapped[int | None]
    before: Mapped[dict | None] = mapped_column(JSONType)
    after: Mapped[dict | None] = mapped_column(JSONType)
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    # Unique: two events can never claim the same predecessor, so the chain cannot fork.
    prev_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str] = mapped_column(sa.String(64))

    actor = relationship("User", lazy="joined")

    def compute_hash(self):
        return event_hash(self)

    def __repr__(self):
        return f"<Event {self.id} {self.action} {self.object_type}:{self.object_id}>"
