"""Administration of organizations and accounts: admins only."""

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import LoginSession, Organization, User
from tests.web.conftest import text


def test_admin_pages_refuse_everyone_else(login, w):
    for person in (w.controller, w.observer, w.head_sa, w.exec_sa):
        b = login(person)
        for url in ("/admin/organizations", "/admin/users", "/admin/users/new", "/admin/organizations/new",
                    f"/admin/users/{w.exec_mt.id}/edit", f"/admin/users/{w.exec_mt.id}/password"):
            assert b.get(url).status_code == 403, (person.roles, url)
        response = b.post("/admin/organizations/new", data={"name": "X", "short_name": "XX", "kind": "central"})
        assert response.status_code == 403
        assert db.session.scalar(sa.select(Organization).where(Organization.short_name == "XX")) is None


def test_organization_tree_and_forms(login, w):
    b = login(w.admin)
    html = text(b.get("/admin/organizations"))
    assert html.index(w.sa.short_name + "<") < html.index(w.sa1.short_name + "<")

    response = b.post("/admin/organizations/new", data={"name": "", "short_name": w.mt.short_name,
                                                        "kind": "central", "email": "office@x.example"})
    assert response.status_code == 422
    html = text(response)
    assert "A name is required." in html and 'value="office@x.example"' in html

    response = b.post("/admin/organizations/new", data={"name": "Ministry of Health", "short_name": "MH",
                                                        "kind": "central", "parent_id": "", "active": "y"})
    assert response.status_code == 302
    mh = db.session.scalar(sa.select(Organization).where(Organization.short_name == "MH"))
    assert mh.path == f"/{mh.id}/"

    response = b.post(f"/admin/organizations/{w.sa.id}/edit", data={
        "name": w.sa.name, "short_name": w.sa.short_name, "kind": "central", "parent_id": str(w.sa1.id),
        "active": "y"})
    # A body cannot move under its own sub-unit: the choice is not even offered.
    assert response.status_code == 422


def test_admin_creates_and_edits_an_account(login, w):
    b = login(w.admin)
    response = b.post("/admin/users/new", data={"name": "Aysel", "email": "aysel@example.test", "locale": "az",
                                                 "organization_id": str(w.sa.id), "roles": ["executor"],
                                                 "password": "short", "active": "y"})
    assert response.status_code == 422
    html = text(response)
    assert "Use at least 12 characters." in html and 'value="aysel@example.test"' in html

    response = b.post("/admin/users/new", data={"name": "Aysel", "email": "aysel@example.test", "locale": "az",
                                                 "organization_id": str(w.sa.id), "roles": ["executor", "org_head"],
                                                 "password": "a long enough password", "active": "y"})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "aysel@example.test"))
    assert user.roles == {"executor", "org_head"} and user.locale == "az"
    assert "Aysel" in text(b.get("/admin/users?q=aysel"))

    response = b.post(f"/admin/users/{user.id}/edit", data={"name": "Aysel M.", "email": "aysel@example.test",
                                                             "locale": "en", "organization_id": str(w.mt.id),
                                                             "roles": ["observer"]})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.name == "Aysel M." and user.roles == {"observer"} and not user.active


def test_admin_cannot_remove_their_own_admin_role(login, w):
    b = login(w.admin)
    response = b.post(f"/admin/users/{w.admin.id}/edit", data={
        "name": w.admin.name, "email": w.admin.email, "locale": "en", "organization_id": str(w.cd.id),
        "roles": ["controller"], "active": "y"})
    assert response.status_code == 422
    assert "Ask another admin to do this." in text(response)


def test_reset_password_ends_the_persons_sessions(login, w):
    victim = login(w.exec_sa)
    assert victim.get("/").status_code == 200
    b = login(w.admin)
    response = b.post(f"/admin/users/{w.exec_sa.id}/password", data={"password": "a brand new secret",
                                                                    "confirm": "something else"})
    assert response.status_code == 422 and "The two passwords are not the same." in text(response)
    response = b.post(f"/admin/users/{w.exec_sa.id}/password", data={"password": "a brand new secret",
                                                                    "confirm": "a brand new secret"})
    assert response.status_code == 302
    assert victim.get("/").status_code == 302
    live = db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession).where(
        LoginSession.user_id == w.exec_sa.id, LoginSession.revoked_at.is_(None)))
    assert live == 0
