"""The life of an assignment, through the API only: act, task, assignment, and its workflow."""

from tests.api.conftest import problem


def test_an_assignment_lives_its_whole_life_through_the_api(api, w):
    controller, executor = api(w.controller), api(w.exec_sa)

    act = controller.post("/api/v1/acts", json={
        "kind": "action_plan", "number": "1234", "title": "National Action Plan on Open Government",
        "signed_on": "2026-01-10", "state": "active"})
    assert act.status_code == 201, act.get_json()
    assert act.headers["Location"] == f"/api/v1/acts/{act.get_json()['id']}"
    act_id = act.get_json()["id"]

    section = controller.post(f"/api/v1/acts/{act_id}/tasks", json={"number": "1", "title": "Better e-services"})
    assert section.status_code == 201, section.get_json()
    task = controller.post(f"/api/v1/acts/{act_id}/tasks", json={
        "number": "1.1", "title": "Hold awareness events", "indicator": "Events held, people reached",
        "period_start": "2026-01-01", "period_end": "2026-12-31", "due_on": "2026-12-01", "priority": "high"})
    assert task.status_code == 201, task.get_json()
    task = task.get_json()
    assert task["act_id"] == act_id and task["parent_id"] == section.get_json()["id"] and task["depth"] == 1

    tree = controller.get(f"/api/v1/acts/{act_id}/tasks").get_json()
    assert [t["number"] for t in tree["items"]] == ["1", "1.1"] and tree["total"] == 2

    assigned = controller.post(f"/api/v1/tasks/{task['id']}/assignments", json={
        "organization_id": w.sa.id, "due_on": "2026-07-01", "responsible_id": w.exec_sa.id})
    assert assigned.status_code == 201, assigned.get_json()
    assignment = assigned.get_json()
    assert assignment["state"] == "assigned" and assignment["organization_id"] == w.sa.id
    url = f"/api/v1/assignments/{assignment['id']}"

    # The executive body sees it in its work list, with what it may do now.
    mine = executor.get("/api/v1/assignments").get_json()
    assert [a["id"] for a in mine["items"]] == [assignment["id"]]
    assert mine["items"][0]["allowed_actions"] == ["start"]

    def step(client, action, comment=None, expect="", status=200):
        response = client.post(f"{url}/transitions", json={"action": action, "comment": comment})
        assert response.status_code == status, response.get_json()
        if status == 200:
            assert response.get_json()["state"] == expect
        return response

    step(executor, "start", expect="in_progress")
    step(executor, "submit", expect="submitted")
    step(controller, "return", "Attach the list of participants.", expect="in_progress")
    step(executor, "submit", expect="submitted")
    done = step(controller, "accept", expect="accepted").get_json()
    assert done["progress"] == 100 and done["accepted_at"]

    timeline = executor.get(url).get_json()["timeline"]
    assert [e["action"] for e in timeline] == [
        "assignment.created", "assignment.start", "assignment.submit", "assignment.return", "assignment.submit",
        "assignment.accept"]
    assert timeline[3]["after"]["comment"] == "Attach the list of participants."
    assert {e["organization_id"] for e in timeline} == {w.sa.id}


def test_the_workflow_refuses_what_it_does_not_allow(api, w):
    controller, executor = api(w.controller), api(w.exec_sa)
    task = controller.post(f"/api/v1/acts/{w.act.id}/tasks", json={"number": "7", "title": "Publish data"})
    assignment = controller.post(f"/api/v1/tasks/{task.get_json()['id']}/assignments", json={
        "organization_id": w.sa.id, "due_on": "2026-07-01"}).get_json()
    url = f"/api/v1/assignments/{assignment['id']}/transitions"

    body = problem(executor.post(url, json={"action": "submit"}), 409)
    assert "assigned" in body["detail"]
    problem(executor.post(url, json={"action": "cancel", "comment": "no"}), 403)
    problem(controller.post(url, json={"action": "start"}), 403)
    body = problem(executor.post(url, json={"action": "fly"}), 422)
    assert "action" in body["errors"]
    body = problem(controller.post(url, json={"action": "cancel"}), 422)
    assert body["errors"] == {"comment": ["A comment is required to cancel."]}


def test_validation_errors_of_the_services_come_back_as_field_errors(api, w):
    controller = api(w.controller)
    response = controller.post(f"/api/v1/acts/{w.act.id}/tasks", json={"number": "4.1", "title": "Orphan"})
    assert problem(response, 422)["errors"] == {"number": ["Create 4 first."]}
    response = controller.post("/api/v1/acts", json={"kind": "law", "title": "A law", "signed_on": "2027-01-01"})
    assert "signed_on" in problem(response, 422)["errors"]
    response = controller.post("/api/v1/acts", json={"kind": "law"})
    assert problem(response, 422)["errors"] == {"title": ["Missing data for required field."]}


def test_an_assignment_is_changed_with_its_etag(api, w):
    controller, head = api(w.controller), api(w.head_sa)
    task = controller.post(f"/api/v1/acts/{w.act.id}/tasks", json={"number": "8", "title": "Train staff"}).get_json()
    created = controller.post(f"/api/v1/tasks/{task['id']}/assignments", json={
        "organization_id": w.sa.id, "due_on": "2026-07-01"})
    url = created.headers["Location"]

    moved = controller.patch(url, json={"due_on": "2026-08-01"}, headers={"If-Match": created.headers["ETag"]})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["due_on"] == "2026-08-01" and moved.get_json()["original_due_on"] == "2026-07-01"
    assert moved.headers["ETag"] != created.headers["ETag"]

    # The head of the body chooses the responsible person, and may not move the due date.
    chosen = head.patch(url, json={"responsible_id": w.exec_sa.id}, headers={"If-Match": moved.headers["ETag"]})
    assert chosen.status_code == 200 and chosen.get_json()["responsible_id"] == w.exec_sa.id
    problem(head.patch(url, json={"due_on": "2026-09-01"}, headers={"If-Match": chosen.headers["ETag"]}), 403)
