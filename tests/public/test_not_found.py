"""Every 404 under /public/ is the portal's page: a citizen is never sent towards the staff login."""

import pytest

from tests.web.conftest import text


@pytest.mark.parametrize("url", ["/public/nothing-here", "/public/acts/not-a-number", "/public/tasks/",
                                 "/public/acts/999999999"])
def test_a_mistyped_public_address_gets_the_public_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    html = text(response)
    assert "See the published acts" in html and 'href="/public/"' in html
    assert "Back to the dashboard" not in html


def test_a_staff_address_keeps_the_staff_404(client):
    html = text(client.get("/nothing-here"))
    assert "Back to the dashboard" in html and "See the published acts" not in html


def test_an_api_client_under_public_still_gets_problem_json(client):
    response = client.get("/public/nothing-here", headers={"Accept": "application/problem+json"})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
