"""Logging in and out: password check, lockout, throttling, and server-side login sessions.

A login session ends at logout, after ``SESSION_IDLE_MINUTES`` without a request, and in any case
``SESSION_ABSOLUTE_HOURS`` after the login; its owner sees their live sessions and may end them.
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from monitoris import clock, permissions
from monitoris.errors import DomainError, Forbidden, NotFound, ValidationError
from monitoris.extensions import db
from monitoris.models import LoginSession, User
from monitoris.notifications import outbox
from monitoris.services import audit, throttle
from monitoris.services.passwords import check_password, hash_password

LOCKED_TEMPLATE = "account_locked"

# Verified against when the email is unknown, so that the answer takes as long either way.
_DUMMY_HASH = None


class LoginFailed(DomainError):
    status = 401
    title = "Login failed"


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _locked_message(remaining):
    return ngettext("Too many failed attempts. Try again in %(num)d minute.",
                    "Too many failed attempts. Try again in %(num)d minutes.", throttle.whole_minutes(remaining))


def _wrong_password():
    return _("The email or password is not correct.")


def check_address(ip, email=None):
    """LoginFailed when too many attempts failed from this client address lately (every process counts)."""
    remaining = throttle.ip_blocked(ip)
    if remaining is not None:
        audit.record(None, "auth.login_failed", "user", None, after={"email": email, "ip": ip, "reason": "throttled"})
        raise LoginFailed(ngettext("Too many login attempts from your address. Try again in %(num)d minute.",
                                   "Too many login attempts from your address. Try again in %(num)d minutes.",
                                   throttle.whole_minutes(remaining)))


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
        _tell_owner_of_lockout(user, ip, now)
        raise LoginFailed(_locked_message(user.locked_until - now))


def _tell_owner_of_lockout(user, ip, now):
    """One email per lockout to the account's owner, in their language (the key names this lockout)."""
    outbox.queue([user], kind="security", template=LOCKED_TEMPLATE, channels=("email",),
                 key=f"account_locked:{user.id}:{user.locked_until.isoformat()}",
                 payload={"minutes": current_app.config["LOGIN_LOCKOUT_MINUTES"],
                          "failures": current_app.config["LOGIN_MAX_FAILURES"], "ip": ip,
                          "at": now.isoformat(), "link": "/login/forgot"})


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
    raise LoginFailed(_wrong_password())


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
        raise LoginFailed(_wrong_password())
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


def _limits():
    config = current_app.config
    return timedelta(minutes=config["SESSION_IDLE_MINUTES"]), timedelta(hours=config["SESSION_ABSOLUTE_HOURS"])


def _expiry(login_session, now):
    """"idle" or "absolute" when the session has run out (not yet marked revoked), else None."""
    idle, absolute = _limits()
    if now - login_session.created_at >= absolute:
        return "absolute"
    if now - login_session.last_seen_at > idle:
        return "idle"
    return None


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
    if _expiry(login_session, now):
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


def end_reason(token):
    """Why the session behind ``token`` is over: "absolute" (its lifetime), "idle", "ended" (logged out or
    ended elsewhere), or None (no such session, or it is live) — for the login page's message."""
    if not token:
        return None
    login_session = db.session.scalar(sa.select(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
    if login_session is None:
        return None
    if login_session.revoked_at is None:
        return _expiry(login_session, clock.now())
    # Revoked by load_session at its limit (the revocation time tells which limit), or by a person.
    return _expiry(login_session, login_session.revoked_at) or "ended"


def live_sessions(user):
    """The person's login sessions that still work, the most recently used first."""
    idle, absolute = _limits()
    now = clock.now()
    return db.session.scalars(sa.select(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None),
        LoginSession.last_seen_at >= now - idle, LoginSession.created_at > now - absolute,
    ).order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())).all()


def _check_password_again(user, password):
    """Ending sessions needs the password again: whoever holds a stolen session cannot lock its owner out."""
    if not check_password(user.password_hash, password or ""):
        message = _("The password is not correct.")
        raise ValidationError(message, errors={"password": [message]})


def end_own_session(user, session_id, password):
    """The person ends one of their other login sessions (this browser's ends with "Log out")."""
    _check_password_again(user, password)
    target = db.session.get(LoginSession, session_id) if session_id else None
    if (not permissions.can_end_login_session(user, target) or target.revoked_at is not None
            or _expiry(target, clock.now()) or target is user.login_session):
        raise NotFound(_("This session has ended already, or it is not one of yours."))
    target.revoked_at = clock.now()
    db.session.flush()
    audit.record(user, "auth.session_ended", "user", user.id, after={"session_id": target.id, "ip": target.ip})
    return target


def end_other_sessions(user, password):
    """The person ends every login session of theirs but this one; returns how many ended."""
    _check_password_again(user, password)
    current = user.login_session.id if user.login_session is not None else None
    ended = sum(1 for s in live_sessions(user) if s.id != current)
    revoke_sessions(user, keep=user.login_session)  # and those already run out, for tidiness
    audit.record(user, "auth.other_sessions_ended", "user", user.id, after={"count": ended})
    return ended


def end_all_sessions(actor, person):
    """An admin ends every login session of ``person`` at once (a stolen laptop, a person leaving; ASVS 7.4.5):
    their next request, in any browser, goes to the login page.  Returns how many were live.

    Their API tokens are not sessions and stay (they revoke them, or the account is deactivated).
    """
    if not permissions.can_end_sessions_of(actor, person):
        raise Forbidden()
    ended = len(live_sessions(person))
    revoke_sessions(person)  # and those already run out, for tidiness
    db.session.flush()
    audit.record(actor, "auth.all_sessions_ended", "user", person.id, after={"count": ended})
    return ended


def end_session(user):
    if user.login_session is not None:
        user.login_session.revoked_at = clock.now()
        audit.record(user, "auth.logout", "user", user.id)


def revoke_sessions(user, keep=None):
    stmt = sa.update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(LoginSession.id != keep.id)
    db.session.execute(stmt.values(revoked_at=clock.now()))
