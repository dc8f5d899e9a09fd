"""Forgotten passwords: ask for a link by email, then set a new password through it."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from monitoris.errors import ValidationError
from monitoris.extensions import db, limiter
from monitoris.services import password_reset
from monitoris.services.passwords import MIN_LENGTH
from monitoris.web.forms import Form
from monitoris.web.helpers import attach_errors

bp = Blueprint("password_reset", __name__)

SENT = _l("If an account uses this address, we have sent it a link to set a new password. "
          "The link works once, within %(minutes)s minutes.")


class ForgotForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Type your email address.")), Length(max=254)])


class ResetForm(Form):
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Type the new password."))],
                             description=_l("At least %(num)s characters, not a common password. "
                                            "Every login session of the account ends.", num=MIN_LENGTH))
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[EqualTo("password", _l("The two passwords are not the same."))])


@bp.route("/login/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        password_reset.request_reset(form.email.data, ip=request.remote_addr)
        db.session.commit()
        # The same answer whether or not the address has an account.
        flash(str(SENT) % {"minutes": current_app.config["PASSWORD_RESET_MINUTES"]}, "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/login/reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def reset(token):
    if current_user.is_authenticated:
        flash(_("You are logged in: change your password on your profile page."), "info")
        return redirect(url_for("dashboard.index"))
    if password_reset.live_token(token) is None:
        return render_template("auth/reset_expired.html"), 404
    form = ResetForm()
    if not form.validate_on_submit():
        return render_template("auth/reset.html", form=form), 422 if form.is_submitted() else 200
    try:
        password_reset.reset(token, form.password.data, ip=request.remote_addr)
    except ValidationError as exc:
        db.session.rollback()
        return render_template("auth/reset.html", form=attach_errors(form, exc)), 422
    db.session.commit()
    flash(_("Your password has been set. Log in with it."), "success")
    return redirect(url_for("auth.login"))
