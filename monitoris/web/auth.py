"""Login and logout."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_url, login_user, logout_user
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from monitoris.extensions import db, limiter, login_manager
from monitoris.services import auth
from monitoris.web import two_factor
from monitoris.web.forms import Form

bp = Blueprint("auth", __name__)

# Why a page sends a person back to the login page, when their login session was there and is over.
ENDED = {
    "absolute": _l("Your login session has reached its time limit. Log in again to go on."),
    "idle": _l("Your login session ended after a long time without activity. Log in again to go on."),
    "ended": _l("This login session has been ended (logged out, or ended from another browser). Log in again."),
}


@login_manager.unauthorized_handler
def _to_the_login_page():
    """As Flask-Login does by default, but saying why when the browser's login session has run out."""
    reason = auth.end_reason(session.get("_user_id"))
    flash(str(ENDED.get(reason) or login_manager.login_message), login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


class LoginForm(Form):
    # No format check: the address is only looked up, and email_validator refuses intranet
    # domains such as .local or .test that real accounts may use.
    email = EmailField(_l("Email"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


def _safe_next(target):
    """Only a path on this site: never an absolute URL an attacker chose.

    Browsers drop tabs and newlines and read a backslash as a slash, so "/\t/evil" and
    "/\\evil" would leave the site: any control character, space or backslash is refused.
    """
    if (target and target.startswith("/") and not target.startswith("//")
            and not any(c in target for c in "\\ ") and all(ord(c) > 0x1F and ord(c) != 0x7F for c in target)
            and not urlsplit(target).netloc):
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = auth.authenticate(form.email.data, form.password.data, ip=request.remote_addr)
        except auth.LoginFailed as exc:
            db.session.commit()  # keep the failed attempt counted and audited
            form.password.errors.append(exc.message)
            return render_template("auth/login.html", form=form), 401
        if user.totp_secret:
            # The password was right; the login session starts only after the code (monitoris.web.two_factor).
            db.session.commit()
            two_factor.begin_pending_login(user, _safe_next(request.args.get("next")))
            return redirect(url_for("two_factor.verify"))
        auth.start_session(user, ip=request.remote_addr, user_agent=request.headers.get("User-Agent"))
        db.session.commit()
        login_user(user)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    auth.end_session(current_user)
    db.session.commit()
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))
