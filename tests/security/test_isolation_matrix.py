"""No executive body reads or changes another's objects: every route of the app, walked for every SA role.

The routes come from ``app.url_map``, so a new page or endpoint is walked as soon as it exists; a route
whose URL parameters this test cannot fill fails the test loudly (add it to PARAMS or API_KINDS).
MT's private objects all carry MARK; the SA people must never get it back, nor a 2xx on MT's objects,
nor change any of them.  The control body's people see MARK (so the test would notice if it vanished).
"""

from datetime import date

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import ApiToken, Assignment, Notification
from monitoris.models.document import Document
from monitoris.models.extension import ExtensionRequest
from monitoris.models.instruction import Instruction
from monitoris.models.report import Report
from monitoris.models.task import Stage
from monitoris.services import assignments as assignment_service
from tests.api.conftest import ApiClient
from tests.factories import make_assignment, make_task, make_token

MARK = "MT-CONFIDENTIAL-7Q4X"
# What the walk searches for: part of MARK, so that a page echoing the search box does not count as a leak.
PROBE = MARK[3:]
SA_ROLES = ("exec_sa", "head_sa", "exec_sa1")
# Objects that belong to one body: another body gets 404 (or 403), never the object.
PRIVATE = {"assignment", "report", "document", "instruction", "extension", "notification", "token", "webhook"}
# A refusal: not found / forbidden; a write may also be refused for its (empty) body before any object is read.
REFUSED = {"GET": {403, 404, 405}, "write": {400, 403, 404, 405, 422}}
# Web URL parameter -> the kind of object it names.
PARAMS = {
    "assignment_id": "assignment", "report_id": "report", "document_id": "document",
    "instruction_id": "instruction", "extension_request_id": "extension", "notification_id": "notification",
    "token_id": "token", "webhook_id": "webhook", "user_id": "user", "org_id": "organization", "act_id": "act",
    "task_id": "task", "stage_id": "stage", "requirement_id": "requirement", "token": "reset_token",
    "day": "holiday", "organization_id": "organization", "name": "export_table", "fmt": "export_format",
}
# API path segment (/api/v1/<segment>/<object_id>) -> kind.
API_KINDS = {
    "acts": "act", "assignments": "assignment", "documents": "document", "extension-requests": "extension",
    "instructions": "instruction", "notifications": "notification", "organizations": "organization",
    "reports": "report", "tasks": "task", "users": "user",
}
# Routes not walked here, and why.
SKIP = {
    "static": "files of the app itself",
    "auth.logout": "would end the walking browser's session; covered by tests/test_login.py",
    "api.stream_events": "a stream: walked by test_the_live_feed_carries_nothing_of_mt",
}


@pytest.fixture
def scene(w):
    """MT's private objects, each carrying MARK; SA has its own assignment of the same act."""
    task = make_task(w.act, "7", title="Digital services measure")
    w.a_sa = make_assignment(task, w.sa)
    w.a_mt = make_assignment(make_task(w.act, "8"), w.mt, note=MARK)
    assignment_service.transition(w.exec_mt, w.a_mt, "start")
    assignment_service.transition(w.exec_mt, w.a_mt, "submit", comment=MARK)
    w.report = Report(assignment_id=w.a_mt.id, period="final", period_due_on=date(2026, 7, 1), text=MARK,
                      created_by_id=w.exec_mt.id)
    db.session.add(w.report)
    db.session.flush()
    w.document = Document(report_id=w.report.id, filename=f"{MARK}.pdf", media_type="application/pdf", size=1,
                          sha256="0" * 64, uploaded_by_id=w.exec_mt.id)
    w.instruction = Instruction(assignment_id=w.a_mt.id, task_id=w.a_mt.task_id, organization_id=w.mt.id,
                                text=MARK, issued_by_id=w.controller.id)
    w.extension = ExtensionRequest(assignment_id=w.a_mt.id, previous_due_on=w.a_mt.due_on,
                                   proposed_due_on=date(2026, 9, 1), days_requested=62, reason=MARK)
    w.notification = Notification(recipient_id=w.exec_mt.id, channel="in_app", kind="assignment",
                                  template="assignment_new", payload={"task_title": MARK, "link": "/"},
                                  idempotency_key=f"isolation:{w.a_mt.id}", state="sent")
    w.stage = Stage(task_id=w.a_mt.task_id, title="Stage one", due_on=date(2026, 6, 30))
    db.session.add_all([w.document, w.instruction, w.extension, w.notification, w.stage])
    make_token(w.exec_mt)
    db.session.flush()
    w.token_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == w.exec_mt.id))
    w.ids = {"assignment": w.a_mt.id, "report": w.report.id, "document": w.document.id,
             "instruction": w.instruction.id, "extension": w.extension.id, "notification": w.notification.id,
             "token": w.token_id, "webhook": 999_999, "user": w.exec_mt.id, "organization": w.mt.id,
             "act": w.act.id, "task": w.a_mt.task_id, "stage": w.stage.id, "requirement": 999_999,
             "reset_token": "not-a-reset-token", "holiday": "2026-01-01",
             "export_table": "organizations", "export_format": "csv"}
    db.session.commit()  # denials roll back the refused request's work: the scene must not go with it
    return w


