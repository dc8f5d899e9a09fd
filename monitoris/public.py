"""The public read model: what a citizen may see without logging in, and nothing else.

Everything the public portal (monitoris.web.public) and the open data (monitoris.api.public) show
comes from here, as plain dataclasses holding only public fields: no ORM object reaches a public
template or schema, so a template cannot wander from an assignment to its responsible person,
its note or its comments.

What is public:

- acts whose state is in ``PUBLIC_ACT_STATES``: active acts, and closed ones.  DESIGN.md names
  "the published tasks of active acts"; closed acts stay public too, because what a finished plan
  achieved (and what it did not) is the record citizens most want, and closing an act must not
  erase it.  Drafts never appear.  To publish active acts only, drop "closed" from the tuple.
- in them, the tasks marked ``published``;
- of those, the top-level assignments (never delegated sub-assignments, which name internal units
  and people): the body's name and short name, role, state, progress, due date and the original
  due date when it was extended;
- accepted reports' text (never drafts, submitted or returned versions, nor the reviewer's comment);
- documents marked ``public`` attached to those accepted reports, or to a public act.

Never: people (names, emails, phones), notes, instructions, comments, extension requests.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from monitoris import clock
from monitoris.analysis.sql import local_date
from monitoris.extensions import db
from monitoris.models import OPEN_STATES, Act, Assignment, Document, Organization, Report, Task
from monitoris.queries import TREE_PAGE, Page, bounds, tree_page
from monitoris.text import contains as text_contains

PUBLIC_ACT_STATES = ("active", "closed")
# The state of a measure as the public sees it, derived from its bodies' assignments (cancelled ones aside).
TASK_STATES = ("not_assigned", "not_started", "in_progress", "overdue", "done")
TASK_STATE_LABELS = {
    "not_assigned": _l("Not assigned"), "not_started": _l("Not started"), "in_progress": _l("In progress"),
    "overdue": _l("Overdue"), "done": _l("Done"),
}
CSV_BATCH = 500


# -- the shapes the public sees ---------------------------------------------------------------

@dataclass(frozen=True)
class PublicBody:
    id: int
    name: str
    short_name: str


@dataclass
class PublicAssignment:
    organization: PublicBody
    role: str
    state: str
    progress: int
    due_on: date
    original_due_on: date
    overdue: bool

    @property
    def extended(self):
        return self.due_on != self.original_due_on

    @property
    def organization_id(self):
        return self.organization.id


@dataclass
class PublicDocument:
    id: int
    filename: str
    media_type: str
    size: int
    uploaded_at: datetime


@dataclass
class PublicReport:
    id: int
    organization: PublicBody
    period: str
    text: str
    progress: int
    accepted_at: datetime | None
    documents: list = field(default_factory=list)


@dataclass
class PublicTask:
    id: int
    act_id: int
    act_number: str | None
    act_title: str
    act_state: str
    parent_id: int | None  # only when the parent (section) is public itself
    section_number: str | None
    section_title: str | None
    number: str
    depth: int
    is_section: bool
    title: str
    indicator: str | None
    period_label: str
    period_start: date | None
    period_end: date | None
    recurrence: str
    due_on: date | None
    state: str
    progress: int
    next_due_on: date | None
    updated_at: datetime  # the task's or any of its assignments' last change
    on_time: bool | None = None  # for done measures: every body submitted by its due date
    assignments: list = field(default_factory=list)

    @property
    def organizations(self):
        return [a.organization for a in self.assignments]


@dataclass
class Overview:
    """How an act's published measures stand."""

    total: int = 0
    done: int = 0
    done_on_time: int = 0
    overdue: int = 0
    in_progress: int = 0
    not_started: int = 0
    not_assigned: int = 0

    @property
    def done_late(self):
        return self.done - self.done_on_time

    @property
    def percent_done(self):
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class PublicAct:
    id: int
    kind: str
    number: str | None
    title: str
    issuer: str | None
    signed_on: date | None
    summary: str | None
    state: str
    overview: Overview = field(default_factory=Overview)
    documents: list = field(default_factory=list)


# -- the SQL of visibility ---------------------------------------------------------------------

