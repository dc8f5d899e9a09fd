"""Acts: the list, one act with its task tree, and the forms to create and edit an act."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from monitoris import clock, permissions, queries
from monitoris.errors import ValidationError
from monitoris.extensions import db
from monitoris.models import ACT_KINDS, ACT_STATES, Act
from monitoris.services import acts as acts_service
from monitoris.web.forms import Form
from monitoris.web.helpers import attach_errors, get_visible, label_choices

bp = Blueprint("acts", __name__, url_prefix="/acts")


class ActForm(Form):
    kind = SelectField(_l("Kind"), choices=label_choices(ACT_KINDS, "kind"))
    number = StringField(_l("Number"), validators=[Optional(), Length(max=60)])
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("A title is required.")), Length(max=500)])
    issuer = StringField(_l("Issuer"), validators=[Optional(), Length(max=300)])
    summary = TextAreaField(_l("Summary"), validators=[Optional()])
    state = SelectField(_l("State"), choices=label_choices(ACT_STATES, "state"))
    # Checked by the service, in the format of the installation's MONITORIS_REMINDER_POLICY.
    reminder_policy = StringField(_l("Reminder policy"), validators=[Optional(), Length(max=60)])

    def fields_for_service(self):
        return {name: getattr(self, name).data for name in
                ("kind", "number", "signed_on", "title", "issuer", "summary", "state", "reminder_policy")}


class ActFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"))
    state = SelectField(_l("State"), choices=[SelectChoice("", _l("Any state")), *label_choices(ACT_STATES, "state")],
                        validate_choice=False)


@bp.get("/")
@login_required
def index():
    filters = ActFilterForm(request.args)
    stmt = queries.acts(current_user, state=filters.state.data or None, q=filters.q.data or None)
    page = queries.paginate(stmt, request.args.get("page", 1, type=int), 25, clamp=True)
    return render_template("acts/index.html", page=page, filters=filters,
                           can_manage=permissions.can_manage_acts(current_user))


@bp.get("/<int:act_id>")
@login_required
def show(act_id):
    act = get_visible(Act, act_id, permissions.can_view_act)
    tree = queries.task_tree(act)
    parents = {t.parent_id for t in tree if t.parent_id}
    page = queries.tree_page(tree, lambda t: t.id in parents, request.args.get("page", 1, type=int))
    return render_template("acts/show.html", act=act, tree=page, sections=parents,
                           assignments=queries.assignments_by_task(current_user, act, [t.id for t in page.items]),
                           today=clock.today(), can_manage=permissions.can_manage_acts(current_user),
                           **_reminder_settings())


def _reminder_settings():
    """The installation's reminder policy, which an act without its own follows."""
    return {"default_policy": current_app.config["REMINDER_POLICY"],
            "weekly_overdue": current_app.config["REMINDER_WEEKLY_OVERDUE"]}


def _render_form(form, act=None, status=200):
    return render_template("acts/form.html", form=form, act=act, **_reminder_settings()), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    if not permissions.can_manage_acts(current_user):
        abort(403)
    form = ActForm()
    if request.method == "GET":
        form.state.data = "draft"
    if not form.validate_on_submit():
        return _render_form(form, status=422 if form.is_submitted() else 200)
    try:
        act = acts_service.create_act(current_user, **form.fields_for_service())
    except ValidationError as exc:
        db.session.rollback()
        return _render_form(attach_errors(form, exc), status=422)
    db.session.commit()
    flash(_("The act “%(title)s” has been created.", title=act.title), "success")
    return redirect(url_for("acts.show", act_id=act.id))


@bp.route("/<int:act_id>/edit", methods=["GET", "POST"])
@login_required
def edit(act_id):
    act = get_visible(Act, act_id, permissions.can_view_act)
    if not permissions.can_manage_acts(current_user):
        abort(403)
    form = ActForm(obj=act)
    if not form.validate_on_submit():
        return _render_form(form, act, status=422 if form.is_submitted() else 200)
    try:
        acts_service.update_act(current_user, act, **form.fields_for_service())
    except ValidationError as exc:
        db.session.rollback()
        return _render_form(attach_errors(form, exc), act, status=422)
    db.session.commit()
    flash(_("The act has been saved."), "success")
    return redirect(url_for("acts.show", act_id=act.id))

