"""Security events: written for logins, 2FA, tokens, denials; listed to admins; hidden from everybody else."""

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Event
from tests.conftest import csrf_token
from tests.factories import make_assignment, make_task


def _fail_login(client, email):
    client.post("/login", data={"email": email, "password": "guess", "csrf_token": csrf_token(client, "/login")})


def test_denials_are_recorded_once_each(login, w):
    b = login(w.exec_sa)
    hidden = make_assignment(make_task(w.act), w.mt)
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.action == "security.denied"))
    assert b.get(f"/assignments/{hidden.id}").status_code == 404
    assert b.get("/admin/users").status_code == 403
    events = db.session.scalars(sa.select(Event).where(Event.action == "security.denied").order_by(Event.id)).all()
    assert len(events) == before + 2
    assert [(e.after["status"], e.after["path"], e.actor_id) for e in events[-2:]] == [
        (404, f"/assignments/{hidden.id}", w.exec_sa.id), (403, "/admin/users", w.exec_sa.id)]


def test_api_denials_are_recorded_too(api, w):
    response = api(w.exec_sa).post("/api/v1/acts", json={"kind": "law", "title": "Not mine to make"})
    assert response.status_code == 403
    event = db.session.scalar(sa.select(Event).where(Event.action == "security.denied").order_by(Event.id.desc()))
    assert event.actor_id == w.exec_sa.id and event.after["path"] == "/api/v1/acts"


def test_only_admins_see_security_events_in_the_feed(api, client, w):
    _fail_login(client, w.exec_mt.email)
    for person in (w.observer, w.controller, w.exec_sa, w.head_mt):
        actions = {e["action"] for e in api(person).get("/api/v1/events?limit=200").get_json()["items"]}
        assert not {a for a in actions if a.startswith(("auth.", "security.", "user.password", "api_token."))}, person
    actions = {e["action"] for e in api(w.admin).get("/api/v1/events?limit=200").get_json()["items"]}
    assert "auth.login_failed" in actions


def test_the_admin_page_lists_and_filters_security_events(login, client, w):
    _fail_login(client, w.exec_mt.email)
    b = login(w.admin)
    page = b.get("/admin/security/events").get_data(as_text=True)
    assert "auth.login_failed" in page and "auth.login" in page
    filtered = b.get("/admin/security/events", query_string={"action": "auth.login_failed",
                                                             "user": w.exec_mt.email}).get_data(as_text=True)
    assert w.exec_mt.email in filtered and "<code>auth.login</code>" not in filtered
    empty = b.get("/admin/security/events", query_string={"date_to": "2020-01-01"}).get_data(as_text=True)
    assert "No events match." in empty
    assert login(w.observer).get("/admin/security/events").status_code == 403
