"""Assignments: the work list, one assignment with its timeline, and everything done to one.

Assigning a task, editing, the workflow transitions and delegation each call one service.
"""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from monitoris import clock, permissions, queries, work
from monitoris.errors import IllegalTransition, ValidationError
from monitoris.extensions import db
from monitoris.models import ASSIGNMENT_ROLES, STATES, TRANSITIONS, Assignment, Organization, Task, User
from monitoris.models.assignment import REPORT_ACTIONS
from monitoris.services import assignments as assignments_service
from monitoris.services import reports as reports_service
from monitoris.web.forms import Form
from monitoris.web.helpers import (
    EVENT_LABELS,
    OptionalSelectField,
    WholeNumberField,
    attach_errors,
    describe_changes,
    get_visible,
    label,
    label_choices,
)

bp = Blueprint("assignments", __name__)

ROLE_CHOICES = label_choices(ASSIGNMENT_ROLES, "role")


# -- forms ------------------------------------------------------------------------------------

class FilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"))
    organization_id = OptionalSelectField(_l("Organization"), validate_choice=False)
    act_id = OptionalSelectField(_l("Act"), validate_choice=False)
    state = SelectField(_l("State"), choices=[SelectChoice("", _l("Any state")), *label_choices(STATES, "state")],
                        validate_choice=False)
    overdue = SelectField(_l("Overdue"), choices=[SelectChoice("", _l("Overdue or not")),
                                              SelectChoice("yes", _l("Overdue only")),
                                              SelectChoice("no", _l("Not overdue"))], validate_choice=False)

    def fill_choices(self, user):
        org_stmt = queries.organizations().where(Organization.kind != "control")
        if not permissions.reads_everything(user):
            org_stmt = org_stmt.where(Organization.path.startswith(user.organization.path, autoescape=True))
        self.organization_id.choices = [SelectChoice("", _l("All organizations"))] + [
            SelectChoice(o.id, o.short_name) for o in db.session.scalars(org_stmt)]
        self.act_id.choices = [SelectChoice("", _l("All acts"))] + [
            SelectChoice(a.id, a.display_title) for a in db.session.scalars(queries.acts(user))]
        return self

    def query_args(self):
        overdue = {"yes": True, "no": False}.get(self.overdue.data)
        return {"organization_id": self.organization_id.data, "act_id": self.act_id.data,
                "state": self.state.data or None, "overdue": overdue, "q": (self.q.data or "").strip() or None}


def _person_choices(people, empty=_l("— not named yet —")):
    return [SelectChoice("", empty)] + [SelectChoice(u.id, f"{u.name} ({u.organization.short_name})") for u in people]


class AssignForm(Form):
    organization_id = OptionalSelectField(_l("Executive body"),
                                          validators=[DataRequired(_l("Choose an executive body."))])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    due_on = DateField(_l("Due date"), validators=[InputRequired(_l("A due date is required."))])
    responsible_id = OptionalSelectField(_l("Responsible person"), validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Optional()])

    def fill_choices(self):
        self.organization_id.choices = [SelectChoice("", _l("— choose —"))] + [
            SelectChoice(o.id, f"{o.short_name} — {o.name}") for o in queries.executive_bodies()]
        people = db.session.scalars(
            sa.select(User).join(Organization, User.organization_id == Organization.id)
            .where(Organization.kind != "control", User.active.is_(True))
            .order_by(Organization.short_name, User.name)).all()
        self.responsible_id.choices = _person_choices(people)
        return self


class EditForm(Form):
    due_on = DateField(_l("Due date"), validators=[InputRequired(_l("A due date is required."))])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    responsible_id = OptionalSelectField(_l("Responsible person"))
    progress = WholeNumberField(_l("Progress (%)"), validators=[
        InputRequired(_l("Give the progress as a number.")), NumberRange(0, 100, _l("A whole number from 0 to 100."))])
    note = TextAreaField(_l("Note"), validators=[Optional()])

    def keep_only(self, allowed, assignment):
        for name in ("due_on", "role", "responsible_id", "progress", "note"):
            if name not in allowed:
                delattr(self, name)
        if "responsible_id" in allowed:
            self.responsible_id.choices = _person_choices(
                assignments_service.candidates_for_responsible(assignment), _l("— nobody —"))
        return self

    def fields_for_service(self):
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


