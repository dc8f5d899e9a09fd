"""Plan import (upload, dry-run preview, import) and the implementation report (form, HTML, files).

The uploaded plan waits for "Import now" in the upload folder (shared by every web process, like the
documents) under a random token that only this person's session knows; the import reads it again
and checks everything again, so what is written is what the preview showed, or an error.
"""

import secrets
import time
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectChoice, SelectField
from wtforms.validators import DataRequired, NumberRange, Optional

from monitoris import clock, permissions
from monitoris.errors import Conflict, ValidationError
from monitoris.extensions import db
from monitoris.models import Act, Assignment, Organization, Task
from monitoris.plans import importer, render
from monitoris.plans import report as implementation
from monitoris.plans.parse import FIELD_NAMES
from monitoris.web.forms import Form
from monitoris.web.helpers import WholeNumberField, get_visible

bp = Blueprint("plans", __name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
PENDING_HOURS = 24
SESSION_KEY = "plan_import"
FORMATS = [SelectChoice("html", _l("Web page (print it)")), SelectChoice("docx", _l("Word (DOCX)")),
           SelectChoice("xlsx", _l("Excel (XLSX)")), SelectChoice("pdf", "PDF")]


def max_bytes():
    return current_app.config.get("PLAN_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


class UploadForm(Form):
    file = FileField(_l("Plan file (XLSX, CSV or DOCX)"), validators=[FileRequired(_l("Choose the plan file."))])


class ConfirmForm(Form):
    token = HiddenField(validators=[DataRequired()])


class ReportForm(Form):
    class Meta:
        csrf = False  # a GET form that only reads

    # Not validated against the choices: an organization one may not see is a 404, below, not a form error.
    organization_id = SelectField(_l("Organization"), coerce=int, validate_choice=False, default=0)
    year = WholeNumberField(_l("Year"),
                            validators=[Optional(), NumberRange(implementation.MIN_YEAR, implementation.MAX_YEAR)])
    format = SelectField(_l("Format"), choices=FORMATS, default="html")


# -- import ----------------------------------------------------------------------------------

def _pending_folder():
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "plan-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _forget_old_uploads(folder):
    limit = time.time() - PENDING_HOURS * 3600
    for path in folder.glob("*.upload"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _read_upload(storage):
    data = storage.stream.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise ValidationError(_("The file is larger than %(size)s MB.", size=max_bytes() // (1024 * 1024)),
                              errors={"file": [_("The file is too large.")]})
    return data


def _manageable_act(act_id):
    act = get_visible(Act, act_id, permissions.can_view_act)
    if not permissions.can_add_tasks(current_user, act):
        abort(403)
    return act


def _preview(act, plan, confirm, filename):
    return render_template("plans/preview.html", act=act, plan=plan, confirm=confirm, filename=filename,
                           column_names=FIELD_NAMES)


@bp.route("/acts/<int:act_id>/import", methods=["GET", "POST"])
@login_required
def upload(act_id):
    act = _manageable_act(act_id)
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("plans/upload.html", act=act, form=form), 422 if form.is_submitted() else 200
    try:
        data = _read_upload(form.file.data)
        plan = importer.prepare(current_user, act, data, form.file.data.filename)
    except ValidationError as exc:
        db.session.rollback()
        form.file.errors = [exc.message]
        return render_template("plans/upload.html", act=act, form=form), 422
    confirm = None
    if plan.valid:
        folder = _pending_folder()
        _forget_old_uploads(folder)
        token = secrets.token_urlsafe(24)
        (folder / f"{token}.upload").write_bytes(data)
        session[SESSION_KEY] = {"token": token, "act_id": act.id, "filename": form.file.data.filename}
        confirm = ConfirmForm(token=token)
    return _preview(act, plan, confirm, form.file.data.filename), 200 if plan.valid else 422


@bp.post("/acts/<int:act_id>/import/confirm")
@login_required
def confirm(act_id):
    act = _manageable_act(act_id)
    form = ConfirmForm()
    pending = session.get(SESSION_KEY) or {}
    if not form.validate_on_submit() or pending.get("token") != form.token.data or pending.get("act_id") != act.id:
        flash(_("This preview has expired or was already imported. Upload the plan again."), "error")
        return redirect(url_for("plans.upload", act_id=act.id))
    path = _pending_folder() / f"{pending['token']}.upload"
    if not path.exists():
        session.pop(SESSION_KEY, None)
        flash(_("The uploaded plan is no longer here. Upload it again."), "error")
        return redirect(url_for("plans.upload", act_id=act.id))
    try:
        plan = importer.import_plan(current_user, act, path.read_bytes(), pending.get("filename"))
    except (ValidationError, Conflict) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("plans.upload", act_id=act.id))
    if not plan.valid:
        # The act changed since the preview (someone added a task): show what is wrong now.
        db.session.rollback()
        return _preview(act, plan, None, pending.get("filename")), 422
    db.session.commit()
    path.unlink(missing_ok=True)
    session.pop(SESSION_KEY, None)
    counts = plan.counts()
    flash(_("Plan imported: %(tasks)s tasks (%(sections)s sections, %(measures)s measures) "
            "and %(assignments)s assignments; %(existing)s rows already existed.", tasks=plan.created_tasks,
            sections=counts["sections"], measures=counts["measures"], assignments=plan.created_assignments,
            existing=counts["existing"]), "success")
    return redirect(url_for("acts.show", act_id=act.id))


# -- the implementation report -----------------------------------------------------------------

def _report_organizations(user, act):
    """The organizations with work in ``act`` whose report ``user`` may read, by name."""
    stmt = (sa.select(Organization).join(Assignment, Assignment.organization_id == Organization.id)
            .join(Task, Assignment.task_id == Task.id)
            .where(Task.act_id == act.id, Assignment.parent_id.is_(None)).distinct().order_by(Organization.name))
    orgs = db.session.scalars(stmt).all()
    return [o for o in orgs if implementation.may_view(user, act, o)]


@bp.get("/acts/<int:act_id>/report")
@login_required
def act_report(act_id):
    act = get_visible(Act, act_id, permissions.can_view_act)
    everything = permissions.reads_everything(current_user)
    orgs = _report_organizations(current_user, act)
    form = ReportForm(request.args)
    form.organization_id.choices = ([SelectChoice(0, _("All organizations"))] if everything else []) + [
        SelectChoice(o.id, f"{o.short_name} — {o.name}") for o in orgs]
    if not request.args:
        form.year.data = clock.today().year
        return render_template("plans/report_form.html", act=act, form=form, organizations=orgs)
    if not form.validate():
        return render_template("plans/report_form.html", act=act, form=form, organizations=orgs), 422
    organization = db.session.get(Organization, form.organization_id.data) if form.organization_id.data else None
    if organization is None and (form.organization_id.data or not everything):
        abort(404)  # no such organization, or "all organizations" asked by an executive body
    if organization is not None and not implementation.may_view(current_user, act, organization):
        abort(404)
    report = implementation.build(act, form.year.data or clock.today().year, organization)
    return render.response(report, form.format.data)


@bp.get("/organizations/<int:org_id>/reports")
@login_required
def organization_reports(org_id):
    """An organization's implementation reports: one line per act it has work in."""
    organization = db.session.get(Organization, org_id)
    if organization is None or not (permissions.reads_everything(current_user)
                                    or organization.is_within(current_user.organization)):
        abort(404)
    stmt = permissions.scope_acts(current_user, sa.select(Act), Act).where(Act.id.in_(
        sa.select(Task.act_id).join(Assignment, Assignment.task_id == Task.id)
        .where(Assignment.organization_id == organization.id, Assignment.parent_id.is_(None))))
    acts = db.session.scalars(stmt.order_by(Act.title)).all()
    year = request.args.get("year", clock.today().year, type=int)
    if not implementation.MIN_YEAR <= year <= implementation.MAX_YEAR:
        year = clock.today().year
    return render_template("plans/organization.html", organization=organization, acts=acts, year=year,
                           formats=FORMATS)
