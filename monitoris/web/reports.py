"""Execution reports: start (or revise), edit the draft, attach documents, submit, review."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from monitoris import periods, permissions, work
from monitoris.errors import Conflict, IllegalTransition, PayloadTooLarge, ValidationError
from monitoris.extensions import db
from monitoris.models import Assignment, Report
from monitoris.services import documents as documents_service
from monitoris.services import reports as reports_service
from monitoris.web.forms import Form
from monitoris.web.helpers import WholeNumberField, attach_errors, format_date, get_visible, word

bp = Blueprint("reports", __name__)


@bp.app_template_filter("report_period")
def period_label(period):
    """A report's period as people read it, on every page: the one period of a one-off task ("final") in
    words, the periods of a recurring task by their names ("2026", "2026-Q3")."""
    return _("final report") if period == "final" else (period or "")


class ReportForm(Form):
    period = SelectField(_l("Reporting period"), validate_choice=False)
    text = TextAreaField(_l("Information on completed works"), validators=[Optional()])
    progress = WholeNumberField(_l("Progress (%)"), validators=[
        InputRequired(_l("Give the progress as a number.")), NumberRange(0, 100, _l("A whole number from 0 to 100."))])


class ActionForm(Form):
    comment = TextAreaField(_l("Comment"), validators=[Optional()])


def _report(report_id):
    return get_visible(Report, report_id, permissions.can_view_report)


def render_report(report, status=200, review_form=None, general_errors=(), upload_errors=(), checked=None):
    """``checked``: the evidence requirements a refused review ticked, shown ticked again."""
    return render_template(
        "reports/show.html", report=report, assignment=report.assignment, task=report.assignment.task,
        versions=reports_service.versions(report), documents=work.documents_of_report(report),
        review_form=review_form or ActionForm(formdata=None), action_form=ActionForm(formdata=None),
        checked=(report.checked_requirement_ids or []) if checked is None else checked,
        general_errors=general_errors, upload_errors=upload_errors,
        can_edit=permissions.can_edit_report(current_user, report),
        can_submit=permissions.can_submit_report(current_user, report),
        can_review=permissions.can_review_report(current_user, report),
        can_revise=permissions.can_revise_report(current_user, report),
        max_size=documents_service.describe_limit(),
    ), status




@bp.route("/assignments/<int:assignment_id>/reports/new", methods=["GET", "POST"])
@login_required
def new(assignment_id):
    assignment = get_visible(Assignment, assignment_id, permissions.can_view_assignment)
    if not permissions.can_write_report(current_user, assignment):
        abort(403)
    form = ReportForm()
    form.period.choices = [SelectChoice(p.label, _("%(period)s (due %(date)s)", period=period_label(p.label),
                                                     date=format_date(p.due_on)))
                           for p in periods.of(assignment)]
    current = reports_service.open_period(assignment)
    if request.method == "GET":
        form.progress.data = assignment.progress
        form.period.data = current.label if current else None
    if not form.validate_on_submit():
        return render_template("reports/form.html", form=form, assignment=assignment, report=None), (
            422 if form.is_submitted() else 200)
    try:
        report = reports_service.create(current_user, assignment, period=form.period.data,
                                        text=form.text.data, progress=form.progress.data)
    except (ValidationError, Conflict) as exc:
        db.session.rollback()
        if not isinstance(exc, ValidationError):
            form.general_errors = [exc.message]
            return render_template("reports/form.html", form=form, assignment=assignment, report=None), 409
        return render_template("reports/form.html", form=attach_errors(form, exc), assignment=assignment,
                               report=None), 422
    db.session.commit()
    flash(_("The draft report has been saved. Attach the documents, then submit it."), "success")
    return redirect(url_for("reports.show", report_id=report.id))


@bp.get("/reports/<int:report_id>")
@login_required
def show(report_id):
    return render_report(_report(report_id))


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
@login_required
def edit(report_id):
    report = _report(report_id)
    if not permissions.can_edit_report(current_user, report):
        reason = reports_service.frozen(current_user, report)
        if reason:
            return render_report(report, 409, general_errors=[reason])
        abort(403)
    form = ReportForm(obj=report)
    del form.period
    if not form.validate_on_submit():
        return render_template("reports/form.html", form=form, assignment=report.assignment, report=report), (
            422 if form.is_submitted() else 200)
    try:
        reports_service.update(current_user, report, text=form.text.data, progress=form.progress.data)
    except ValidationError as exc:
        db.session.rollback()
        return render_template("reports/form.html", form=attach_errors(form, exc), assignment=report.assignment,
                               report=report), 422
    db.session.commit()
    flash(_("The draft report has been saved."), "success")
    return redirect(url_for("reports.show", report_id=report.id))


@bp.post("/reports/<int:report_id>/revise")
@login_required
def revise(report_id):
    report = _report(report_id)
    if not permissions.can_write_report(current_user, report.assignment) or not ActionForm().validate_on_submit():
        abort(403)
    try:
        revision = reports_service.create(current_user, report.assignment, period=report.period)
    except Conflict as exc:
        db.session.rollback()
        return render_report(report, 409, general_errors=[exc.message])
    db.session.commit()
    flash(_("Version %(version)s started from the returned report; revise it and submit again.",
            version=revision.version), "success")
    return redirect(url_for("reports.show", report_id=revision.id))


@bp.post("/reports/<int:report_id>/submit")
@login_required
def submit(report_id):
    report = _report(report_id)
    if not ActionForm().validate_on_submit():
        return render_report(report, 422, general_errors=[_("The form had expired. Please send it again.")])
    if not permissions.can_submit_report(current_user, report) and report.state == "draft":
        abort(403)
    try:
        reports_service.submit(current_user, report)
    except ValidationError as exc:
        db.session.rollback()
        return render_report(report, 422, general_errors=[exc.message, *sum(exc.errors.values(), [])])
    except IllegalTransition as exc:
        db.session.rollback()
        return render_report(report, 409, general_errors=[exc.message])
    db.session.commit()
    flash(_("The report has been submitted to the control body."), "success")
    return redirect(url_for("reports.show", report_id=report.id))


@bp.post("/reports/<int:report_id>/review")
@login_required
def review(report_id):
    report = _report(report_id)
    form = ActionForm()
    decision = request.form.get("decision", "")
    checked = [int(v) for v in request.form.getlist("checked") if v.isdigit()]
    if not form.validate_on_submit() or decision not in ("accept", "return"):
        return render_report(report, 422, form, [_("Choose accept or return.")], checked=checked)
    if not permissions.can_review_report(current_user, report):
        if report.state != "submitted":
            return render_report(report, 409, form, [
                _("This report is %(state)s; it cannot be reviewed.", state=word(report.state, "report_state"))])
        abort(403)
    try:
        reports_service.review(current_user, report, decision, form.comment.data, checked)
    except ValidationError as exc:
        db.session.rollback()
        return render_report(report, 422, attach_errors(form, exc), checked=checked)
    db.session.commit()
    flash(_("The report has been accepted.") if decision == "accept" else
          _("The report has been returned for revision."), "success")
    return redirect(url_for("assignments.show", assignment_id=report.assignment_id))


@bp.post("/reports/<int:report_id>/documents")
@login_required
def upload(report_id):
    report = _report(report_id)
    return upload_to(report, lambda status, errors: render_report(report, status, upload_errors=errors),
                     url_for("reports.show", report_id=report.id, _anchor="documents"))


def upload_to(owner, render_error, next_url):
    """Attach every file of the form to ``owner``; one refused file refuses the lot (nothing is kept)."""
    try:
        files = [f for f in request.files.getlist("files") if f and f.filename]
        valid = ActionForm().validate_on_submit()
    except RequestEntityTooLarge:
        db.session.rollback()
        return render_error(413, [_("The upload is larger than the server accepts at once. Each file may be up to "
                                    "%(limit)s; send large files one by one.",
                                    limit=documents_service.describe_limit())])
    if not valid:
        return render_error(422, [_("The form had expired. Please send it again.")])
    if not documents_service.can_attach(current_user, owner):
        if isinstance(owner, Report) and owner.state != "draft":
            return render_error(409, [_("The report is %(state)s: its documents can no longer change.",
                                        state=word(owner.state, "report_state"))])
        reason = reports_service.frozen(current_user, owner) if isinstance(owner, Report) else None
        if reason:
            return render_error(409, [reason])
        abort(403)
    if not files:
        return render_error(422, [_("Choose one or more files to attach.")])
    try:
        documents_service.attach_all(current_user, owner, [(f.stream, f.filename) for f in files])
    except ValidationError as exc:
        db.session.rollback()
        return render_error(422, sum(exc.errors.values(), []) or [exc.message])
    except PayloadTooLarge as exc:
        db.session.rollback()
        return render_error(413, [exc.message])
    db.session.commit()
    flash(ngettext("%(num)d document attached.", "%(num)d documents attached.", len(files)), "success")
    return redirect(next_url)