def _public_act_ids():
    return sa.select(Act.id).where(Act.state.in_(PUBLIC_ACT_STATES))


def _public_task_ids():
    return sa.select(Task.id).where(Task.published.is_(True), Task.act_id.in_(_public_act_ids()))


def _public_assignments():
    """Top-level assignments of public tasks: the only assignments the public ever hears of."""
    return sa.and_(Assignment.parent_id.is_(None), Assignment.task_id.in_(_public_task_ids()))


def _has_children():
    child = aliased(Task)
    return sa.exists(sa.select(child.id).where(child.parent_id == Task.id))


def _count(condition):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _summary(today, act_ids=None, lateral=False):
    """Per task: how its bodies' top-level assignments stand (cancelled ones do not count).

    Grouped over every task (of these acts only, when given: the database does not carry a filter on the act
    through the grouping by itself, and one act's figures would otherwise sum the whole country's
    assignments), or ``lateral``: worked out for each task the outer statement reads, so that a page of 25
    measures in number order costs 25 small sums, not the country's."""
    live = Assignment.state != "cancelled"
    stmt = (
        sa.select(
            # Grouped by it; one task's alone when lateral (the aggregate keeps that statement valid).
            (sa.func.max(Assignment.task_id) if lateral else Assignment.task_id).label("task_id"),
            _count(live).label("live"),
            _count(Assignment.state == "accepted").label("accepted"),
            _count(Assignment.overdue_clause(today)).label("overdue"),
            _count(Assignment.state == "assigned").label("not_started"),
            sa.func.coalesce(sa.func.sum(sa.case((live, Assignment.progress), else_=0)), 0).label("progress_sum"),
            sa.func.min(sa.case((Assignment.state.in_(OPEN_STATES), Assignment.due_on))).label("next_due_on"),
            sa.func.max(Assignment.updated_at).label("changed_at"),
            _count(sa.and_(Assignment.state == "accepted", _submitted_late())).label("accepted_late"),
        )
        .where(Assignment.parent_id.is_(None))
    )
    if lateral:
        # No GROUP BY: one row for every task, zeros (and no dates) where it has no assignment.
        return stmt.where(Assignment.task_id == Task.id).lateral("summary")
    stmt = stmt.group_by(Assignment.task_id)
    if act_ids is not None:
        stmt = stmt.where(Assignment.act_id.in_(act_ids))
    return stmt.subquery("summary")


def _submitted_late():
    """Submitted after the effective due date (a date in the configured time zone), or never."""
    submitted_on = local_date(Assignment.submitted_at, db.session.get_bind().dialect.name,
                              current_app.config["TIMEZONE"])
    return sa.or_(Assignment.submitted_at.is_(None), submitted_on > Assignment.due_on)


def _state_column(s):
    live = sa.func.coalesce(s.c.live, 0)
    return sa.case(
        (live == 0, "not_assigned"),
        (s.c.accepted == live, "done"),
        (s.c.overdue > 0, "overdue"),
        (s.c.not_started == live, "not_started"),
        else_="in_progress",
    )


def _progress_column(s):
    live = sa.func.coalesce(s.c.live, 0)
    return sa.case((live == 0, 0), else_=s.c.progress_sum / live)


