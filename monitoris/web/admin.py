"""Administration: the tree of organizations and the people's accounts (admins only)."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from monitoris import permissions, queries
from monitoris.errors import ValidationError
from monitoris.extensions import db
from monitoris.models import LOCALES, ORGANIZATION_KINDS, ROLES, Organization, User
from monitoris.services import auth
from monitoris.services import organizations as organizations_service
from monitoris.services import users as users_service
from monitoris.services.passwords import MIN_LENGTH
from monitoris.web.forms import Form
from monitoris.web.helpers import OptionalSelectField, attach_errors, label_choices

bp = Blueprint("admin", __name__, url_prefix="/admin")

LOCALE_LABELS = {"en": "English", "az": "Azərbaycanca", "ru": "Русский"}


@bp.before_request
@login_required
def _admins_only():
    if not permissions.can_administer(current_user):
        abort(403)


def _blank_to_none(value):
    return (value or "").strip() or None


def _organization_choices(empty=None, exclude=None):
    orgs = db.session.scalars(queries.organizations()).all()
    choices = [SelectChoice("", empty)] if empty else []
    for o in orgs:
        if exclude is not None and o.is_within(exclude):
            continue  # an organization cannot move under itself
        choices.append(SelectChoice(o.id, "· " * (o.path.count("/") - 2) + f"{o.short_name} — {o.name}"))
    return choices


# -- organizations ------------------------------------------------------------------------------

class OrganizationForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("A name is required.")), Length(max=300)])
    short_name = StringField(_l("Short name"),
                             validators=[DataRequired(_l("A short name is required.")), Length(max=40)])
    kind = SelectField(_l("Kind"), choices=label_choices(ORGANIZATION_KINDS, "kind"))
    parent_id = OptionalSelectField(_l("Part of"))
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    active = BooleanField(_l("Active"), default=True)

    def fields_for_service(self):
        return {"name": self.name.data, "short_name": self.short_name.data, "kind": self.kind.data,
                "parent_id": self.parent_id.data, "email": _blank_to_none(self.email.data),
                "phone": _blank_to_none(self.phone.data), "active": self.active.data}


@bp.get("/organizations")
def organizations():
    orgs = db.session.scalars(queries.organizations()).all()
    people = dict(db.session.execute(sa.select(User.organization_id, sa.func.count()).group_by(User.organization_id))
                  .all())
    return render_template("admin/organizations.html", organizations=orgs, people=people)


@bp.route("/organizations/new", methods=["GET", "POST"])
def create_organization():
    form = OrganizationForm()
    form.parent_id.choices = _organization_choices(_("— none (top level) —"))
    if request.method == "GET" and request.args.get("parent", type=int):
        form.parent_id.data = request.args.get("parent", type=int)
    if not form.validate_on_submit():
        return render_template("admin/organization_form.html", form=form), 422 if form.is_submitted() else 200
    try:
        org = organizations_service.create_organization(current_user, **form.fields_for_service())
    except ValidationError as exc:
        db.session.rollback()
        return render_template("admin/organization_form.html", form=attach_errors(form, exc)), 422
    db.session.commit()
    flash(_("%(short_name)s has been created.", short_name=org.short_name), "success")
    return redirect(url_for("admin.organizations", _anchor=f"org-{org.id}"))


@bp.route("/organizations/<int:org_id>/edit", methods=["GET", "POST"])
def edit_organization(org_id):
    org = db.session.get(Organization, org_id) or abort(404)
    form = OrganizationForm(obj=org)
    form.parent_id.choices = _organization_choices(_("— none (top level) —"), exclude=org)
    if not form.validate_on_submit():
        return render_template("admin/organization_form.html", form=form, organization=org), (
            422 if form.is_submitted() else 200)
    try:
        organizations_service.update_organization(current_user, org, **form.fields_for_service())
    except ValidationError as exc:
        db.session.rollback()
        return render_template("admin/organization_form.html", form=attach_errors(form, exc), organization=org), 422
    db.session.commit()
    flash(_("%(short_name)s has been saved.", short_name=org.short_name), "success")
    return redirect(url_for("admin.organizations", _anchor=f"org-{org.id}"))


# -- users ----------------------------------------------------------------------------------------

class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("A name is required.")), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(_l("An email address is required.")), Length(max=254)])
    phone = StringField(_l("Phone (for SMS reminders)"), validators=[Optional(), Length(max=40)])
    organization_id = OptionalSelectField(_l("Organization"),
                                          validators=[DataRequired(_l("Choose an organization."))])
    roles = CheckboxesField(_l("Roles"), choices=label_choices(ROLES, "role"))
    locale = SelectField(_l("Language"), choices=[SelectChoice(lo, LOCALE_LABELS.get(lo, lo)) for lo in LOCALES])
    active = BooleanField(_l("Active (may log in)"), default=True)

    def fields_for_service(self):
        return {"name": self.name.data, "email": self.email.data, "phone": _blank_to_none(self.phone.data),
                "organization_id": self.organization_id.data, "roles": set(self.roles.data or ()),
                "locale": self.locale.data, "active": self.active.data}


class NewUserForm(UserForm):
    password = PasswordField(_l("Initial password"), validators=[DataRequired(_l("Set an initial password."))],
                             description=_l("At least %(num)s characters; the person can change it later.",
                                             num=MIN_LENGTH))


class PasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Type the new password."))],
                             description=_l("At least %(num)s characters. Every login session of the account "
                                            "ends.", num=MIN_LENGTH))
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[EqualTo("password", _l("The two passwords are not the same."))])


@bp.get("/users")
def users():
    q = (request.args.get("q") or "").strip()
    page = queries.paginate(queries.users(q=q), request.args.get("page", 1, type=int), 50, clamp=True)
    return render_template("admin/users.html", page=page, q=q)


def _user_form(form_cls, **kwargs):
    form = form_cls(**kwargs)
    form.organization_id.choices = _organization_choices(_("— choose —"))
    return form


@bp.route("/users/new", methods=["GET", "POST"])
def create_user():
    form = _user_form(NewUserForm)
    if request.method == "GET":
        form.organization_id.data = request.args.get("organization", type=int)
        form.roles.data = ["executor"]
    if not form.validate_on_submit():
        return render_template("admin/user_form.html", form=form), 422 if form.is_submitted() else 200
    try:
        user = users_service.create_user(current_user, password=form.password.data, **form.fields_for_service())
    except ValidationError as exc:
        db.session.rollback()
        return render_template("admin/user_form.html", form=attach_errors(form, exc)), 422
    db.session.commit()
    flash(_("The account of %(name)s has been created.", name=user.name), "success")
    return redirect(url_for("admin.users"))


def _user_page(form, user, status=200):
    return render_template("admin/user_form.html", form=form, user=user,
                           live_sessions=len(auth.live_sessions(user))), status


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id):
    user = db.session.get(User, user_id) or abort(404)
    form = _user_form(UserForm, obj=user)
    if request.method == "GET":
        form.roles.data = sorted(user.roles)
    if not form.validate_on_submit():
        return _user_page(form, user, 422 if form.is_submitted() else 200)
    try:
        users_service.update_user(current_user, user, **form.fields_for_service())
    except ValidationError as exc:
        db.session.rollback()
        return _user_page(attach_errors(form, exc), user, 422)
    db.session.commit()
    flash(_("The account of %(name)s has been saved.", name=user.name), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/sessions/end")
def end_sessions(user_id):
    """Every login session of the person ends at once (``auth.end_all_sessions``)."""
    user = db.session.get(User, user_id) or abort(404)
    ended = auth.end_all_sessions(current_user, user)
    db.session.commit()
    if ended:
        message = ngettext("%(num)d login session of %(name)s has been ended; they must log in again.",
                           "%(num)d login sessions of %(name)s have been ended; they must log in again.", ended,
                           name=user.name)
    else:
        message = _("%(name)s had no live login session; none has been ended.", name=user.name)
    flash(message, "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def reset_password(user_id):
    user = db.session.get(User, user_id) or abort(404)
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_template("admin/password.html", form=form, user=user), 422 if form.is_submitted() else 200
    try:
        users_service.change_password(current_user, user, form.password.data)
    except ValidationError as exc:
        db.session.rollback()
        return render_template("admin/password.html", form=attach_errors(form, exc), user=user), 422
    db.session.commit()
    flash(_("The password of %(name)s has been reset; their other login sessions have ended.", name=user.name),
          "success")
    return redirect(url_for("admin.users"))
