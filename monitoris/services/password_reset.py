"""Forgotten passwords: a single-use link by email that expires; only the link's sha256 is stored.

Asking gives the same answer whether the address has an account or not.  Using the link sets the
new password (under the same policy as any new password), ends every login session of the account,
and kills the account's other reset links.
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _

from monitoris import clock
from monitoris.errors import ValidationError
from monitoris.extensions import db
from monitoris.models import PasswordResetToken, User
from monitoris.notifications import outbox
from monitoris.services import audit, auth
from monitoris.services.passwords import hash_password, password_problems

TEMPLATE = "password_reset"


def _hash(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def request_reset(email, ip=None):
    """Queue a reset link for the account with this email, if there is an active one.  Returns nothing either way."""
    email = (email or "").strip().lower()[:254]
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or not user.active:
        audit.record(None, "auth.password_reset_requested", "user", None,
                     after={"email": email, "ip": ip, "known": False})
        return
    raw = secrets.token_urlsafe(32)
    now = clock.now()
    token = PasswordResetToken(user=user, token_hash=_hash(raw), created_at=now, ip=ip,
                               expires_at=now + timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"]))
    db.session.add(token)
    db.session.flush()
    outbox.queue([user], kind="security", template=TEMPLATE, key=f"password_reset:{token.id}", channels=("email",),
                 payload={"link": url_for("password_reset.reset", token=raw),
                          "minutes": current_app.config["PASSWORD_RESET_MINUTES"]})
    audit.record(None, "auth.password_reset_requested", "user", user.id, after={"ip": ip, "known": True})


def live_token(raw):
    """The reset token behind a link, if it is unused, unexpired and its account active; else None."""
    if not raw or len(raw) > 100:
        return None
    token = db.session.scalar(sa.select(PasswordResetToken).where(PasswordResetToken.token_hash == _hash(raw)))
    if token is None or not token.is_live(clock.now()):
        return None
    return token


def reset(raw, new_password, ip=None):
    """Set the new password through a link; the link then stops working.  Returns the user."""
    token = live_token(raw)
    if token is None:
        raise ValidationError(_("This link has expired or was used already. Ask for a new one."))
    user = token.user
    problems = password_problems(new_password, email=user.email, name=user.name)
    if problems:
        raise ValidationError(_("The password is too weak."), errors={"password": problems})
    user.password_hash = hash_password(new_password)
    now = clock.now()
    table = PasswordResetToken.__table__
    # Conditional: of two requests racing with one link, one wins.
    if db.session.execute(sa.update(table).where(table.c.id == token.id, table.c.used_at.is_(None))
                          .values(used_at=now)).rowcount != 1:
        raise ValidationError(_("This link has expired or was used already. Ask for a new one."))
    db.session.execute(sa.update(table).where(table.c.user_id == user.id, table.c.used_at.is_(None))
                       .values(used_at=now))
    user.failed_logins = 0
    user.locked_until = None
    auth.revoke_sessions(user)
    db.session.flush()
    audit.record(None, "auth.password_reset_completed", "user", user.id, after={"ip": ip})
    return user
