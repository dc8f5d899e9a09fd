"""The person's own page: language and phone, channels per kind of message, password, API tokens,
and their login sessions (see and end them)."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError

from monitoris.errors import NotFound
from monitoris.errors import ValidationError as ServiceError
from monitoris.extensions import db
from monitoris.models import LOCALES
from monitoris.models.notification import CHANNELS
from monitoris.notifications.outbox import DEFAULT_CHANNELS
from monitoris.services import auth, notification_settings, tokens, users
from monitoris.services.passwords import MIN_LENGTH, check_password
from monitoris.web.admin import LOCALE_LABELS
from monitoris.web.forms import Form
from monitoris.web.helpers import WholeNumberField, attach_errors

bp = Blueprint("profile", __name__, url_prefix="/profile")

KIND_TEXT = {
    "reminder": (_l("Deadline reminders"), _l("Before and on the due date of your assignments")),
    "overdue": (_l("Overdue assignments"), _l("After the due date has passed")),
    "assignment": (_l("New assignments"), _l("A task assigned to your body or to you")),
    "review": (_l("Reviews"), _l("Reports submitted, accepted or returned; work cancelled or reopened")),
    "instruction": (_l("Instructions"), _l("Instructions of the control body and their response deadlines")),
    "extension": (_l("Extensions"), _l("Requests to move a due date, and the decisions")),
    "digest": (_l("Daily digest"), _l("A morning summary of what is due and overdue")),
}
CHANNEL_TEXT = {"email": _l("Email"), "sms": _l("SMS"), "in_app": _l("In Monitoris")}


@bp.before_request
@login_required
def _signed_in():
    pass


class DetailsForm(Form):
    locale = SelectField(_l("Language"), choices=[SelectChoice(lo, LOCALE_LABELS.get(lo, lo)) for lo in LOCALES],
                         description=_l("Of the messages you receive by email, SMS and here."))
    phone = StringField(_l("Mobile phone (for SMS)"), validators=[Optional(), Length(max=40)],
                        description=_l("With the country code, e.g. +994 50 123 45 67. Leave empty for no SMS."))


class ChannelsForm(Form):
    """The grid is read from the ``channel`` checkboxes ("kind:channel"); the form carries the CSRF token."""


def _current_password(form, field):
    if not check_password(current_user.password_hash, field.data or ""):
        raise ValidationError(_("This is not your current password."))


class PasswordChangeForm(Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Type your current password.")),
                                                            _current_password])
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Type the new password."))],
                             description=_l("At least %(num)s characters. Your other login sessions end.",
                                             num=MIN_LENGTH))
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[EqualTo("password", _l("The two passwords are not the same."))])


class TokenForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Name the token after where it will be used.")),
                                           Length(max=100)], description=_l("Where the token will be used."))
    expires_in_days = WholeNumberField(_l("Valid for (days)"), validators=[NumberRange(min=1)])


class EndSessionsForm(Form):
    """Which session to end comes from the button pressed (``session_id``, or ``others``)."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Type your password."))],
                             description=_l("Ending a session needs your password, so that whoever might hold one "
                                            "of your sessions cannot end yours."))


# (pattern in the User-Agent header, name shown): the first that matches wins, so Edge and Opera come
# before Chrome, whose name their headers carry too.
BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("YaBrowser/", "Yandex Browser"), ("Firefox/", "Firefox"),
            ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl")]
SYSTEMS = [("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"),
           ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux")]


def browser_of(user_agent):
    """"Firefox · Windows" from a User-Agent header; what is not recognised is left out."""
    ua = user_agent or ""
    parts = [next((name for mark, name in BROWSERS if mark in ua), None),
             next((name for mark, name in SYSTEMS if mark in ua), None)]
    return " · ".join(p for p in parts if p) or None


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


# -- login sessions ----------------------------------------------------------------------------------

def _sessions_page(status=200, form=None):
    current = current_user.login_session.id if current_user.login_session is not None else None
    return render_template("profile/sessions.html", sessions=auth.live_sessions(current_user), current=current,
                           form=form or EndSessionsForm(formdata=None), browser_of=browser_of,
                           idle_minutes=current_app.config["SESSION_IDLE_MINUTES"],
                           absolute_hours=current_app.config["SESSION_ABSOLUTE_HOURS"]), status


@bp.get("/sessions")
def sessions():
    return _sessions_page()


@bp.post("/sessions/end")
def end_sessions():
    form = EndSessionsForm()
    if not form.validate_on_submit():
        return _sessions_page(422, form)
    session_id = request.form.get("session_id", type=int)
    if not request.form.get("others") and session_id is None:
        flash(_("Choose a session to end."), "error")
        return redirect(url_for("profile.sessions"))
    try:
        if request.form.get("others"):
            ended = auth.end_other_sessions(current_user, form.password.data)
            message = ngettext("%(num)d other session has been ended.", "%(num)d other sessions have been ended.",
                               ended)
        else:
            auth.end_own_session(current_user, session_id, form.password.data)
            message = _("The session has been ended: that browser is logged out.")
    except ServiceError as exc:
        db.session.rollback()
        return _sessions_page(422, attach_errors(form, exc))
    except NotFound as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("profile.sessions"))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("profile.sessions"))
