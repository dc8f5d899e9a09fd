"""Password policy, and reset by email: same answer for any address, single-use expiring link, sessions end."""

import re

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Event, Notification, PasswordResetToken
from monitoris.notifications.render import render
from monitoris.services.passwords import password_problems
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_user


@pytest.mark.parametrize("password", ["short", "password1234", "Password2026!", "qwertyuiop123", "aaaaaaaaaaaaaa",
                                      "123456789012", "abcdefghijklmn", "iloveyou2026!!"])
def test_weak_and_common_passwords_are_refused(password):
    assert password_problems(password)


@pytest.mark.parametrize("password", ["monitoris-demo", "correct horse battery", "a new long passphrase"])
def test_good_passwords_pass(password):
    assert password_problems(password) == []


def test_a_password_with_ones_own_name_or_email_is_refused():
    assert password_problems("nigar.aliyeva!!", email="nigar.aliyeva@example.test")
    assert password_problems("Hello Babayev 77", name="Farid Babayev")


def _ask(client, email):
    return client.post("/login/forgot", data={"email": email, "csrf_token": csrf_token(client, "/login/forgot")})


def _link(user):
    row = db.session.scalar(sa.select(Notification).where(Notification.recipient_id == user.id,
                                                          Notification.template == "password_reset"))
    return row.payload["link"] if row else None


def test_the_answer_is_the_same_for_known_and_unknown_addresses(client):
    user = make_user()
    answers = []
    for email in (user.email, "nobody@example.test"):
        response = _ask(client, email)
        assert response.status_code == 302 and response.headers["Location"] == "/login"
        page = client.get("/login").get_data(as_text=True).split("<main", 1)[1]
        answers.append(re.sub(r'(name="csrf_token"[^>]*value=)"[^"]+"', r'\1""', page))  # signed with the time
    assert answers[0] == answers[1] and "If an account uses this address" in answers[0]
    assert _link(user).startswith("/login/reset/")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.template == "password_reset")) == 1


def test_the_link_sets_a_new_password_once_and_ends_every_session(app, client, login):
    user = make_user()
    elsewhere = login(user)
    _ask(client, user.email)
    link = _link(user)
    raw = link.rsplit("/", 1)[1]
    assert db.session.scalar(sa.select(PasswordResetToken.token_hash)) != raw  # stored hashed
    assert client.get(link).status_code == 200
    token = csrf_token(client, link)
    weak = client.post(link, data={"password": "password1234", "confirm": "password1234", "csrf_token": token})
    assert weak.status_code == 422 and "most common" in weak.get_data(as_text=True)
    new = "a brand new passphrase"
    done = client.post(link, data={"password": new, "confirm": new, "csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert elsewhere.get("/").status_code == 302  # logged out everywhere
    assert client.get(link).status_code == 404  # single use
    again = client.post(link, data={"password": "another passphrase!", "confirm": "another passphrase!",
                                    "csrf_token": token})
    assert again.status_code == 404
    response = client.post("/login", data={"email": user.email, "password": new, "csrf_token": csrf_token(client,
                                                                                                            "/login")})
    assert response.status_code == 302
    actions = set(db.session.scalars(sa.select(Event.action).where(Event.object_id == user.id)))
    assert {"auth.password_reset_requested", "auth.password_reset_completed"} <= actions


def test_the_link_expires(app, client, clock):
    user = make_user()
    _ask(client, user.email)
    link = _link(user)
    clock.advance(minutes=app.config["PASSWORD_RESET_MINUTES"], seconds=1)
    response = client.get(link)
    assert response.status_code == 404 and "expired" in response.get_data(as_text=True)


def test_the_email_is_rendered_in_the_persons_language(app, client):
    user = make_user(locale="az", name="Nigar")
    _ask(client, user.email)
    row = db.session.scalar(sa.select(Notification).where(Notification.template == "password_reset"))
    parts = render(row)
    assert parts["subject"] == "Yeni Monitoris parolu təyin edin"
    assert re.search(r"http://[^ ]+/login/reset/[A-Za-z0-9_-]+", parts["text"])
    assert "<a href=" in parts["html"]


def test_the_old_password_still_works_until_the_link_is_used(client):
    user = make_user()
    _ask(client, user.email)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302
