"""Messages that follow a change at once, queued in the change's own transaction.

A body hears nothing of a draft act's work, as it sees nothing of it: what it was given meanwhile it hears of
when the act comes out of draft (``act_published``)."""

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import OPEN_STATES, Assignment, Instruction, Report, User
from monitoris.notifications import outbox
from monitoris.notifications.reminders import payload_for


def _draft(assignment):
    return assignment.task.act.state == "draft"


def new_assignment_key(assignment_id):
    """One "new assignment" message per assignment, whenever it is sent: at once, when its act comes into force,
    or when the act comes into force again after a spell as a draft (which must not announce it twice)."""
    return f"assignment:{assignment_id}:new"


def assignment_created(assignment, event):
    """A new task for a body: its responsible person, else its heads, hear of it."""
    if _draft(assignment):
        return
    outbox.queue(outbox.people_responsible(assignment), kind="assignment", template="assignment_new",
                 key=new_assignment_key(assignment.id), payload=payload_for(assignment))


def act_published(act, event):
    """The act is out of draft: each body hears of the open work it was given meanwhile, and of the instructions
    on that work still waiting for it; once each, however often the act goes back to draft and out again."""
    given = db.session.scalars(sa.select(Assignment).where(Assignment.act_id == act.id,
                                                           Assignment.parent_id.is_(None),
                                                           Assignment.state.in_(OPEN_STATES))
                               .order_by(Assignment.id)).all()
    if not given:
        return
    for assignment in given:
        assignment_created(assignment, event)
    by_body = {(a.task_id, a.organization_id): a for a in given}
    waiting = db.session.scalars(sa.select(Instruction).where(
        Instruction.task_id.in_(sorted({a.task_id for a in given})), Instruction.state == "issued")
        .order_by(Instruction.id)).all()
    for instruction in waiting:
        assignment = by_body.get((instruction.task_id, instruction.organization_id))
        if assignment is not None:
            instruction_issued(instruction, assignment, event)


# The body's template for each workflow action decided over its work by its reviewer (the control body; the
# organization's head for delegated work).  "start" is the body's own doing, and "submit" goes the other way.
BODY_HEARS = {
    "return": "assignment_returned",
    "accept": "assignment_accepted",
    "accept_period": "assignment_period_accepted",
    "cancel": "assignment_cancelled",
    "reopen": "assignment_reopened",
}


def assignment_transitioned(assignment, action, event, comment=None):
    """Submit tells the reviewers (the task's controllers; the parent body's heads for delegated work); what the
    reviewer decides (return, accept, a period's acceptance, cancel, reopen) tells the body, with the comment.

    Work that ``services.assignments`` cancels because the assignment it was delegated from closed does not come
    through here: one decision on the parent is one message, to the parent's body."""
    payload = payload_for(assignment) | {"action": action, "comment": comment}
    key = f"assignment:{assignment.id}:event:{event.id}"
    if action == "submit":
        if assignment.parent is not None:
            reviewers = outbox.heads_of(assignment.parent.organization_id)
        else:
            reviewers = outbox.controllers_of(assignment.task)
        outbox.queue(reviewers, kind="review", template="assignment_submitted", key=key, payload=payload)
    elif action in BODY_HEARS and not _draft(assignment):
        # The words differ for delegated work: its decision is the head's, and it is a piece of the body's work.
        payload["delegated"] = assignment.parent is not None
        if action == "accept_period":
            payload["period"] = _period_of(event)
        outbox.queue(outbox.people_responsible(assignment), kind="review", template=BODY_HEARS[action],
                     key=key, payload=payload)


def _period_of(event):
    """The reporting period of the report whose review made ``event`` (``services.assignments`` names it)."""
    report_id = (event.after or {}).get("report_id")
    report = db.session.get(Report, report_id) if report_id else None
    return report.period if report else None


def instruction_issued(instruction, assignment, event):
    """The body's responsible person (else its heads) hears of a new instruction."""
    if _draft(assignment):
        return
    payload = payload_for(assignment) | {"instruction_id": instruction.id, "kind": instruction.kind,
                                         "text": instruction.text, "link": f"/instructions/{instruction.id}",
                                         "response_due_on": instruction.response_due_on.isoformat()
                                         if instruction.response_due_on else None}
    outbox.queue(outbox.people_responsible(assignment), kind="instruction", template="instruction_issued",
                 key=f"instruction:{instruction.id}:issued", payload=payload)


def instruction_answered(instruction, event):
    """Whoever issued the instruction hears of the answer; when they no longer can (gone, deactivated, no longer a
    controller), the task's controllers do."""
    issuer = db.session.get(User, instruction.issued_by_id) if instruction.issued_by_id else None
    readers = [issuer] if outbox.still_controls(issuer) else outbox.controllers_of(instruction.task)
    payload = {"instruction_id": instruction.id, "task_number": instruction.task.number,
               "task_title": instruction.task.title, "organization": instruction.organization.short_name,
               "link": f"/instructions/{instruction.id}"}
    outbox.queue(readers, kind="instruction", template="instruction_answered",
                 key=f"instruction:{instruction.id}:event:{event.id}", payload=payload)


def extension_requested(extension_request, event):
    """The task's controllers, who decide, hear of the request."""
    assignment = extension_request.assignment
    payload = payload_for(assignment) | {"proposed_due_on": extension_request.proposed_due_on.isoformat(),
                                         "reason": extension_request.reason,
                                         "link": f"/extension-requests/{extension_request.id}"}
    outbox.queue(outbox.controllers_of(assignment.task), kind="extension", template="extension_requested",
                 key=f"extension:{extension_request.id}:event:{event.id}", payload=payload)


def extension_decided(extension_request, event):
    """Who asked, and the responsible person, hear the decision."""
    assignment = extension_request.assignment
    people = outbox.people_responsible(assignment)
    requester = db.session.get(User, extension_request.requested_by_id) if extension_request.requested_by_id else None
    if outbox.works_in(requester, assignment.organization.path):
        people = [requester, *people]
    payload = payload_for(assignment) | {"decision": extension_request.decision,
                                         "proposed_due_on": extension_request.proposed_due_on.isoformat(),
                                         "comment": extension_request.decision_comment}
    outbox.queue(people, kind="extension", template="extension_decided",
                 key=f"extension:{extension_request.id}:event:{event.id}", payload=payload)
