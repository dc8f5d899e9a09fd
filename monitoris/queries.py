"""Read-side queries shared by the pages and the API, always scoped by permissions in SQL."""

import functools
import math
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g
from sqlalchemy.orm import Session

from monitoris import errors, permissions, text
from monitoris.extensions import db
from monitoris.models import OPEN_STATES, STATES, Act, Assignment, Organization, Task, User, UserRole

MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000  # a page number past it is past every list's end (and its offset still fits the database)

# Whitelisted sort keys -> ORDER BY clauses.  "-" prefix means descending.
ASSIGNMENT_SORTS = {
    "due_on": (Assignment.due_on, Assignment.id),
    "number": (Task.act_id, Task.sort_key, Assignment.id),
    "organization": (Organization.short_name, Assignment.due_on, Assignment.id),
    "state": (Assignment.state, Assignment.due_on, Assignment.id),
    "updated_at": (Assignment.updated_at, Assignment.id),
}


# What the API's work list shows of an assignment, in this order: plain columns, no ORM objects
# (schemas.assignments.dump_assignment_rows turns them into items).
ASSIGNMENT_LIST_FIELDS = ("id", "task_id", "organization_id", "parent_id", "role", "responsible_id", "due_on",
                          "original_due_on", "state", "progress", "note", "submitted_at", "accepted_at", "created_at",
                          "updated_at", "version")
_LIST_COLUMNS = tuple(Assignment.__table__.c[name] for name in ASSIGNMENT_LIST_FIELDS)
# Sorts that join a table the count does not need.
_SORTS_WITH_JOINS = frozenset({"number", "organization"})


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self):
        return last_page(self.total, self.per_page)

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages


@contextmanager
def replica():
    """The session for reads that may lag the primary by a moment (analysis, exports).

    With ``MONITORIS_REPLICA_DATABASE_URL`` set it is a session of its own on the read replica, so heavy
    reads stay off the primary; without it, the request's (or job's) own session on the primary.
    """
    if "replica" not in (current_app.config.get("SQLALCHEMY_BINDS") or {}):
        yield db.session
        return
    with Session(db.engines["replica"]) as session:
        yield session


def read_session():
    """The session for heavy reads in this request or job: the replica's when one is configured.

    One replica session per application context, closed when the context ends; without a
    replica, the ordinary session on the primary.
    """
    if "replica" not in (current_app.config.get("SQLALCHEMY_BINDS") or {}):
        return db.session
    if "replica_session" not in g:
        g.replica_session = Session(db.engines["replica"])
    return g.replica_session


def close_read_session(_exc=None):
    session = g.pop("replica_session", None)
    if session is not None:
        errors.close_quietly(session, session.close)  # the replica may be away too


def read_without_transaction():
    """Let this request's session read on PostgreSQL without BEGIN and ROLLBACK (see ``api.core.read_only``).

    Each statement then runs on its own, as under READ COMMITTED it would inside a transaction too (each
    statement of a transaction takes its own snapshot there), and the two round trips are saved.  Only before
    the session's first statement, and only when the session owns its connection: the test suite binds the
    session to one connection in a transaction that must stay.
    """
    session = db.session()  # the request's Session (the scoped_session proxy does not offer in_transaction)
    if session.in_transaction():
        return
    bind = session.get_bind()
    if isinstance(bind, sa.Engine) and bind.dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


_COUNT = sa.func.count()  # one element serves every count (SQLAlchemy elements are immutable)


def bounds(page, per_page):
    """(page, per_page, offset), each within bounds."""
    page = max(1, min(int(page or 1), MAX_PAGE))
    per_page = max(1, min(int(per_page or 25), MAX_PAGE_SIZE))
    return page, per_page, (page - 1) * per_page


def _known_total(items, page, per_page, offset):
    """The total, when the page tells it: one that is not full (and not empty past the end).  Else None."""
    if len(items) < per_page and (items or page == 1):
        return offset + len(items)
    return None


def paginate(stmt, page=1, per_page=25, *, clamp=False):
    """One page of ``stmt`` (ORM objects) and the total.

    A page that is not full (and not empty) already tells the total, so most short lists cost one query.
    ``clamp``: a page past the end is the last one (a page shows what a link kept from a longer list leads to;
    the API answers an empty page, as asked).
    """
    page, per_page, offset = bounds(page, per_page)
    items = db.session.scalars(stmt.limit(per_page).offset(offset)).unique().all()
    total = _known_total(items, page, per_page, offset)
    if total is None:
        total = db.session.execute(sa.select(_COUNT).select_from(stmt.order_by(None).subquery())).scalar()
    if clamp and not items and total:
        page = last_page(total, per_page)
        items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items, total, page, per_page)


