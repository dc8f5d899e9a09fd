"""The person's own page: language and phone, channels per kind of message, password, API tokens."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError

from monitoris.errors import ValidationError as ServiceError
from monitoris.extensions import db
from monitoris.models import LOCALES
from monitoris.models.notification import CHANNELS
from monitoris.notifications.outbox import DEFAULT_CHANNELS
from monitoris.services import notification_settings, tokens, users
from monitoris.services.passwords import MIN_LENGTH, check_password
from monitoris.web.admin import LOCALE_LABELS
from monitoris.web.helpers import attach_errors

bp = Blueprint("profile", __name__, url_prefix="/profile")

KIND_TEXT = {
    "reminder": (_l("Deadline reminders"), _l("Before and on the due date of your assignments")),
    "overdue": (_l("Overdue assignments"), _l("After the due date has passed")),
    "assignment": (_l("New assignments"), _l("A task assigned to your body or to you")),
    "review": (_l("Reviews"), _l("Reports submitted, accepted or returned")),
    "instruction": (_l("Instructions"), _l("Instructions of the control body and their response deadlines")),
    "extension": (_l("Extensions"), _l("Requests to move a due date, and the decisions")),
    "digest": (_l("Daily digest"), _l("A morning summary of what is due and overdue")),
}
CHANNEL_TEXT = {"email": _l("Email"), "sms": _l("SMS"), "in_app": _l("In Monitoris")}


@bp.before_request
@login_required
def _signed_in():
    pass


class DetailsForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[(lo, LOCALE_LABELS.get(lo, lo)) for lo in LOCALES],
                         description=_l("Of the messages you receive by email, SMS and here."))
    phone = StringField(_l("Mobile phone (for SMS)"), validators=[Optional(), Length(max=40)],
                        description=_l("With the country code, e.g. +994 50 123 45 67. Leave empty for no SMS."))


class ChannelsForm(FlaskForm):
    """The grid is read from the ``channel`` checkboxes ("kind:channel"); the form carries the CSRF token."""


def _current_password(form, field):
    if not check_password(current_user.password_hash, field.data or ""):
        raise ValidationError(_("This is not your current password."))


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Type your current password.")),
                                                            _current_password])
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Type the new password."))],
                             description=_l("At least %(num)s characters. Your other login sessions end.",
                                             num=MIN_LENGTH))
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[EqualTo("password", _l("The two passwords are not the same."))])


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Name the token after where it will be used.")),
                                           Length(max=100)], description=_l("Where the token will be used."))
    expires_in_days = IntegerField(_l("Valid for (days)"), validators=[NumberRange(min=1)])


def _page(status=200, **forms):
    user = current_user
    details = forms.get("details") or DetailsForm(prefix="details", obj=user)
    token_form = forms.get("token_form") or TokenForm(prefix="token", formdata=None,
                                                      expires_in_days=current_app.config["API_TOKEN_DEFAULT_DAYS"])
    return render_template(
        "profile/show.html", user=user, details=details,
        channels_form=forms.get("channels_form") or ChannelsForm(prefix="channels", formdata=None),
        choices=forms.get("choices") or notification_settings.channel_choices(user),
        password_form=forms.get("password_form") or PasswordChangeForm(prefix="password", formdata=None),
        token_form=token_form, tokens=tokens.tokens_of(user), new_token=forms.get("new_token"),
        kinds=[(k, *KIND_TEXT.get(k, (k, ""))) for k in DEFAULT_CHANNELS],
        channels=[(c, CHANNEL_TEXT[c]) for c in CHANNELS], max_days=current_app.config["API_TOKEN_MAX_DAYS"],
    ), status


@bp.get("")
def show():
    return _page()


@bp.post("/details")
def details():
    form = DetailsForm(prefix="details")
    if not form.validate_on_submit():
        return _page(422, details=form)
    try:
        notification_settings.update_profile(current_user, current_user, locale=form.locale.data,
                                             phone=form.phone.data)
    except ServiceError as exc:
        db.session.rollback()
        return _page(422, details=attach_errors(form, exc))
    db.session.commit()
    session["locale"] = form.locale.data  # the language menu shows the same choice
    flash(_("Your details have been saved."), "success")
    return redirect(url_for("profile.show"))


@bp.post("/channels")
def channels():
    form = ChannelsForm(prefix="channels")
    chosen = {tuple(v.split(":", 1)) for v in request.form.getlist("channel") if ":" in v}
    if not form.validate_on_submit():
        return _page(422, channels_form=form)
    try:
        notification_settings.set_channels(current_user, current_user, chosen)
    except ServiceError as exc:
        db.session.rollback()
        return _page(422, channels_form=attach_errors(form, exc))
    db.session.commit()
    flash(_("Your channels have been saved."), "success")
    return redirect(url_for("profile.show", _anchor="channels"))


@bp.post("/password")
def password():
    form = PasswordChangeForm(prefix="password")
    if not form.validate_on_submit():
        return _page(422, password_form=form)
    try:
        users.change_password(current_user, current_user, form.password.data)
    except ServiceError as exc:
        db.session.rollback()
        return _page(422, password_form=attach_errors(form, exc))
    db.session.commit()
    flash(_("Your password has been changed; your other login sessions have ended."), "success")
    return redirect(url_for("profile.show"))


@bp.post("/tokens")
def create_token():
    form = TokenForm(prefix="token")
    if not form.validate_on_submit():
        return _page(422, token_form=form)
    try:
        token = tokens.create_token(current_user, name=form.name.data, expires_in_days=form.expires_in_days.data)
    except ServiceError as exc:
        db.session.rollback()
        return _page(422, token_form=attach_errors(form, exc))
    db.session.commit()
    # Shown on this answer only: never flashed (the session cookie is signed, not secret) nor stored.
    return _page(new_token=token)


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id):
    tokens.revoke_token(current_user, token_id)
    db.session.commit()
    flash(_("The token has been revoked; it no longer works."), "success")
    return redirect(url_for("profile.show", _anchor="tokens"))
