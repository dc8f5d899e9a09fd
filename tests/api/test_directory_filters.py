"""/api/v1/users filtered by organization: the id comes as text in the query string."""

from tests.api.conftest import problem


def test_people_of_one_organization(api, w):
    for reader in (w.admin, w.exec_sa):
        response = api(reader).get(f"/api/v1/users?organization_id={w.sa.id}&page_size=200")
        assert response.status_code == 200, response.get_data(as_text=True)
        assert {item["id"] for item in response.get_json()["items"]} == {w.head_sa.id, w.exec_sa.id}
    assert api(w.admin).get(f"/api/v1/users?organization_id={w.sa1.id}").get_json()["total"] == 1


def test_an_organization_id_that_is_not_one_is_422(api, w):
    client = api(w.admin)
    for value in ("SA", "0", str(2**31)):
        assert "organization_id" in problem(client.get(f"/api/v1/users?organization_id={value}"), 422)["errors"]
