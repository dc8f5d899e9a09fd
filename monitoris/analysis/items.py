"""What the analysis counts: one row per *item*, written once and shared by every figure and list.

An item is either

* an organization's assignment (top level: delegated sub-assignments never count; cancelled ones
  never count), judged against its effective due date ``due_on`` with its final report; or
* one reporting period of an assignment of a recurring task (a non-final report period), judged
  against the period's own due date.

An item is in the range when its due date lies within [date_from, date_to].  docs/analysis.md
gives the definitions in words; in SQL they are written once: what an item adds up from its reports
and extension requests in monitoris.analysis.facts (which stores it), what it is judged to be on a
given day below.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from monitoris.analysis import sql
from monitoris.models import Act, AnalysisItem, Instruction, Organization, Task


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


def _where_common(stmt, f, *, org_column, act_column):
    stmt = stmt.where(Act.state != "draft")
    if f.act_id:
        stmt = stmt.where(act_column == f.act_id)
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


def raw_items(f, *, controller=False):
    """The items in range with what the filters need, before the figures are derived.

    The items are stored (``AnalysisItem``, written by monitoris.analysis.facts); the act's state,
    the task's controller (``controller``: as a column too) and the submission date in the configured
    time zone are joined and derived here, since they are not the item's own.  Tasks are joined only
    for the controller: the national analysis reads one narrow table and the acts.
    """
    item = AnalysisItem
    submitted = sa.func.coalesce(item.accepted_on, sql.local_date(item.submitted_at, f.dialect, f.timezone))
    columns = [item.assignment_id, item.period, item.task_id, item.organization_id, item.act_id,
               *([Task.controller_id] if controller else []),
               item.due_on, item.baseline_on, sa.case((item.accepted, 1), else_=0).label("accepted"),
               submitted.label("submitted_on"), item.reviews, item.returns, item.extension_requests,
               item.extensions_granted, item.days_added]
    stmt = sa.select(*columns).join(Act, Act.id == item.act_id)
    if controller or f.controller_id is not None:
        stmt = stmt.join(Task, Task.id == item.task_id)
    if f.kind:
        stmt = stmt.join(Organization, Organization.id == item.organization_id)
    stmt = stmt.where(item.due_on.between(f.date_from, f.date_to))
    return _where_common(stmt, f, org_column=item.organization_id, act_column=item.act_id).subquery("raw_items")


def items(f, *, controller=False):
    """Every item in range with its derived flags (0/1) and delay in days; the figures sum these."""
    raw = raw_items(f, controller=controller)
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
    return _where_common(stmt, f, org_column=Instruction.organization_id, act_column=Task.act_id).subquery(
        "instruction_items")
