"""Logging in and out: password check, lockout, and server-side login sessions."""

import hashlib
import math
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from monitoris import clock
from monitoris.errors import DomainError
from monitoris.extensions import db
from monitoris.models import LoginSession, User
from monitoris.services import audit
from monitoris.services.passwords import check_password, hash_password

# Verified against when the email is unknown, so that the answer takes as long either way.
_DUMMY_HASH = None


class LoginFailed(DomainError):
    status = 401
    title = "Login failed"


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _locked_message(remaining):
    minutes = max(1, math.ceil(remaining.total_seconds() / 60))
    return f"Too many failed attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}."


def authenticate(email, password, ip=None):
    """The active user with this email and password, or LoginFailed with a message for the person."""
    global _DUMMY_HASH
    email = (email or "").strip().lower()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    now = clock.now()
    if user is None or not user.active:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password(secrets.token_hex(8))
        check_password(_DUMMY_HASH, password or "")
        audit.record(None, "auth.login_failed", "user", user.id if user else None,
                     after={"email": email, "ip": ip, "reason": "unknown or inactive account"})
        raise LoginFailed("The email or password is not correct.")
    if user.locked_until and user.locked_until > now:
        audit.record(None, "auth.login_failed", "user", user.id, after={"ip": ip, "reason": "locked"})
        raise LoginFailed(_locked_message(user.locked_until - now))
    if not check_password(user.password_hash, password or ""):
        user.failed_logins += 1
        locked = user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]
        if locked:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
            user.failed_logins = 0
        audit.record(None, "auth.login_failed", "user", user.id, after={"ip": ip, "reason": "wrong password"})
        # The attempt that locks the account says so, rather than leaving the person to guess again.
        if locked:
            raise LoginFailed(_locked_message(user.locked_until - now))
        raise LoginFailed("The email or password is not correct.")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def start_session(user, ip=None, user_agent=None):
    token = secrets.token_urlsafe(32)
    login_session = LoginSession(user=user, token_hash=_token_hash(token), ip=ip,
                                 user_agent=(user_agent or "")[:300], created_at=clock.now(), last_seen_at=clock.now())
    db.session.add(login_session)
    db.session.flush()
    login_session.token = token
    user.login_session = login_session
    user.ip = ip
    audit.record(user, "auth.login", "user", user.id, after={"ip": ip})
    return login_session


def load_session(token):
    """The user behind a login-session token, if the session is live; touches it now and then."""
    if not token:
        return None
    login_session = db.session.scalar(
        sa.select(LoginSession).where(LoginSession.token_hash == _token_hash(token), LoginSession.revoked_at.is_(None))
    )
    if login_session is None or not login_session.user.active:
        return None
    now = clock.now()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    if now - login_session.last_seen_at > idle:
        login_session.revoked_at = now
        db.session.commit()
        return None
    # A write per request would be wasteful; a minute's precision is enough for the idle limit.
    if now - login_session.last_seen_at > timedelta(minutes=1):
        login_session.last_seen_at = now
        db.session.commit()
    login_session.token = token
    user = login_session.user
    user.login_session = login_session
    return user


def end_session(user):
    if user.login_session is not None:
        user.login_session.revoked_at = clock.now()
        audit.record(user, "auth.logout", "user", user.id)


def revoke_sessions(user, keep=None):
    stmt = sa.update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(LoginSession.id != keep.id)
    db.session.execute(stmt.values(revoked_at=clock.now()))
