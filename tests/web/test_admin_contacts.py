"""The admin forms refuse contact details that no email or SMS could reach, in the admin's language."""

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Organization
from tests.web.conftest import text


def test_an_organization_with_a_bad_email_and_phone_is_not_saved(login, w):
    b = login(w.admin)
    response = b.post("/admin/organizations/new", data={"name": "Bad contacts", "short_name": "BADC",
                                                        "kind": "central", "email": "not-an-email", "phone": "abc"})
    assert response.status_code == 422
    html = text(response)
    assert "Enter a valid email address." in html
    assert "Write the number with its country code, e.g. +994 50 123 45 67." in html
    assert db.session.scalar(sa.select(Organization).where(Organization.short_name == "BADC")) is None


def test_a_persons_phone_is_refused_in_the_admins_language(login, w):
    w.admin.locale = "ru"
    db.session.flush()
    b = login(w.admin)
    response = b.post(f"/admin/users/{w.exec_sa.id}/edit", data={
        "name": w.exec_sa.name, "email": w.exec_sa.email, "phone": "call me maybe", "locale": "en",
        "organization_id": str(w.sa.id), "roles": ["executor"], "active": "y"})
    assert response.status_code == 422
    assert "Укажите номер с кодом страны, например +994 50 123 45 67." in text(response)
    db.session.refresh(w.exec_sa)
    assert w.exec_sa.phone is None

    response = b.post(f"/admin/users/{w.exec_sa.id}/edit", data={
        "name": w.exec_sa.name, "email": w.exec_sa.email, "phone": "+994 50 123 45 67", "locale": "en",
        "organization_id": str(w.sa.id), "roles": ["executor"], "active": "y"})
    assert response.status_code == 302
    db.session.refresh(w.exec_sa)
    assert w.exec_sa.phone == "+994 50 123 45 67"
