"""Read-side queries of reports, instructions and extension requests: per assignment, "My work",
the review queue and the assignment's whole timeline — each scoped by permissions in SQL."""

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from monitoris import permissions
from monitoris.extensions import db
from monitoris.models import (
    AWAITING_ANSWER,
    OPEN_STATES,
    Assignment,
    Document,
    Event,
    ExtensionRequest,
    Instruction,
    Report,
)


def reports_of(assignment):
    """Every report of an assignment, by period then version."""
    return db.session.scalars(sa.select(Report).where(Report.assignment_id == assignment.id)
                              .order_by(Report.period_due_on, Report.period, Report.version)).all()


def _instructions_on(assignment_ids, task_ids_orgs):
    conditions = [Instruction.assignment_id.in_(assignment_ids)]
    for task_id, org_id in task_ids_orgs:
        conditions.append(sa.and_(Instruction.assignment_id.is_(None), Instruction.task_id == task_id,
                                  Instruction.organization_id == org_id))
    return sa.or_(*conditions)


def instructions_of(user, assignment):
    """Instructions on this assignment, and those to its whole organization about its task."""
    stmt = sa.select(Instruction).where(_instructions_on(
        [assignment.id], [(assignment.task_id, assignment.organization_id)]))
    return db.session.scalars(permissions.scope_instructions(user, stmt).order_by(Instruction.issued_at,
                                                                                   Instruction.id)).all()


def extension_requests_of(assignment):
    return db.session.scalars(sa.select(ExtensionRequest).where(ExtensionRequest.assignment_id == assignment.id)
                              .order_by(ExtensionRequest.requested_at, ExtensionRequest.id)).all()


def timeline(user, assignment):
    """Every event of the assignment, its sub-assignments, reports, documents, instructions and extension
    requests that ``user`` may see, in the order they happened."""
    ids = [assignment.id] + [s.id for s in assignment.sub_assignments]
    report_ids = sa.select(Report.id).where(Report.assignment_id.in_(ids))
    instruction_ids = sa.select(Instruction.id).where(_instructions_on(
        ids, [(assignment.task_id, assignment.organization_id)]))
    document_ids = sa.select(Document.id).where(sa.or_(Document.report_id.in_(report_ids),
                                                       Document.instruction_id.in_(instruction_ids)))
    extension_ids = sa.select(ExtensionRequest.id).where(ExtensionRequest.assignment_id.in_(ids))
    stmt = sa.select(Event).where(sa.or_(
        sa.and_(Event.object_type == "assignment", Event.object_id.in_(ids)),
        sa.and_(Event.object_type == "report", Event.object_id.in_(report_ids)),
        sa.and_(Event.object_type == "instruction", Event.object_id.in_(instruction_ids)),
        sa.and_(Event.object_type == "document", Event.object_id.in_(document_ids)),
        sa.and_(Event.object_type == "extension_request", Event.object_id.in_(extension_ids)),
    ))
    return db.session.scalars(permissions.scope_events(user, stmt).order_by(Event.at, Event.id)).all()


def _latest_returned():
    """Returned reports not yet revised (no newer version points at them)."""
    newer = aliased(Report)
    return sa.and_(Report.state == "returned",
                   ~sa.exists().where(newer.previous_id == Report.id))


def my_work(user):
    """What an executive body has to do, section by section (statements, so that a page reads only its own
    rows): reports to write, drafts, returned reports, open instructions, pending extension requests.  Of open
    work only: a draft or a returned report of work accepted or cancelled since waits for nothing."""
    visible = _open_work_ids(user)
    busy = sa.select(Report.assignment_id).where(
        sa.or_(Report.state.in_(("draft", "submitted")), _latest_returned()))
    return {
        # Open assignments whose current period has no report in progress.
        "to_report": permissions.scope_assignments(user, sa.select(Assignment))
        .where(Assignment.parent_id.is_(None), Assignment.state.in_(("assigned", "in_progress")),
               Assignment.id.not_in(busy))
        .order_by(Assignment.due_on, Assignment.id),
        "returned": sa.select(Report).where(Report.assignment_id.in_(visible), _latest_returned())
        .order_by(Report.reviewed_at, Report.id),
        "drafts": sa.select(Report).where(Report.assignment_id.in_(visible), Report.state == "draft")
        .order_by(Report.period_due_on, Report.id),
        "instructions": permissions.scope_instructions(
            user, sa.select(Instruction).where(Instruction.state.in_(AWAITING_ANSWER), ~Instruction.on_closed_work()))
        .order_by(Instruction.response_due_on.is_(None), Instruction.response_due_on, Instruction.id),
        "extension_requests": _pending_extensions(user),
    }


def review_queue(user):
    """What waits for the control body, section by section (statements): submitted reports oldest first,
    assignments submitted with no report (once there are reports, submitting and reviewing happen on the
    report; delegated sub-assignments are reviewed inside their body, not here), answered instructions and
    pending extension requests."""
    has_report = sa.exists().where(Report.assignment_id == Assignment.id)
    return {
        "reports": permissions.scope_reports(user, sa.select(Report)).where(Report.state == "submitted")
        .order_by(Report.submitted_at, Report.id),
        "assignments": permissions.scope_assignments(user, sa.select(Assignment))
        .where(Assignment.state == "submitted", Assignment.parent_id.is_(None), ~has_report)
        .order_by(Assignment.submitted_at, Assignment.id),
        "instructions": permissions.scope_instructions(
            user, sa.select(Instruction).where(Instruction.state == "answered"))
        .order_by(Instruction.answered_at, Instruction.id),
        "extension_requests": _pending_extensions(user),
    }


def _open_work_ids(user):
    """The ids of the open assignments ``user`` may see: what a body's drafts, returned reports and pending
    requests still belong to."""
    return permissions.scope_assignments(user, sa.select(Assignment.id)).where(Assignment.state.in_(OPEN_STATES))


def _pending_extensions(user):
    """Requests waiting for a decision on open work (finished work's due date no longer moves)."""
    return (sa.select(ExtensionRequest).where(ExtensionRequest.assignment_id.in_(_open_work_ids(user)),
                                              ExtensionRequest.decision == "pending")
            .order_by(ExtensionRequest.requested_at, ExtensionRequest.id))


def documents_of_report(report):
    return db.session.scalars(sa.select(Document).where(Document.report_id == report.id)
                              .order_by(Document.id)).all()
