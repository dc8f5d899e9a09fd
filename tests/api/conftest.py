"""Shared fixtures of the API tests: a small world of organizations and people, and bearer clients."""

import pytest

from monitoris.extensions import limiter
from tests.factories import make_token, make_world


class ApiClient:
    """A test client that sends JSON with one person's bearer token."""

    def __init__(self, client, token=None):
        self.client = client
        self.token = token

    def headers(self, extra=None):
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def get(self, url, headers=None, **kwargs):
        return self.client.get(url, headers=self.headers(headers), **kwargs)

    def post(self, url, json=None, headers=None, **kwargs):
        return self.client.post(url, json=json, headers=self.headers(headers), **kwargs)

    def patch(self, url, json=None, headers=None, **kwargs):
        return self.client.patch(url, json=json, headers=self.headers(headers), **kwargs)

    def delete(self, url, headers=None, **kwargs):
        return self.client.delete(url, headers=self.headers(headers), **kwargs)


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def api(app):
    """``api(user)`` -> an ApiClient with a fresh token of ``user``; ``api()`` -> no token at all."""
    def _api(user=None):
        return ApiClient(app.test_client(), make_token(user) if user is not None else None)
    return _api


@pytest.fixture
def rate_limits(app, monkeypatch):
    """Switch the rate limits on (the suite runs with them off) with empty counters."""
    monkeypatch.setitem(app.config, "RATELIMIT_APPLY", True)
    limiter.reset()
    yield
    limiter.reset()


def problem(response, status):
    """Assert ``response`` is an RFC 9457 problem with ``status``; return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["type"]
    return body
