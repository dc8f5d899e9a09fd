"""Extension requests: the body asks for a later due date with a reason; the control body decides.

An approval moves the assignment's effective ``due_on`` (an event of its own on the assignment);
``original_due_on`` never moves, and every request stays for the analysis.
"""

import sqlalchemy as sa
from flask_babel import gettext as _

from monitoris import clock, periods, permissions
from monitoris.errors import Conflict, Forbidden, IllegalTransition, ValidationError
from monitoris.extensions import db
from monitoris.models import CLOSED_STATES, ExtensionRequest
from monitoris.notifications import messages
from monitoris.services import audit
from monitoris.services.wording import ASSIGNMENT_STATES, EXTENSION_DECISIONS, word


def _record(actor, action, extension_request, before=None, after=None):
    return audit.record(actor, action, "extension_request", extension_request.id,
                        organization_id=extension_request.assignment.organization_id,
                        act_id=extension_request.assignment.act_id, before=before, after=after)


def pending_for(assignment):
    return db.session.scalar(sa.select(ExtensionRequest).where(ExtensionRequest.assignment_id == assignment.id,
                                                               ExtensionRequest.decision == "pending"))


def request(actor, assignment, *, proposed_due_on, reason):
    if not permissions.can_request_extension(actor, assignment):
        raise Forbidden(_("Only the people of the executive body ask for extensions of its open work."))
    reason = (reason or "").strip()
    errors = {}
    if proposed_due_on is None:
        errors["proposed_due_on"] = [_("Give the new due date you ask for.")]
    elif proposed_due_on <= assignment.due_on:
        errors["proposed_due_on"] = [_("Ask for a date after the current due date (%(date)s).",
                                       date=assignment.due_on.isoformat())]
    if not reason:
        errors["reason"] = [_("Say why the work needs more time.")]
    if errors:
        raise ValidationError(_("The extension could not be requested."), errors=errors)
    if pending_for(assignment) is not None:
        raise Conflict(_("An extension request for this assignment is waiting for a decision already."))
    extension_request = ExtensionRequest(assignment=assignment, previous_due_on=assignment.due_on,
                                         proposed_due_on=proposed_due_on, reason=reason, decision="pending",
                                         days_requested=(proposed_due_on - assignment.due_on).days,
                                         requested_by_id=actor.id, requested_at=clock.now())
    db.session.add(extension_request)
    db.session.flush()
    event = _record(actor, "extension.requested", extension_request, after={
        "assignment_id": assignment.id, "due_on": assignment.due_on.isoformat(),
        "proposed_due_on": proposed_due_on.isoformat(), "comment": reason})
    messages.extension_requested(extension_request, event)
    return extension_request


def closed_work(assignment):
    return _("The assignment is %(state)s: its due date no longer moves.",
             state=word(ASSIGNMENT_STATES, assignment.state))


def decide(actor, extension_request, decision, comment=None):
    """Approve (the due date moves) or reject (with a comment)."""
    assignment = extension_request.assignment
    if not permissions.can_view_assignment(actor, assignment):
        raise Forbidden()
    if decision not in ("approved", "rejected"):
        raise ValidationError(_("Choose approve or reject."), errors={"decision": [_("Choose approved or rejected.")]})
    if extension_request.decision != "pending":
        raise IllegalTransition(_("This request was %(decision)s already.",
                                  decision=word(EXTENSION_DECISIONS, extension_request.decision)))
    if not permissions.decides_extensions(actor, assignment):
        raise Forbidden(_("Only the control body decides extension requests."))
    if assignment.state in CLOSED_STATES:
        # Approving now would move the due date of finished work, and turn a late acceptance into a timely one.
        raise IllegalTransition(closed_work(assignment))
    comment = (comment or "").strip() or None
    if decision == "rejected" and not comment:
        raise ValidationError(_("Say why."), errors={"comment": [_("A comment is required to reject a request.")]})
    extension_request.decision = decision
    extension_request.decided_at = clock.now()
    extension_request.decided_by_id = actor.id
    extension_request.decision_comment = comment
    db.session.flush()
    after = {"decision": decision}
    if comment:
        after["comment"] = comment
    event = _record(actor, f"extension.{decision}", extension_request, before={"decision": "pending"}, after=after)
    if decision == "approved":
        before = assignment.due_on
        assignment.due_on = extension_request.proposed_due_on
        periods.follow_due_date(assignment)
        db.session.flush()
        audit.record(actor, "assignment.due_extended", "assignment", assignment.id,
                     organization_id=assignment.organization_id, act_id=assignment.act_id,
                     before={"due_on": before.isoformat()},
                     after={"due_on": assignment.due_on.isoformat(), "extension_request_id": extension_request.id})
    messages.extension_decided(extension_request, event)
    return extension_request
