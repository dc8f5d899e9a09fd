"""Values a person reads — states, decisions, kinds of instruction, login errors — come through the
catalogue, never as the stored English word."""

import re
from datetime import UTC, date, datetime

from monitoris.extensions import db
from monitoris.models import ExtensionRequest, Instruction
from tests.conftest import csrf_token
from tests.factories import make_assignment, make_task, make_user
from tests.web.conftest import text


def _assignment_with_an_instruction_and_an_extension(w):
    a = make_assignment(make_task(w.act, "5.1", title="Open data portal"), w.sa, state="in_progress",
                        due_on=date(2026, 9, 30))
    db.session.add_all([
        Instruction(assignment_id=a.id, task_id=a.task_id, organization_id=w.sa.id, kind="recommendation",
                    text="Publish the list.", state="acknowledged", issued_by_id=w.controller.id,
                    issued_at=datetime(2026, 6, 1, 6, tzinfo=UTC)),
        ExtensionRequest(assignment_id=a.id, previous_due_on=date(2026, 7, 31), proposed_due_on=date(2026, 9, 30),
                         days_requested=61, reason="The law changes.", decision="approved"),
    ])
    db.session.flush()
    return a


def test_the_assignment_page_names_kinds_states_and_decisions_in_russian(login, w):
    a = _assignment_with_an_instruction_and_an_extension(w)
    w.controller.locale = "ru"
    html = text(login(w.controller).get(f"/assignments/{a.id}"))
    assert "Рекомендация" in html and "Принято к сведению" in html and "Одобрено" in html
    for english in ("Recommendation", "Acknowledged", "Approved"):
        assert not re.search(rf">\s*{english}\b", html), english


def test_the_pages_of_an_instruction_and_an_extension_request_in_azerbaijani(login, w):
    a = _assignment_with_an_instruction_and_an_extension(w)
    w.exec_sa.locale = "az"
    b = login(w.exec_sa)
    instruction = db.session.scalars(db.select(Instruction).where(Instruction.assignment_id == a.id)).one()
    extension = db.session.scalars(db.select(ExtensionRequest).where(ExtensionRequest.assignment_id == a.id)).one()
    assert "Tanış olunub" in text(b.get(f"/instructions/{instruction.id}"))
    assert "Təsdiqlənib" in text(b.get(f"/extension-requests/{extension.id}"))
    assert "Tövsiyə" in text(b.get(f"/assignments/{a.id}"))


def test_a_wrong_password_is_told_in_the_visitors_language(client):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": "wrong", "csrf_token":
                                           csrf_token(client, "/login")}, headers={"Accept-Language": "az"})
    assert response.status_code == 401 and "E-poçt və ya parol düzgün deyil." in text(response)


def test_a_lockout_says_the_minutes_with_russian_plurals(app, client):
    user = make_user()
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        response = client.post("/login", data={"email": user.email, "password": "wrong", "csrf_token":
                                               csrf_token(client, "/login")}, headers={"Accept-Language": "ru"})
    assert "Слишком много неудачных попыток. Повторите через 15 минут." in text(response)


def test_progress_is_a_percentage_of_the_page_language(login, w):
    a = make_assignment(make_task(w.act, "5.2"), w.sa, state="in_progress", progress=40)
    w.controller.locale = "ru"
    assert "40\xa0%" in text(login(w.controller).get(f"/assignments/{a.id}"))
