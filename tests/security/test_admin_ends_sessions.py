"""ASVS 7.4.5: an administrator ends every login session of a person at once, from the person's page in the
administration; audited as a security event; admins only, with a POST carrying the CSRF token."""

import re

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Event, LoginSession
from tests.factories import make_user
from tests.web.conftest import text


def _is_logged_in(b):
    return b.get("/").status_code == 200


def _flashes(html):
    return " ".join(re.findall(r'<div class="flash[^"]*"[^>]*>(.*?)</div>', html, re.S))


def _live_sessions(user):
    return db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)))


def test_an_admin_ends_every_session_of_a_person_who_is_sent_to_the_login_page(login, w):
    person = make_user()
    laptop, phone = login(person), login(person)
    bystander = login(make_user())
    admin = login(w.admin)
    page = text(admin.get(f"/admin/users/{person.id}/edit"))
    assert f"{person.name} has 2 live login sessions now." in page
    assert f'action="/admin/users/{person.id}/sessions/end"' in page and "End all sessions of this person" in page

    response = admin.post(f"/admin/users/{person.id}/sessions/end")
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/users/{person.id}/edit"
    page = text(admin.get(response.headers["Location"]))
    assert f"2 login sessions of {person.name} have been ended; they must log in again." in _flashes(page)
    assert f"{person.name} has no live login session now." in page

    for b in (laptop, phone):
        response = b.get("/acts/")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
        assert "has been ended" in text(b.get(response.headers["Location"]))
    assert _is_logged_in(admin) and _is_logged_in(bystander)
    assert _live_sessions(person) == 0

    [event] = db.session.scalars(sa.select(Event).where(Event.action == "auth.all_sessions_ended")).all()
    assert (event.actor_id, event.object_type, event.object_id, event.after) == (w.admin.id, "user", person.id,
                                                                                 {"count": 2})
    events = text(admin.get("/admin/security/events"))
    assert "<code>auth.all_sessions_ended</code>" in events and "All login sessions ended by an admin" in events
    login(person)  # a new login works as ever
    assert _live_sessions(person) == 1


def test_nobody_but_an_admin_ends_a_persons_sessions(login, w):
    person_browser = login(w.exec_sa)
    for someone in (w.controller, w.observer, w.head_sa, w.exec_mt):
        b = login(someone)
        assert b.post(f"/admin/users/{w.exec_sa.id}/sessions/end").status_code == 403, someone.roles
        assert b.get(f"/admin/users/{w.exec_sa.id}/edit").status_code == 403
    assert _is_logged_in(person_browser)
    assert db.session.scalar(sa.select(Event.id).where(Event.action == "auth.all_sessions_ended")) is None


def test_it_needs_a_post_with_the_csrf_token(login, w):
    person_browser = login(w.exec_sa)
    admin = login(w.admin)
    url = f"/admin/users/{w.exec_sa.id}/sessions/end"
    assert admin.get(url).status_code == 405
    assert admin.client.post(url).status_code == 400  # no token
    assert admin.client.post(url, data={"csrf_token": "forged"}).status_code == 400
    assert _is_logged_in(person_browser)


def test_an_admin_ends_their_own_sessions_on_their_own_page_not_here(login, w):
    admin = login(w.admin)
    page = text(admin.get(f"/admin/users/{w.admin.id}/edit"))
    assert "End all sessions of this person" not in page
    assert admin.post(f"/admin/users/{w.admin.id}/sessions/end").status_code == 403
    assert _is_logged_in(admin)
    assert admin.post("/admin/users/999999/sessions/end").status_code == 404


def test_a_person_without_sessions_and_the_page_in_russian(login, w):
    w.admin.locale = "ru"
    admin = login(w.admin)
    page = text(admin.get(f"/admin/users/{w.exec_mt.id}/edit"))
    assert "Завершить все сеансы этого человека" in page and "нет активных сеансов входа" in page
    response = admin.post(f"/admin/users/{w.exec_mt.id}/sessions/end")
    assert response.status_code == 302
    assert (f"У пользователя {w.exec_mt.name} не было активных сеансов входа; ничего не завершено."
            in _flashes(text(admin.get(response.headers["Location"]))))
