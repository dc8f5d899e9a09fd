"""Execution reports: drafting, submitting and reviewing one period's report, version by version.

Submitting and reviewing move the assignment through ``assignments.transition`` (the one
function of the workflow), in the same transaction as the report's own change and event.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from monitoris import clock, periods, permissions
from monitoris.errors import Conflict, Forbidden, IllegalTransition, ValidationError
from monitoris.extensions import db
from monitoris.models import CLOSED_STATES, OPEN_STATES, Document, Report
from monitoris.periods import Period
from monitoris.services import assignments, audit
from monitoris.services.wording import ASSIGNMENT_STATES, REPORT_STATES, word

EDIT_FIELDS = ("text", "progress")


def _record(actor, action, report, before=None, after=None):
    return audit.record(actor, action, "report", report.id, organization_id=report.assignment.organization_id,
                        act_id=report.assignment.act_id, before=before, after=after)


def latest_by_period(assignment):
    """{period: the newest version of its report}."""
    rows = db.session.scalars(sa.select(Report).where(Report.assignment_id == assignment.id)
                              .order_by(Report.period, Report.version)).all()
    return {r.period: r for r in rows}


def _reopened(assignment, period, report):
    """The final period's report was accepted, yet the assignment is open: the controller reopened it.

    Accepting the final period is what accepts the assignment, so reopening the assignment reopens
    that period (and only that one: an earlier period's acceptance of a recurring task stands).  The
    body writes it again as a new version, as after a return; the accepted version stays readable.
    """
    return period.final and report.state == "accepted" and assignment.state in OPEN_STATES


def open_period(assignment, latest=None):
    """The first period the body owes (``periods.owed``) whose report is not accepted yet, or reopened (the one
    to report on now), or None.  ``latest``: ``latest_by_period(assignment)``, when the caller has it."""
    latest = latest_by_period(assignment) if latest is None else latest
    started = periods.assigned_on(assignment)
    for p in periods.of(assignment):
        report = latest.get(p.label)
        if periods.owed(p, started) and (report is None or report.state != "accepted"
                                         or _reopened(assignment, p, report)):
            return p
    return None


def open_periods(assignments, today):
    """{assignment id: the ``PeriodState`` of its ``open_period``} of the recurring ones among ``assignments``,
    with one query."""
    recurring = {a.id: a for a in assignments if a.task.recurrence != "none"}
    if not recurring:
        return {}
    latest = {assignment_id: {} for assignment_id in recurring}
    for (assignment_id, period), report in _newest(
            db.session.scalars(sa.select(Report).where(Report.assignment_id.in_(recurring)))).items():
        latest[assignment_id][period] = report
    out = {}
    for assignment_id, assignment in recurring.items():
        period = open_period(assignment, latest[assignment_id])
        if period is not None:
            out[assignment_id] = _state(assignment, period, latest[assignment_id].get(period.label), today)
    return out


@dataclass(frozen=True)
class PeriodState:
    period: Period
    report: Report | None  # the newest version of the period's report
    overdue: bool  # past its due date, the work open, its report not accepted, and owed (``periods.owed``)


def _newest(reports):
    """{(assignment id, period): the newest version of its report} of ``reports``, in any order."""
    newest = {}
    for report in reports:
        key = (report.assignment_id, report.period)
        if key not in newest or report.version > newest[key].version:
            newest[key] = report
    return newest


def _state(assignment, period, report, today):
    accepted = report is not None and report.state == "accepted" and not _reopened(assignment, period, report)
    overdue = (assignment.state in OPEN_STATES and period.due_on < today and not accepted
               and periods.owed(period, periods.assigned_on(assignment)))
    return PeriodState(period, report, overdue)


def period_states(assignment, today, reports=None):
    """Each reporting period of ``assignment`` with its newest report and whether it is overdue: as the work is
    (past due and not finished), a period is overdue once its due date has passed without an accepted report,
    unless it ended before the work was assigned.  ``reports``: the assignment's reports, when the caller has
    them already.  Empty for a delegated piece of work, which writes no reports (its organization's one report
    covers it)."""
    if assignment.parent_id is not None:
        return []
    newest = _newest(latest_by_period(assignment).values() if reports is None else reports)
    return [_state(assignment, period, newest.get((assignment.id, period.label)), today)
            for period in periods.of(assignment)]


def versions(report):
    """Every version of this report's period, oldest first."""
    return db.session.scalars(sa.select(Report).where(Report.assignment_id == report.assignment_id,
                                                      Report.period == report.period)
                              .order_by(Report.version)).all()


def _check_fields(text, progress, errors):
    if progress is not None and not 0 <= progress <= 100:
        errors["progress"] = [_("Progress is a whole number from 0 to 100.")]
    if text is not None and len(text) > 100_000:
        errors["text"] = [_("The text is too long.")]


def create(actor, assignment, *, period=None, text=None, progress=None):
    """Start the report of a period, or the next version of a returned or reopened one (its documents come along)."""
    if not permissions.can_write_report(actor, assignment):
        raise Forbidden(_("Only the people of the executive body write its reports while the work is open."))
    plan = {p.label: p for p in periods.of(assignment)}
    if period is None:
        chosen = open_period(assignment)
        if chosen is None:
            raise Conflict(_("Every period of this assignment has an accepted report."))
    elif period not in plan:
        raise ValidationError(_("The report could not be started."),
                              errors={"period": [_("Choose one of: %(choices)s.", choices=", ".join(plan))]})
    else:
        chosen = plan[period]
    errors = {}
    _check_fields(text, progress, errors)
    if errors:
        raise ValidationError(_("The report could not be started."), errors=errors)
    previous = latest_by_period(assignment).get(chosen.label)
    if previous is not None and previous.state != "returned" and not _reopened(assignment, chosen, previous):
        state = word(REPORT_STATES, previous.state)
        if previous.state == "draft":
            raise Conflict(_("The report for %(period)s is %(state)s already; edit the draft.",
                             period=chosen.label, state=state))
        raise Conflict(_("The report for %(period)s is %(state)s already; it cannot be written again.",
                         period=chosen.label, state=state))
    report = Report(
        assignment=assignment, period=chosen.label, period_due_on=chosen.due_on, final=chosen.final,
        version=previous.version + 1 if previous else 1, previous_id=previous.id if previous else None,
        text=text if text is not None else (previous.text if previous else None),
        progress=progress if progress is not None else (previous.progress if previous else assignment.progress),
        state="draft", created_by_id=actor.id)
    db.session.add(report)
    db.session.flush()
    if previous is not None:
        # The revision starts from what the reviewer saw (returned, or accepted and then reopened);
        # the body adds or removes from there.
        for d in previous.documents:
            db.session.add(Document(report_id=report.id, purpose="evidence", filename=d.filename,
                                    media_type=d.media_type, size=d.size, sha256=d.sha256,
                                    uploaded_by_id=d.uploaded_by_id, uploaded_at=d.uploaded_at))
        db.session.flush()
    _record(actor, "report.created", report, after={
        "assignment_id": assignment.id, "period": report.period, "version": report.version,
        "previous_id": report.previous_id})
    return report


def frozen(actor, report):
    """Why the body's own people can no longer change ``report`` (its text, progress or documents), or None: it is
    not a draft any more, or its work was accepted or cancelled.  Others are simply not allowed to."""
    if not permissions.works_on(actor, report.assignment):
        return None
    if report.state != "draft":
        return _("A %(state)s report cannot be changed.", state=word(REPORT_STATES, report.state))
    if report.assignment.state in CLOSED_STATES:
        return _("The assignment is %(state)s: its draft report can no longer change.",
                 state=word(ASSIGNMENT_STATES, report.assignment.state))
    return None


def update(actor, report, **fields):
    """Change a draft's text or progress."""
    if not permissions.can_view_report(actor, report):
        raise Forbidden()
    if not permissions.can_edit_report(actor, report):
        reason = frozen(actor, report)
        if reason:
            raise IllegalTransition(reason)
        raise Forbidden(_("Only the people of the executive body edit its draft reports."))
    unknown = set(fields) - set(EDIT_FIELDS)
    if unknown:
        raise Forbidden(_("You may not change: %(fields)s.", fields=", ".join(sorted(unknown))))
    errors = {}
    _check_fields(fields.get("text"), fields.get("progress"), errors)
    if "progress" in fields and fields["progress"] is None:
        errors["progress"] = [_("Progress is a whole number from 0 to 100.")]
    if errors:
        raise ValidationError(_("The report could not be saved."), errors=errors)
    audit.apply_changes(actor, report, fields, EDIT_FIELDS, "report.updated", "report",
                        organization_id=report.assignment.organization_id, act_id=report.assignment.act_id)
    return report


def submit(actor, report):
    """Send the draft to the control body: the report and its documents are frozen, the assignment submitted."""
    if not permissions.can_view_report(actor, report):
        raise Forbidden()
    assignment = report.assignment
    if report.state != "draft":
        raise IllegalTransition(_("This report is %(state)s already.", state=word(REPORT_STATES, report.state)))
    if not permissions.can_submit_report(actor, report):
        raise Forbidden(_("Only the people of the executive body submit its reports while the work is open."))
    if not (report.text or "").strip():
        raise ValidationError(_("The report is empty."),
                              errors={"text": [_("Write the information on completed works before submitting.")]})
    if assignment.state == "assigned":
        assignments.transition(actor, assignment, "start")
    if report.progress != assignment.progress and not assignment.sub_assignments:
        assignments.update(actor, assignment, progress=report.progress)
    report.state = "submitted"
    report.submitted_at = clock.now()
    report.submitted_on = clock.today()
    report.submitted_by_id = actor.id
    db.session.flush()
    _record(actor, "report.submitted", report, before={"state": "draft"}, after={
        "state": "submitted", "period": report.period, "version": report.version,
        "documents": len(report.documents)})
    assignments.transition(actor, assignment, "submit", report=report)
    return report


def review(actor, report, decision, comment=None, checked=()):
    """Accept (ticking the evidence requirements) or return with a comment.

    Accepting the final period's report removes the task from control (the assignment is
    accepted); an earlier period's acceptance lets the work go on.
    """
    if not permissions.can_view_report(actor, report):
        raise Forbidden()
    if decision not in ("accept", "return"):
        raise ValidationError(_("Choose accept or return."), errors={"decision": [_("Choose accept or return.")]})
    if report.state != "submitted":
        raise IllegalTransition(_("Only a submitted report can be reviewed; this one is %(state)s.",
                                  state=word(REPORT_STATES, report.state)))
    if not permissions.can_review_report(actor, report):
        raise Forbidden(_("Only the control body reviews reports."))
    comment = (comment or "").strip() or None
    requirements = {r.id for r in report.assignment.task.evidence_requirements}
    checked = sorted({int(c) for c in checked or ()})
    errors = {}
    if decision == "return" and not comment:
        errors["comment"] = [_("Say what must be revised: a comment is required to return a report.")]
    if set(checked) - requirements:
        errors["checked"] = [_("Tick only this task's evidence requirements.")]
    elif decision == "accept" and report.final and set(checked) != requirements:
        errors["checked"] = [
            _("Tick every evidence requirement to remove the task from control, or return the report.")]
    if errors:
        raise ValidationError(_("The review could not be saved."), errors=errors)
    report.state = "accepted" if decision == "accept" else "returned"
    report.reviewed_at = clock.now()
    report.reviewed_by_id = actor.id
    report.reviewer_comment = comment
    report.checked_requirement_ids = checked
    db.session.flush()
    after = {"state": report.state, "checked": checked, "period": report.period, "version": report.version}
    if comment:
        after["comment"] = comment
    _record(actor, f"report.{report.state}", report, before={"state": "submitted"}, after=after)
    action = "return" if decision == "return" else ("accept" if report.final else "accept_period")
    assignments.transition(actor, report.assignment, action, comment, report=report)
    return report
