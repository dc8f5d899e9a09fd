"""Login and logout."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email

from monitoris.extensions import db
from monitoris.services import auth

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email()])
    password = PasswordField("Password", validators=[DataRequired()])


def _safe_next(target):
    # Only paths on this site: never an absolute URL an attacker chose.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
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
    flash("You have logged out.", "info")
    return redirect(url_for("auth.login"))
