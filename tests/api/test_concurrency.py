"""Optimistic concurrency: updates name the version they read (If-Match), backed by the version column."""

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.services import tasks as task_service
from tests.api.conftest import problem
from tests.factories import make_task


def test_two_clients_patch_the_same_task_with_the_same_etag_one_wins(api, w):
    task = make_task(w.act, "3", title="Digitise the registry")
    url = f"/api/v1/tasks/{task.id}"
    first, second = api(w.controller), api(w.admin)
    etag = first.get(url).headers["ETag"]
    assert second.get(url).headers["ETag"] == etag

    won = first.patch(url, json={"title": "Digitise the civil registry"}, headers={"If-Match": etag})
    lost = second.patch(url, json={"indicator": "Share of records online"}, headers={"If-Match": etag})
    assert won.status_code == 200
    assert problem(lost, 412)["detail"].startswith("This object changed since you read it")
    now = first.get(url).get_json()
    assert now["title"] == "Digitise the civil registry" and now["indicator"] is None and now["version"] == 2


def test_an_update_without_if_match_is_428(api, w):
    task = make_task(w.act, "3")
    for url, body in ((f"/api/v1/tasks/{task.id}", {"title": "x"}), (f"/api/v1/acts/{w.act.id}", {"title": "x"}),
                      (f"/api/v1/organizations/{w.sa.id}", {"phone": "1"}), (f"/api/v1/users/{w.exec_sa.id}",
                                                                            {"name": "x"})):
        problem(api(w.admin).patch(url, json=body), 428)


def test_if_match_star_and_a_list_of_etags_are_understood(api, w):
    task = make_task(w.act, "3")
    client = api(w.controller)
    url = f"/api/v1/tasks/{task.id}"
    assert client.patch(url, json={"title": "a"}, headers={"If-Match": "*"}).status_code == 200
    etag = client.get(url).headers["ETag"]
    assert client.patch(url, json={"title": "b"}, headers={"If-Match": f'"nope", {etag}'}).status_code == 200
    problem(client.patch(url, json={"title": "c"}, headers={"If-Match": f"W/{etag}"}), 412)


def test_a_writer_that_commits_between_our_check_and_our_write_is_caught_by_the_version_column(
        api, w, monkeypatch):
    task = make_task(w.act, "3")
    client = api(w.controller)
    url = f"/api/v1/tasks/{task.id}"
    etag = client.get(url).headers["ETag"]
    original = task_service.update_task

    def racing_update(actor, task, **fields):
        # Another process commits its change after our If-Match check, before our UPDATE.
        db.session.execute(sa.text("UPDATE tasks SET version = version + 1, title = 'theirs' WHERE id = :id"),
                           {"id": task.id})
        return original(actor, task, **fields)

    monkeypatch.setattr(task_service, "update_task", racing_update)
    problem(client.patch(url, json={"title": "ours"}, headers={"If-Match": etag}), 412)


def test_a_transition_honours_if_match_when_sent(api, w):
    controller = api(w.controller)
    created = controller.post(f"/api/v1/tasks/{make_task(w.act, '5').id}/assignments",
                              json={"organization_id": w.sa.id, "due_on": "2026-07-01"})
    url = created.headers["Location"] + "/transitions"
    executor = api(w.exec_sa)
    assert executor.post(url, json={"action": "start"}, headers={"If-Match": created.headers["ETag"]}).status_code \
        == 200
    problem(executor.post(url, json={"action": "submit"}, headers={"If-Match": created.headers["ETag"]}), 412)
    assert executor.post(url, json={"action": "submit"}).status_code == 200


def test_a_change_of_roles_alone_moves_the_etag(api, w):
    admin = api(w.admin)
    url = f"/api/v1/users/{w.exec_sa.id}"
    etag = admin.get(url).headers["ETag"]
    changed = admin.patch(url, json={"roles": ["org_head"]}, headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["roles"] == ["org_head"]
    assert changed.headers["ETag"] != etag
    problem(admin.patch(url, json={"roles": ["executor"]}, headers={"If-Match": etag}), 412)