def last_page(total, per_page):
    return max(1, math.ceil(total / per_page))


def _narrowing(organization_id=None, act_id=None, task_id=None, state=None, overdue=None, due_before=None,
               due_after=None, q=None, responsible_id=None, top_level=None):
    """The filters that narrow a list of assignments, by name, with the values its statement compares.

    "overdue" and "top_level" change the statement's shape rather than a value; "q" is searched for.
    """
    out = {name: value for name, value in (("organization_id", organization_id), ("act_id", act_id),
                                           ("task_id", task_id), ("due_before", due_before),
                                           ("due_after", due_after), ("responsible_id", responsible_id)) if value}
    if state:
        states = [state] if isinstance(state, str) else list(state)
        out["states"] = [s for s in states if s in STATES]
    if overdue is True or overdue is False:
        out["overdue"] = overdue
    if top_level:
        out["top_level"] = True
    if q and q.strip():
        out["q"] = q
    return out


# How each narrowing by a value compares it (the value, or a bound parameter of the same name).
_COMPARISONS = {
    "organization_id": lambda v: Assignment.organization_id == v,
    # The assignment's own copy of its task's act: an act's list walks (act_id, due_on, id).
    "act_id": lambda v: Assignment.act_id == v,
    "task_id": lambda v: Assignment.task_id == v,
    "states": lambda v: Assignment.state.in_(v),
    "due_before": lambda v: Assignment.due_on <= v,
    "due_after": lambda v: Assignment.due_on >= v,
    "responsible_id": lambda v: Assignment.responsible_id == v,
}


def _assignment_select(user, *, today, sort, narrowing, scope=None, own_ids=None):
    """Assignments ``user`` may see, narrowed by ``narrowing`` (``_narrowing``'s names, each compared with its
    value or with a bound parameter of that name: see ``assignment_list``), in ``sort``'s order."""
    sort_key = (sort or "").lstrip("-")
    searching = "q" in narrowing
    stmt = sa.select(Assignment)
    if searching or sort_key == "number":
        stmt = stmt.join(Task, Assignment.task_id == Task.id)
    if searching or sort_key == "organization":
        stmt = stmt.join(Organization, Assignment.organization_id == Organization.id)
    # An executive body never sees a draft act's work: the scope says so (no task of a draft act).
    stmt = permissions.scope_assignments(user, stmt, scope=scope, own_ids=own_ids)
    value = narrowing.get
    for name, compare in _COMPARISONS.items():
        if name in narrowing:
            stmt = stmt.where(compare(value(name)))
    if value("overdue") is True:
        stmt = stmt.where(Assignment.overdue_clause(today))
    elif value("overdue") is False:
        stmt = stmt.where(sa.not_(Assignment.overdue_clause(today)))
    if "top_level" in narrowing:
        stmt = stmt.where(Assignment.parent_id.is_(None))
    if searching:
        q = value("q")
        stmt = stmt.where(sa.or_(
            text.contains(Task.title, q),
            Task.number.startswith(q.strip(), autoescape=True),
            text.contains(Organization.short_name, q),
            text.contains(Organization.name, q),
        ))
    descending = sort.startswith("-") if sort else False
    columns = ASSIGNMENT_SORTS.get(sort_key, ASSIGNMENT_SORTS["due_on"])
    return stmt.order_by(*[c.desc() if descending else c for c in columns])


def assignments(user, *, today, sort="due_on", **filters):
    """Assignments ``user`` may see, filtered (``organization_id``, ``act_id``, ``task_id``, ``state``,
    ``overdue``, ``due_before``, ``due_after``, ``q``, ``responsible_id``, ``top_level``).
    Unknown sort keys fall back to the due date.

    Tasks and organizations are joined only when a filter or the sort needs them: every join
    costs the count (which reads every matching row) and the planner's time on each page.
    """
    return _assignment_select(user, today=today, sort=sort, narrowing=_narrowing(**filters))


# The parameters of a list statement built once (``assignment_list``): how each narrowing's value is bound.
_LIST_PARAMETERS = {"states": dict(expanding=True)}
_SHAPE_ONLY = frozenset({"overdue", "top_level"})


