"""Assignments: giving a task to an executive body, the workflow, delegation inside a body."""

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from monitoris import clock, periods, permissions
from monitoris.errors import Forbidden, IllegalTransition, ValidationError
from monitoris.extensions import db
from monitoris.models import (
    ASSIGNMENT_ROLES,
    CLOSED_STATES,
    COMMENT_REQUIRED,
    TRANSITIONS,
    Assignment,
    Organization,
    Report,
    Task,
    User,
)
from monitoris.models.assignment import REPORT_ACTIONS
from monitoris.notifications import messages
from monitoris.services import audit, instructions
from monitoris.services.wording import ASSIGNMENT_STATES, word

ACTION_NAMES = {
    "start": "start work on",
    "submit": "submit",
    "accept": "accept",
    "return": "return",
    "cancel": "cancel",
    "reopen": "reopen",
    "accept_period": "accept the period's report of",
}
# The state words of the messages, translated (English: "in progress" for ``in_progress``).
STATE_NAMES = ASSIGNMENT_STATES
EDIT_FIELDS = ("role", "responsible_id", "due_on", "progress", "note")


def _not_allowed(action):
    """"You are not allowed to <action> this assignment." as one translatable sentence per action."""
    sentences = {
        "start": _("You are not allowed to start work on this assignment."),
        "submit": _("You are not allowed to submit this assignment."),
        "accept": _("You are not allowed to accept this assignment."),
        "return": _("You are not allowed to return this assignment."),
        "cancel": _("You are not allowed to cancel this assignment."),
        "reopen": _("You are not allowed to reopen this assignment."),
        "accept_period": _("You are not allowed to accept the period's report of this assignment."),
    }
    return sentences.get(action) or f"You are not allowed to {ACTION_NAMES[action]} this assignment."


def _cannot(action, state):
    """"You cannot <action> an assignment that is <state>." with the state word translated too."""
    state_word = word(STATE_NAMES, state)
    sentences = {
        "start": _("You cannot start work on an assignment that is %(state)s.", state=state_word),
        "submit": _("You cannot submit an assignment that is %(state)s.", state=state_word),
        "accept": _("You cannot accept an assignment that is %(state)s.", state=state_word),
        "return": _("You cannot return an assignment that is %(state)s.", state=state_word),
        "cancel": _("You cannot cancel an assignment that is %(state)s.", state=state_word),
        "reopen": _("You cannot reopen an assignment that is %(state)s.", state=state_word),
        "accept_period": _("You cannot accept the period's report of an assignment that is %(state)s.",
                           state=state_word),
    }
    return sentences.get(action) or f"You cannot {ACTION_NAMES[action]} an assignment that is {state_word}."


def _comment_required(action):
    sentences = {
        "return": _("A comment is required to return."),
        "cancel": _("A comment is required to cancel."),
        "reopen": _("A comment is required to reopen."),
    }
    return sentences.get(action) or f"A comment is required to {ACTION_NAMES[action]}."


def _record(actor, action, assignment, before=None, after=None):
    return audit.record(actor, action, "assignment", assignment.id, organization_id=assignment.organization_id,
                        act_id=assignment.act_id, before=before, after=after)


def _check_responsible(responsible, organization, errors):
    if responsible is not None and not responsible.organization.is_within(organization):
        errors["responsible_id"] = [_("The responsible person must work in %(org)s.", org=organization.short_name)]


