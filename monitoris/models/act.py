"""Legislative acts: laws, decrees, orders, action plans."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitoris.database import UTCDateTime, enum_check, utcnow
from monitoris.extensions import db

ACT_KINDS = ("law", "decree", "order", "resolution", "action_plan", "instruction", "other")
ACT_STATES = ("draft", "active", "closed")


class Act(db.Model):
    __tablename__ = "acts"
    __table_args__ = (enum_check("kind", ACT_KINDS), enum_check("state", ACT_STATES))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    number: Mapped[str | None] = mapped_column(sa.String(60))
    signed_on: Mapped[date | None]
    title: Mapped[str] = mapped_column(sa.String(500))
    issuer: Mapped[str | None] = mapped_column(sa.String(300))
    summary: Mapped[str | None] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(10), default="draft", index=True)
    # Days before (positive) or after (negative) the due date when reminders go out, e.g. "7,3,1,0,-1";
    # empty: the installation's policy.
    reminder_policy: Mapped[str | None] = mapped_column(sa.String(60))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    tasks = relationship("Task", back_populates="act", order_by="Task.sort_key", lazy="dynamic")

    __mapper_args__ = {"version_id_col": version}

    @property
    def display_title(self):
        return f"{self.title} (No. {self.number})" if self.number else self.title

    def __repr__(self):
        return f"<Act {self.id} {self.title[:30]!r}>"
