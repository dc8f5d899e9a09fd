"""The list behind each figure: the same items with the figure's condition, so the count is the figure.

Item figures list items (an assignment, or one period of a recurring one); reviews and returns list
report versions; extension figures list extension requests; instruction figures list instructions.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from monitoris import queries
from monitoris.analysis import facts, sql
from monitoris.analysis import items as items_module
from monitoris.models import ExtensionRequest, Instruction, Organization, Report, Task

ITEM_FIGURES = {
    "assigned": lambda it: sa.true(),
    "accepted": lambda it: it.c.accepted == 1,
    "on_time": lambda it: it.c.on_time == 1,
    "late": lambda it: it.c.late == 1,
    "overdue": lambda it: it.c.overdue == 1,
    "open_not_due": lambda it: it.c.open_not_due == 1,
    # The denominator of timeliness, and the items the delay figures are made from.
    "judged": lambda it: sa.or_(it.c.accepted == 1, it.c.overdue == 1),
    "delayed": lambda it: it.c.delay.is_not(None),
}
REPORT_FIGURES = {"reviews": ("accepted", "returned"), "returns": ("returned",)}
EXTENSION_FIGURES = {"extension_requests": None, "extensions_granted": "approved"}
INSTRUCTION_FIGURES = ("instructions_received", "instructions_answered")
FIGURES = (*ITEM_FIGURES, *REPORT_FIGURES, *EXTENSION_FIGURES, *INSTRUCTION_FIGURES)
# Figures of the tables whose list is another figure's (a ratio shows what it is made from).
LIST_OF = {"timeliness": "judged", "average_delay": "delayed", "median_delay": "delayed",
           "return_rate": "returns", "days_added": "extensions_granted",
           "median_response_days": "instructions_answered"}
TITLES = {
    "assigned": "Assigned", "accepted": "Accepted", "on_time": "Accepted on time", "late": "Accepted late",
    "overdue": "Overdue now", "open_not_due": "Open, not yet due",
    "judged": "Judged for timeliness (accepted or overdue now)", "delayed": "Late or overdue, with the delay",
    "reviews": "Reviews of reports", "returns": "Reports returned for revision",
    "extension_requests": "Extension requests", "extensions_granted": "Extensions granted",
    "instructions_received": "Instructions received", "instructions_answered": "Instructions answered",
}


def figure_for(name):
    """The list to show for a figure of the tables, or None when there is none."""
    name = LIST_OF.get(name, name)
    return name if name in FIGURES else None


def statement(f, figure, month=None):
    """SELECT the rows behind ``figure`` (narrowed to the month of the due date, for the trend)."""
    if figure in INSTRUCTION_FIGURES:
        return _instructions(f, figure)
    it = items_module.items(f)
    base = [it.c.assignment_id, it.c.period, Task.number, Task.title,
            Organization.short_name.label("organization"), it.c.due_on, it.c.baseline_on]
    where = [it.c.month == month] if month else []
    order = [Organization.short_name, Task.sort_key, it.c.period, it.c.assignment_id]

    def joined(*columns):
        return (sa.select(*base, *columns).select_from(it).join(Task, Task.id == it.c.task_id)
                .join(Organization, Organization.id == it.c.organization_id))

    if figure in ITEM_FIGURES:
        stmt = joined(it.c.accepted, it.c.on_time, it.c.overdue, it.c.delay, it.c.submitted_on)
        return stmt.where(ITEM_FIGURES[figure](it), *where).order_by(*order)
    if figure in REPORT_FIGURES:
        period = sa.case((Report.final, sa.literal(facts.FINAL)), else_=Report.period)
        stmt = joined(Report.id.label("report_id"), Report.version, Report.state.label("report_state"),
                      Report.submitted_on, Report.reviewer_comment)
        stmt = stmt.join(Report, sa.and_(Report.assignment_id == it.c.assignment_id, period == it.c.period))
        return stmt.where(Report.state.in_(REPORT_FIGURES[figure]), *where).order_by(*order, Report.version,
                                                                                     Report.id)
    if figure in EXTENSION_FIGURES:
        stmt = joined(ExtensionRequest.id.label("request_id"), ExtensionRequest.previous_due_on,
                      ExtensionRequest.proposed_due_on, ExtensionRequest.decision)
        stmt = stmt.join(ExtensionRequest, ExtensionRequest.assignment_id == it.c.assignment_id)
        stmt = stmt.where(it.c.period == facts.FINAL, *where)
        if EXTENSION_FIGURES[figure]:
            stmt = stmt.where(ExtensionRequest.decision == EXTENSION_FIGURES[figure])
        return stmt.order_by(*order, ExtensionRequest.id)
    raise ValueError(f"unknown figure {figure!r}")


def _instructions(f, figure):
    ins = items_module.instructions(f)
    stmt = (sa.select(ins.c.assignment_id, sa.literal(facts.FINAL).label("period"), Task.number, Task.title,
                      Organization.short_name.label("organization"), Instruction.id.label("instruction_id"),
                      Instruction.kind, Instruction.state.label("instruction_state"), Instruction.issued_at,
                      Instruction.answered_at, Instruction.response_due_on, ins.c.response_days)
            .select_from(ins).join(Instruction, Instruction.id == ins.c.instruction_id)
            .join(Task, Task.id == Instruction.task_id)
            .join(Organization, Organization.id == ins.c.organization_id))
    if figure == "instructions_answered":
        stmt = stmt.where(ins.c.answered == 1)
    return stmt.order_by(Organization.short_name, Instruction.issued_at, Instruction.id)


@dataclass
class Listing:
    figure: str
    title: str
    total: int
    rows: list
    page: int
    per_page: int

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages


def listing(session, f, figure, *, month=None, page=1, per_page=100):
    """One page of the rows behind ``figure``, and their total (the figure itself)."""
    stmt = statement(f, figure, month)
    sql.prepare(session)
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    if per_page:
        page = min(max(1, page or 1), queries.last_page(total, per_page))  # past the end: the last page
        stmt = stmt.limit(per_page).offset((page - 1) * per_page)
    rows = [dict(r._mapping) for r in session.execute(stmt)]
    return Listing(figure, TITLES[figure], total, rows, page, per_page or max(total, 1))