@functools.lru_cache(maxsize=1024)
def _list_statements(scope, shape, sort):
    """The page and count statements of every list of one shape: the scope's rule, which filters narrow it
    (``shape``: names, with the value of those in ``_SHAPE_ONLY``) and the order.  Every value, the page's
    limit and offset included, is a bound parameter, so that the statement is built, and its cache key
    computed, once per shape rather than on every request."""
    narrowing = {name: value if name in _SHAPE_ONLY else sa.bindparam(name, **_LIST_PARAMETERS.get(name, {}))
                 for name, value in shape}
    own_ids = sa.bindparam("own_ids", expanding=True) if scope == "own" else None

    return _page_and_count(lambda order: _assignment_select(
        None, today=sa.bindparam("today", type_=sa.Date), sort=order, narrowing=narrowing, scope=scope,
        own_ids=own_ids), sort)


def _page_and_count(select, sort):
    """The page's statement (``ASSIGNMENT_LIST_FIELDS``, limited by ``page_limit`` and ``page_offset``) and the
    count's, from ``select(order)``.  One statement serves both unless the sort joins a table the count
    does not need."""
    stmt = select(sort)
    page = (stmt.with_only_columns(*_LIST_COLUMNS, maintain_column_froms=True)
            .limit(sa.bindparam("page_limit")).offset(sa.bindparam("page_offset")))
    counted = select(None) if (sort or "").lstrip("-") in _SORTS_WITH_JOINS else stmt
    return page, counted.with_only_columns(_COUNT, maintain_column_froms=True).order_by(None)


def assignment_list(user, *, today, sort="due_on", **filters):
    """The API's work list: (the page's statement, selecting ``ASSIGNMENT_LIST_FIELDS``; the statement that
    counts the list; their parameters, without the page's ``page_limit`` and ``page_offset``).

    Columns rather than ORM objects: building fifty objects (and reading them back attribute by attribute)
    cost more Python than the rest of the request.  A search ("q") is built for its text; every other list
    reuses the statements of its shape (``_list_statements``).
    """
    narrowing = _narrowing(**filters)
    scope = permissions.assignment_scope(user)
    if "q" in narrowing:
        page, count = _page_and_count(lambda order: _assignment_select(
            user, today=today, sort=order, narrowing=narrowing), sort)
        return page, count, {}
    shape = tuple(sorted((name, value if name in _SHAPE_ONLY else None) for name, value in narrowing.items()))
    page, count = _list_statements(scope, shape, sort or "due_on")
    params = {name: value for name, value in narrowing.items() if name not in _SHAPE_ONLY}
    params["today"] = today
    if scope == "own":
        params["own_ids"] = permissions.own_organization_id_list(user)
    return page, count, params


def assignment_page(user, *, today, page=1, per_page=25, sort="due_on", **filters):
    """One page of the API's work list (rows of ``ASSIGNMENT_LIST_FIELDS``) and its total, as ``paginate``."""
    page_stmt, count_stmt, params = assignment_list(user, today=today, sort=sort, **filters)
    page, per_page, offset = bounds(page, per_page)
    # Straight to the session's connection, past the ORM's handling of results (and its autoflush: reads only).
    execute = db.session.connection().execute
    items = execute(page_stmt, {**params, "page_limit": per_page, "page_offset": offset}).all()
    total = _known_total(items, page, per_page, offset)
    if total is None:
        total = execute(count_stmt, params).scalar()
    return Page(items, total, page, per_page)


def _open_work_selects(user, today, days_ahead):
    """(overdue, due within ``days_ahead`` days): open work, most urgent first (the earliest due date)."""
    base = assignments(user, today=today, state=OPEN_STATES)
    return (base.where(Assignment.due_on < today),
            base.where(Assignment.due_on >= today, Assignment.due_on <= today + timedelta(days=days_ahead)))


@dataclass
class OpenWork:
    overdue: Page   # the first items of each list and its total
    due_soon: Page


def open_work_heads(user, *, today, days_ahead=7, limit=20):
    """The dashboard's lists, each cut to its ``limit`` most urgent items, with their totals.

    A whole country's overdue work runs to hundreds of rows, and the live feed renders the page again on
    every event: the page shows the head of each list and links to the whole of it.
    """
    overdue, soon = _open_work_selects(user, today, days_ahead)
    return OpenWork(paginate(overdue, 1, limit), paginate(soon, 1, limit))


