"""Instructions, recommendations and requests for information: issued → acknowledged → answered → closed."""

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from monitoris import clock, permissions
from monitoris.errors import Forbidden, IllegalTransition, ValidationError
from monitoris.extensions import db
from monitoris.models import AWAITING_ANSWER, INSTRUCTION_KINDS, Instruction
from monitoris.notifications import messages
from monitoris.services import audit
from monitoris.services.wording import INSTRUCTION_STATES, word

# The kinds as words inside a sentence, in the reader's language.
KIND_NAMES = {"instruction": _l("instruction"), "recommendation": _l("recommendation"),
              "request": _l("request for information")}


def _record(actor, action, instruction, before=None, after=None):
    return audit.record(actor, action, "instruction", instruction.id, organization_id=instruction.organization_id,
                        act_id=instruction.task.act_id, before=before, after=after)


def issue(actor, assignment, *, kind, text, response_due_on=None, whole_organization=False):
    """Give the body an instruction on ``assignment`` (or, ``whole_organization``, on its task)."""
    if not permissions.can_issue_instruction(actor, assignment):
        raise Forbidden(_("Only the control body issues instructions, and not on cancelled work."))
    text = (text or "").strip()
    errors = {}
    if kind not in INSTRUCTION_KINDS:
        errors["kind"] = [_("Choose instruction, recommendation or request for information.")]
    if not text:
        errors["text"] = [_("Write the instruction.")]
    if response_due_on is not None and response_due_on < clock.today():
        errors["response_due_on"] = [_("The response due date cannot be in the past.")]
    if errors:
        raise ValidationError(_("The instruction could not be issued."), errors=errors)
    instruction = Instruction(
        assignment_id=None if whole_organization else assignment.id, task_id=assignment.task_id,
        organization_id=assignment.organization_id, kind=kind, text=text, response_due_on=response_due_on,
        state="issued", issued_by_id=actor.id, issued_at=clock.now())
    db.session.add(instruction)
    db.session.flush()
    event = _record(actor, "instruction.issued", instruction, after={
        "kind": kind, "assignment_id": instruction.assignment_id, "task_id": instruction.task_id,
        "response_due_on": response_due_on.isoformat() if response_due_on else None, "state": "issued"})
    messages.instruction_issued(instruction, assignment, event)
    return instruction


def _check(actor, instruction, allowed, states, verb):
    if not permissions.can_view_instruction(actor, instruction):
        raise Forbidden()
    if instruction.state not in states:
        state = word(INSTRUCTION_STATES, instruction.state)
        sentences = {
            "acknowledge": _("You cannot acknowledge an instruction that is %(state)s.", state=state),
            "answer": _("You cannot answer an instruction that is %(state)s.", state=state),
            "close": _("You cannot close an instruction that is %(state)s.", state=state),
        }
        raise IllegalTransition(sentences.get(verb) or f"You cannot {verb} an instruction that is {state}.")
    if not allowed(actor, instruction):
        sentences = {
            "acknowledge": _("You are not allowed to acknowledge this instruction."),
            "answer": _("You are not allowed to answer this instruction."),
            "close": _("You are not allowed to close this instruction."),
        }
        raise Forbidden(sentences.get(verb) or f"You are not allowed to {verb} this instruction.")


def acknowledge(actor, instruction):
    """The read receipt: the body has seen the instruction."""
    _check(actor, instruction, permissions.can_answer_instruction, ("issued",), "acknowledge")
    instruction.state = "acknowledged"
    instruction.acknowledged_at = clock.now()
    instruction.acknowledged_by_id = actor.id
    db.session.flush()
    _record(actor, "instruction.acknowledged", instruction, before={"state": "issued"},
            after={"state": "acknowledged"})
    return instruction


def respond(actor, instruction, text):
    """The body's answer (documents go with it through services.documents); acknowledges on the way."""
    _check(actor, instruction, permissions.can_answer_instruction, ("issued", "acknowledged"), "answer")
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("The answer is empty."), errors={"response_text": [_("Write the answer.")]})
    before = {"state": instruction.state}
    now = clock.now()
    if instruction.acknowledged_at is None:
        instruction.acknowledged_at, instruction.acknowledged_by_id = now, actor.id
    instruction.state = "answered"
    instruction.response_text = text
    instruction.answered_at = now
    instruction.answered_by_id = actor.id
    db.session.flush()
    event = _record(actor, "instruction.answered", instruction, before=before,
                    after={"state": "answered", "comment": text})
    messages.instruction_answered(instruction, event)
    return instruction


def close(actor, instruction, comment=None):
    """The control body closes the instruction: answered, or no longer needed (then say why)."""
    _check(actor, instruction, permissions.can_close_instruction, ("issued", "acknowledged", "answered"), "close")
    comment = (comment or "").strip() or None
    if instruction.state != "answered" and not comment:
        raise ValidationError(_("Say why."), errors={"comment": [
            _("A comment is required to close an unanswered instruction.")]})
    before = {"state": instruction.state}
    instruction.state = "closed"
    instruction.closed_at = clock.now()
    instruction.closed_by_id = actor.id
    instruction.closing_comment = comment
    db.session.flush()
    after = {"state": "closed"}
    if comment:
        after["comment"] = comment
    _record(actor, "instruction.closed", instruction, before=before, after=after)
    return instruction


def close_with(actor, assignment, comment):
    """``assignment`` was cancelled (for good): the instructions still awaiting its body's answer are closed
    with it (those given on it, and, for an organization's own assignment, those given to the body about its
    task), each with its event, saying ``comment`` in the language of whoever cancelled it.  Answered ones stay
    for the control body to read and close.  (Accepted work may be reopened: its instructions wait with it,
    unlisted and unreminded meanwhile, ``Instruction.on_closed_work``.)"""
    comment = str(comment)
    on_it = Instruction.assignment_id == assignment.id
    if assignment.parent_id is None:
        on_it = sa.or_(on_it, sa.and_(Instruction.assignment_id.is_(None), Instruction.task_id == assignment.task_id,
                                      Instruction.organization_id == assignment.organization_id))
    waiting = db.session.scalars(sa.select(Instruction).where(on_it, Instruction.state.in_(AWAITING_ANSWER))
                                 .order_by(Instruction.id)).all()
    now = clock.now()
    for instruction in waiting:
        before = {"state": instruction.state}
        instruction.state, instruction.closed_at, instruction.closed_by_id = "closed", now, actor.id
        instruction.closing_comment = comment
        db.session.flush()
        _record(actor, "instruction.closed", instruction, before=before, after={"state": "closed", "comment": comment})
    return waiting
