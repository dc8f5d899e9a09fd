"""Extension requests: a body asks to move its due date; the task's controller decides.

``previous_due_on`` is the effective due date when the request was made and ``days_requested``
the days an approval adds (a column, since date arithmetic differs between SQLite and
PostgreSQL); the assignment's ``original_due_on`` never moves.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitoris.database import UTCDateTime, enum_check, utcnow
from monitoris.extensions import db

EXTENSION_DECISIONS = ("pending", "approved", "rejected")


class ExtensionRequest(db.Model):
    __tablename__ = "extension_requests"
    __table_args__ = (
        enum_check("decision", EXTENSION_DECISIONS),
        # One open question at a time per assignment.
        sa.Index("uq_extension_requests_assignment_id_pending", "assignment_id", unique=True,
                 sqlite_where=sa.text("decision = 'pending'"), postgresql_where=sa.text("decision = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    previous_due_on: Mapped[date]
    proposed_due_on: Mapped[date]
    days_requested: Mapped[int]  # proposed minus previous due date: the days an approval adds, summable in SQL
    reason: Mapped[str] = mapped_column(sa.Text)
    decision: Mapped[str] = mapped_column(sa.String(10), default="pending")
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)

    assignment = relationship("Assignment", lazy="joined", innerjoin=True)
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self):
        return f"<ExtensionRequest {self.id} assignment={self.assignment_id} {self.decision}>"
