"""Through the API: once the organization's assignment is accepted or cancelled, its delegated work is no longer
open work of the sub-unit, and its timeline says why."""

from datetime import date

from monitoris.services import assignments as service
from tests.factories import make_assignment, make_task


def _split(w):
    parent = make_assignment(make_task(w.act), w.sa, state="in_progress", due_on=date(2026, 7, 1))
    late = service.delegate(w.head_sa, parent, organization=w.sa1, responsible=w.exec_sa1, due_on=date(2026, 6, 10))
    working = service.delegate(w.head_sa, parent, organization=w.sa1, responsible=w.exec_sa1,
                               due_on=date(2026, 6, 20))
    service.transition(w.exec_sa1, working, "start")
    other = make_assignment(make_task(w.act), w.mt, state="in_progress", due_on=date(2026, 7, 1))
    other_sub = service.delegate(w.head_mt, other, organization=w.mt1, due_on=date(2026, 6, 10))
    return parent, late, working, other_sub


def _ids(response):
    assert response.status_code == 200, response.get_json()
    return [a["id"] for a in response.get_json()["items"]]


OPEN = "/api/v1/assignments?state=assigned&state=in_progress&state=submitted"


def test_cancelling_through_the_api_takes_the_delegated_work_off_the_open_lists(api, w):
    parent, late, working, other_sub = _split(w)
    worker = api(w.exec_sa1)
    assert sorted(_ids(worker.get(OPEN))) == sorted([late.id, working.id])
    assert _ids(worker.get("/api/v1/assignments?overdue=true")) == [late.id]

    response = api(w.controller).post(f"/api/v1/assignments/{parent.id}/transitions", json={
        "action": "cancel", "comment": "The measure was dropped from the plan."})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "cancelled"

    assert _ids(worker.get(OPEN)) == [] and _ids(worker.get("/api/v1/assignments?overdue=true")) == []
    listed = {a["id"]: a for a in worker.get("/api/v1/assignments").get_json()["items"]}
    assert {listed[late.id]["state"], listed[working.id]["state"]} == {"cancelled"}
    assert listed[working.id]["allowed_actions"] == [] and listed[working.id]["overdue"] is False

    detail = worker.get(f"/api/v1/assignments/{working.id}").get_json()
    last = detail["timeline"][-1]
    assert (last["action"], last["before"]["state"], last["after"]["state"]) == (
        "assignment.cancel", "in_progress", "cancelled")
    assert last["after"]["comment"] == f"Cancelled together with assignment #{parent.id}."
    # The ministry's people still have theirs.
    assert _ids(api(w.exec_mt).get("/api/v1/assignments?overdue=true")) == [other_sub.id]


def test_accepting_through_the_api_closes_the_delegated_work(api, w):
    parent, late, working, _other = _split(w)
    assert api(w.exec_sa).post(f"/api/v1/assignments/{parent.id}/transitions",
                               json={"action": "submit"}).status_code == 200
    assert api(w.controller).post(f"/api/v1/assignments/{parent.id}/transitions",
                                  json={"action": "accept"}).status_code == 200
    worker = api(w.exec_sa1)
    assert _ids(worker.get(OPEN)) == []
    last = worker.get(f"/api/v1/assignments/{late.id}").get_json()["timeline"][-1]
    assert last["action"] == "assignment.cancel"
    assert last["after"]["comment"].startswith(f"Closed together with assignment #{parent.id}, which was accepted")
