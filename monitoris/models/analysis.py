"""The analysis's items, kept up to date on every write (see monitoris.analysis.facts)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from monitoris.database import UTCDateTime
from monitoris.extensions import db


class AnalysisItem(db.Model):
    """One item of the analysis: an organization's assignment (``period`` "") or one reporting period of
    a recurring one, with what its report versions and extension requests add up to.

    Derived data: ``monitoris.analysis.facts`` writes these rows from the assignments, reports and
    extension requests in the same transaction as every change to them, and can rebuild them all.
    What depends on the day (overdue, the delay), on the act's state (drafts do not count) or on the
    task's controller is not stored: the analysis derives it when it reads.
    """

    __tablename__ = "analysis_items"
    __table_args__ = (sa.Index("ix_analysis_items_organization_id_due_on", "organization_id", "due_on"),)

    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"),
                                               primary_key=True)
    period: Mapped[str] = mapped_column(sa.String(20), primary_key=True)  # "": the assignment itself
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    act_id: Mapped[int] = mapped_column(sa.ForeignKey("acts.id", ondelete="CASCADE"))  # the task's, which never moves
    due_on: Mapped[date] = mapped_column(index=True)  # the effective due date, or the period's
    baseline_on: Mapped[date | None]
    accepted: Mapped[bool]
    accepted_on: Mapped[date | None]  # the accepted report version's submission date
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the assignment's, for one without a report
    reviews: Mapped[int]
    returns: Mapped[int]
    extension_requests: Mapped[int]
    extensions_granted: Mapped[int]
    days_added: Mapped[int]
