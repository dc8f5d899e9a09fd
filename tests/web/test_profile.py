"""The profile page: language and phone, channels per kind of message, password, API tokens."""

import re

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import ApiToken, Event, LoginSession
from monitoris.models.notification import NotificationPreference
from monitoris.notifications import outbox
from monitoris.services import tokens as tokens_service
from monitoris.services.passwords import MIN_LENGTH
from tests.factories import PASSWORD, make_token
from tests.web.conftest import text


def checked(html):
    return set(re.findall(r'name="channel" value="([a-z_]+:[a-z_]+)"[^>]*checked', html))


def test_the_page_shows_the_defaults_and_the_escalation_rule(login, w):
    html = text(login(w.exec_sa).get("/profile"))
    assert "reminder:sms" in checked(html) and "digest:email" in checked(html) and "digest:sms" not in checked(html)
    assert "heads of organizations and controllers always receive overdue escalations" in html
    assert "SMS needs a mobile phone number" in html


def test_language_and_phone_are_saved_and_audited(login, w):
    b = login(w.exec_sa)
    response = b.post("/profile/details", data={"details-locale": "ru", "details-phone": "call me",
                                                "csrf_token": None, "details-csrf_token": b.token})
    assert response.status_code == 422
    assert "Write the number with its country code" in text(response) and 'value="call me"' in text(response)

    response = b.post("/profile/details", data={"details-locale": "ru", "details-phone": "+994 50 111 22 33",
                                                "details-csrf_token": b.token})
    assert response.status_code == 302
    assert (w.exec_sa.locale, w.exec_sa.phone) == ("ru", "+994 50 111 22 33")
    event = db.session.scalar(sa.select(Event).where(Event.action == "user.updated"))
    assert event.actor_id == w.exec_sa.id and event.after == {"locale": "ru", "phone": "+994 50 111 22 33"}
    # The confirmation already speaks the language just chosen.
    assert "Ваши данные сохранены." in text(b.get("/profile"))


def test_channel_choices_are_stored_and_used_by_the_outbox(login, w):
    w.exec_sa.phone = "+994501112233"
    b = login(w.exec_sa)
    response = b.post("/profile/channels", data={"channel": ["reminder:in_app", "digest:sms", "overdue:email"],
                                                 "channels-csrf_token": b.token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/profile#channels")
    rows = db.session.scalars(sa.select(NotificationPreference)
                              .where(NotificationPreference.user_id == w.exec_sa.id)).all()
    assert len(rows) == 7 * 3
    assert outbox.channels_for(w.exec_sa, "reminder") == ["in_app"]
    assert outbox.channels_for(w.exec_sa, "digest") == ["sms"]
    assert outbox.channels_for(w.exec_sa, "assignment") == []
    assert checked(text(b.get("/profile"))) == {"reminder:in_app", "digest:sms", "overdue:email"}
    event = db.session.scalar(sa.select(Event).where(Event.action == "user.channels_changed"))
    assert event.after == {"channels": ["digest:sms", "overdue:email", "reminder:in_app"]}

    response = b.post("/profile/channels", data={"channel": ["reminder:pigeon"], "channels-csrf_token": b.token})
    assert response.status_code == 422 and "Unknown choices: reminder:pigeon." in text(response)


def test_password_change_needs_the_current_password_and_ends_other_sessions(login, w):
    other = login(w.exec_sa)
    b = login(w.exec_sa)
    response = b.post("/profile/password", data={"password-current": "wrong", "password-password": "a new long pass",
                                                 "password-confirm": "a new long pass", "password-csrf_token": b.token})
    assert response.status_code == 422 and "This is not your current password." in text(response)

    response = b.post("/profile/password", data={"password-current": PASSWORD, "password-password": "short",
                                                 "password-confirm": "short", "password-csrf_token": b.token})
    assert response.status_code == 422 and f"Use at least {MIN_LENGTH} characters." in text(response)

    response = b.post("/profile/password", data={"password-current": PASSWORD,
                                                 "password-password": "a brand new passphrase",
                                                 "password-confirm": "a brand new passphrase",
                                                 "password-csrf_token": b.token})
    assert response.status_code == 302
    assert b.get("/profile").status_code == 200
    assert other.get("/profile").status_code == 302  # the other login session has ended
    live = db.session.scalars(sa.select(LoginSession).where(LoginSession.user_id == w.exec_sa.id,
                                                            LoginSession.revoked_at.is_(None))).all()
    assert len(live) == 1


def test_tokens_are_created_shown_once_listed_and_revoked(login, w):
    make_token(w.exec_mt, name="not mine")
    b = login(w.exec_sa)
    response = b.post("/profile/tokens", data={"token-name": "", "token-expires_in_days": "30",
                                               "token-csrf_token": b.token})
    assert response.status_code == 422 and "Name the token after where it will be used." in text(response)

    response = b.post("/profile/tokens", data={"token-name": "reporting script", "token-expires_in_days": "30",
                                               "token-csrf_token": b.token})
    assert response.status_code == 200
    raw = re.search(r'<code class="token">(mnt_[^<]+)</code>', text(response)).group(1)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "reporting script"))
    assert token.user_id == w.exec_sa.id and token.token_hash == tokens_service.token_hash(raw)

    page = text(b.get("/profile"))
    assert "reporting script" in page and raw not in page and "not mine" not in page

    response = b.post(f"/profile/tokens/{token.id}/revoke")
    assert response.status_code == 302 and token.revoked_at is not None
    assert "reporting script" not in text(b.get("/profile"))


def test_someone_elses_token_cannot_be_revoked(login, w):
    make_token(w.exec_mt, name="theirs")
    theirs = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "theirs"))
    assert login(w.exec_sa).post(f"/profile/tokens/{theirs.id}/revoke").status_code == 404
    assert theirs.revoked_at is None


def test_the_profile_needs_a_login(client):
    assert client.get("/profile").status_code == 302


@pytest.mark.parametrize("days, error", [("abc", "Not a valid integer value."), ("", "Not a valid integer value."),
                                         ("0", "Number must be at least 1.")])
def test_a_wrong_validity_gets_one_error(login, w, days, error):
    b = login(w.exec_sa)
    response = b.post("/profile/tokens", data={"token-name": "script", "token-expires_in_days": days,
                                               "token-csrf_token": b.token})
    assert response.status_code == 422
    assert re.findall(r'<p class="error" id="token-expires_in_days-err">([^<]+)</p>', text(response)) == [error]