class TransitionForm(Form):
    comment = TextAreaField(_l("Comment"), validators=[Optional()])


class DelegateForm(Form):
    organization_id = OptionalSelectField(_l("Unit"), validators=[DataRequired(_l("Choose the unit."))])
    responsible_id = OptionalSelectField(_l("Responsible person"))
    due_on = DateField(_l("Personal due date"), validators=[InputRequired(_l("A due date is required."))])
    note = TextAreaField(_l("Instructions"), validators=[Optional()])

    def fill_choices(self, assignment):
        units = db.session.scalars(queries.organizations(active=True).where(
            Organization.path.startswith(assignment.organization.path, autoescape=True))).all()
        base_depth = assignment.organization.path.count("/")
        self.organization_id.choices = [
            SelectChoice(o.id, "· " * (o.path.count("/") - base_depth) + f"{o.short_name} — {o.name}") for o in units]
        self.responsible_id.choices = _person_choices(assignments_service.candidates_for_responsible(assignment))
        return self


# -- helpers ----------------------------------------------------------------------------------

def _visible(assignment_id):
    return get_visible(Assignment, assignment_id, permissions.can_view_assignment)


def editable_fields(user, assignment):
    """The fields of the edit form this person may change (the service checks the same rule)."""
    return permissions.editable_assignment_fields(user, assignment)


