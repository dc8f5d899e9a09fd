"""Instructions, recommendations and requests for information from the control body to a body.

issued → acknowledged (the read receipt) → answered → closed.  Overdue is derived, never stored:
a response due date in the past and no answer yet.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitoris.database import UTCDateTime, enum_check, utcnow
from monitoris.extensions import db

INSTRUCTION_KINDS = ("instruction", "recommendation", "request")
INSTRUCTION_STATES = ("issued", "acknowledged", "answered", "closed")
AWAITING_ANSWER = ("issued", "acknowledged")


class Instruction(db.Model):
    __tablename__ = "instructions"
    __table_args__ = (
        enum_check("kind", INSTRUCTION_KINDS),
        enum_check("state", INSTRUCTION_STATES),
        sa.Index("ix_instructions_organization_id_state", "organization_id", "state"),
        # Instructions awaiting an answer by their response date: the deadline scan's reminders (0012).
        sa.Index("ix_instructions_awaiting_response_due_on", "response_due_on",
                 sqlite_where=sa.text("state IN ('issued', 'acknowledged')"),
                 postgresql_where=sa.text("state IN ('issued', 'acknowledged')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Given on one assignment, or to a whole organization about a task (assignment_id empty).
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"),
                                                      index=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    kind: Mapped[str] = mapped_column(sa.String(16), default="instruction")
    text: Mapped[str] = mapped_column(sa.Text)
    response_due_on: Mapped[date | None]
    state: Mapped[str] = mapped_column(sa.String(12), default="issued")
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_text: Mapped[str | None] = mapped_column(sa.Text)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closing_comment: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)

    assignment = relationship("Assignment")
    task = relationship("Task", lazy="joined", innerjoin=True)
    organization = relationship("Organization", lazy="joined", innerjoin=True)
    issued_by = relationship("User", foreign_keys=[issued_by_id])
    acknowledged_by = relationship("User", foreign_keys=[acknowledged_by_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    documents = relationship("Document", back_populates="instruction", order_by="Document.id")

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def overdue_clause(cls, today):
        return sa.and_(cls.response_due_on < today, cls.state.in_(AWAITING_ANSWER))

    def is_overdue(self, today):
        return self.response_due_on is not None and self.response_due_on < today and self.state in AWAITING_ANSWER

    @classmethod
    def on_closed_work(cls):
        """SQL: the work it is about is accepted or cancelled — the assignment it was given on, or (given to the
        whole body) the body's own assignment of its task.  Its answer is then awaited by nobody: the scan does
        not remind of it and My work does not list it (reopened work brings it back)."""
        from monitoris.models.assignment import CLOSED_STATES, Assignment
        closed = Assignment.state.in_(CLOSED_STATES)
        return sa.or_(
            sa.exists().where(Assignment.id == cls.assignment_id, closed),
            sa.and_(cls.assignment_id.is_(None), sa.exists().where(
                Assignment.task_id == cls.task_id, Assignment.organization_id == cls.organization_id,
                Assignment.parent_id.is_(None), closed)))

    def __repr__(self):
        return f"<Instruction {self.id} {self.kind} org={self.organization_id} {self.state}>"
