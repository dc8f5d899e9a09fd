"""Values a person reads — states, decisions, kinds of instruction, login errors — come through the
catalogue, never as the stored English word."""

import io
import re
from datetime import UTC, date, datetime

from flask_babel import force_locale

from monitoris import models
from monitoris.extensions import db
from monitoris.models import ExtensionRequest, Instruction
from monitoris.services import extensions, instructions, reports
from monitoris.web.helpers import label
from tests.conftest import csrf_token
from tests.factories import PDF_BYTES, make_assignment, make_task, make_user
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


# -- the menus of the forms ------------------------------------------------------------------------
# Their options are written once, when the form classes are defined; each page must still name them in
# its reader's language.

def _options(html, name):
    """{value: text} of the options of the select (or the checkboxes) named ``name``."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    if select:
        return {v: t.strip() for v, t in re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>',
                                                    select.group(1))}
    return {v: t.strip() for v, t in re.findall(
        rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"[^>]*>\s*<label[^>]*>([^<]*)</label>', html)}


def _in(locale, values, table):
    with force_locale(locale):
        return {v: label(v, table) for v in values}


def test_every_menu_of_stored_values_is_in_the_readers_language(app, login, w):
    task = make_task(w.act, "6.1")
    a = make_assignment(task, w.sa, state="in_progress")
    w.controller.locale = w.admin.locale = "ru"
    controller, admin = login(w.controller), login(w.admin)
    executive_kinds = [k for k in models.ORGANIZATION_KINDS if k != "control"]
    pages = [(controller, "/acts/new", "kind", models.ACT_KINDS, "kind"),
             (controller, "/acts/new", "state", models.ACT_STATES, "state"),
             (controller, f"/acts/{w.act.id}/edit", "kind", models.ACT_KINDS, "kind"),
             (controller, f"/acts/{w.act.id}/edit", "state", models.ACT_STATES, "state"),
             (controller, "/acts/", "state", models.ACT_STATES, "state"),
             (controller, f"/tasks/{task.id}/assign", "role", models.ASSIGNMENT_ROLES, "role"),
             (controller, f"/assignments/{a.id}/edit", "role", models.ASSIGNMENT_ROLES, "role"),
             (controller, "/assignments", "state", models.STATES, "state"),
             (controller, "/analysis", "kind", executive_kinds, "kind"),
             (admin, "/admin/organizations/new", "kind", models.ORGANIZATION_KINDS, "kind"),
             (admin, "/admin/users/new", "roles", models.ROLES, "role"),
             (admin, "/admin/security/policy", "roles", models.ROLES, "role")]
    with app.test_request_context():
        for b, url, name, values, table in pages:
            response = b.get(url)
            assert response.status_code == 200, url
            options = {v: t for v, t in _options(text(response), name).items() if v}
            russian, english = _in("ru", values, table), _in("en", values, table)
            assert options == russian, (url, name)
            assert not set(options.values()) & set(english.values()), (url, name)
    assert _options(text(controller.get("/acts/new")), "kind")["law"] == "Закон"


def test_the_menus_follow_the_reader_from_one_page_to_the_next(login, w):
    w.controller.locale = "az"
    w.exec_sa.locale = "ru"
    task = make_task(w.act, "6.2")
    assert _options(text(login(w.controller).get(f"/tasks/{task.id}/assign")), "role")["lead"] == "Əsas icraçı"
    assert _options(text(login(w.exec_sa).get("/assignments")), "state")["in_progress"] == "На исполнении"


# -- states inside the sentences of a refusal --------------------------------------------------------------

def _alert(response):
    return re.search(r'<div class="alert alert-error"[^>]*>\s*(.*?)\s*</div>', text(response), re.S).group(1)


def test_a_refusal_names_the_report_state_in_the_readers_language(login, w, upload_folder):
    a = make_assignment(make_task(w.act, "7.1", controller_id=w.controller.id), w.sa, state="in_progress")
    report = reports.create(w.exec_sa, a, text="Done.")
    reports.submit(w.exec_sa, report)
    reports.review(w.controller, report, "return", "Attach the gazette.", [])
    w.controller.locale, w.exec_sa.locale = "ru", "az"
    response = login(w.controller).post(f"/reports/{report.id}/review", {"decision": "accept"})
    assert response.status_code == 409
    assert "Состояние отчёта: возвращено; его нельзя рассмотреть." in _alert(response)
    response = login(w.exec_sa).post(f"/reports/{report.id}/documents", {"files": [(io.BytesIO(PDF_BYTES), "a.pdf")]},
                                     content_type="multipart/form-data")
    assert response.status_code == 409
    assert "Hesabatın vəziyyəti: qaytarılıb; onun sənədləri artıq dəyişdirilə bilməz." in text(response)


def test_a_refusal_names_the_decision_and_the_instruction_state_in_russian(login, w):
    a = make_assignment(make_task(w.act, "7.2", controller_id=w.controller.id), w.sa, state="in_progress")
    request = extensions.request(w.exec_sa, a, proposed_due_on=date(2026, 9, 1), reason="The tender failed.")
    extensions.decide(w.controller, request, "approved")
    instruction = instructions.issue(w.controller, a, kind="request", text="Send the figures.")
    instructions.respond(w.exec_sa, instruction, "Sent.")
    instructions.close(w.controller, instruction)
    w.observer.locale = w.exec_sa.locale = "ru"
    response = login(w.observer).post(f"/extension-requests/{request.id}/decision", {"decision": "rejected"})
    assert response.status_code == 409 and "Решение по запросу: одобрено." in _alert(response)
    response = login(w.exec_sa).post(f"/instructions/{instruction.id}/respond", {"response_text": "Again."})
    assert response.status_code == 409 and "Состояние указания: закрыто." in _alert(response)