def assign(actor, task, organization, *, due_on, role="lead", responsible=None, note=None):
    """Give ``task`` to ``organization``.  The assignment starts in the state ``assigned``."""
    if not permissions.can_assign(actor, task):
        raise Forbidden(_("Only a controller may assign tasks."))
    errors = {}
    if db.session.scalar(sa.select(Task.id).where(Task.parent_id == task.id).limit(1)):
        errors["task_id"] = [_("%(number)s is a section; assign its measures instead.", number=task.number)]
    if role not in ASSIGNMENT_ROLES:
        errors["role"] = [_("Choose lead or co-executor.")]
    if organization is None or organization.kind == "control" or not organization.active:
        errors["organization_id"] = [_("Choose an active executive body.")]
    elif db.session.scalar(sa.select(Assignment.id).where(
            Assignment.task_id == task.id, Assignment.organization_id == organization.id,
            Assignment.parent_id.is_(None))):
        errors["organization_id"] = [_("%(org)s already has this task.", org=organization.short_name)]
    if due_on is None:
        errors["due_on"] = [_("A due date is required.")]
    if organization is not None:
        _check_responsible(responsible, organization, errors)
    if errors:
        raise ValidationError(_("The task could not be assigned."), errors=errors)
    # Given today by the app's clock: the periods the body owes start then (periods.owed).
    assignment = Assignment(task=task, organization=organization, role=role, responsible=responsible,
                            due_on=due_on, original_due_on=due_on, state="assigned", progress=0, note=note,
                            created_at=clock.now())
    db.session.add(assignment)
    db.session.flush()
    event = _record(actor, "assignment.created", assignment, after={
        "task_id": task.id, "organization_id": organization.id, "role": role, "due_on": due_on.isoformat(),
        "responsible_id": responsible.id if responsible else None, "state": "assigned"})
    messages.assignment_created(assignment, event)
    return assignment


def has_reports(assignment):
    return db.session.scalar(sa.select(Report.id).where(Report.assignment_id == assignment.id).limit(1)) is not None


def transition(actor, assignment, action, comment=None, *, report=None):
    """The one way an assignment changes state: permission, legality, event, in the caller's transaction.

    Once an assignment has execution reports, submitting and reviewing happen on the report
    (``services.reports`` passes it as ``report``), so that report and assignment never disagree.
    Accepting or cancelling an assignment closes the open work delegated from it (``_close_delegated_work``).
    """
    if action not in TRANSITIONS:
        raise ValidationError(_("Unknown action %(action)s.", action=repr(action)), errors={"action": [
            _("Choose one of: %(choices)s.", choices=", ".join(TRANSITIONS))]})
    if not permissions.can_view_assignment(actor, assignment):
        raise Forbidden()
    if not permissions.can_transition(actor, assignment, action):
        raise Forbidden(_not_allowed(action))
    sources, target = TRANSITIONS[action]
    if assignment.state not in sources:
        raise IllegalTransition(_cannot(action, assignment.state))
    if action == "reopen" and assignment.parent is not None and assignment.parent.state in CLOSED_STATES:
        # Delegated work under a closed assignment would be open work nobody reviews or rolls up.
        raise IllegalTransition(_("The assignment this work was delegated from is %(state)s, so this one cannot "
                                  "be reopened.", state=word(STATE_NAMES, assignment.parent.state)))
    if action in REPORT_ACTIONS and report is None and (action == "accept_period" or has_reports(assignment)):
        raise IllegalTransition(_("This assignment has execution reports: submit or review the report itself."))
    comment = (comment or "").strip() or None
    if action in COMMENT_REQUIRED and not comment:
        raise ValidationError(_("Say why."), errors={"comment": [_comment_required(action)]})

    before = {"state": assignment.state, "progress": assignment.progress}
    now = clock.now()
    assignment.state = target
    if action == "submit":
        assignment.submitted_at = now
    elif action == "accept":
        assignment.accepted_at = now
        assignment.progress = 100
    elif action == "reopen":
        assignment.accepted_at = None
    db.session.flush()
    after = {"state": assignment.state, "progress": assignment.progress}
    if comment:
        after["comment"] = comment
    if report is not None:
        after["report_id"] = report.id
    event = _record(actor, f"assignment.{action}", assignment, before=before, after=after)
    messages.assignment_transitioned(assignment, action, event, comment)
    if target == "cancelled":  # final: accepted work may be reopened, and its instructions wait with it
        instructions.close_with(actor, assignment, _INSTRUCTIONS_CANCELLED)
    if target in CLOSED_STATES:
        _close_delegated_work(actor, assignment, _closed_with(action, assignment))
    if assignment.parent is not None:
        _roll_up(actor, assignment.parent)
    return assignment


