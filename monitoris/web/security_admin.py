"""Administration of security: the security events of the audit trail, and the 2FA policy per role."""

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from monitoris import clock, permissions, queries
from monitoris.errors import ValidationError
from monitoris.extensions import db
from monitoris.models import ROLES, Event, User
from monitoris.services import two_factor
from monitoris.web.admin import CheckboxesField
from monitoris.web.forms import Form
from monitoris.web.helpers import label_choices

bp = Blueprint("security_admin", __name__, url_prefix="/admin/security")

# The actions the page offers as a filter: every security action the code records (each with its label in
# helpers.SECURITY_EVENT_LABELS), and the account changes an admin looks for beside them.
ACTIONS = (
    "auth.login", "auth.login_failed", "auth.logout", "auth.two_factor_enabled", "auth.two_factor_disabled",
    "auth.recovery_code_used", "auth.recovery_codes_regenerated", "auth.password_reset_requested",
    "auth.password_reset_completed", "auth.session_ended", "auth.other_sessions_ended", "auth.all_sessions_ended",
    "user.password_changed", "user.created", "user.updated", "api_token.created", "api_token.revoked",
    "security.denied", "security.policy_changed",
)


@bp.before_request
@login_required
def _admins_only():
    if not permissions.can_administer(current_user):
        abort(403)


class PolicyForm(Form):
    roles = CheckboxesField(_l("Roles that must use two-factor login"),
                            choices=label_choices(ROLES, "role"))


def _day(text):
    try:
        return datetime.strptime(text or "", "%Y-%m-%d").date()
    except ValueError:
        return None


def _local_midnight(day):
    return datetime.combine(day, time(0), tzinfo=clock.zone()).astimezone(UTC)


@bp.get("/events")
def events():
    action = request.args.get("action") or ""
    who = (request.args.get("user") or "").strip()
    date_from, date_to = _day(request.args.get("date_from")), _day(request.args.get("date_to"))
    stmt = sa.select(Event).where(permissions.security_event_filter(Event) | Event.action.in_(ACTIONS))
    if action:
        stmt = stmt.where(Event.action == action)
    if who:
        ids = sa.select(User.id).where(sa.func.lower(User.email).contains(who.lower(), autoescape=True))
        stmt = stmt.where(sa.or_(Event.actor_id.in_(ids), sa.and_(Event.object_type == "user",
                                                                   Event.object_id.in_(ids))))
    if date_from:
        stmt = stmt.where(Event.at >= _local_midnight(date_from))
    if date_to:
        stmt = stmt.where(Event.at < _local_midnight(date_to + timedelta(days=1)))
    page = queries.paginate(stmt.order_by(Event.id.desc()), request.args.get("page", 1, type=int), 50, clamp=True)
    people = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(
        {e.actor_id for e in page.items} | {e.object_id for e in page.items if e.object_type == "user"})))}
    return render_template("admin/security_events.html", page=page, people=people, actions=ACTIONS,
                           filters={"action": action, "user": who, "date_from": request.args.get("date_from", ""),
                                    "date_to": request.args.get("date_to", "")})


@bp.route("/policy", methods=["GET", "POST"])
def policy():
    form = PolicyForm()
    if request.method == "GET":
        form.roles.data = sorted(two_factor.required_roles())
    if form.validate_on_submit():
        try:
            two_factor.set_required_roles(current_user, form.roles.data or ())
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("The security policy has been saved."), "success")
            return redirect(url_for("security_admin.policy"))
    required = two_factor.required_roles()
    missing = []
    if required:
        missing = db.session.scalars(sa.select(User).where(User.active.is_(True), User.totp_secret.is_(None))
                                     .order_by(User.name)).all()
        missing = [u for u in missing if u.roles & required]
    enrolled = db.session.scalars(sa.select(User).where(User.totp_secret.is_not(None)).order_by(User.name)).all()
    return render_template("admin/security_policy.html", form=form, missing=missing, enrolled=enrolled)


@bp.post("/users/<int:user_id>/reset-two-factor")
def reset_two_factor(user_id):
    user = db.session.get(User, user_id) or abort(404)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    two_factor.reset_by_admin(current_user, user)
    db.session.commit()
    flash(_("Two-factor login of %(name)s is off; they set it up again at their next login.", name=user.name),
          "success")
    return redirect(url_for("security_admin.policy"))