def _tasks_statement(today, *, act_id=None, act_ids=None, organization_id=None, state=None, q=None,
                     measures_only=True, with_late=False, summary="grouped"):
    """Public tasks with their derived state, in act and number order (1.2 before 1.10); of one act
    (``act_id``) or of some (``act_ids``) when given; ``with_late`` adds how many of each task's accepted
    assignments were submitted late (``accepted_late``).  ``summary``: how the state is worked out (see
    ``_summary``: "grouped" or "lateral"), or None for the tasks' ids alone (to count them without a state
    filter)."""
    if act_id:
        act_ids = [act_id]
    if summary is None:
        if state:
            raise ValueError("a state filter needs the tasks' summary")
        stmt = sa.select(Task.id).join(Act, Task.act_id == Act.id)
    else:
        # SQLite (development) has no LATERAL: it groups, as it did before.
        if summary == "lateral" and db.session.get_bind().dialect.name != "postgresql":
            summary = "grouped"
        s = _summary(today, act_ids, lateral=summary == "lateral")
        parent = aliased(Task)
        state_col = _state_column(s).label("state")
        stmt = (
            sa.select(Task, Act.number.label("act_number"), Act.title.label("act_title"),
                      Act.state.label("act_state"), parent.id.label("section_id"),
                      parent.number.label("section_number"), parent.title.label("section_title"),
                      _has_children().label("is_section"), state_col, _progress_column(s).label("progress"),
                      s.c.next_due_on, s.c.changed_at)
            .join(Act, Task.act_id == Act.id)
            .outerjoin(s, s.c.task_id == Task.id if summary == "grouped" else sa.true())
            .outerjoin(parent, sa.and_(parent.id == Task.parent_id, parent.published.is_(True)))
        )
    stmt = stmt.where(Task.published.is_(True), Act.state.in_(PUBLIC_ACT_STATES))
    if with_late:
        stmt = stmt.add_columns(s.c.accepted_late)
    if measures_only:
        stmt = stmt.where(sa.not_(_has_children()))
    if act_ids is not None:
        stmt = stmt.where(Task.act_id.in_(act_ids))
    if organization_id:
        stmt = stmt.where(Task.id.in_(sa.select(Assignment.task_id).where(
            Assignment.parent_id.is_(None), Assignment.organization_id == organization_id)))
    if state:
        states = [state] if isinstance(state, str) else list(state)
        stmt = stmt.where(state_col.in_([x for x in states if x in TASK_STATES]))
    if q and q.strip():
        stmt = stmt.where(sa.or_(
            text_contains(Task.title, q),
            text_contains(Task.indicator, q),
            Task.number.startswith(q.strip(), autoescape=True),
        ))
    return stmt.order_by(Task.act_id, Task.sort_key, Task.id)


def _task_from_row(row):
    task, act_number, act_title, act_state, parent_id, parent_number, parent_title, is_section, state, progress, \
        next_due_on, changed_at = row
    return PublicTask(
        id=task.id, act_id=task.act_id, act_number=act_number, act_title=act_title, act_state=act_state,
        parent_id=parent_id, section_number=parent_number, section_title=parent_title, number=task.number,
        depth=task.depth, is_section=bool(is_section), title=task.title, indicator=task.indicator,
        period_label=task.period_label, period_start=task.period_start, period_end=task.period_end,
        recurrence=task.recurrence, due_on=task.due_on, state="section" if is_section else state,
        progress=int(progress or 0), next_due_on=next_due_on,
        updated_at=max(task.updated_at, changed_at) if changed_at else task.updated_at,
    )


def _attach_assignments(tasks, today):
    """Fill each task's ``assignments`` (one query) and, for done ones, ``on_time``."""
    by_id = {t.id: t for t in tasks}
    if not by_id:
        return tasks
    rows = db.session.execute(
        sa.select(Assignment.task_id, Organization.id, Organization.name, Organization.short_name, Assignment.role,
                  Assignment.state, Assignment.progress, Assignment.due_on, Assignment.original_due_on,
                  Assignment.submitted_at)
        .join(Organization, Assignment.organization_id == Organization.id)
        .where(Assignment.parent_id.is_(None), Assignment.task_id.in_(list(by_id)))
        .order_by(Assignment.task_id, Assignment.role.desc(), Organization.short_name, Assignment.id)
    ).all()
    submitted = {}
    for task_id, org_id, name, short, role, state, progress, due_on, original_due_on, submitted_at in rows:
        overdue = due_on < today and state in OPEN_STATES
        by_id[task_id].assignments.append(PublicAssignment(PublicBody(org_id, name, short), role, state, progress,
                                                           due_on, original_due_on, overdue))
        if state == "accepted":
            submitted.setdefault(task_id, []).append(_submitted_on_time(submitted_at, due_on))
    for task in tasks:
        if task.state == "done":
            task.on_time = all(submitted.get(task.id, [False]))
    return tasks


def _submitted_on_time(submitted_at, due_on):
    # On time: submitted on or before the effective due date, a date in the configured time zone.
    return submitted_at is not None and clock.local(submitted_at).date() <= due_on


