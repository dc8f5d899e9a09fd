"""/api/v1/organizations and /api/v1/users: who sees people's contact details, and contact details checked."""

import pytest

from tests.api.conftest import problem
from tests.factories import make_user

PRIVATE = {"email", "phone", "locale", "active", "last_login_at", "created_at", "version"}
CARD = {"id", "name", "organization_id", "roles"}
RU = {"Accept-Language": "ru"}
AZ = {"Accept-Language": "az"}


def _items(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"]: item for item in response.get_json()["items"]}


def test_an_executor_sees_other_peoples_names_and_roles_only(api, w):
    w.mt.email, w.mt.phone = "office@mt.gov.example", "+994 12 000 00 00"
    client = api(w.exec_sa)
    everyone = _items(client.get("/api/v1/users?page_size=200"))
    colleague, stranger, admin = everyone[w.head_sa.id], everyone[w.exec_mt.id], everyone[w.admin.id]
    assert set(stranger) == set(colleague) == set(admin) == CARD
    assert stranger == {"id": w.exec_mt.id, "name": w.exec_mt.name, "organization_id": w.mt.id,
                        "roles": ["executor"]}
    assert set(everyone[w.exec_sa.id]) == CARD | PRIVATE  # themself, in full
    assert everyone[w.exec_sa.id]["email"] == w.exec_sa.email

    assert set(_items(client.get("/api/v1/users?role=admin"))[w.admin.id]) == CARD
    one = client.get(f"/api/v1/users/{w.exec_mt.id}")
    assert one.status_code == 200 and set(one.get_json()) == CARD
    assert set(client.get(f"/api/v1/users/{w.exec_sa.id}").get_json()) == CARD | PRIVATE
    # Public bodies keep their contact details public.
    body = client.get(f"/api/v1/organizations/{w.mt.id}").get_json()
    assert (body["email"], body["phone"]) == ("office@mt.gov.example", "+994 12 000 00 00")


def test_an_executor_searches_names_not_email_addresses(api, w):
    hidden = make_user("executor", organization=w.mt, name="Leyla Huseynova", email="secret.box@mt.example")
    client = api(w.exec_sa)
    assert hidden.id in _items(client.get("/api/v1/users?q=Leyla"))
    assert _items(client.get("/api/v1/users?q=secret.box")) == {}
    body = problem(client.get("/api/v1/users?active=false", headers=RU), 422)
    assert body["errors"] == {"active": ["Отбирать людей по тому, активна ли их учётная запись, может только "
                                         "контрольный орган."]}
    # The control body searches the addresses too.
    assert hidden.id in _items(api(w.controller).get("/api/v1/users?q=secret.box"))


@pytest.mark.parametrize("role", ["controller", "observer", "admin"])
def test_the_control_body_sees_everyones_details(api, w, role):
    client = api(getattr(w, role))
    stranger = _items(client.get("/api/v1/users?page_size=200"))[w.exec_mt.id]
    assert set(stranger) == CARD | PRIVATE
    assert stranger["email"] == w.exec_mt.email and stranger["active"] is True
    assert set(client.get(f"/api/v1/users/{w.exec_mt.id}").get_json()) == CARD | PRIVATE
    assert w.admin.id in _items(client.get("/api/v1/users?active=true&role=admin"))


def test_an_organizations_email_and_phone_are_checked_in_the_callers_language(api, w):
    admin = api(w.admin)
    body = problem(admin.post("/api/v1/organizations", json={
        "name": "Bad contacts", "short_name": "BAD", "kind": "central", "email": "not-an-email", "phone": "abc"},
        headers=AZ), 422)
    assert body["errors"] == {"email": ["Düzgün e-poçt ünvanı daxil edin."],
                              "phone": ["Nömrəni ölkə kodu ilə yazın, məsələn, +994 50 123 45 67."]}
    created = admin.post("/api/v1/organizations", json={
        "name": "Good contacts", "short_name": "GOOD", "kind": "central", "email": "office@good.gov.example",
        "phone": "+994 12 000 00 00"})
    assert created.status_code == 201 and created.get_json()["phone"] == "+994 12 000 00 00"


def test_a_persons_phone_is_checked_as_on_the_profile_page(api, w):
    admin = api(w.admin)
    url = f"/api/v1/users/{w.exec_sa.id}"
    etag = admin.get(url).headers["ETag"]
    body = problem(admin.patch(url, json={"phone": "call me maybe"}, headers={"If-Match": etag, **RU}), 422)
    assert body["errors"] == {"phone": ["Укажите номер с кодом страны, например +994 50 123 45 67."]}
    changed = admin.patch(url, json={"phone": "+994 50 111 22 33"}, headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["phone"] == "+994 50 111 22 33"
