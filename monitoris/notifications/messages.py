"""Messages that follow a change at once, queued in the change's own transaction."""

from monitoris.extensions import db
from monitoris.models import User
from monitoris.notifications import outbox
from monitoris.notifications.reminders import payload_for


def assignment_created(assignment, event):
    """A new task for a body: its responsible person, else its heads, hear of it."""
    outbox.queue(outbox.people_responsible(assignment), kind="assignment", template="assignment_new",
                 key=f"assignment:{assignment.id}:event:{event.id}", payload=payload_for(assignment))


def assignment_transitioned(assignment, action, event, comment=None):
    """Submit tells the reviewer; return and accept tell the body."""
    payload = payload_for(assignment) | {"action": action, "comment": comment}
    key = f"assignment:{assignment.id}:event:{event.id}"
    if action == "submit":
        if assignment.parent is not None:
            reviewers = outbox.heads_of(assignment.parent.organization_id)
        else:
            controller = db.session.get(User, assignment.task.controller_id) if assignment.task.controller_id else None
            reviewers = [controller] if controller is not None else []
        outbox.queue(reviewers, kind="review", template="assignment_submitted", key=key, payload=payload)
    elif action in ("return", "accept"):
        outbox.queue(outbox.people_responsible(assignment), kind="review", template=f"assignment_{action}ed",
                     key=key, payload=payload)