# The closing comment of the instructions a cancellation leaves without a reader.
_INSTRUCTIONS_CANCELLED = _l("Closed with its assignment, which was cancelled: no answer is awaited any more.")


def _closed_with(action, assignment):
    """The comment of a sub-assignment closed because ``assignment`` was accepted or cancelled."""
    if action == "accept":
        return _("Closed together with assignment #%(id)s, which was accepted: the work delegated from it is over.",
                 id=assignment.id)
    return _("Cancelled together with assignment #%(id)s.", id=assignment.id)


def _close_delegated_work(actor, assignment, comment):
    """``assignment`` was accepted or cancelled: the work delegated from it, at any depth, is over too.

    Each open sub-assignment is cancelled, with its own event by the same actor in the same transaction.
    Cancelled, not accepted, whatever closed the parent: the workflow accepts only submitted work, and a
    sub-unit's work the head never reviewed (or never started) was not accepted by anybody; the organization's
    acceptance stands on its own assignment and report.  The analysis counts only organizations' own
    assignments, so no figure moves; the roll-up leaves cancelled work out, so a reopened parent's progress
    is not pulled by work nobody did.  Sub-assignments already accepted or cancelled keep their state and
    their history.  Reopening the parent does not bring them back: cancelled is final, their personal due
    dates have mostly passed, and the head delegates the remaining work again.

    The cascade queues no messages: one decision on the parent must not become a message for every piece of
    delegated work.
    """
    sources, target = TRANSITIONS["cancel"]
    subs = db.session.scalars(sa.select(Assignment).where(Assignment.parent_id == assignment.id)
                              .order_by(Assignment.id)).all()
    for sub in subs:
        if sub.state in sources:
            before = {"state": sub.state, "progress": sub.progress}
            sub.state = target
            db.session.flush()
            _record(actor, "assignment.cancel", sub, before=before,
                    after={"state": sub.state, "progress": sub.progress, "comment": comment})
            instructions.close_with(actor, sub, _INSTRUCTIONS_CANCELLED)
        # Closed sub-assignments are walked too: older data may hold open work under them.
        _close_delegated_work(actor, sub, comment)


def update(actor, assignment, **fields):
    """Change role, due date, responsible person, progress or note; each field has its own permission."""
    if not permissions.can_view_assignment(actor, assignment):
        raise Forbidden()
    errors = {}
    refused = set(fields) - permissions.editable_assignment_fields(actor, assignment)
    if refused:
        raise Forbidden(_("You may not change: %(fields)s.", fields=", ".join(sorted(refused))))
    if "role" in fields and fields["role"] not in ASSIGNMENT_ROLES:
        errors["role"] = [_("Choose lead or co-executor.")]
    if "progress" in fields and not (0 <= (fields["progress"] if fields["progress"] is not None else -1) <= 100):
        errors["progress"] = [_("Progress is a whole number from 0 to 100.")]
    if "due_on" in fields:
        if fields["due_on"] is None:
            errors["due_on"] = [_("A due date is required.")]
        elif assignment.parent is not None and fields["due_on"] > assignment.parent.due_on:
            errors["due_on"] = [_("A delegated due date cannot be later than %(date)s.", date=assignment.parent.due_on)]
        elif fields["due_on"] != assignment.due_on:
            _check_new_due_date(assignment, fields["due_on"], errors)
    if fields.get("responsible_id") is not None:
        responsible = db.session.get(User, fields["responsible_id"])
        if responsible is None:
            errors["responsible_id"] = [_("Choose a person.")]
        else:
            _check_responsible(responsible, assignment.organization, errors)
    if errors:
        raise ValidationError(_("The assignment could not be saved."), errors=errors)
    new = audit.apply_changes(actor, assignment, fields, EDIT_FIELDS, "assignment.updated", "assignment",
                              organization_id=assignment.organization_id, act_id=assignment.act_id)
    if "due_on" in new:
        periods.follow_due_date(assignment)  # the final period is the one the new due date falls in
    if "progress" in new and assignment.parent is not None:
        _roll_up(actor, assignment.parent)
    return assignment


