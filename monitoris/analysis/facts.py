"""The analysis's items, written on every change of what they are made from.

Summing 400,000 report versions for every page view of the analysis is slow at national scale; the
items (``AnalysisItem``: one per organization's assignment, one per reporting period of a recurring
one) carry their report and extension totals, so the analysis sums one narrow table instead.

``source`` is the only definition of an item's stored columns: the SQL that computes them from
assignments, reports and extension requests.  ``refresh`` rewrites the items of some assignments
from it, and runs by itself after every ORM flush that changes an assignment, a report or an
extension request (``_after_flush``), in the same transaction; writers that go around the ORM
(the plan import's bulk insert, the benchmark's generator) call ``refresh`` or ``rebuild``
themselves.  ``flask analysis check`` compares the stored items with ``source``.
"""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from monitoris.models import AnalysisItem, Assignment, ExtensionRequest, Report, Task

FINAL = ""  # the period of an assignment's own (final) item
_COLUMNS = ("assignment_id", "period", "organization_id", "task_id", "act_id", "due_on", "baseline_on", "accepted",
            "accepted_on", "submitted_at", "reviews", "returns", "extension_requests", "extensions_granted",
            "days_added")
# The attributes whose change changes an item; any other change (a note, a version) leaves them be.
_WATCHED = {
    Assignment: ("state", "due_on", "original_due_on", "submitted_at", "parent_id", "organization_id", "task_id"),
    Report: ("state", "period", "period_due_on", "final", "submitted_on", "assignment_id"),
    ExtensionRequest: ("decision", "days_requested", "assignment_id"),
}


def _counted(ids):
    """The assignments that count: an organization's own (not delegated), not cancelled."""
    where = [Assignment.parent_id.is_(None), Assignment.state != "cancelled"]
    return where + ([Assignment.id.in_(ids)] if ids is not None else [])


def _report_totals(final, ids):
    keys = [Report.assignment_id] + ([] if final else [Report.period])
    return (
        sa.select(
            *keys,
            sa.func.max(Report.period_due_on).label("period_due_on"),
            sa.func.count().filter(Report.state.in_(("accepted", "returned"))).label("reviews"),
            sa.func.count().filter(Report.state == "returned").label("returns"),
            sa.func.count().filter(Report.state == "accepted").label("accepted"),
            sa.func.max(Report.submitted_on).filter(Report.state == "accepted").label("accepted_on"),
        )
        .join(Assignment, Assignment.id == Report.assignment_id)
        .where(Report.final.is_(final), *_counted(ids))
        .group_by(*keys)
        .subquery("final_reports" if final else "period_reports")
    )


def source(ids=None):
    """SELECT the items of the assignments ``ids`` (None: of every assignment), columns as ``_COLUMNS``."""
    reports, periods = _report_totals(True, ids), _report_totals(False, ids)
    extensions = (
        sa.select(
            ExtensionRequest.assignment_id,
            sa.func.count().label("requests"),
            sa.func.count().filter(ExtensionRequest.decision == "approved").label("granted"),
            sa.func.sum(ExtensionRequest.days_requested).filter(ExtensionRequest.decision == "approved")
            .label("days_added"),
        )
        .where(*([ExtensionRequest.assignment_id.in_(ids)] if ids is not None else []))
        .group_by(ExtensionRequest.assignment_id)
        .subquery("extensions")
    )
    zero = sa.literal(0)
    assignments = (
        sa.select(
            Assignment.id, sa.literal(FINAL), Assignment.organization_id, Assignment.task_id, Task.act_id,
            Assignment.due_on,
            Assignment.original_due_on, Assignment.state == "accepted", reports.c.accepted_on,
            Assignment.submitted_at, sa.func.coalesce(reports.c.reviews, 0), sa.func.coalesce(reports.c.returns, 0),
            sa.func.coalesce(extensions.c.requests, 0), sa.func.coalesce(extensions.c.granted, 0),
            sa.func.coalesce(extensions.c.days_added, 0),
        )
        .join(Task, Task.id == Assignment.task_id)
        .outerjoin(reports, reports.c.assignment_id == Assignment.id)
        .outerjoin(extensions, extensions.c.assignment_id == Assignment.id)
        .where(*_counted(ids))
    )
    period_items = (
        sa.select(
            periods.c.assignment_id, periods.c.period, Assignment.organization_id, Assignment.task_id, Task.act_id,
            periods.c.period_due_on, periods.c.period_due_on, periods.c.accepted > 0, periods.c.accepted_on,
            sa.null(), periods.c.reviews, periods.c.returns, zero, zero, zero,
        )
        .join(Assignment, Assignment.id == periods.c.assignment_id)
        .join(Task, Task.id == Assignment.task_id)
    )
    return sa.union_all(assignments, period_items)


def refresh(connection, ids):
    """Rewrite the items of the assignments ``ids`` from ``source``, in the caller's transaction."""
    ids = sorted(set(ids))
    if not ids:
        return
    table = AnalysisItem.__table__
    for start in range(0, len(ids), 1000):  # the ids are bound four times: well within every driver's limit
        chunk = ids[start:start + 1000]
        if connection.dialect.name == "postgresql":
            # Two transactions rewriting the same assignment's items queue here, so the second one
            # deletes what the first wrote (READ COMMITTED: its DELETE sees it) instead of colliding.
            connection.execute(sa.select(Assignment.id).where(Assignment.id.in_(chunk))
                               .order_by(Assignment.id).with_for_update())
        connection.execute(table.delete().where(table.c.assignment_id.in_(chunk)))
        connection.execute(table.insert().from_select(_COLUMNS, source(chunk)))


def rebuild(connection):
    """Rewrite every item (after a bulk load around the ORM); returns how many there are."""
    table = AnalysisItem.__table__
    connection.execute(table.delete())
    connection.execute(table.insert().from_select(_COLUMNS, source()))
    return connection.scalar(sa.select(sa.func.count()).select_from(table))


def differences(connection, limit=20):
    """Items stored but not computed by ``source`` now, and the other way round (empty: all is well)."""
    table = AnalysisItem.__table__
    stored = sa.select(*[table.c[c] for c in _COLUMNS])
    computed = sa.select(*source().subquery().c)
    missing = [("computed, not stored", tuple(r)) for r in
               connection.execute(sa.except_(computed, stored).limit(limit))]
    extra = [("stored, not computed", tuple(r)) for r in connection.execute(sa.except_(stored, computed).limit(limit))]
    return missing + extra


def _touched(session):
    """The assignments whose items this flush may change."""
    ids, dirty = set(), session.dirty  # session.dirty is computed anew on every access
    for obj in (*session.new, *session.deleted, *dirty):
        watched = _WATCHED.get(type(obj))
        if watched is None:
            continue
        state = sa.inspect(obj)
        if obj in dirty and not any(state.attrs[name].history.has_changes() for name in watched):
            continue
        key = obj.id if isinstance(obj, Assignment) else obj.assignment_id
        if key is not None:
            ids.add(key)
        if isinstance(obj, (Report, ExtensionRequest)):  # moved to another assignment: the old one too
            ids.update(i for i in state.attrs.assignment_id.history.deleted if i is not None)
    return ids


@sa.event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context):
    ids = _touched(session)
    if ids:
        refresh(session.connection(), ids)
