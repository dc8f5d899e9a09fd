"""Two-factor login pages: the login's second step, and setting it up, renewing codes, turning it off."""

import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from monitoris.errors import ValidationError
from monitoris.extensions import db, limiter
from monitoris.models import User
from monitoris.services import auth, two_factor
from monitoris.web.forms import Form
from monitoris.web.helpers import attach_errors

bp = Blueprint("two_factor", __name__)

# The half-done login (password right, code not yet given) lives in the signed session cookie.
PENDING = "two_factor_pending"
# The secret being set up, until the person proves with a code that their app has it.
ENROLLING = "two_factor_enrolling"


class CodeForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Type the code.")), Length(max=20)],
                       description=_l("The 6 digits your authenticator app shows now, or one of your recovery codes."))


class ConfirmForm(Form):
    code = StringField(_l("Code from the app"), validators=[DataRequired(_l("Type the code.")), Length(max=20)])


class PasswordForm(Form):
    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Type your password."))])


def begin_pending_login(user, next_url):
    """Called by the login page once the password is right for an account with two-factor login."""
    session.pop(PENDING, None)
    session[PENDING] = {"user_id": user.id, "next": next_url,
                        "until": time.time() + 60 * current_app.config["TWO_FACTOR_PENDING_MINUTES"]}


def _pending_user():
    pending = session.get(PENDING)
    if not pending or pending.get("until", 0) < time.time():
        session.pop(PENDING, None)
        return None, None
    user = db.session.get(User, pending["user_id"])
    if user is None or not user.active or not user.totp_secret:
        session.pop(PENDING, None)
        return None, None
    return user, pending.get("next") or url_for("dashboard.index")


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def verify():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    user, next_url = _pending_user()
    if user is None:
        flash(_("Log in again: the time for the second step has run out."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            method = two_factor.verify_login(user, form.code.data, ip=request.remote_addr)
        except auth.LoginFailed as exc:
            db.session.commit()  # keep the failed attempt counted and audited
            if user.locked_until is not None:
                session.pop(PENDING, None)
                flash(exc.message, "error")
                return redirect(url_for("auth.login"))
            form.code.errors.append(exc.message)
            return render_template("auth/two_factor_verify.html", form=form), 401
        session.pop(PENDING, None)
        auth.start_session(user, ip=request.remote_addr, user_agent=request.headers.get("User-Agent"))
        left = two_factor.recovery_codes_left(user) if method == "recovery" else None
        db.session.commit()
        login_user(user)
        if left is not None:
            flash(_("You used a recovery code; %(left)s are left. Make new ones on your two-factor page.", left=left),
                  "warning")
        return redirect(next_url)
    return render_template("auth/two_factor_verify.html", form=form), 422 if form.is_submitted() else 200


def _setup_page(status=200, **extra):
    context = {"enabled": bool(current_user.totp_secret), "required": two_factor.is_required(current_user),
               "disable_form": PasswordForm(prefix="disable", formdata=None),
               "codes_form": PasswordForm(prefix="codes", formdata=None)}
    if current_user.totp_secret:
        context["codes_left"] = two_factor.recovery_codes_left(current_user)
    else:
        secret = session.get(ENROLLING)
        if not secret:
            secret = session[ENROLLING] = two_factor.new_secret()
        uri = two_factor.provisioning_uri(current_user, secret)
        context.update(secret=secret, qr=two_factor.qr_svg(uri), confirm_form=ConfirmForm(formdata=None))
    context.update(extra)
    return render_template("auth/two_factor_setup.html", **context), status


@bp.get("/account/two-factor")
@login_required
def setup():
    return _setup_page()


@bp.post("/account/two-factor")
@login_required
def confirm():
    form = ConfirmForm()
    secret = session.get(ENROLLING)
    if current_user.totp_secret:
        return redirect(url_for("two_factor.setup"))
    if not form.validate_on_submit() or not secret:
        return _setup_page(422, confirm_form=form)
    try:
        codes = two_factor.enable(current_user, secret, form.code.data)
    except ValidationError as exc:
        db.session.rollback()
        return _setup_page(422, confirm_form=attach_errors(form, exc))
    db.session.commit()
    session.pop(ENROLLING, None)
    return render_template("auth/recovery_codes.html", codes=codes, first=True)


@bp.post("/account/two-factor/recovery-codes")
@login_required
def recovery_codes():
    form = PasswordForm(prefix="codes")
    if not form.validate_on_submit():
        return _setup_page(422, codes_form=form)
    try:
        codes = two_factor.regenerate_recovery_codes(current_user, form.password.data)
    except ValidationError as exc:
        db.session.rollback()
        return _setup_page(422, codes_form=attach_errors(form, exc))
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, first=False)


@bp.post("/account/two-factor/disable")
@login_required
def disable():
    form = PasswordForm(prefix="disable")
    if not form.validate_on_submit():
        return _setup_page(422, disable_form=form)
    try:
        two_factor.disable(current_user, form.password.data)
    except ValidationError as exc:
        db.session.rollback()
        return _setup_page(422, disable_form=attach_errors(form, exc))
    db.session.commit()
    flash(_("Two-factor login is off."), "success")
    return redirect(url_for("two_factor.setup"))
