"""Logging in: password check, lockout, server-side login sessions that really end."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from monitoris.errors import Forbidden
from monitoris.extensions import db
from monitoris.models import Event, LoginSession
from monitoris.services import auth, users
from tests.factories import PASSWORD, make_org, make_user

WRONG = "The email or password is not correct."


def _login(user):
    """A live login session, as the login page starts it; returns its token (what the cookie holds)."""
    user = auth.authenticate(user.email, PASSWORD)
    return auth.start_session(user, ip="192.0.2.1", user_agent="pytest").token


def _failures(user_id=None):
    stmt = sa.select(Event).where(Event.action == "auth.login_failed").order_by(Event.id)
    if user_id is not None:
        stmt = stmt.where(Event.object_id == user_id)
    return db.session.scalars(stmt).all()


def test_right_password_logs_in(clock):
    user = make_user(email="nigar@example.test")
    user.failed_logins = 2
    assert auth.authenticate("  Nigar@Example.TEST ", PASSWORD) is user
    assert (user.failed_logins, user.locked_until, user.last_login_at) == (0, None, clock.now())


def test_wrong_password_is_counted_and_audited():
    user = make_user()
    with pytest.raises(auth.LoginFailed) as exc:
        auth.authenticate(user.email, "not the password", ip="192.0.2.7")
    assert (exc.value.message, exc.value.status) == (WRONG, 401)
    assert user.failed_logins == 1
    (event,) = _failures(user.id)
    assert event.after == {"ip": "192.0.2.7", "reason": "wrong password"}


@pytest.mark.parametrize("email", ["nobody@example.test", "", None])
def test_unknown_email_gets_the_same_answer(email):
    with pytest.raises(auth.LoginFailed) as exc:
        auth.authenticate(email, "whatever")
    assert exc.value.message == WRONG
    assert _failures()[-1].after["reason"] == "unknown or inactive account"


def test_inactive_account_cannot_log_in_and_is_not_told_why():
    user = make_user(active=False)
    with pytest.raises(auth.LoginFailed) as exc:
        auth.authenticate(user.email, PASSWORD)
    assert exc.value.message == WRONG


def test_lockout_after_max_failures(app, clock):
    user = make_user()
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert limit == 5
    for _ in range(limit - 1):
        with pytest.raises(auth.LoginFailed) as exc:
            auth.authenticate(user.email, "guess")
        assert exc.value.message == WRONG
    with pytest.raises(auth.LoginFailed) as exc:
        auth.authenticate(user.email, "guess")
    # The attempt that locks the account says so.
    assert exc.value.message == "Too many failed attempts. Try again in 15 minutes."
    assert user.locked_until == clock.now() + timedelta(minutes=15)

    # Locked: even the right password is refused, with a clear message.
    clock.advance(minutes=5)
    with pytest.raises(auth.LoginFailed) as exc:
        auth.authenticate(user.email, PASSWORD)
    assert exc.value.message == "Too many failed attempts. Try again in 10 minutes."
    assert _failures(user.id)[-1].after["reason"] == "locked"

    clock.advance(minutes=10, seconds=1)
    assert auth.authenticate(user.email, PASSWORD) is user
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_success_resets_the_count(app):
    user = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(user.email, "guess")
    auth.authenticate(user.email, PASSWORD)
    with pytest.raises(auth.LoginFailed) as exc:
        auth.authenticate(user.email, "guess")
    assert exc.value.message == WRONG  # counting starts again


# -- login sessions --------------------------------------------------------------------------

def test_a_session_loads_its_user_and_is_stored_hashed():
    user = make_user()
    token = _login(user)
    assert auth.load_session(token) is user
    assert user.get_id() == token
    stored = db.session.scalar(sa.select(LoginSession.token_hash).where(LoginSession.user_id == user.id))
    assert token not in stored
    assert auth.load_session("forged-token") is None
    assert auth.load_session("") is None


def test_logout_ends_the_session():
    user = make_user()
    token = _login(user)
    auth.end_session(auth.load_session(token))
    assert auth.load_session(token) is None
    assert db.session.scalar(sa.select(Event.action).order_by(Event.id.desc()).limit(1)) == "auth.logout"


def test_idle_session_ends(app, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_ABSOLUTE_HOURS", 48)  # the idle limit alone here
    user = make_user()
    token = _login(user)
    idle = app.config["SESSION_IDLE_MINUTES"]
    clock.advance(minutes=idle - 1)
    assert auth.load_session(token) is user  # and this request counts as activity
    clock.advance(minutes=idle - 1)
    assert auth.load_session(token) is user
    clock.advance(minutes=idle, seconds=1)
    assert auth.load_session(token) is None
    clock.advance(minutes=1)
    assert auth.load_session(token) is None  # revoked, not merely idle


def test_changing_ones_password_ends_every_other_session():
    user = make_user()
    other = _login(user)
    current = _login(user)
    me = auth.load_session(current)
    users.change_password(me, me, "a new long passphrase")
    assert auth.load_session(other) is None
    assert auth.load_session(current) is user
    assert auth.authenticate(user.email, "a new long passphrase") is user


def test_an_admin_resetting_a_password_ends_all_of_that_persons_sessions():
    org = make_org()
    admin = make_user("admin", organization=org)
    user = make_user(organization=org)
    tokens = [_login(user), _login(user)]
    admin_token = _login(admin)
    users.change_password(auth.load_session(admin_token), user, "a new long passphrase")
    assert [auth.load_session(t) for t in tokens] == [None, None]
    assert auth.load_session(admin_token) is admin


def test_nobody_else_changes_a_password():
    user, other = make_user(), make_user()
    with pytest.raises(Forbidden):
        users.change_password(other, user, "a new long passphrase")


def test_deactivating_an_account_ends_its_sessions():
    admin = make_user("admin")
    user = make_user()
    token = _login(user)
    users.update_user(admin, user, active=False)
    assert auth.load_session(token) is None
    user.active = True  # even if reactivated, the old cookie stays dead
    assert auth.load_session(token) is None