def _snapshot(w):
    """Everything of MT's a write could change."""
    db.session.expire_all()
    a = db.session.get(Assignment, w.a_mt.id)
    return {
        "assignment": (a.state, a.progress, a.due_on, a.note, a.responsible_id, a.version),
        "assignments_of_mt": db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)
                                               .where(Assignment.organization_id == w.mt.id)),
        "report": db.session.execute(sa.select(Report.text, Report.state, Report.version)
                                     .where(Report.id == w.report.id)).one(),
        "documents": db.session.scalar(sa.select(sa.func.count()).select_from(Document)
                                       .where(Document.report_id == w.report.id)),
        "instruction": db.session.execute(sa.select(Instruction.state, Instruction.version)
                                          .where(Instruction.id == w.instruction.id)).one(),
        "extension": db.session.execute(sa.select(ExtensionRequest.decision, ExtensionRequest.version)
                                        .where(ExtensionRequest.id == w.extension.id)).one(),
        "notification": db.session.scalar(sa.select(Notification.read_at).where(Notification.id == w.notification.id)),
        "token": db.session.scalar(sa.select(ApiToken.revoked_at).where(ApiToken.id == w.token_id)),
    }


def _kind_of(rule, name):
    if name == "object_id":
        segment = rule.rule.removeprefix("/api/v1/").split("/", 1)[0]
        if segment not in API_KINDS:
            pytest.fail(f"{rule.endpoint} ({rule.rule}): unknown API object kind {segment!r}; add it to API_KINDS")
        return API_KINDS[segment]
    if name not in PARAMS:
        pytest.fail(f"{rule.endpoint} ({rule.rule}): cannot fill URL parameter {name!r}; add it to PARAMS")
    return PARAMS[name]


def _routes(app, w):
    """[(endpoint, method, url, kinds of its parameters)] for every route of the app."""
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIP:
            continue
        kinds = {name: _kind_of(rule, name) for name in rule.arguments}
        url = rule.build({name: w.ids[kind] for name, kind in kinds.items()}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, url, set(kinds.values())))
    return routes


def _send(client, method, url, token=None):
    headers = {"X-CSRFToken": token} if token and url.startswith("/api/") else {}
    if method == "GET":
        query = {"q": PROBE} if not url.startswith("/api/") else None
        return client.get(url, query_string=query, headers=headers)
    if url.startswith("/api/"):
        return client.open(url, method=method, json={}, headers={**headers, "If-Match": "*"})
    return client.open(url, method=method, data={"csrf_token": token})


def test_every_route_is_classified(app, scene):
    assert len(_routes(app, scene)) > 50


@pytest.mark.parametrize("role", SA_ROLES)
def test_no_page_or_endpoint_gives_an_sa_person_mt_objects(app, login, scene, role):
    w = scene
    b = login(getattr(w, role))
    before = _snapshot(w)
    leaks, writes = [], []
    for endpoint, method, url, kinds in _routes(app, w):
        response = _send(b.client, method, url, b.token)
        body = response.get_data(as_text=True)
        if MARK in body:
            leaks.append(f"{method} {url} ({endpoint}) shows MT's data")
        if kinds & PRIVATE and response.status_code not in REFUSED["GET" if method == "GET" else "write"]:
            leaks.append(f"{method} {url} ({endpoint}) answered {response.status_code} on MT's object")
        if method != "GET":
            writes.append(endpoint)
    assert leaks == []
    assert _snapshot(w) == before, "a write by an SA person changed MT's objects"
    assert writes  # the walk did try to change things


@pytest.mark.parametrize("role", SA_ROLES)
def test_no_api_endpoint_gives_an_sa_token_mt_objects(app, scene, role):
    w = scene
    client = ApiClient(app.test_client(), make_token(getattr(w, role)))
    db.session.commit()
    before = _snapshot(w)
    leaks = []
    for endpoint, method, url, kinds in _routes(app, w):
        if not url.startswith("/api/"):
            continue
        response = client.client.open(url, method=method, headers=client.headers({"If-Match": "*"}),
                                      json=None if method == "GET" else {},
                                      query_string={"q": PROBE} if url == "/api/v1/assignments" else None)
        if MARK in response.get_data(as_text=True):
            leaks.append(f"{method} {url} ({endpoint}) shows MT's data")
        if kinds & PRIVATE and response.status_code not in REFUSED["GET" if method == "GET" else "write"]:
            leaks.append(f"{method} {url} ({endpoint}) answered {response.status_code} on MT's object")
    assert leaks == []
    assert _snapshot(w) == before


def test_the_control_body_does_see_the_marker(login, scene):
    """The positive control: without it, a marker that no page shows would make the walk above pass vacuously."""
    b = login(scene.controller)
    assert MARK in b.get(f"/assignments/{scene.a_mt.id}").get_data(as_text=True)
    assert MARK in b.get(f"/reports/{scene.report.id}").get_data(as_text=True)
    assert MARK in b.get(f"/instructions/{scene.instruction.id}").get_data(as_text=True)


@pytest.mark.parametrize("role", SA_ROLES)
def test_the_live_feed_carries_nothing_of_mt(app, scene, role, monkeypatch):
    monkeypatch.setitem(app.config, "SSE_MAX_SECONDS", 0)
    monkeypatch.setitem(app.config, "SSE_POLL_SECONDS", 0)
    w = scene
    client = ApiClient(app.test_client(), make_token(getattr(w, role)))
    db.session.commit()
    body = client.get("/api/v1/events/stream?after_id=0").get_data(as_text=True)
    assert "id: " in body or ": connected" in body
    assert MARK not in body and f'"organization_id":{w.mt.id}' not in body
    controller = ApiClient(app.test_client(), make_token(w.controller))
    db.session.commit()
    assert MARK in controller.get("/api/v1/events/stream?after_id=0").get_data(as_text=True)
