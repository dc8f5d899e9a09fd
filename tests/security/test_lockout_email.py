"""When the login throttle locks an account, its owner gets one email per lockout, in their language,
delivered through the outbox to the real local SMTP server."""

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Notification
from monitoris.notifications import dispatch
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_user
from tests.notifications.conftest import channels, sms_server, smtp_server  # noqa: F401 - the real servers
from tests.security.conftest import code_step, enrol, password_step


def _wrong_login(client, email, ip="192.0.2.10"):
    return client.post("/login", data={"email": email, "password": "a wrong guess", "csrf_token": csrf_token(client,
                                                                                                         "/login")},
                       environ_base={"REMOTE_ADDR": ip})


def _lockout_messages():
    return db.session.scalars(sa.select(Notification).where(Notification.template == "account_locked")).all()


@pytest.fixture
def person():
    return make_user(name="Nigar Aliyeva", email="nigar@sa.example", locale="ru")


def test_the_owner_hears_of_the_lockout_once_in_their_language(app, client, channels, person):  # noqa: F811
    mailbox, _ = channels
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        _wrong_login(client, person.email)
    assert _lockout_messages() == []  # not locked yet, nothing to say
    response = _wrong_login(client, person.email)
    assert "Too many failed attempts" in response.get_data(as_text=True)
    for _attempt in range(3):  # more tries while locked: the same lockout, no more mail
        _wrong_login(client, person.email)
    assert dispatch.dispatch() == (1, 0)
    [(recipients, message)] = mailbox.messages
    assert recipients == ["nigar@sa.example"]
    assert message["Subject"] == "Ваша учётная запись Monitoris временно заблокирована"
    body = message.get_body(("plain",)).get_content()
    assert "Здравствуйте, Nigar Aliyeva!" in body
    assert "заблокирована на 15 минут" in body and "192.0.2.10" in body
    assert f"{app.config['BASE_URL']}/login/forgot" in body
    assert "a wrong guess" not in body and PASSWORD not in body


def test_a_later_lockout_is_a_new_message(app, client, clock, channels, person):  # noqa: F811
    mailbox, _ = channels
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        _wrong_login(client, person.email)
    clock.advance(minutes=app.config["LOGIN_LOCKOUT_MINUTES"] + 1)
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        _wrong_login(client, person.email, ip="192.0.2.11")
    assert len(_lockout_messages()) == 2
    dispatch.dispatch()
    assert len(mailbox.messages) == 2 and "192.0.2.11" in mailbox.texts()[1]


def test_wrong_codes_that_lock_the_account_tell_the_owner_too(app, channels, person):  # noqa: F811
    mailbox, _ = channels
    person.locale = "az"
    enrol(person)
    db.session.commit()
    client = app.test_client()
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        password_step(client, person.email)
        code_step(client, "000000")
    dispatch.dispatch()
    [(_, message)] = mailbox.messages
    assert message["Subject"] == "Monitoris hesabınız müvəqqəti bloklanıb"


def test_an_address_without_an_account_sends_nothing(app, client, channels):  # noqa: F811
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"] + 1):
        _wrong_login(client, "nobody@example.test")
    assert _lockout_messages() == []