# -- what the pages and the open data ask for ----------------------------------------------------

def tasks(today=None, *, act_id=None, organization_id=None, state=None, q=None, page=1, per_page=25):
    """One page of public measures, filtered, each with its bodies."""
    today = today or clock.today()
    filters = {"act_id": act_id, "organization_id": organization_id, "state": state, "q": q}
    page, per_page, offset = bounds(page, per_page)
    if state:
        stmt = _tasks_statement(today, **filters)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
        rows = db.session.execute(stmt.limit(per_page).offset(offset)).all()
    else:
        # Without a state filter, the page is chosen among the measures alone, and only its measures' state is
        # worked out (however deep the page: the measures skipped are not summed).
        ids = _tasks_statement(today, **filters, summary=None)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(ids.order_by(None).subquery()))
        shown = ids.limit(per_page).offset(offset).subquery()
        rows = db.session.execute(_tasks_statement(today, summary="lateral", measures_only=False)
                                  .where(Task.id.in_(sa.select(shown.c.id)))).all()
    items = _attach_assignments([_task_from_row(r) for r in rows], today)
    return Page(items, total, page, per_page)


def all_tasks(today=None, *, batch=CSV_BATCH, **filters):
    """Every public measure matching ``filters``, a batch at a time (for the streamed CSV).  Each batch starts
    after the last one's measure in number order (not at an offset, which would read every earlier row
    again), so the country's 50,000 measures cost a hundred small reads."""
    today = today or clock.today()
    stmt = _tasks_statement(today, **filters, summary="grouped" if filters.get("state") else "lateral")
    after = None
    while True:
        page = stmt if after is None else stmt.where(sa.tuple_(Task.act_id, Task.sort_key, Task.id) > after)
        rows = db.session.execute(page.limit(batch)).all()
        yield from _attach_assignments([_task_from_row(r) for r in rows], today)
        if len(rows) < batch:
            return
        last = rows[-1][0]
        after = (last.act_id, last.sort_key, last.id)


def task_tree(act_id, today=None, *, organization_id=None, state=None, q=None, page=1, per_page=TREE_PAGE):
    """A page of the act's public measures in number order (``queries.tree_page``), each with its bodies, and
    the sections above them.  With filters, only the matching measures count."""
    today = today or clock.today()
    filtered = bool(organization_id or state or (q and q.strip()))
    rows = db.session.execute(_tasks_statement(today, act_id=act_id, measures_only=False)).all()
    tree = [_task_from_row(r) for r in rows]
    if filtered:
        keep = {r[0].id for r in db.session.execute(_tasks_statement(
            today, act_id=act_id, organization_id=organization_id, state=state, q=q)).all()}
        tree = [t for t in tree if t.is_section or t.id in keep]
    shown = tree_page(tree, lambda t: t.is_section, page, per_page)
    shown.items = _attach_assignments(shown.items, today)
    return shown


def task(task_id, today=None):
    """One public task with its bodies, or None when it is not public (or does not exist)."""
    today = today or clock.today()
    row = db.session.execute(_tasks_statement(today, measures_only=False, summary="lateral")
                             .where(Task.id == task_id)).first()
    if row is None:
        return None
    return _attach_assignments([_task_from_row(row)], today)[0]


def act(act_id, today=None):
    """One public act with its overview, or None when it is not public."""
    acts_ = _acts(today or clock.today(), act_id=act_id)
    return acts_[0] if acts_ else None


def acts(today=None, *, q=None):
    """The public acts, active ones first, each with the overview of its published measures."""
    return _acts(today or clock.today(), q=q)


def _acts(today, *, act_id=None, q=None):
    stmt = sa.select(Act).where(Act.state.in_(PUBLIC_ACT_STATES))
    if act_id is not None:
        stmt = stmt.where(Act.id == act_id)
    if q and q.strip():
        stmt = stmt.where(text_contains(Act.title, q))
    stmt = stmt.order_by(Act.state != "active", Act.signed_on.desc().nulls_last(), Act.id.desc())
    result = [PublicAct(id=a.id, kind=a.kind, number=a.number, title=a.title, issuer=a.issuer, signed_on=a.signed_on,
                        summary=a.summary, state=a.state) for a in db.session.scalars(stmt)]
    overviews = overview([a.id for a in result], today)
    for a in result:
        a.overview = overviews.get(a.id, Overview())
    if act_id is not None and result:
        result[0].documents = act_documents(act_id)
    return result


