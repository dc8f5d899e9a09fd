"""Execution reports: what a body did in one reporting period of an assignment, version by version.

A returned report is never edited again: its revision is a new row (``version`` + 1, pointing at
``previous_id``), so every version the control body read stays readable.  The figures the
analysis needs (returns per review, on time, per period) are plain columns: ``submitted_on`` is
the local date of submission, comparable in SQL with ``period_due_on``.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitoris.database import UTCDateTime, enum_check, utcnow
from monitoris.extensions import db

REPORT_STATES = ("draft", "submitted", "accepted", "returned")
# A report whose content may still change: only its author's body's draft.
EDITABLE_REPORT_STATES = ("draft",)


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (
        enum_check("state", REPORT_STATES),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.UniqueConstraint("assignment_id", "period", "version"),
        # The review queue: submitted reports, oldest first.
        sa.Index("ix_reports_state_submitted_at", "state", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(sa.String(20))  # "final", "2026", "2026-Q3", "2026-H1", "2026-07"
    period_due_on: Mapped[date]
    final: Mapped[bool] = mapped_column(default=True)  # accepting the final period removes the task from control
    version: Mapped[int] = mapped_column(default=1)
    previous_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reports.id"), unique=True)
    text: Mapped[str | None] = mapped_column(sa.Text)
    progress: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(sa.String(10), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_on: Mapped[date | None]  # the local date of submission, for "on time" in SQL
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewer_comment: Mapped[str | None] = mapped_column(sa.Text)
    # The ids of the task's evidence requirements the reviewer ticked.
    checked_requirement_ids: Mapped[list | None] = mapped_column(sa.JSON)
    # Optimistic locking (the API's ETag); ``version`` above is the report's own version number.
    lock_version: Mapped[int] = mapped_column(default=1)

    assignment = relationship("Assignment", lazy="joined", innerjoin=True)
    previous: Mapped["Report | None"] = relationship(remote_side=[id], foreign_keys=[previous_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    documents = relationship("Document", back_populates="report", order_by="Document.id",
                             primaryjoin="Document.report_id == Report.id")

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def editable(self):
        return self.state in EDITABLE_REPORT_STATES

    @property
    def on_time(self):
        """Submitted on or before its due date (the assignment's effective one for the final period)."""
        if self.submitted_on is None:
            return None
        due = self.assignment.due_on if self.final else self.period_due_on
        return self.submitted_on <= due

    def __repr__(self):
        return f"<Report {self.id} assignment={self.assignment_id} {self.period} v{self.version} {self.state}>"
