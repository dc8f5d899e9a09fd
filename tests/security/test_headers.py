"""Security headers on every response, cookies in production, and templates a strict CSP can serve."""

import re
from pathlib import Path

import pytest
from flask import render_template_string

from monitoris import create_app
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]


def _csp(response):
    return dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))


def _assert_strict(response, *, inline_styles=False):
    csp = _csp(response)
    assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'self'" and csp["form-action"] == "'self'"
    # No page has an inline script: a nonce is in the policy only when a template asked for one.
    assert csp["script-src"] == "'self'", csp["script-src"]
    assert csp["style-src"] == ("'self' 'unsafe-inline'" if inline_styles else "'self'")
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]


@pytest.mark.parametrize("url", ["/login", "/login/forgot", "/no-such-page", "/healthz", "/api/v1/acts",
                                 "/api/v1/openapi.json"])
def test_anonymous_responses_carry_the_headers(client, url):
    response = client.get(url)
    _assert_strict(response)
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: HSTS would be ignored anyway


def test_signed_in_pages_are_not_cached(login):
    b = login(make_user("controller"))
    first = b.get("/")
    _assert_strict(first)
    assert first.headers["Cache-Control"] == "no-store"


def test_a_page_that_asks_for_a_nonce_gets_a_fresh_one_in_its_policy(app):
    nonces = []
    for _ in range(2):
        with app.app_context(), app.test_request_context("/"):  # a request's own app context, as a server gives
            response = app.make_response(render_template_string('<script nonce="{{ csp_nonce() }}">1</script>'))
            response = app.process_response(response)
        nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9_-]{20,})'", _csp(response)["script-src"]).group(1)
        assert f'nonce="{nonce}"'.encode() in response.data
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_static_files_may_be_cached_but_still_get_nosniff(client):
    response = client.get("/static/css/monitoris.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_over_https(client):
    response = client.get("/login", base_url="https://monitoris.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_only_the_api_docs_page_relaxes_styles(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    _assert_strict(response, inline_styles=True)
    html = response.get_data(as_text=True)
    assert "<script>" not in html and "swagger-ui-bundle.js" in html


def test_production_cookies_are_secure_httponly_and_samesite(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITORIS_ENV", "production")
    monkeypatch.setenv("MONITORIS_SECRET_KEY", "a-production-secret-key-for-the-test")
    monkeypatch.setenv("MONITORIS_DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    response = app.test_client().get("/login", base_url="https://monitoris.example")
    cookie = response.headers["Set-Cookie"]  # the CSRF token is kept in the session
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>|\sstyle=|\son[a-z]+\s*=|javascript:", re.I)


def test_no_template_needs_unsafe_inline():
    """Pages are served with script-src 'self' + nonce and style-src 'self': nothing inline may creep in."""
    offenders = []
    for path in [*(ROOT / "templates").rglob("*.html"), *(ROOT / "monitoris").rglob("templates/**/*.html")]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if INLINE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
