"""Extension requests: the body asks for a later due date; the control body approves or rejects."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateField, TextAreaField
from wtforms.validators import Optional

from monitoris import permissions
from monitoris.errors import Conflict, IllegalTransition, ValidationError
from monitoris.extensions import db
from monitoris.models import Assignment, ExtensionRequest
from monitoris.services import extensions as extensions_service
from monitoris.web.forms import Form
from monitoris.web.helpers import attach_errors, get_visible, word

bp = Blueprint("extensions", __name__)


class RequestForm(Form):
    proposed_due_on = DateField(_l("New due date"), validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[Optional()])


class DecisionForm(Form):
    comment = TextAreaField(_l("Comment"), validators=[Optional()])


def _can_view(user, extension_request):
    return permissions.can_view_assignment(user, extension_request.assignment)


def render_request(extension_request, status=200, form=None, general_errors=()):
    return render_template("extensions/show.html", extension_request=extension_request,
                           assignment=extension_request.assignment, form=form or DecisionForm(formdata=None),
                           general_errors=general_errors,
                           can_decide=permissions.can_decide_extension(current_user, extension_request)), status


@bp.route("/assignments/<int:assignment_id>/extension-requests/new", methods=["GET", "POST"])
@login_required
def new(assignment_id):
    assignment = get_visible(Assignment, assignment_id, permissions.can_view_assignment)
    if not permissions.can_request_extension(current_user, assignment):
        abort(403)
    form = RequestForm()
    if not form.validate_on_submit():
        return render_template("extensions/form.html", form=form, assignment=assignment), (
            422 if form.is_submitted() else 200)
    try:
        extension_request = extensions_service.request(current_user, assignment,
                                                       proposed_due_on=form.proposed_due_on.data,
                                                       reason=form.reason.data)
    except (ValidationError, Conflict) as exc:
        db.session.rollback()
        status = 422 if isinstance(exc, ValidationError) else 409
        return render_template("extensions/form.html", form=attach_errors(form, exc), assignment=assignment), status
    db.session.commit()
    flash(_("Your request has been sent to the control body."), "success")
    return redirect(url_for("extensions.show", extension_request_id=extension_request.id))


@bp.get("/extension-requests/<int:extension_request_id>")
@login_required
def show(extension_request_id):
    return render_request(get_visible(ExtensionRequest, extension_request_id, _can_view))


@bp.post("/extension-requests/<int:extension_request_id>/decision")
@login_required
def decide(extension_request_id):
    extension_request = get_visible(ExtensionRequest, extension_request_id, _can_view)
    form = DecisionForm()
    decision = request.form.get("decision", "")
    if not form.validate_on_submit() or decision not in ("approved", "rejected"):
        return render_request(extension_request, 422, form, [_("Choose approve or reject.")])
    if not permissions.can_decide_extension(current_user, extension_request):
        if extension_request.decision != "pending":
            return render_request(extension_request, 409, form, [_(
                "This request was %(decision)s.", decision=word(extension_request.decision, "decision"))])
        if not permissions.decides_extensions(current_user, extension_request.assignment):
            abort(403)
        return render_request(extension_request, 409, form,
                              [extensions_service.closed_work(extension_request.assignment)])
    try:
        extensions_service.decide(current_user, extension_request, decision, form.comment.data)
    except (ValidationError, IllegalTransition) as exc:
        db.session.rollback()
        return render_request(extension_request, exc.status, attach_errors(form, exc))
    db.session.commit()
    flash(_("The request has been approved.") if decision == "approved" else _("The request has been rejected."),
          "success")
    return redirect(url_for("assignments.show", assignment_id=extension_request.assignment_id))
