"""Every error under /api/ is application/problem+json (RFC 9457)."""

from werkzeug.exceptions import ServiceUnavailable

from monitoris.api import acts as acts_api
from tests.api.conftest import problem


def test_not_found_method_not_allowed_and_bad_json(api, w):
    client = api(w.controller)
    problem(client.get("/api/v1/nowhere"), 404)
    problem(client.get("/api/v1/acts/99999"), 404)
    problem(client.get("/api/v1/acts/0"), 404)
    problem(client.delete("/api/v1/acts"), 405)
    body = problem(client.post("/api/v1/acts", data="{not json", headers={"Content-Type": "application/json"}), 400)
    assert body["detail"]


def test_unknown_query_parameters_and_bad_values_are_422_with_field_errors(api, w):
    client = api(w.controller)
    body = problem(client.get("/api/v1/assignments?stat=open"), 422)
    assert body["errors"] == {"stat": ["Unknown field."]}
    body = problem(client.get("/api/v1/assignments?state=open&page_size=1000&sort=colour"), 422)
    assert set(body["errors"]) == {"state", "page_size", "sort"}
    body = problem(client.post("/api/v1/acts", json={"kind": "law", "title": "nul \x00 byte"}), 422)
    assert "title" in body["errors"]


def test_an_unhandled_error_is_a_500_problem_without_details(api, w, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(acts_api.queries, "acts", explode)
    body = problem(api(w.controller).get("/api/v1/acts"), 500)
    assert "secret" not in str(body)


def test_lists_are_paginated_with_a_total(api, w):
    client = api(w.controller)
    for n in range(3):
        client.post("/api/v1/acts", json={"kind": "law", "title": f"Law {n}"})
    page = client.get("/api/v1/acts?page=2&page_size=2").get_json()
    assert (page["total"], page["page"], page["page_size"], page["pages"], len(page["items"])) == (4, 2, 2, 2, 2)


def test_a_405_says_which_methods_the_address_takes(api, w):
    client = api(w.controller)
    response = client.delete(f"/api/v1/acts/{w.act.id}")
    problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "PATCH"}
    response = api().delete("/api/v1/acts")  # without a login too: the address decides, not the caller
    problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert response.headers.get_all("WWW-Authenticate") == []


def test_the_problem_keeps_the_headers_of_the_http_error(api, w, monkeypatch):
    def busy(*args, **kwargs):
        raise ServiceUnavailable(retry_after=30)

    monkeypatch.setattr(acts_api.queries, "acts", busy)
    response = api(w.controller).get("/api/v1/acts")
    problem(response, 503)
    assert response.headers["Retry-After"] == "30"