def overview(act_ids, today=None):
    """{act_id: Overview} of the published measures of these acts, counted in SQL."""
    today = today or clock.today()
    if not act_ids:
        return {}
    sub = _tasks_statement(today, act_ids=act_ids, with_late=True).order_by(None).subquery()
    # Done on time: done (every live assignment accepted), none of them submitted late.
    on_time = _count(sa.and_(sub.c.state == "done", sub.c.accepted_late == 0))
    rows = db.session.execute(sa.select(sub.c.act_id, sub.c.state, sa.func.count(), on_time)
                              .group_by(sub.c.act_id, sub.c.state)).all()
    result = {act_id: Overview() for act_id in act_ids}
    for act_id, state, count, done_on_time in rows:
        o = result[act_id]
        o.total += count
        o.done_on_time += done_on_time
        setattr(o, state, getattr(o, state) + count)
    return result


def bodies(act_id=None):
    """The executive bodies that hold a public task (of one act, when given), by short name."""
    stmt = (sa.select(Organization.id, Organization.name, Organization.short_name).distinct()
            .join(Assignment, Assignment.organization_id == Organization.id)
            .where(_public_assignments()))
    if act_id:
        stmt = stmt.where(Assignment.task_id.in_(sa.select(Task.id).where(Task.act_id == act_id)))
    return [PublicBody(*row) for row in db.session.execute(stmt.order_by(Organization.short_name))]


# -- accepted reports and public documents (issue 4) ------------------------------------------------

def _accepted_reports_of(task_id):
    return (sa.select(Report.id)
            .join(Assignment, Report.assignment_id == Assignment.id)
            .where(Report.state == "accepted", Assignment.task_id == task_id, _public_assignments()))


def reports(task_id):
    """The accepted reports on a public task: the body, the period and the text, with public documents only."""
    rows = db.session.execute(
        sa.select(Report.id, Organization.id, Organization.name, Organization.short_name, Report.period,
                  Report.text, Report.progress, Report.reviewed_at)
        .join(Assignment, Report.assignment_id == Assignment.id)
        .join(Organization, Assignment.organization_id == Organization.id)
        .where(Report.id.in_(_accepted_reports_of(task_id)))
        .order_by(Report.period, Organization.short_name, Report.id)
    ).all()
    result = [PublicReport(rid, PublicBody(oid, name, short), period, text or "", progress, reviewed_at)
              for rid, oid, name, short, period, text, progress, reviewed_at in rows]
    documents = {}
    if result:
        for report_id, doc in _documents(Document.report_id.in_([r.id for r in result])):
            documents.setdefault(report_id, []).append(doc)
    for r in result:
        r.documents = documents.get(r.id, [])
    return result


def act_documents(act_id):
    return [doc for _, doc in _documents(Document.act_id == act_id, Document.act_id.in_(_public_act_ids()))]


def _documents(*conditions):
    rows = db.session.execute(
        sa.select(sa.func.coalesce(Document.report_id, Document.act_id), Document.id, Document.filename,
                  Document.media_type, Document.size, Document.uploaded_at)
        .where(Document.public.is_(True), *conditions).order_by(Document.id)
    ).all()
    return [(owner, PublicDocument(*rest)) for owner, *rest in rows]


def document(document_id):
    """The Document row when it may be downloaded by anyone, else None.

    Checked on every download: marked public, and attached either to an accepted report on a
    published task of a public act (top-level assignment), or to a public act itself.
    """
    accepted_public_reports = (
        sa.select(Report.id).join(Assignment, Report.assignment_id == Assignment.id)
        .where(Report.state == "accepted", _public_assignments()))
    return db.session.scalar(sa.select(Document).where(
        Document.id == document_id, Document.public.is_(True),
        sa.or_(Document.report_id.in_(accepted_public_reports), Document.act_id.in_(_public_act_ids()))))
