"""Instructions, recommendations and requests for information: issue, acknowledge, answer, close."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import Optional

from monitoris import permissions
from monitoris.errors import IllegalTransition, ValidationError
from monitoris.extensions import db
from monitoris.models import INSTRUCTION_KINDS, Assignment, Instruction
from monitoris.services import documents as documents_service
from monitoris.services import instructions as instructions_service
from monitoris.web.forms import Form
from monitoris.web.helpers import attach_errors, get_visible, word
from monitoris.web.reports import upload_to

bp = Blueprint("instructions", __name__)

KIND_LABELS = {"instruction": _l("Instruction"), "recommendation": _l("Recommendation"),
               "request": _l("Request for information")}


class IssueForm(Form):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in INSTRUCTION_KINDS])
    text = TextAreaField(_l("Text"), validators=[Optional()])
    response_due_on = DateField(_l("Response due"), validators=[Optional()])
    whole_organization = BooleanField(_l("Address the whole organization about this task"))


class RespondForm(Form):
    response_text = TextAreaField(_l("Answer"), validators=[Optional()])


class CloseForm(Form):
    comment = TextAreaField(_l("Comment"), validators=[Optional()])


def _instruction(instruction_id):
    return get_visible(Instruction, instruction_id, permissions.can_view_instruction)


def render_instruction(instruction, status=200, respond_form=None, close_form=None, general_errors=(),
                       upload_errors=()):
    docs = instruction.documents
    return render_template(
        "instructions/show.html", instruction=instruction, kind_labels=KIND_LABELS,
        own_documents=[d for d in docs if d.purpose == "instruction"],
        response_documents=[d for d in docs if d.purpose == "response"],
        respond_form=respond_form or RespondForm(formdata=None), close_form=close_form or CloseForm(formdata=None),
        general_errors=general_errors, upload_errors=upload_errors,
        can_answer=permissions.can_answer_instruction(current_user, instruction),
        can_close=permissions.can_close_instruction(current_user, instruction),
        can_attach=permissions.can_attach_to_instruction(current_user, instruction),
        max_size=documents_service.describe_limit(),
    ), status


@bp.route("/assignments/<int:assignment_id>/instructions/new", methods=["GET", "POST"])
@login_required
def new(assignment_id):
    assignment = get_visible(Assignment, assignment_id, permissions.can_view_assignment)
    if not permissions.can_issue_instruction(current_user, assignment):
        abort(403)
    form = IssueForm()
    if not form.validate_on_submit():
        return render_template("instructions/form.html", form=form, assignment=assignment), (
            422 if form.is_submitted() else 200)
    try:
        instruction = instructions_service.issue(
            current_user, assignment, kind=form.kind.data, text=form.text.data,
            response_due_on=form.response_due_on.data, whole_organization=form.whole_organization.data)
        _attach_files(instruction)
    except ValidationError as exc:
        db.session.rollback()
        return render_template("instructions/form.html", form=attach_errors(form, exc), assignment=assignment), 422
    db.session.commit()
    flash(_("The %(kind)s has been issued to %(org)s.", kind=instructions_service.KIND_NAMES[instruction.kind],
            org=assignment.organization.short_name),
          "success")
    return redirect(url_for("assignments.show", assignment_id=assignment.id, _anchor="instructions"))


def _attach_files(instruction):
    """The form's files, all or none (one refused file stores none of them)."""
    files = [(f.stream, f.filename) for f in request.files.getlist("files") if f and f.filename]
    if files:
        documents_service.attach_all(current_user, instruction, files)


@bp.get("/instructions/<int:instruction_id>")
@login_required
def show(instruction_id):
    return render_instruction(_instruction(instruction_id))


@bp.post("/instructions/<int:instruction_id>/acknowledge")
@login_required
def acknowledge(instruction_id):
    instruction = _instruction(instruction_id)
    if not FlaskForm().validate_on_submit():
        return render_instruction(instruction, 422, general_errors=[_("The form had expired. Please send it again.")])
    try:
        instructions_service.acknowledge(current_user, instruction)
    except IllegalTransition as exc:
        db.session.rollback()
        return render_instruction(instruction, 409, general_errors=[exc.message])
    db.session.commit()
    flash(_("Acknowledged: the control body can see that you have read it."), "success")
    return redirect(url_for("instructions.show", instruction_id=instruction.id))


@bp.post("/instructions/<int:instruction_id>/respond")
@login_required
def respond(instruction_id):
    instruction = _instruction(instruction_id)
    form = RespondForm()
    if not form.validate_on_submit():
        return render_instruction(instruction, 422, respond_form=form)
    if not permissions.can_answer_instruction(current_user, instruction):
        if instruction.state in ("answered", "closed"):
            return render_instruction(instruction, 409, general_errors=[
                _("This instruction is %(state)s.", state=word(instruction.state, "instruction_state"))])
        abort(403)
    try:
        _attach_files(instruction)
        instructions_service.respond(current_user, instruction, form.response_text.data)
    except ValidationError as exc:
        db.session.rollback()
        return render_instruction(instruction, 422, respond_form=attach_errors(form, exc))
    db.session.commit()
    flash(_("Your answer has been sent to the control body."), "success")
    return redirect(url_for("instructions.show", instruction_id=instruction.id))


@bp.post("/instructions/<int:instruction_id>/close")
@login_required
def close(instruction_id):
    instruction = _instruction(instruction_id)
    form = CloseForm()
    if not form.validate_on_submit():
        return render_instruction(instruction, 422, close_form=form)
    if not permissions.can_close_instruction(current_user, instruction):
        abort(403)
    try:
        instructions_service.close(current_user, instruction, form.comment.data)
    except ValidationError as exc:
        db.session.rollback()
        return render_instruction(instruction, 422, close_form=attach_errors(form, exc))
    db.session.commit()
    flash(_("The instruction is closed."), "success")
    return redirect(url_for("instructions.show", instruction_id=instruction.id))


@bp.post("/instructions/<int:instruction_id>/documents")
@login_required
def upload(instruction_id):
    instruction = _instruction(instruction_id)
    return upload_to(instruction, lambda status, errors: render_instruction(instruction, status,
                                                                            upload_errors=errors),
                     url_for("instructions.show", instruction_id=instruction.id))
