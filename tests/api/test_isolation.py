"""Who sees what through the API: every list and object endpoint, with a token of each role.

An executor or head of one body never sees another body's assignments or events: absent from
lists, 404 on the object (so that even its existence does not leak).
"""

import pytest

from monitoris.services import assignments as assignment_service
from tests.api.conftest import problem
from tests.factories import make_act, make_assignment, make_task

GLOBAL = ("admin", "controller", "observer")


@pytest.fixture
def scene(w):
    """One task assigned to SA, its sub-unit SA-1 (delegated) and MT; a task of a draft act for MT."""
    task = make_task(w.act, "1")
    w.a_sa = make_assignment(task, w.sa)
    w.a_mt = make_assignment(task, w.mt)
    w.a_sa1 = assignment_service.delegate(w.head_sa, w.a_sa, organization=w.sa1)
    assignment_service.transition(w.exec_mt, w.a_mt, "start")
    assignment_service.transition(w.exec_sa, w.a_sa, "start")
    w.task = task
    w.draft = make_act(state="draft")
    w.draft_task = make_task(w.draft, "1")
    w.a_draft = make_assignment(w.draft_task, w.mt)
    return w


def visible(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_json()
    return {item["id"] for item in response.get_json()["items"]}


def person(w, role):
    return {"admin": w.admin, "controller": w.controller, "observer": w.observer, "head_sa": w.head_sa,
            "exec_sa": w.exec_sa, "exec_sa1": w.exec_sa1, "head_mt": w.head_mt, "exec_mt": w.exec_mt}[role]


# role -> the assignments of the scene it sees
SEES = {
    "admin": {"a_sa", "a_sa1", "a_mt", "a_draft"},
    "controller": {"a_sa", "a_sa1", "a_mt", "a_draft"},
    "observer": {"a_sa", "a_sa1", "a_mt", "a_draft"},
    "head_sa": {"a_sa", "a_sa1"},
    "exec_sa": {"a_sa", "a_sa1"},
    "exec_sa1": {"a_sa1"},
    "head_mt": {"a_mt"},
    "exec_mt": {"a_mt"},
}


@pytest.mark.parametrize("role", sorted(SEES))
def test_assignments_lists_and_objects(api, scene, role):
    w, client = scene, api(person(scene, role))
    ids = {name: getattr(w, name).id for name in ("a_sa", "a_sa1", "a_mt", "a_draft")}
    expected = {ids[name] for name in SEES[role]}

    assert visible(client, "/api/v1/assignments?page_size=200") & set(ids.values()) == expected
    assert visible(client, f"/api/v1/tasks/{w.task.id}/assignments") == expected - {ids["a_draft"]}
    for assignment_id in ids.values():
        url = f"/api/v1/assignments/{assignment_id}"
        if assignment_id in expected:
            assert client.get(url).status_code == 200
        else:
            problem(client.get(url), 404)
            problem(client.patch(url, json={"progress": 50}, headers={"If-Match": "*"}), 404)
            problem(client.post(f"{url}/transitions", json={"action": "submit"}), 404)


@pytest.mark.parametrize("role", sorted(SEES))
def test_events_list_and_timelines(api, scene, role):
    w, client = scene, api(person(scene, role))
    items = client.get("/api/v1/events?limit=200").get_json()["items"]
    orgs = {e["organization_id"] for e in items}
    own = {getattr(w, name).organization_id for name in SEES[role]}
    if role in GLOBAL:
        assert {w.sa.id, w.sa1.id, w.mt.id} <= orgs
    else:
        assert orgs == own, (role, orgs)
        for name in {"a_sa", "a_sa1", "a_mt"} & SEES[role]:
            timeline = client.get(f"/api/v1/assignments/{getattr(w, name).id}").get_json()["timeline"]
            assert {e["organization_id"] for e in timeline} <= own


@pytest.mark.parametrize("role", ["exec_sa", "head_mt", "exec_mt"])
def test_an_executive_body_does_not_see_draft_acts(api, scene, role):
    w, client = scene, api(person(scene, role))
    assert w.draft.id not in visible(client, "/api/v1/acts?page_size=200")
    assert w.act.id in visible(client, "/api/v1/acts?page_size=200")
    problem(client.get(f"/api/v1/acts/{w.draft.id}"), 404)
    problem(client.get(f"/api/v1/acts/{w.draft.id}/tasks"), 404)
    problem(client.get(f"/api/v1/tasks/{w.draft_task.id}"), 404)
    problem(client.get(f"/api/v1/tasks/{w.draft_task.id}/assignments"), 404)
    assert client.get(f"/api/v1/tasks/{w.task.id}").status_code == 200
    assert visible(client, f"/api/v1/acts/{w.act.id}/tasks") == {w.task.id}


@pytest.mark.parametrize("role", sorted(SEES))
def test_the_directory_is_read_by_all_and_written_by_admins(api, scene, role):
    w, client = scene, api(person(scene, role))
    assert {w.sa.id, w.mt.id} <= visible(client, "/api/v1/organizations?page_size=200")
    assert w.exec_mt.id in visible(client, "/api/v1/users?page_size=200")
    org = client.get(f"/api/v1/organizations/{w.mt.id}")
    user = client.get(f"/api/v1/users/{w.exec_mt.id}")
    assert org.status_code == 200 and user.status_code == 200
    assert "password_hash" not in user.get_json() and "totp_secret" not in user.get_json()

    rename = client.patch(f"/api/v1/organizations/{w.mt.id}", json={"phone": "+994 12 000 00 00"},
                          headers={"If-Match": org.headers["ETag"]})
    create = client.post("/api/v1/organizations", json={"name": "New agency", "short_name": f"NA-{role}",
                                                        "kind": "central"})
    if role == "admin":
        assert rename.status_code == 200 and create.status_code == 201
    else:
        problem(rename, 403)
        problem(create, 403)


@pytest.mark.parametrize("role", sorted(SEES))
def test_only_the_control_body_writes_acts_tasks_and_assignments(api, scene, role):
    w, client = scene, api(person(scene, role))
    act = client.post("/api/v1/acts", json={"kind": "law", "title": "A law"})
    task = client.post(f"/api/v1/acts/{w.act.id}/tasks", json={"number": "9", "title": "A measure"})
    assign = client.post(f"/api/v1/tasks/{w.task.id}/assignments", json={"organization_id": w.mt1.id,
                                                                         "due_on": "2026-09-01"})
    if role in ("admin", "controller"):
        assert (act.status_code, task.status_code, assign.status_code) == (201, 201, 201)
    else:
        for response in (act, task, assign):
            problem(response, 403)
