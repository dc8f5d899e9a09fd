"""Two-factor login through the pages: the second step, replay, expiry, enrolment, the policy, the API token."""

import re

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import LoginSession
from monitoris.services import two_factor
from tests.api.conftest import problem
from tests.conftest import Browser, csrf_token
from tests.factories import PASSWORD, make_token, make_user
from tests.security.conftest import code_at, code_step, enrol, login_with_code, password_step


def _sessions(user):
    return db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)
                             .where(LoginSession.user_id == user.id))


def test_the_login_session_starts_only_after_the_code(app, client, clock):
    user = make_user()
    enrol(user)
    response = password_step(client, user.email, next_url="/assignments")
    assert response.headers["Location"] == "/login/two-factor"
    assert _sessions(user) == 0
    assert client.get("/").status_code == 302  # not logged in yet
    wrong = code_step(client, "000000")
    assert wrong.status_code == 401 and "The code is not correct" in wrong.get_data(as_text=True)
    look_alike = code_step(client, "١٢٣٤٥٦")  # Arabic-Indic digits: not a code, and no 500
    assert look_alike.status_code == 401 and "The code is not correct" in look_alike.get_data(as_text=True)
    ok = code_step(client, code_at(clock))
    assert ok.status_code == 302 and ok.headers["Location"] == "/assignments"
    assert _sessions(user) == 1 and client.get("/").status_code == 200


def test_a_used_code_does_not_log_in_a_second_time(app, clock):
    user = make_user()
    enrol(user)
    code = code_at(clock)
    login_with_code(app, user, code)
    thief = app.test_client()
    password_step(thief, user.email)
    response = code_step(thief, code)
    assert response.status_code == 401
    assert thief.get("/").status_code == 302


def test_the_second_step_expires(app, client, clock):
    user = make_user()
    enrol(user)
    password_step(client, user.email)
    clock.advance(minutes=app.config["TWO_FACTOR_PENDING_MINUTES"], seconds=1)
    # The pending state expires by wall time; push it into the past instead of waiting.
    with client.session_transaction() as s:
        s["two_factor_pending"] = dict(s["two_factor_pending"], until=0)
    response = client.get("/login/two-factor")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_the_second_step_without_a_password_step_goes_back_to_the_login(client):
    assert client.get("/login/two-factor").headers["Location"] == "/login"


def test_a_recovery_code_logs_in_once(app, clock):
    user = make_user()
    codes = enrol(user)
    b = login_with_code(app, user, codes[0])
    assert b.get("/").status_code == 200
    other = app.test_client()
    password_step(other, user.email)
    assert code_step(other, codes[0]).status_code == 401


def test_enrolment_page_shows_a_local_qr_code_then_the_recovery_codes_once(login, clock):
    user = make_user()
    b = login(user)
    page = b.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page and "https://" not in page.split("<svg", 1)[1].split("</svg>")[0]
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert b.post("/account/two-factor", {"code": "000000"}).status_code == 422
    response = b.post("/account/two-factor", {"code": two_factor.pyotp.TOTP(secret).generate_otp(
        two_factor._step(clock.now()))})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(codes) == 10 and response.headers["Cache-Control"] == "no-store"
    db.session.refresh(user)
    assert user.totp_secret == secret
    assert codes[0] not in b.get("/account/two-factor").get_data(as_text=True)


def test_a_required_role_is_sent_to_enrolment_and_can_do_nothing_else(app, login, w):
    two_factor.set_required_roles(w.admin, {"controller"})
    b = Browser(app.test_client())
    assert password_step(b.client, w.controller.email).headers["Location"] == "/"
    for url in ("/", "/assignments", "/acts", "/profile"):
        response = b.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor", url
    assert b.get("/account/two-factor").status_code == 200
    problem(b.get("/api/v1/acts", headers={"Accept": "application/json"}), 403)
    assert login(w.observer).get("/").status_code == 200  # other roles are not held


def test_a_token_request_acts_for_the_tokens_owner_whatever_the_cookie(app, w):
    """The browser's person must enrol first; a request with a token acts for the token's owner, who need not."""
    two_factor.set_required_roles(w.admin, {"controller"})
    b = Browser(app.test_client())
    password_step(b.client, w.controller.email)
    problem(b.get("/api/v1/acts", headers={"Accept": "application/json"}), 403)
    token = make_token(w.observer)
    response = b.get("/api/v1/acts", headers={"Accept": "application/json", "Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["total"] >= 1


def test_an_api_token_needs_the_code_when_two_factor_is_on(app, clock):
    user = make_user()
    enrol(user)
    client = app.test_client()
    url = "/api/v1/auth/tokens"
    body = problem(client.post(url, json={"email": user.email, "password": PASSWORD}), 401)
    assert "totp" in body["detail"]
    problem(client.post(url, json={"email": user.email, "password": PASSWORD, "totp": "000000"}), 401)
    code = code_at(clock)
    assert client.post(url, json={"email": user.email, "password": PASSWORD, "totp": code}).status_code == 201
    problem(client.post(url, json={"email": user.email, "password": PASSWORD, "totp": code}), 401)  # replay


def test_an_api_token_is_refused_to_a_required_role_without_two_factor(app, w):
    two_factor.set_required_roles(w.admin, {"executor"})
    response = app.test_client().post("/api/v1/auth/tokens", json={"email": w.exec_sa.email, "password": PASSWORD})
    problem(response, 403)


def test_admin_turns_off_two_factor_of_someone_who_lost_their_phone(login, w, clock):
    enrol(w.exec_sa)
    b = login(w.admin)
    response = b.post(f"/admin/security/users/{w.exec_sa.id}/reset-two-factor")
    assert response.status_code == 302
    db.session.refresh(w.exec_sa)
    assert w.exec_sa.totp_secret is None
    response = password_step(b.client.application.test_client(), w.exec_sa.email)
    assert response.headers["Location"] == "/"  # the password alone logs in again


def test_only_admins_reach_the_policy_page(login, w):
    assert login(w.controller).get("/admin/security/policy").status_code == 403
    b = login(w.admin)
    assert b.get("/admin/security/policy").status_code == 200
    response = b.post("/admin/security/policy", {"roles": ["controller", "org_head"]})
    assert response.status_code == 302
    assert two_factor.required_roles() == {"controller", "org_head"}
    assert csrf_token(b.client, "/admin/security/policy")
    # Requiring it of one's own role sends oneself to set it up, like everybody else.
    b.post("/admin/security/policy", {"roles": ["admin"]})
    assert b.get("/admin/security/policy").headers["Location"] == "/account/two-factor"