def _timeline(assignment):
    # The assignment's own events and those of its reports, documents, instructions and extension requests.
    events = work.timeline(current_user, assignment)
    # Names for the ids the events mention, fetched in a query each rather than one per event.
    user_ids, org_ids = set(), set()
    for e in events:
        for values in (e.before or {}, e.after or {}):
            if values.get("responsible_id"):
                user_ids.add(values["responsible_id"])
            if values.get("organization_id"):
                org_ids.add(values["organization_id"])
    names = {("responsible_id", u.id): u.name for u in
             db.session.scalars(sa.select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    if org_ids:
        names |= {("organization_id", o.id): o.short_name for o in
                  db.session.scalars(sa.select(Organization).where(Organization.id.in_(org_ids)))}
    # The evidence requirements a review ticked are those of this task.
    names |= {("checked", r.id): r.text for r in assignment.task.evidence_requirements}
    subs = {s.id: s for s in assignment.sub_assignments}
    return [{"event": e, "label": EVENT_LABELS.get(e.action, e.action), "changes": describe_changes(e, names),
             "comment": (e.after or {}).get("comment"),
             "sub": subs.get(e.object_id) if e.object_type == "assignment" else None} for e in events]


def render_assignment(assignment, transition_form=None, status=200, general_errors=()):
    today = clock.today()
    actions = [a for a in assignment.allowed_actions() if permissions.can_transition(current_user, assignment, a)]
    reports = work.reports_of(assignment)
    # Once there are reports, submitting and reviewing happen on the report page.
    hidden = REPORT_ACTIONS if reports else {"accept_period"}
    actions = [a for a in actions if a not in hidden]
    return render_template(
        "assignments/show.html", assignment=assignment, task=assignment.task, act=assignment.task.act,
        today=today, actions=actions, timeline=_timeline(assignment), reports=reports,
        period_states=reports_service.period_states(assignment, today, reports),
        instructions=work.instructions_of(current_user, assignment),
        extension_requests=work.extension_requests_of(assignment),
        transition_form=transition_form or TransitionForm(formdata=None), general_errors=general_errors,
        can_edit=bool(editable_fields(current_user, assignment)),
        can_delegate=permissions.can_delegate(current_user, assignment),
    ), status


# -- views ------------------------------------------------------------------------------------

@bp.get("/assignments")
@login_required
def index():
    filters = FilterForm(request.args).fill_choices(current_user)
    filters.validate()
    today = clock.today()
    stmt = queries.assignments(current_user, today=today, sort=request.args.get("sort", "due_on"),
                               **filters.query_args())
    page = queries.paginate(stmt, request.args.get("page", 1, type=int), 25, clamp=True)
    return render_template("assignments/index.html", page=page, filters=filters, today=today)


@bp.get("/assignments/<int:assignment_id>")
@login_required
def show(assignment_id):
    return render_assignment(_visible(assignment_id))


@bp.route("/tasks/<int:task_id>/assign", methods=["GET", "POST"])
@login_required
def assign(task_id):
    task = get_visible(Task, task_id, permissions.can_view_task)
    if not permissions.can_assign(current_user, task):
        abort(403)
    form = AssignForm().fill_choices()
    if request.method == "GET":
        form.due_on.data = task.due_on
    if not form.validate_on_submit():
        return render_template("assignments/assign.html", form=form, task=task), (
            422 if form.is_submitted() else 200)
    try:
        assignment = assignments_service.assign(
            current_user, task, db.session.get(Organization, form.organization_id.data), due_on=form.due_on.data,
            role=form.role.data, note=(form.note.data or "").strip() or None,
            responsible=db.session.get(User, form.responsible_id.data) if form.responsible_id.data else None)
    except ValidationError as exc:
        db.session.rollback()
        return render_template("assignments/assign.html", form=attach_errors(form, exc), task=task), 422
    db.session.commit()
    flash(_("Task %(number)s has been assigned to %(org)s.", number=task.number,
            org=assignment.organization.short_name), "success")
    if request.form.get("then") == "another":
        return redirect(url_for("assignments.assign", task_id=task.id))
    return redirect(url_for("tasks.show", task_id=task.id, _anchor="assignments"))


@bp.route("/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(assignment_id):
    assignment = _visible(assignment_id)
    allowed = editable_fields(current_user, assignment)
    if not allowed:
        abort(403)
    form = EditForm(obj=assignment).keep_only(allowed, assignment)
    if not form.validate_on_submit():
        return render_template("assignments/edit.html", form=form, assignment=assignment), (
            422 if form.is_submitted() else 200)
    try:
        assignments_service.update(current_user, assignment, **form.fields_for_service())
    except ValidationError as exc:
        db.session.rollback()
        return render_template("assignments/edit.html", form=attach_errors(form, exc), assignment=assignment), 422
    db.session.commit()
    flash(_("The assignment has been saved."), "success")
    return redirect(url_for("assignments.show", assignment_id=assignment.id))


@bp.post("/assignments/<int:assignment_id>/transition")
@login_required
def transition(assignment_id):
    assignment = _visible(assignment_id)
    form = TransitionForm()
    action = request.form.get("action", "")
    if not form.validate_on_submit() or action not in TRANSITIONS:
        return render_assignment(assignment, form, 422, [_("Choose one of the buttons.")])
    if not permissions.can_transition(current_user, assignment, action):
        abort(403)
    try:
        assignments_service.transition(current_user, assignment, action, form.comment.data)
    except ValidationError as exc:
        db.session.rollback()
        return render_assignment(assignment, attach_errors(form, exc), 422)
    except IllegalTransition as exc:
        db.session.rollback()
        return render_assignment(assignment, form, 409, [exc.message])
    db.session.commit()
    flash(_("The assignment is now %(state)s.", state=label(assignment.state, "state").lower()), "success")
    return redirect(url_for("assignments.show", assignment_id=assignment.id))


@bp.route("/assignments/<int:assignment_id>/delegate", methods=["GET", "POST"])
@login_required
def delegate(assignment_id):
    assignment = _visible(assignment_id)
    if not permissions.can_delegate(current_user, assignment):
        abort(403)
    form = DelegateForm().fill_choices(assignment)
    if request.method == "GET":
        form.due_on.data = assignment.due_on
        form.organization_id.data = assignment.organization_id
    if not form.validate_on_submit():
        return render_template("assignments/delegate.html", form=form, assignment=assignment), (
            422 if form.is_submitted() else 200)
    try:
        sub = assignments_service.delegate(
            current_user, assignment, organization=db.session.get(Organization, form.organization_id.data),
            responsible=db.session.get(User, form.responsible_id.data) if form.responsible_id.data else None,
            due_on=form.due_on.data, note=(form.note.data or "").strip() or None)
    except ValidationError as exc:
        db.session.rollback()
        return render_template("assignments/delegate.html", form=attach_errors(form, exc), assignment=assignment), 422
    db.session.commit()
    flash(_("Delegated to %(name)s.", name=sub.responsible.name if sub.responsible else sub.organization.short_name),
          "success")
    return redirect(url_for("assignments.show", assignment_id=assignment.id))
