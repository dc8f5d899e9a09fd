"""Logging in and out: password check, lockout, throttling, and server-side login sessions."""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from monitoris import clock
from monitoris.errors import DomainError
from monitoris.extensions import db
from monitoris.models import LoginSession, User
from monitoris.services import audit, throttle
from monitoris.services.passwords import check_password, hash_password

# Verified against when the email is unknown, so that the answer takes as long either way.
_DUMMY_HASH = None


class LoginFailed(DomainError):
    status = 401
    title = "Login failed"


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _locked_message(remaining):
    return f"Too many failed attempts. Try again in {throttle.minutes_text(remaining)}."


def check_address(ip, email=None):
    """LoginFailed when too many attempts failed from this client address lately (every process counts)."""
    remaining = throttle.ip_blocked(ip)
    if remaining is not None:
        audit.record(None, "auth.login_failed", "user", None, after={"email": email, "ip": ip, "reason": "throttled"})
        wait = throttle.minutes_text(remaining)
        raise LoginFailed(f"Too many login attempts from your address. Try again in {wait}.")


def count_failure(user, ip, reason):
    """One more failed attempt on a real account; locks it at the limit.  Raises LoginFailed with the message."""
    now = clock.now()
    user.failed_logins += 1
    locked = user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]
    if locked:
        user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
        user.failed_logins = 0
    throttle.record_failure(user.email, ip)
    audit.record(None, "auth.login_failed", "user", user.id, after={"ip": ip, "reason": reason})
    # The attempt that locks the account says so, rather than leaving the person to guess again.
    if locked:
        raise LoginFailed(_locked_message(user.locked_until - now))


def check_not_locked(user, ip):
    now = clock.now()
    if user.locked_until and user.locked_until > now:
        throttle.record_failure(user.email, ip)
        audit.record(None, "auth.login_failed", "user", user.id, after={"ip": ip, "reason": "locked"})
        raise LoginFailed(_locked_message(user.locked_until - now))


def _unknown_account(email, ip, user, password):
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_hex(8))
    check_password(_DUMMY_HASH, password or "")
    locked = throttle.unknown_account_locked(email)
    throttle.record_failure(email, ip)
    audit.record(None, "auth.login_failed", "user", user.id if user else None,
                 after={"email": email, "ip": ip, "reason": "unknown or inactive account"})
    # An address with no account locks like a real one, so the lockout message tells nobody which exist.
    locked = locked or throttle.unknown_account_locked(email)
    if locked:
        raise LoginFailed(_locked_message(locked))
    raise LoginFailed("The email or password is not correct.")


def authenticate(email, password, ip=None):
    """The active user with this email and password, or LoginFailed with a message for the person.

    For an account with two-factor login this is only the first step: the failure count is reset
    by ``succeeded`` after the second step, so that the password alone never clears a run of wrong codes.
    """
    email = (email or "").strip().lower()
    check_address(ip, email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or not user.active:
        _unknown_account(email, ip, user, password)
    check_not_locked(user, ip)
    if not check_password(user.password_hash, password or ""):
        count_failure(user, ip, "wrong password")
        raise LoginFailed("The email or password is not correct.")
    if not user.totp_secret:
        succeeded(user)
    return user


def succeeded(user):
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = clock.now()


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