def due_soon_page(user, *, today, days_ahead=7, page=1, per_page=25):
    """One page of the open work due within ``days_ahead`` days (the dashboard's "See all")."""
    return paginate(_open_work_selects(user, today, days_ahead)[1], page, per_page, clamp=True)


def state_counts(user, *, today):
    """Counts of visible assignments by state, plus the derived overdue count."""
    stmt = assignments(user, today=today).order_by(None)
    sub = stmt.with_only_columns(Assignment.state, Assignment.due_on).subquery()
    rows = db.session.execute(sa.select(sub.c.state, sa.func.count()).group_by(sub.c.state)).all()
    counts = {s: 0 for s in STATES}
    counts.update(dict(rows))
    counts["overdue"] = db.session.scalar(
        sa.select(sa.func.count()).select_from(sub).where(sub.c.due_on < today, sub.c.state.in_(OPEN_STATES)))
    return counts


def acts(user, *, state=None, q=None):
    stmt = permissions.scope_acts(user, sa.select(Act), Act)
    if state:
        stmt = stmt.where(Act.state == state)
    if q:
        stmt = stmt.where(text.contains(Act.title, q))
    return stmt.order_by(Act.state != "active", Act.signed_on.desc().nulls_last(), Act.id.desc())


def task_tree(act):
    """The act's tasks in number order (1.2 before 1.10), each with its depth for indentation."""
    return db.session.scalars(sa.select(Task).where(Task.act_id == act.id).order_by(Task.sort_key)).all()


TREE_PAGE = 50  # measures on a page of an act's tree


def tree_page(tree, is_section, page=1, per_page=TREE_PAGE):
    """A page of a task tree in number order: its measures (the tasks that are not sections) ``per_page`` at a
    time, each after the sections above it.  The Page's total counts measures.  A national plan has hundreds of
    measures and thousands of bodies' lines: a page of them is what a reader takes in."""
    measures = [t for t in tree if not is_section(t)]
    page, per_page, _ = bounds(page, per_page)
    page = min(page, last_page(len(measures), per_page))  # past the end: the last page
    offset = (page - 1) * per_page
    shown = measures[offset:offset + per_page]
    ids, numbers = {t.id for t in shown}, [t.number for t in shown]
    items = [t for t in tree
             if t.id in ids or (is_section(t) and any(n.startswith(t.number + ".") for n in numbers))]
    return Page(items, len(measures), page, per_page)


def assignments_by_task(user, act, task_ids=None):
    """{task_id: [assignment, ...]} of the top-level assignments ``user`` may see in this act (of these tasks
    only, when given)."""
    stmt = (sa.select(Assignment).join(Task, Assignment.task_id == Task.id)
            .where(Task.act_id == act.id, Assignment.parent_id.is_(None)))
    if task_ids is not None:
        stmt = stmt.where(Assignment.task_id.in_(task_ids))
    stmt = permissions.scope_assignments(user, stmt).order_by(Assignment.role, Assignment.id)
    grouped = {}
    for a in db.session.scalars(stmt).unique():
        grouped.setdefault(a.task_id, []).append(a)
    return grouped


def organizations(*, q=None, kind=None, active=None):
    stmt = sa.select(Organization)
    if kind:
        stmt = stmt.where(Organization.kind == kind)
    if active is not None:
        stmt = stmt.where(Organization.active.is_(active))
    if q:
        stmt = stmt.where(sa.or_(text.contains(Organization.name, q), text.contains(Organization.short_name, q)))
    return stmt.order_by(Organization.path)


def users(*, q=None, organization_id=None, role=None, active=None, by_email=True):
    """The directory of people (readable by every signed-in user), by organization then name.

    ``q``: part of a name or an organization's short name, and of an email when ``by_email`` (only for those
    who may see people's email addresses: a search would tell them anyway).
    """
    stmt = sa.select(User).join(Organization, User.organization_id == Organization.id)
    if organization_id:
        stmt = stmt.where(User.organization_id == organization_id)
    if role:
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == role)))
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    if q:
        columns = (User.name, User.email, Organization.short_name) if by_email else (User.name, Organization.short_name)
        stmt = stmt.where(sa.or_(*(text.contains(column, q) for column in columns)))
    return stmt.order_by(Organization.short_name, text.az_order(User.name), User.id)


def executive_bodies():
    return db.session.scalars(sa.select(Organization).where(Organization.kind != "control",
                                                            Organization.active.is_(True))
                              .order_by(Organization.short_name)).all()