def _check_new_due_date(assignment, due_on, errors):
    """Finished work keeps the due date it was judged against; open work's new date must leave its reports'
    periods where they are (``periods.stranded``)."""
    if assignment.state in CLOSED_STATES:
        errors["due_on"] = [_("Finished work keeps the due date it was judged against.")]
    elif stranded := periods.stranded(assignment, due_on):
        errors["due_on"] = [_("Reports were filed for %(periods)s: choose a due date after those periods.",
                              periods=", ".join(stranded))]


def delegate(actor, assignment, *, organization, responsible=None, due_on=None, note=None):
    """Split an organization's assignment to a sub-unit or a named person inside the body."""
    if not permissions.can_view_assignment(actor, assignment):
        raise Forbidden()
    if not permissions.can_delegate(actor, assignment):
        raise Forbidden(_("Only the head of the organization may delegate an open assignment."))
    due_on = due_on or assignment.due_on
    errors = {}
    if organization is None or not organization.is_within(assignment.organization):
        errors["organization_id"] = [_("Delegate within %(org)s and its sub-units.",
                                       org=assignment.organization.short_name)]
    else:
        _check_responsible(responsible, organization, errors)
    if responsible is None and organization is not None and organization.id == assignment.organization_id:
        errors["responsible_id"] = [_("Name the responsible person when delegating inside the same unit.")]
    if due_on > assignment.due_on:
        errors["due_on"] = [_("The personal due date cannot be later than the assignment's (%(date)s).",
                              date=assignment.due_on)]
    if errors:
        raise ValidationError(_("The assignment could not be delegated."), errors=errors)
    sub = Assignment(task=assignment.task, organization=organization, parent=assignment, role=assignment.role,
                     responsible=responsible, due_on=due_on, original_due_on=due_on, state="assigned",
                     progress=0, note=note, created_at=clock.now())
    db.session.add(sub)
    db.session.flush()
    _record(actor, "assignment.delegated", assignment, after={
        "sub_assignment_id": sub.id, "organization_id": organization.id,
        "responsible_id": responsible.id if responsible else None, "due_on": due_on.isoformat()})
    event = _record(actor, "assignment.created", sub, after={
        "parent_id": assignment.id, "task_id": sub.task_id, "organization_id": organization.id,
        "due_on": due_on.isoformat(), "state": "assigned"})
    messages.assignment_created(sub, event)
    _roll_up(actor, assignment)
    return sub


def _roll_up(actor, parent):
    """The organization's progress is the mean of its open and accepted sub-assignments' progress."""
    average = db.session.scalar(
        sa.select(sa.func.avg(Assignment.progress))
        .where(Assignment.parent_id == parent.id, Assignment.state != "cancelled"))
    if average is None:
        return
    progress = round(float(average))
    if progress != parent.progress and parent.state not in ("accepted", "cancelled"):
        before = parent.progress
        parent.progress = progress
        db.session.flush()
        _record(actor, "assignment.progress_rolled_up", parent, before={"progress": before},
                after={"progress": progress})
        if parent.parent is not None:
            # A delegated assignment may itself be split again; the body's figure must move too.
            _roll_up(actor, parent.parent)


def candidates_for_responsible(assignment):
    """People who may be named responsible: active users of the body and its sub-units."""
    prefix = assignment.organization.path
    return db.session.scalars(
        sa.select(User).join(Organization, User.organization_id == Organization.id)
        .where(Organization.path.startswith(prefix), User.active.is_(True)).order_by(User.name)).all()
