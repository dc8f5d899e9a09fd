"""Personal access tokens, authentication of API requests, and the rate limits."""

from datetime import timedelta

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import ApiToken, Event
from monitoris.services import tokens as tokens_service
from tests.api.conftest import ApiClient, problem
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_token, make_user


def _create(client, email, password=PASSWORD, **extra):
    return client.post("/api/v1/auth/tokens", json={"email": email, "password": password, **extra})


def test_a_token_is_created_with_a_password_shown_once_and_stored_hashed(app, api, w):
    response = _create(api(), w.exec_sa.email, name="reporting script", expires_in_days=30)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    raw = body["token"]
    assert raw.startswith("mnt_") and body["name"] == "reporting script"
    assert body["expires_at"].startswith("2026-07-15")

    stored = db.session.get(ApiToken, body["id"])
    assert stored.token_hash != raw and raw not in stored.token_hash
    event = db.session.scalar(sa.select(Event).where(Event.action == "api_token.created"))
    assert raw not in str(event.after) and event.actor_id == w.exec_sa.id

    me = ApiClient(app.test_client(), raw)
    assert me.get("/api/v1/assignments").status_code == 200
    listed = me.get("/api/v1/auth/tokens").get_json()["items"]
    assert [t["name"] for t in listed] == ["reporting script"] and "token" not in listed[0]


def test_a_wrong_password_is_401_and_counts_towards_the_lockout(api, w):
    body = problem(_create(api(), w.exec_sa.email, "wrong password"), 401)
    assert body["detail"] == "The email or password is not correct."
    assert w.exec_sa.failed_logins == 1
    problem(_create(api(), "nobody@example.test"), 401)
    assert problem(_create(api(), w.exec_sa.email, name=""), 422)["errors"] == {
        "name": ["Length must be between 1 and 100."]}


def test_a_token_is_too_long_lived_when_the_installation_says_so(api, w):
    body = problem(_create(api(), w.exec_sa.email, expires_in_days=400), 422)
    assert "expires_in_days" in body["errors"]


def test_missing_malformed_unknown_expired_and_revoked_tokens_are_401(app, api, w, clock):
    url = "/api/v1/assignments"
    client = app.test_client()
    body = problem(client.get(url), 401)
    assert "Bearer" in body["detail"]
    assert client.get(url).headers["WWW-Authenticate"].startswith("Bearer")
    problem(client.get(url, headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)
    problem(client.get(url, headers={"Authorization": "Bearer mnt_not-a-token"}), 401)
    problem(client.get(url, headers={"Authorization": "Bearer "}), 401)

    expiring = make_token(w.exec_sa, days_valid=1)
    assert ApiClient(client, expiring).get(url).status_code == 200
    clock.advance(days=1, seconds=1)
    problem(ApiClient(client, expiring).get(url), 401)

    live = make_token(w.exec_sa, days_valid=30)
    me = ApiClient(client, live)
    token_id = me.get("/api/v1/auth/tokens").get_json()["items"][0]["id"]
    assert me.delete(f"/api/v1/auth/tokens/{token_id}").status_code == 204
    problem(me.get(url), 401)


def test_a_deactivated_persons_token_stops_working(api, w):
    me = api(w.exec_sa)
    assert me.get("/api/v1/acts").status_code == 200
    w.exec_sa.active = False
    db.session.flush()
    problem(me.get("/api/v1/acts"), 401)


def test_nobody_revokes_or_sees_anothers_token(api, w):
    mine, theirs = api(w.exec_sa), api(w.exec_mt)
    their_id = theirs.get("/api/v1/auth/tokens").get_json()["items"][0]["id"]
    problem(mine.delete(f"/api/v1/auth/tokens/{their_id}"), 404)
    assert their_id not in [t["id"] for t in mine.get("/api/v1/auth/tokens").get_json()["items"]]
    assert theirs.get("/api/v1/acts").status_code == 200


def test_the_browser_session_works_and_its_writes_need_the_csrf_token(login, w):
    browser = login(w.controller)
    assert browser.get("/api/v1/acts").status_code == 200
    body = {"kind": "law", "title": "A law entered from the page"}
    problem(browser.client.post("/api/v1/acts", json=body), 400)
    response = browser.client.post("/api/v1/acts", json=body, headers={"X-CSRFToken": browser.token})
    assert response.status_code == 201, response.get_json()


def test_a_bearer_request_needs_no_csrf_token(api, w):
    response = api(w.controller).post("/api/v1/acts", json={"kind": "law", "title": "A law from a script"})
    assert response.status_code == 201


def test_token_creation_is_rate_limited_with_a_problem(api, w, rate_limits):
    client = api()
    statuses = [_create(client, w.exec_sa.email, "wrong password").status_code for _ in range(10)]
    assert set(statuses) == {401}
    limited = _create(client, w.exec_sa.email)
    assert problem(limited, 429)["title"] == "Too Many Requests"
    assert int(limited.headers["Retry-After"]) > 0


def test_the_login_form_is_rate_limited(client, w, rate_limits):
    form = {"email": w.exec_sa.email, "password": "wrong", "csrf_token": csrf_token(client, "/login")}
    for _ in range(10):
        assert client.post("/login", data=form).status_code == 401
    assert client.post("/login", data=form).status_code == 429
    assert client.get("/login").status_code == 200  # reading the form is not limited


def test_rate_limits_are_off_for_the_rest_of_the_suite(api, w):
    user = make_user("executor", organization=w.sa)
    assert all(_create(api(), user.email).status_code == 201 for _ in range(12))


def test_a_token_remembers_when_it_was_last_used_at_most_once_a_minute(app, w, frozen_clock):
    raw = make_token(w.exec_sa)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == tokens_service.token_hash(raw)))
    client = ApiClient(app.test_client(), raw)
    start = frozen_clock.now()

    def last_used():
        db.session.refresh(token)
        return token.last_used_at

    assert last_used() is None
    assert client.get("/api/v1/assignments").status_code == 200
    assert last_used() == start
    try:
        frozen_clock.advance(seconds=50)
        assert client.get("/api/v1/assignments").status_code == 200
        assert last_used() == start  # within the minute: not written again
        frozen_clock.advance(seconds=20)
        assert client.get("/api/v1/acts").status_code == 200
        assert last_used() == start + timedelta(seconds=70)
    finally:
        frozen_clock.at = start


def test_a_token_request_leaves_its_owners_secrets_sealed_in_the_database(app, w, frozen_clock):
    # The TOTP secret is unsealed (decrypted) when read: a token request, which never checks it, does not read it.
    user = make_user("controller", totp_secret="JBSWY3DPEHPK3PXP", totp_enabled_at=frozen_clock.now())
    raw = make_token(user)
    db.session.expunge_all()
    with app.test_request_context("/api/v1/acts"):
        bearer = tokens_service.authenticate(raw)
        assert bearer.user.id == user.id and {"password_hash", "totp_secret"}.isdisjoint(sa.inspect(bearer.user).dict)
        assert bearer.user.totp_secret == "JBSWY3DPEHPK3PXP"  # still there for the code that asks for it
    assert ApiClient(app.test_client(), raw).get("/api/v1/acts").status_code == 200
