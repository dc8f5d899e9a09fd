"""Login throttling that every web process shares: failed attempts are rows in the database.

Per account, the lockout lives on the user row (``services.auth``); an email that names no account
is locked in the same way from these rows, so the lockout message never tells which addresses exist.
Per client address, too many failures in a window stop every login from it for a while, whatever
the account.  Rows older than a day are pruned as new ones are written.
"""

import math
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from monitoris import clock
from monitoris.extensions import db
from monitoris.models import LoginAttempt

KEEP = timedelta(days=1)


def whole_minutes(remaining):
    """A wait as the whole minutes a person is told (never 0: "try again in 0 minutes" is no answer)."""
    return max(1, math.ceil(remaining.total_seconds() / 60))


def record_failure(email, ip):
    now = clock.now()
    db.session.add(LoginAttempt(at=now, email=(email or "")[:254], ip=ip))
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at < now - KEEP))
    db.session.flush()


def ip_blocked(ip):
    """How long logins from ``ip`` stay refused (a timedelta), or None when they are allowed."""
    if not ip:
        return None
    config = current_app.config
    window = timedelta(minutes=config["LOGIN_IP_WINDOW_MINUTES"])
    now = clock.now()
    times = db.session.scalars(sa.select(LoginAttempt.at).where(LoginAttempt.ip == ip, LoginAttempt.at > now - window)
                               .order_by(LoginAttempt.at.desc()).limit(config["LOGIN_IP_MAX_FAILURES"])).all()
    if len(times) < config["LOGIN_IP_MAX_FAILURES"]:
        return None
    # Free again when the oldest of the last N failures leaves the window.
    return times[-1] + window - now


def unknown_account_locked(email):
    """For an email with no account: how long it stays "locked", replaying the lockout rule of real accounts."""
    config = current_app.config
    lockout = timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
    now = clock.now()
    times = db.session.scalars(sa.select(LoginAttempt.at).where(LoginAttempt.email == email,
                                                               LoginAttempt.at > now - KEEP)
                               .order_by(LoginAttempt.at)).all()
    count, locked_until = 0, None
    for at in times:
        if locked_until is not None and at < locked_until:
            continue  # attempts during a lockout do not count, as on a real account
        count += 1
        if count >= config["LOGIN_MAX_FAILURES"]:
            locked_until, count = at + lockout, 0
    return locked_until - now if locked_until is not None and locked_until > now else None
