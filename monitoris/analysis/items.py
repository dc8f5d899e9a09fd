"""What the analysis counts: one row per *item*, written once and shared by every figure and list.

An item is either

* an organization's assignment (top level: delegated sub-assignments never count; cancelled ones
  never count), judged against its effective due date ``due_on`` with its final report; or
* one reporting period of an assignment of a recurring task (a non-final report period), judged
  against the period's own due date.

An item is in the range when its due date lies within [date_from, date_to].  docs/analysis.md
gives the definitions in words; the SQL below is the only place they are written.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from monitoris.analysis import sql
from monitoris.models import Act, Assignment, ExtensionRequest, Instruction, Organization, Report, Task

FINAL = ""  # the period key of an assignment's own (final) result


@dataclass(frozen=True)
class Filters:
    date_from: date
    date_to: date
    today: date
    timezone: str
    dialect: str
    act_id: int | None = None
    controller_id: int | None = None
    kind: str | None = None
    organization_id: int | None = None
    # A subquery of the organization ids the reader may see in detail; None: everything.
    scope: sa.Select | None = None


def _where_common(stmt, f, *, org_column=Assignment.organization_id):
    stmt = stmt.where(Act.state != "draft")
    if f.act_id:
        stmt = stmt.where(Task.act_id == f.act_id)
    if f.controller_id == 0:  # the tasks nobody controls, a row of their own in the per-controller table
        stmt = stmt.where(Task.controller_id.is_(None))
    elif f.controller_id:
        stmt = stmt.where(Task.controller_id == f.controller_id)
    if f.kind:
        stmt = stmt.where(Organization.kind == f.kind)
    if f.organization_id:
        stmt = stmt.where(org_column == f.organization_id)
    if f.scope is not None:
        stmt = stmt.where(org_column.in_(f.scope))
    return stmt


def _report_totals(f, *, final):
    """Per item, from its report versions: reviews, returns, and the accepted version's submission date.

    ``final``: per assignment, from its final report; otherwise per (assignment, period) of a recurring
    task.  Every version of a report belongs to exactly one item.  Two subqueries rather than one with
    a filter on it, so that the planner's estimates of each are right.
    """
    keys = [Report.assignment_id]
    if not final:
        # Carried along (they depend on the assignment), so the periods need not join assignments again.
        keys += [Report.period, Assignment.organization_id, Assignment.task_id]
    in_range = (Assignment.due_on.between(f.date_from, f.date_to) if final
                else Report.period_due_on.between(f.date_from, f.date_to))
    return (
        sa.select(
            *keys,
            *([] if final else [sa.func.max(Report.period_due_on).label("period_due_on")]),
            sa.func.count().filter(Report.state.in_(("accepted", "returned"))).label("reviews"),
            sa.func.count().filter(Report.state == "returned").label("returns"),
            sa.func.count().filter(Report.state == "accepted").label("accepted"),
            sa.func.max(Report.submitted_on).filter(Report.state == "accepted").label("accepted_on"),
        )
        .join(Assignment, Assignment.id == Report.assignment_id)
        .where(Assignment.parent_id.is_(None), Assignment.state != "cancelled", Report.final.is_(final), in_range)
        .group_by(*keys)
        .subquery("final_reports" if final else "period_reports")
    )


def _extensions(f):
    granted = ExtensionRequest.decision == "approved"
    added = ExtensionRequest.days_requested  # proposed minus previous due date
    return (
        sa.select(
            ExtensionRequest.assignment_id,
            sa.func.count().label("requests"),
            sa.func.count().filter(granted).label("granted"),
            sa.func.sum(added).filter(granted).label("days_added"),
        )
        .group_by(ExtensionRequest.assignment_id)
        .subquery("extensions")
    )


def _joined(stmt, f, task_id, organization_id):
    stmt = stmt.join(Task, Task.id == task_id).join(Act, Act.id == Task.act_id)
    if f.kind:
        stmt = stmt.join(Organization, Organization.id == organization_id)
    return stmt


def raw_items(f):
    """The items in range, before the figures are derived: assignments UNION ALL recurring periods."""
    reports = _report_totals(f, final=True)
    periods = _report_totals(f, final=False)
    extensions = _extensions(f)
    submitted = sa.func.coalesce(reports.c.accepted_on, sql.local_date(Assignment.submitted_at, f.dialect,
                                                                         f.timezone))
    assignments = _where_common(_joined(
        sa.select(
            Assignment.id.label("assignment_id"),
            sa.literal(FINAL).label("period"),
            Assignment.task_id.label("task_id"),
            Assignment.organization_id.label("organization_id"),
            Task.act_id.label("act_id"),
            Task.controller_id.label("controller_id"),
            Assignment.due_on.label("due_on"),
            Assignment.original_due_on.label("baseline_on"),
            sa.case((Assignment.state == "accepted", 1), else_=0).label("accepted"),
            submitted.label("submitted_on"),
            sa.func.coalesce(reports.c.reviews, 0).label("reviews"),
            sa.func.coalesce(reports.c.returns, 0).label("returns"),
            sa.func.coalesce(extensions.c.requests, 0).label("extension_requests"),
            sa.func.coalesce(extensions.c.granted, 0).label("extensions_granted"),
            sa.func.coalesce(extensions.c.days_added, 0).label("days_added"),
        ).select_from(Assignment)
        .outerjoin(reports, reports.c.assignment_id == Assignment.id)
        .outerjoin(extensions, extensions.c.assignment_id == Assignment.id), f, Assignment.task_id,
        Assignment.organization_id
    ).where(Assignment.parent_id.is_(None), Assignment.state != "cancelled",
            Assignment.due_on.between(f.date_from, f.date_to)), f)
    period_items = _where_common(_joined(
        sa.select(
            periods.c.assignment_id,
            periods.c.period,
            periods.c.task_id,
            periods.c.organization_id,
            Task.act_id,
            Task.controller_id,
            periods.c.period_due_on,
            periods.c.period_due_on,
            sa.case((periods.c.accepted > 0, 1), else_=0),
            periods.c.accepted_on,
            periods.c.reviews,
            periods.c.returns,
            sa.literal(0),
            sa.literal(0),
            sa.literal(0),
        ).select_from(periods), f, periods.c.task_id, periods.c.organization_id
    ), f, org_column=periods.c.organization_id)
    return sa.union_all(assignments, period_items).subquery("raw_items")


def items(f):
    """Every item in range with its derived flags (0/1) and delay in days; the figures sum these."""
    raw = raw_items(f)
    today = sa.literal(f.today, sa.Date)
    accepted = raw.c.accepted == 1
    on_time = sa.and_(accepted, raw.c.submitted_on.is_not(None), raw.c.submitted_on <= raw.c.due_on)
    late = sa.and_(accepted, sa.not_(on_time))
    overdue = sa.and_(sa.not_(accepted), raw.c.due_on < today)
    flag = lambda condition: sa.case((condition, 1), else_=0)  # noqa: E731
    return sa.select(
        raw,
        flag(on_time).label("on_time"),
        flag(late).label("late"),
        flag(overdue).label("overdue"),
        flag(sa.and_(sa.not_(accepted), raw.c.due_on >= today)).label("open_not_due"),
        sa.case((late, sql.days_between(raw.c.submitted_on, raw.c.due_on, f.dialect)),
                (overdue, sql.days_between(today, raw.c.due_on, f.dialect))).label("delay"),
        sql.month_of(raw.c.due_on, f.dialect).label("month"),
    ).subquery("items")


def instructions(f):
    """Instructions issued within the range (by the local date of issue), with their response time."""
    start, end = sql.utc_bounds(f.date_from, f.date_to, f.timezone)
    answered = Instruction.answered_at.is_not(None)
    stmt = (
        sa.select(
            Instruction.id.label("instruction_id"),
            Instruction.assignment_id,
            Instruction.organization_id.label("organization_id"),
            Task.act_id.label("act_id"),
            Task.controller_id.label("controller_id"),
            sa.case((answered, 1), else_=0).label("answered"),
            sa.case((answered, sql.elapsed_days(Instruction.answered_at, Instruction.issued_at, f.dialect)))
            .label("response_days"),
        )
        .join(Task, Task.id == Instruction.task_id).join(Act, Act.id == Task.act_id)
        .join(Organization, Organization.id == Instruction.organization_id)
        .where(Instruction.issued_at >= start, Instruction.issued_at < end)
    )
    return _where_common(stmt, f, org_column=Instruction.organization_id).subquery("instruction_items")
