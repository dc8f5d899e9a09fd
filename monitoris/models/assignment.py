"""Assignments: a task given to one organization, and the workflow they follow."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitoris.database import UTCDateTime, enum_check, utcnow
from monitoris.extensions import db

ASSIGNMENT_ROLES = ("lead", "co_executor")
STATES = ("assigned", "in_progress", "submitted", "accepted", "cancelled")
CLOSED_STATES = ("accepted", "cancelled")
OPEN_STATES = tuple(s for s in STATES if s not in CLOSED_STATES)

# action -> (states it may start from, state it leads to).  The one table of the workflow.
TRANSITIONS = {
    "start": (("assigned",), "in_progress"),
    "submit": (("in_progress",), "submitted"),
    "accept": (("submitted",), "accepted"),
    "return": (("submitted",), "in_progress"),
    # A recurring task's report for a period other than the last was accepted: the work goes on.
    "accept_period": (("submitted",), "in_progress"),
    "cancel": (("assigned", "in_progress", "submitted"), "cancelled"),
    "reopen": (("accepted",), "in_progress"),
}
# Actions that must say why.
COMMENT_REQUIRED = frozenset({"return", "cancel", "reopen"})
# Actions that follow an execution report when the assignment has one (services.reports calls them).
REPORT_ACTIONS = frozenset({"submit", "accept", "return", "accept_period"})


class Assignment(db.Model):
    __tablename__ = "assignments"
    __table_args__ = (
        enum_check("role", ASSIGNMENT_ROLES),
        enum_check("state", STATES),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        # One organization holds a task once; delegated sub-assignments (parent_id set) may repeat it.
        sa.Index("uq_assignments_task_id_organization_id", "task_id", "organization_id", unique=True,
                 sqlite_where=sa.text("parent_id IS NULL"), postgresql_where=sa.text("parent_id IS NULL")),
        # The deadline scan and the overdue lists select open work by due date.
        sa.Index("ix_assignments_state_due_on", "state", "due_on"),
        sa.Index("ix_assignments_organization_id_state", "organization_id", "state"),
        # Open work by due date (overdue lists, the deadline scan) and one body's work by due date (0006).
        sa.Index("ix_assignments_open_due_on", "due_on", "id",
                 sqlite_where=sa.text("state IN ('assigned', 'in_progress', 'submitted')"),
                 postgresql_where=sa.text("state IN ('assigned', 'in_progress', 'submitted')")),
        sa.Index("ix_assignments_organization_id_due_on", "organization_id", "due_on"),
        # An act's work by due date: its list walks this instead of gathering its tasks' assignments (0009).
        sa.Index("ix_assignments_act_id_due_on", "act_id", "due_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    # The task's act, kept here (a task never changes act): set from the task when the assignment is written.
    act_id: Mapped[int] = mapped_column(sa.ForeignKey("acts.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    # A delegated sub-assignment points at the organization's assignment it was split from.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignments.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(12), default="lead")
    responsible_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    due_on: Mapped[date] = mapped_column(index=True)
    original_due_on: Mapped[date]
    state: Mapped[str] = mapped_column(sa.String(12), default="assigned")
    progress: Mapped[int] = mapped_column(default=0)
    note: Mapped[str | None] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    task = relationship("Task", back_populates="assignments", lazy="joined", innerjoin=True)
    organization = relationship("Organization", lazy="joined", innerjoin=True)
    responsible = relationship("User", lazy="joined")
    parent: Mapped["Assignment | None"] = relationship(remote_side=[id], back_populates="sub_assignments")
    sub_assignments: Mapped[list["Assignment"]] = relationship(back_populates="parent", order_by="Assignment.id")

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def overdue_clause(cls, today):
        """SQL for "overdue": past the effective due date and not finished.  Never stored."""
        return sa.and_(cls.due_on < today, cls.state.in_(OPEN_STATES))

    def is_overdue(self, today):
        return self.due_on < today and self.state in OPEN_STATES

    def days_overdue(self, today):
        return (today - self.due_on).days if self.is_overdue(today) else 0

    @property
    def is_delegated(self):
        return self.parent_id is not None

    @property
    def extended(self):
        return self.due_on != self.original_due_on

    def allowed_actions(self):
        actions = [action for action, (sources, _) in TRANSITIONS.items() if self.state in sources]
        if "reopen" in actions and self.parent_id is not None and self.parent.state in CLOSED_STATES:
            actions.remove("reopen")  # delegated work under a closed assignment stays closed with it
        return actions

    def __repr__(self):
        return f"<Assignment {self.id} task={self.task_id} org={self.organization_id} {self.state}>"


@sa.event.listens_for(Assignment, "before_insert")
def _act_of_the_task(_mapper, _connection, assignment):
    """Every assignment the ORM writes carries its task's act (writers around the ORM set it themselves)."""
    if assignment.act_id is None:
        assignment.act_id = assignment.task.act_id
