"""The implementation report of an act: for a year, by one organization or by all of them.

The table every body writes once a year — *No. · Event name · Assessment indicator · Fulfilment
period · Information on completed works* — built from the data: the act's tasks in number order
(1.1 before 1.10), each measure under its section headings (4.1.1 under 4.1 under 4), each
measure's text from the body's execution reports of that year.

Decisions:

* a measure is in the year's report when its fulfilment period overlaps the year (a regular
  measure without years always does; a measure without a period too);
* only top-level assignments count (delegated sub-assignments roll up into the body's one
  report); cancelled assignments are left out;
* the text is that of the accepted report of the year, else of the latest submitted one (shown as
  not yet accepted), else the measure is marked "Not reported".  A report belongs to a year when
  its period is the year or a part of it ("2026", "2026-Q3", "2026-H1", "2026-07"), or it is the
  final report and was submitted (else is due) in that year.
"""

import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from monitoris import permissions
from monitoris.extensions import db
from monitoris.models import Assignment, Organization, Report, Task

NOT_REPORTED = "Not reported"
SUBMITTED_NOTE = "Submitted, not yet accepted."
COLUMNS = ("No.", "Event name", "Assessment indicator", "Fulfilment period", "Information on completed works")
MIN_YEAR, MAX_YEAR = 1990, 2100


@dataclass
class Row:
    kind: str  # organization, section or measure
    number: str = ""
    title: str = ""
    indicator: str = ""
    period: str = ""
    status: str = ""  # accepted, submitted, not_reported (measures)
    paragraphs: list = field(default_factory=list)  # the information on completed works
    depth: int = 0
    role: str = ""

    @property
    def text(self):
        return "\n".join(self.paragraphs)


@dataclass
class ImplementationReport:
    act: object
    year: int
    organization: object = None  # None: all organizations of the act
    rows: list = field(default_factory=list)

    @property
    def title(self):
        by = f" by {self.organization.name}" if self.organization is not None else ""
        return f"Report on the implementation of {self.act.title}{by} in {self.year}"

    @property
    def measures(self):
        return [r for r in self.rows if r.kind == "measure"]

    def filename(self, extension):
        who = self.organization.short_name if self.organization is not None else "all"
        stem = re.sub(r"[^A-Za-z0-9]+", "-", f"implementation-report-act-{self.act.id}-{who}-{self.year}").strip("-")
        return f"{stem}.{extension}"


def paragraphs(text):
    """A report's text as its paragraphs: one per line, blank lines dropped."""
    return [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n") if p.strip()]


def _in_year(year):
    start, end = date(year, 1, 1), date(year, 12, 31)
    return sa.and_(sa.or_(Task.period_start.is_(None), Task.period_start <= end),
                   sa.or_(Task.period_end.is_(None), Task.period_end >= start))


def _report_of_year(year):
    start, end = date(year, 1, 1), date(year, 12, 31)
    final_on = sa.func.coalesce(Report.submitted_on, Report.period_due_on)
    return sa.or_(Report.period == str(year), Report.period.like(f"{year}-%"),
                  sa.and_(Report.period == "final", final_on >= start, final_on <= end))


def report_texts(assignment_ids, year):
    """{assignment_id: (state, text)}: the accepted report of ``year``, else the latest submitted one."""
    if not assignment_ids:
        return {}
    rank = sa.func.row_number().over(
        partition_by=Report.assignment_id,
        order_by=(sa.case((Report.state == "accepted", 0), else_=1), Report.submitted_at.desc(),
                  Report.version.desc(), Report.id.desc())).label("rank")
    ranked = (sa.select(Report.assignment_id, Report.state, Report.text, rank)
              .where(Report.assignment_id.in_(assignment_ids), Report.state.in_(("accepted", "submitted")),
                     _report_of_year(year))
              .subquery())
    rows = db.session.execute(sa.select(ranked.c.assignment_id, ranked.c.state, ranked.c.text)
                              .where(ranked.c.rank == 1))
    return {assignment_id: (state, text) for assignment_id, state, text in rows}


def period_text(period_label):
    """A fulfilment period in the reader's language, for the pages and every format of the report.

    Task.period_label ("2026-2028", "Regular", "2026-2028, regular") keeps the plan's English words, as
    the API and the JSON report give them; what people read translates them."""
    if period_label == "Regular":
        return _("Regular")
    if period_label and period_label.endswith(", regular"):
        return _("%(years)s, regular", years=period_label.removesuffix(", regular"))
    return period_label or ""


def _period_label(start, end, recurrence):
    return Task(number="0", title="", period_start=start, period_end=end, recurrence=recurrence).period_label


def build(act, year, organization=None):
    """The report of ``act`` in ``year`` by ``organization`` (an Organization), or by all when None.

    Permission is the caller's: see ``may_view``.
    """
    tasks = db.session.execute(
        sa.select(Task.id, Task.number, Task.parent_id, Task.title, Task.indicator, Task.period_start,
                  Task.period_end, Task.recurrence, _in_year(year).label("in_year"))
        .where(Task.act_id == act.id).order_by(Task.sort_key)).all()
    stmt = (sa.select(Assignment.id, Assignment.task_id, Assignment.organization_id, Assignment.role)
            .join(Task, Assignment.task_id == Task.id)
            .where(Task.act_id == act.id, Assignment.parent_id.is_(None), Assignment.state != "cancelled")
            .order_by(Assignment.id))
    if organization is not None:
        stmt = stmt.where(Assignment.organization_id == organization.id)
    assignments = db.session.execute(stmt).all()
    texts = report_texts([a.id for a in assignments], year)
    by_org = {}
    for a in assignments:
        by_org.setdefault(a.organization_id, {})[a.task_id] = a
    report = ImplementationReport(act, year, organization)
    if organization is not None:
        report.rows = _rows(tasks, by_org.get(organization.id, {}), texts)
        return report
    orgs = db.session.scalars(sa.select(Organization).where(Organization.id.in_(list(by_org)))
                              .order_by(Organization.name)).all()
    for org in orgs:
        rows = _rows(tasks, by_org[org.id], texts)
        if rows:
            report.rows.append(Row("organization", title=org.name, number=org.short_name))
            report.rows += rows
    return report


def _rows(tasks, assignment_of_task, texts):
    """Sections and measures in number order, keeping only the sections above an included measure."""
    by_id = {t.id: t for t in tasks}
    included = {t.id for t in tasks if t.id in assignment_of_task and t.in_year}
    keep = set(included)
    for task_id in included:
        parent = by_id[task_id].parent_id
        while parent is not None and parent not in keep:
            keep.add(parent)
            parent = by_id[parent].parent_id
    rows = []
    for t in tasks:
        if t.id not in keep:
            continue
        depth = t.number.count(".")
        if t.id not in included:
            rows.append(Row("section", number=t.number, title=t.title, depth=depth))
            continue
        assignment = assignment_of_task[t.id]
        state, text = texts.get(assignment.id, (None, None))
        found = paragraphs(text)
        if state is None or not found:
            status, found = "not_reported", [NOT_REPORTED]
        else:
            status = state
        rows.append(Row("measure", number=t.number, title=t.title, indicator=t.indicator or "",
                        period=_period_label(t.period_start, t.period_end, t.recurrence), status=status,
                        paragraphs=found, depth=depth, role=assignment.role))
    return rows


def may_view(user, act, organization):
    """Who may read which report: the control body and observers any; an executive body only its own
    (or a sub-unit's).  The act must be one the person sees."""
    if not permissions.can_view_act(user, act):
        return False
    if permissions.reads_everything(user):
        return True
    return organization is not None and organization.is_within(user.organization)
