"""Tasks of an act: the task page, the task forms, and its stages and evidence requirements."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from monitoris import clock, permissions, queries
from monitoris.errors import ValidationError
from monitoris.extensions import db
from monitoris.models import PRIORITIES, RECURRENCES, Act, EvidenceRequirement, Stage, Task, User, UserRole
from monitoris.services import tasks as tasks_service
from monitoris.web.forms import Form
from monitoris.web.helpers import OptionalSelectField, attach_errors, get_visible

bp = Blueprint("tasks", __name__)

RECURRENCE_LABELS = {"none": _l("Once"), "annual": _l("Every year"), "semiannual": _l("Every half-year"),
                     "quarterly": _l("Every quarter"), "monthly": _l("Every month")}
PRIORITY_LABELS = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High")}


class TaskForm(Form):
    number = StringField(_l("Number"), validators=[DataRequired(message=_l("A number is required.")), Length(max=40)],
                         description=_l("Digits separated by dots, like 4 or 4.1.1. "
                                        "A sub-number goes under its section."))
    title = TextAreaField(_l("Event name"), validators=[DataRequired(message=_l("The event name is required."))])
    indicator = TextAreaField(_l("Assessment indicator"), validators=[Optional()])
    period_start = DateField(_l("Fulfilment period from"), validators=[Optional()])
    period_end = DateField(_l("Fulfilment period to"), validators=[Optional()])
    recurrence = SelectField(_l("Recurrence"), choices=[SelectChoice(r, RECURRENCE_LABELS[r]) for r in RECURRENCES])
    due_on = DateField(_l("Due date"), validators=[Optional()])
    priority = SelectField(_l("Priority"), choices=[SelectChoice(p, PRIORITY_LABELS[p]) for p in PRIORITIES])
    controller_id = OptionalSelectField(_l("Controller"))
    published = BooleanField(_l("Published in the open data"))

    def fill_choices(self):
        controllers = db.session.scalars(
            sa.select(User).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_(("controller", "admin")), User.active.is_(True))
            .order_by(User.name).distinct()).all()
        self.controller_id.choices = [SelectChoice("", _l("— nobody yet —"))] + [
            SelectChoice(u.id, u.name) for u in controllers]
        return self

    def fields_for_service(self):
        return {name: getattr(self, name).data for name in tasks_service.FIELDS}


class StageForm(Form):
    title = StringField(_l("Control point"),
                        validators=[DataRequired(message=_l("A title is required.")), Length(max=500)])
    due_on = DateField(_l("Due"), validators=[Optional()])
    done_on = DateField(_l("Done"), validators=[Optional()])


class RequirementForm(Form):
    text = StringField(_l("What counts as evidence"),
                       validators=[DataRequired(message=_l("The text is required.")), Length(max=1000)])
    document_kinds = StringField(_l("Document kinds"), validators=[Optional(), Length(max=200)],
                                 description=_l("For example: pdf, xlsx"))


def _visible_task(task_id):
    return get_visible(Task, task_id, permissions.can_view_task)


def _editable(task):
    if not permissions.can_edit_task(current_user, task):
        abort(403)
    return task


def render_task(task, *, stage_form=None, requirement_form=None, status=200):
    today = clock.today()
    stmt = queries.assignments(current_user, today=today, task_id=task.id, sort="organization")
    return render_template(
        "tasks/show.html", task=task, act=task.act, today=today,
        assignments=db.session.scalars(stmt).unique().all(),
        is_section=bool(task.children),
        can_edit=permissions.can_edit_task(current_user, task),
        can_assign=permissions.can_assign(current_user, task) and not task.children,
        stage_form=stage_form or StageForm(formdata=None), requirement_form=requirement_form
        or RequirementForm(formdata=None), recurrence_label=RECURRENCE_LABELS[task.recurrence],
    ), status


@bp.get("/tasks/<int:task_id>")
@login_required
def show(task_id):
    return render_task(_visible_task(task_id))


def _render_form(form, act, task=None, status=200):
    return render_template("tasks/form.html", form=form, act=act, task=task), status


@bp.route("/acts/<int:act_id>/tasks/new", methods=["GET", "POST"])
@login_required
def create(act_id):
    act = get_visible(Act, act_id, permissions.can_view_act)
    if not permissions.can_add_tasks(current_user, act):
        abort(403)
    form = TaskForm().fill_choices()
    if request.method == "GET":
        form.number.data = request.args.get("number", "")
        form.controller_id.data = current_user.id if current_user.has_role("controller") else None
    if not form.validate_on_submit():
        return _render_form(form, act, status=422 if form.is_submitted() else 200)
    try:
        task = tasks_service.create_task(current_user, act, **form.fields_for_service())
    except ValidationError as exc:
        db.session.rollback()
        return _render_form(attach_errors(form, exc), act, status=422)
    db.session.commit()
    flash(_("Task %(number)s has been added.", number=task.number), "success")
    if request.form.get("then") == "another":
        return redirect(url_for("tasks.create", act_id=act.id))
    return redirect(url_for("acts.show", act_id=act.id, _anchor=f"task-{task.id}"))


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@login_required
def edit(task_id):
    task = _editable(_visible_task(task_id))
    form = TaskForm(obj=task).fill_choices()
    if not form.validate_on_submit():
        return _render_form(form, task.act, task, status=422 if form.is_submitted() else 200)
    try:
        tasks_service.update_task(current_user, task, **form.fields_for_service())
    except ValidationError as exc:
        db.session.rollback()
        return _render_form(attach_errors(form, exc), task.act, task, status=422)
    db.session.commit()
    flash(_("Task %(number)s has been saved.", number=task.number), "success")
    return redirect(url_for("tasks.show", task_id=task.id))


# -- stages -------------------------------------------------------------------------------

@bp.post("/tasks/<int:task_id>/stages")
@login_required
def add_stage(task_id):
    task = _editable(_visible_task(task_id))
    form = StageForm()
    if not form.validate_on_submit():
        return render_task(task, stage_form=form, status=422)
    try:
        tasks_service.add_stage(current_user, task, title=form.title.data, due_on=form.due_on.data)
    except ValidationError as exc:
        db.session.rollback()
        return render_task(task, stage_form=attach_errors(form, exc), status=422)
    db.session.commit()
    flash(_("The control point has been added."), "success")
    return redirect(url_for("tasks.show", task_id=task.id, _anchor="stages"))


def _visible_stage(stage_id):
    stage = db.session.get(Stage, stage_id)
    if stage is None or not permissions.can_view_task(current_user, stage.task):
        abort(404)
    return stage


@bp.route("/stages/<int:stage_id>/edit", methods=["GET", "POST"])
@login_required
def edit_stage(stage_id):
    stage = _visible_stage(stage_id)
    _editable(stage.task)
    form = StageForm(obj=stage)
    if request.method == "GET" and request.args.get("done") and not stage.done_on:
        form.done_on.data = clock.today()
    if not form.validate_on_submit():
        return render_template("tasks/stage_form.html", form=form, stage=stage, task=stage.task), (
            422 if form.is_submitted() else 200)
    try:
        tasks_service.update_stage(current_user, stage, title=form.title.data, due_on=form.due_on.data,
                                   done_on=form.done_on.data)
    except ValidationError as exc:
        db.session.rollback()
        return render_template("tasks/stage_form.html", form=attach_errors(form, exc), stage=stage,
                               task=stage.task), 422
    db.session.commit()
    flash(_("The control point has been saved."), "success")
    return redirect(url_for("tasks.show", task_id=stage.task_id, _anchor="stages"))


@bp.post("/stages/<int:stage_id>/remove")
@login_required
def remove_stage(stage_id):
    stage = _visible_stage(stage_id)
    task_id = _editable(stage.task).id
    tasks_service.remove_stage(current_user, stage)
    db.session.commit()
    flash(_("The control point has been removed."), "success")
    return redirect(url_for("tasks.show", task_id=task_id, _anchor="stages"))


# -- evidence requirements ------------------------------------------------------------------

@bp.post("/tasks/<int:task_id>/requirements")
@login_required
def add_requirement(task_id):
    task = _editable(_visible_task(task_id))
    form = RequirementForm()
    if not form.validate_on_submit():
        return render_task(task, requirement_form=form, status=422)
    try:
        tasks_service.add_requirement(current_user, task, text=form.text.data,
                                      document_kinds=(form.document_kinds.data or "").strip() or None)
    except ValidationError as exc:
        db.session.rollback()
        return render_task(task, requirement_form=attach_errors(form, exc), status=422)
    db.session.commit()
    flash(_("The evidence requirement has been added."), "success")
    return redirect(url_for("tasks.show", task_id=task.id, _anchor="requirements"))


@bp.post("/requirements/<int:requirement_id>/remove")
@login_required
def remove_requirement(requirement_id):
    requirement = db.session.get(EvidenceRequirement, requirement_id)
    if requirement is None or not permissions.can_view_task(current_user, requirement.task):
        abort(404)
    task_id = _editable(requirement.task).id
    tasks_service.remove_requirement(current_user, requirement)
    db.session.commit()
    flash(_("The evidence requirement has been removed."), "success")
    return redirect(url_for("tasks.show", task_id=task_id, _anchor="requirements"))
