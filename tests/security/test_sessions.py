"""Login sessions: an absolute lifetime whatever the activity, and "Your login sessions" where a person
sees where they are logged in and ends the sessions they do not want (with their password, audited)."""

import re

import sqlalchemy as sa

from monitoris.config import load
from monitoris.extensions import db
from monitoris.models import Event, LoginSession
from tests.conftest import Browser
from tests.factories import PASSWORD, make_user
from tests.web.conftest import text

FIREFOX_ON_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_ON_ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                     "Chrome/126.0.0.0 Mobile Safari/537.36")


def _browser(app, user, user_agent=None, ip=None):
    b = Browser(app.test_client())
    if user_agent:
        b.client.environ_base["HTTP_USER_AGENT"] = user_agent
    if ip:
        b.client.environ_base["REMOTE_ADDR"] = ip
    b.login(user.email)
    return b


def _is_logged_in(b):
    return b.get("/").status_code == 200


def _message_on_the_login_page(b):
    """Follow a page that needs a login to the login page; the message shown there."""
    response = b.get("/acts/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    html = text(b.get(response.headers["Location"]))
    return " ".join(re.findall(r'<div class="flash[^"]*"[^>]*>(.*?)</div>', html, re.S)) or html


def _events(action):
    return db.session.scalars(sa.select(Event).where(Event.action == action).order_by(Event.id)).all()


# -- the absolute lifetime ------------------------------------------------------------------------------

def test_a_busy_session_still_ends_at_its_absolute_lifetime(app, clock):
    assert app.config["SESSION_ABSOLUTE_HOURS"] == 12
    user = make_user()
    b = _browser(app, user)
    for _hour in range(11):
        clock.advance(hours=1)  # well within the idle limit: the person is working all day
        assert _is_logged_in(b)
    clock.advance(minutes=59)
    assert _is_logged_in(b)
    clock.advance(minutes=1)  # twelve hours after the login
    assert "reached its time limit. Log in again" in _message_on_the_login_page(b)
    b.login(user.email)  # a new login starts a new lifetime
    assert _is_logged_in(b)


def test_the_lifetime_is_configurable(monkeypatch, tmp_path, app, clock):
    monkeypatch.setenv("MONITORIS_SESSION_ABSOLUTE_HOURS", "2")
    assert load(tmp_path)["SESSION_ABSOLUTE_HOURS"] == 2
    monkeypatch.setitem(app.config, "SESSION_ABSOLUTE_HOURS", 2)
    b = _browser(app, make_user())
    clock.advance(hours=1, minutes=59)
    assert _is_logged_in(b)
    clock.advance(minutes=1)
    assert not _is_logged_in(b)


def test_an_idle_session_says_why_it_ended(app, clock):
    b = _browser(app, make_user())
    clock.advance(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    assert "without activity" in _message_on_the_login_page(b)


def test_a_visitor_never_logged_in_gets_the_usual_message(client):
    response = client.get("/acts/")
    html = text(client.get(response.headers["Location"]))
    assert "Please log in to see this page." in html


def test_the_limit_message_is_in_the_persons_language(app, clock):
    b = _browser(app, make_user(locale="ru"))
    clock.advance(hours=12)
    b.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"  # logged out now: the browser's language
    assert "Срок вашего сеанса истёк" in _message_on_the_login_page(b)


# -- "Your login sessions" ------------------------------------------------------------------------------

def test_the_page_lists_the_live_sessions_with_browser_address_and_times(app, clock):
    user = make_user()
    _browser(app, user, FIREFOX_ON_WINDOWS, "203.0.113.7")
    clock.advance(minutes=30)
    phone = _browser(app, user, CHROME_ON_ANDROID, "198.51.100.23")
    ended = _browser(app, user)
    ended.post("/logout")
    html = text(phone.get("/profile/sessions"))
    rows = re.findall(r'<tr data-session-id="(\d+)"(.*?)</tr>', html, re.S)
    assert len(rows) == 2  # the logged-out one is not listed
    firefox = next(r for _, r in rows if "Firefox" in r)
    android = next(r for _, r in rows if "Android" in r)
    assert "Firefox · Windows" in firefox and "203.0.113.7" in firefox and "End this session" in firefox
    assert "Chrome · Android" in android and "this browser" in android and "End this session" not in android
    assert "15 Jun 2026, 09:00" in firefox and "15 Jun 2026, 09:30" in android  # local time (Baku)
    assert 'href="/profile/sessions"' in text(phone.get("/profile"))


def test_ending_one_session_needs_the_password_and_logs_that_browser_out(app):
    user = make_user()
    laptop = _browser(app, user, FIREFOX_ON_WINDOWS)
    here = _browser(app, user)
    laptop_session = db.session.scalar(sa.select(LoginSession.id).where(
        LoginSession.user_id == user.id, LoginSession.user_agent == FIREFOX_ON_WINDOWS))

    response = here.post("/profile/sessions/end", {"session_id": laptop_session, "password": "not my password"})
    assert response.status_code == 422 and "The password is not correct." in text(response)
    assert _is_logged_in(laptop)

    response = here.post("/profile/sessions/end", {"session_id": laptop_session, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/profile/sessions"
    assert "that browser is logged out" in text(here.get("/profile/sessions"))
    assert _is_logged_in(here)
    assert "has been ended (logged out, or ended from another browser)" in _message_on_the_login_page(laptop)
    [event] = _events("auth.session_ended")
    assert event.actor_id == user.id and event.after["session_id"] == laptop_session


def test_ending_all_other_sessions_keeps_this_one(app):
    user = make_user()
    others = [_browser(app, user) for _ in range(2)]
    here = _browser(app, user)
    bystander = _browser(app, make_user())
    response = here.post("/profile/sessions/end", {"others": "1", "password": PASSWORD})
    assert response.status_code == 302
    assert "2 other sessions have been ended." in text(here.get("/profile/sessions"))
    assert [_is_logged_in(b) for b in others] == [False, False]
    assert _is_logged_in(here) and _is_logged_in(bystander)
    [event] = _events("auth.other_sessions_ended")
    assert event.after == {"count": 2}


def test_nobody_ends_another_persons_session(app):
    victim, attacker = make_user(), make_user()
    victims_browser = _browser(app, victim)
    victims_session = db.session.scalar(sa.select(LoginSession.id).where(LoginSession.user_id == victim.id))
    b = _browser(app, attacker)
    response = b.post("/profile/sessions/end", {"session_id": victims_session, "password": PASSWORD})
    assert response.status_code == 302
    assert "not one of yours" in text(b.get("/profile/sessions"))
    assert _is_logged_in(victims_browser)
    assert _events("auth.session_ended") == []
    assert f'data-session-id="{victims_session}"' not in text(b.get("/profile/sessions"))


def test_ending_sessions_needs_a_post_with_the_csrf_token(app):
    user = make_user()
    other = _browser(app, user)
    here = _browser(app, user)
    assert here.get("/profile/sessions/end").status_code == 405
    response = here.client.post("/profile/sessions/end", data={"others": "1", "password": PASSWORD})
    assert response.status_code == 400
    assert _is_logged_in(other)


def test_the_sessions_page_in_russian(app):
    user = make_user(locale="ru")
    _browser(app, user, FIREFOX_ON_WINDOWS)
    html = text(_browser(app, user).get("/profile/sessions"))
    assert "Ваши сеансы входа" in html and "Завершить все другие сеансы" in html and "через 12 часов" in html
