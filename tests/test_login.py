"""Logging in and out through the pages, as a browser does."""

import pytest

from monitoris.extensions import db
from monitoris.services import auth, users
from tests.conftest import Browser, csrf_token
from tests.factories import PASSWORD, make_user

COOKIE = "monitoris_session"


def _post_login(client, email, password, url="/login"):
    return client.post(url, data={"email": email, "password": password, "csrf_token": csrf_token(client, "/login")})


def _is_logged_in(client):
    response = client.get("/")
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def _copy_cookie(app, browser):
    """Another machine holding a copy of this browser's session cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, browser.client.get_cookie(COOKIE).value)
    return thief


def test_login_and_see_the_dashboard(login):
    user = make_user(name="Farid Babayev")
    b = login(user)
    page = b.get("/")
    assert page.status_code == 200
    assert "Farid Babayev" in page.get_data(as_text=True)


def test_pages_need_a_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_login_post_without_csrf_token_is_refused(client):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert not _is_logged_in(client)


def test_wrong_password_shows_the_message_and_counts(client):
    user = make_user()
    response = _post_login(client, user.email, "not the password")
    assert response.status_code == 401
    assert "The email or password is not correct." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.failed_logins == 1
    assert not _is_logged_in(client)


def test_unknown_email_shows_the_same_message(client):
    response = _post_login(client, "nobody@example.test", PASSWORD)
    assert response.status_code == 401
    assert "The email or password is not correct." in response.get_data(as_text=True)


def test_lockout_through_the_login_page(app, client, clock):
    user = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        response = _post_login(client, user.email, "guess")
    assert "Too many failed attempts. Try again in 15 minutes." in response.get_data(as_text=True)
    response = _post_login(client, user.email, PASSWORD)
    assert response.status_code == 401
    assert "Too many failed attempts" in response.get_data(as_text=True)
    clock.advance(minutes=16)
    assert _post_login(client, user.email, PASSWORD).status_code == 302


def test_inactive_account_cannot_log_in(client):
    user = make_user(active=False)
    assert _post_login(client, user.email, PASSWORD).status_code == 401
    assert not _is_logged_in(client)


def test_logout_ends_a_copied_cookie_too(app, login):
    b = login(make_user())
    thief = _copy_cookie(app, b)
    assert _is_logged_in(thief)
    response = b.post("/logout")
    assert response.status_code == 302
    assert not _is_logged_in(b.client)
    assert not _is_logged_in(thief)


def test_logout_needs_post_and_csrf(login):
    b = login(make_user())
    assert b.get("/logout").status_code == 405
    assert b.client.post("/logout").status_code == 400
    assert _is_logged_in(b.client)


def test_password_change_ends_other_browsers_sessions(app, login):
    user = make_user()
    other = login(user)
    thief = _copy_cookie(app, other)
    current = login(user)
    # The person changes their password in the current browser (the service the settings page calls).
    token = current.client.get_cookie(COOKIE)
    assert token is not None
    me = _user_of(app, current)
    users.change_password(me, me, "a new long passphrase")
    db.session.commit()
    assert not _is_logged_in(other.client)
    assert not _is_logged_in(thief)
    assert _is_logged_in(current.client)


def _user_of(app, browser):
    """The user with the login session of this browser, as the request loader sees it."""
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(browser.client.get_cookie(COOKIE).value)
    return auth.load_session(data["_user_id"])


def test_idle_session_ends(app, login, clock):
    b = login(make_user())
    clock.advance(minutes=app.config["SESSION_IDLE_MINUTES"] - 1)
    assert _is_logged_in(b.client)
    clock.advance(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    assert not _is_logged_in(b.client)


def test_deactivated_person_is_logged_out(login):
    admin = make_user("admin")
    user = make_user()
    b = login(user)
    users.update_user(admin, user, active=False)
    assert not _is_logged_in(b.client)


@pytest.mark.parametrize("target,expected", [
    ("/acts?state=active", "/acts?state=active"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_never_leaves_the_site(client, target, expected):
    user = make_user()
    response = client.post("/login", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\r/evil.example"])
def test_next_with_control_characters_never_leaves_the_site(client, target):
    user = make_user()
    response = client.post("/login", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_logged_in_person_visiting_login_goes_to_the_dashboard(login):
    b = login(make_user())
    response = b.get("/login")
    assert response.status_code == 302


def test_browser_helper_logs_in_with_the_factory_password(client):
    user = make_user()
    Browser(client).login(user.email)
    assert _is_logged_in(client)
