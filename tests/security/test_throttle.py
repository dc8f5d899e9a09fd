"""Login throttling per client address and per account, kept in the database so every process shares it."""

import re

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Event, LoginAttempt
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_user

ATTACKER = {"REMOTE_ADDR": "203.0.113.9"}


def _login(client, email, password, environ=ATTACKER):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base=environ)


def test_many_failures_from_one_address_stop_its_logins_in_every_process(app, clock):
    limit = app.config["LOGIN_IP_MAX_FAILURES"]
    victims = [make_user() for _ in range(limit)]
    # Spread over accounts (no account reaches its own lockout) and over "processes" (fresh clients).
    for victim in victims:
        assert _login(app.test_client(), victim.email, "guess").status_code == 401
    fresh = app.test_client()  # another worker: nothing in its memory, only the database knows
    someone = make_user()
    response = _login(fresh, someone.email, PASSWORD)
    assert response.status_code == 401
    assert "Too many login attempts from your address. Try again in 15 minutes." in response.get_data(as_text=True)
    # Other addresses are not affected.
    assert _login(app.test_client(), someone.email, PASSWORD, {"REMOTE_ADDR": "198.51.100.4"}).status_code == 302
    throttled = db.session.scalar(sa.select(Event).where(Event.action == "auth.login_failed")
                                  .order_by(Event.id.desc()).limit(1))
    assert throttled.after["reason"] == "throttled"
    clock.advance(minutes=15, seconds=1)
    assert _login(app.test_client(), someone.email, PASSWORD).status_code == 302


def test_the_throttle_lives_in_the_database(app):
    limit = app.config["LOGIN_IP_MAX_FAILURES"]
    user = make_user()
    for n in range(limit):
        _login(app.test_client(), f"nobody{n}@example.test", "guess")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)
                             .where(LoginAttempt.ip == ATTACKER["REMOTE_ADDR"])) == limit
    assert _login(app.test_client(), user.email, PASSWORD).status_code == 401
    db.session.execute(sa.delete(LoginAttempt))
    assert _login(app.test_client(), user.email, PASSWORD).status_code == 302


def test_an_unknown_address_locks_like_a_real_account(app, client):
    """The lockout message must not tell an attacker which email addresses have accounts."""
    real = make_user()
    messages = {}
    for email in (real.email, "nobody@example.test"):
        texts = []
        for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1):
            response = _login(client, email, "guess", {"REMOTE_ADDR": "192.0.2.50"})
            texts.append(re.sub(r"<[^>]+>", "", response.get_data(as_text=True)).count("Too many failed attempts"))
        messages[email] = texts
    assert messages[real.email] == messages["nobody@example.test"] == [0, 0, 0, 0, 1, 1]


def test_old_attempts_are_pruned(app, clock):
    _login(app.test_client(), "nobody@example.test", "guess")
    clock.advance(days=1, minutes=1)
    _login(app.test_client(), "nobody@example.test", "guess")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 1
