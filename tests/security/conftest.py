"""Shared helpers of the security tests: TOTP codes at the suite's frozen time, logging in with two factors."""

import pyotp
import pytest

from monitoris.services import two_factor
from tests.api.conftest import api, rate_limits  # noqa: F401 - fixtures shared with the API tests
from tests.conftest import Browser, csrf_token
from tests.factories import PASSWORD, make_world

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code_at(clock, secret=SECRET, steps=0):
    """The TOTP code of ``secret`` at the frozen clock's time (``steps`` steps of 30 s away)."""
    return pyotp.TOTP(secret).generate_otp(two_factor._step(clock.now()) + steps)


def enrol(user, secret=SECRET):
    """Two-factor login on for ``user``, as if set up earlier (no step used yet); returns the recovery codes."""
    user.totp_secret = secret
    return two_factor._new_recovery_codes(user)


def password_step(client, email, password=PASSWORD, next_url=None):
    token = csrf_token(client, "/login")
    return client.post("/login", query_string={"next": next_url} if next_url else None,
                       data={"email": email, "password": password, "csrf_token": token})


def code_step(client, code):
    token = csrf_token(client, "/login/two-factor")
    return client.post("/login/two-factor", data={"code": code, "csrf_token": token})


def login_with_code(app, user, code):
    """A Browser logged in through both steps."""
    b = Browser(app.test_client())
    response = password_step(b.client, user.email)
    assert response.status_code == 302 and response.headers["Location"] == "/login/two-factor"
    response = code_step(b.client, code)
    assert response.status_code == 302, response.get_data(as_text=True)
    b.token = csrf_token(b.client, "/")
    return b


@pytest.fixture
def w():
    return make_world()
