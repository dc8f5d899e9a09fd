"""The assignment list is dumped by a plain function, not by marshmallow: both must give the same JSON."""

import json
from datetime import UTC, date, datetime

import pytest
from flask import current_app, g

from monitoris import clock
from monitoris.extensions import db
from monitoris.schemas.assignments import AssignmentPageSchema, AssignmentSchema, dump_assignment_items
from monitoris.services import assignments as assignment_service
from tests.factories import make_assignment, make_task


def _as_json(items):
    """The items as a client reads them from the list's answer (JSONProvider.iso_response)."""
    with current_app.test_request_context():
        return json.loads(current_app.json.iso_response(items).get_data())


def _varied(w):
    """Every state, delegated and not, overdue and not, with and without the optional fields."""
    task = make_task(w.act)
    other = make_task(w.act)
    out = [
        make_assignment(task, w.sa, state="assigned", due_on=date(2026, 5, 1), note="Übergabe — «ş, ə»"),
        make_assignment(task, w.mt, state="in_progress", progress=40, responsible_id=w.exec_mt.id),
        make_assignment(other, w.sa, state="submitted", submitted_at=datetime(2026, 6, 1, 7, 30, tzinfo=UTC)),
        make_assignment(other, w.mt, state="accepted", accepted_at=datetime(2026, 6, 2, 8, 0, 0, 123456, tzinfo=UTC),
                        due_on=date(2026, 8, 1), original_due_on=date(2026, 7, 1)),
        make_assignment(make_task(w.act), w.sa1, state="cancelled", role="co_executor"),
    ]
    parent = out[1]
    out.append(make_assignment(task, w.mt1, state="submitted", parent_id=parent.id))
    out.append(make_assignment(task, w.mt1, state="in_progress", parent_id=parent.id))
    db.session.flush()
    return out


@pytest.mark.parametrize("who", ["controller", "admin", "observer", "head_sa", "exec_sa", "exec_sa1", "head_mt",
                                 "exec_mt"])
def test_fast_dump_equals_the_schema(app, w, who):
    items = _varied(w)
    user = getattr(w, who)
    with app.test_request_context():
        g.api_actor = user
        today = clock.today()
        assert _as_json(dump_assignment_items(items, user, today)) == AssignmentSchema(many=True).dump(items)


@pytest.mark.parametrize("who", ["controller", "head_sa", "exec_sa", "exec_sa1", "head_mt", "exec_mt"])
def test_the_allowed_actions_are_asked_again_when_the_rules_look_at_something_else(app, w, who):
    """The dump asks the rules once per kind of assignment they tell apart: whatever the order of the page,
    an assignment of another body or with another parent gets its own answer when the rules read those."""
    items = _varied(w)
    parent = items[1]
    for state in ("in_progress", "submitted", "assigned"):
        for org in (w.sa, w.sa1, w.mt, w.mt1):
            items.append(make_assignment(make_task(w.act), org, state=state))
        items.append(make_assignment(make_task(w.act), w.mt1, state=state, parent_id=parent.id))
    db.session.flush()
    user = getattr(w, who)
    with app.test_request_context():
        g.api_actor = user
        today = clock.today()
        for order in (items, items[::-1], items[1::2] + items[::2]):
            assert _as_json(dump_assignment_items(order, user, today)) == AssignmentSchema(many=True).dump(order)


def test_list_endpoint_answers_what_the_schema_would(app, api, w):
    items = _varied(w)
    ids = {a.id for a in items}
    for who in ("controller", "head_mt", "exec_sa"):
        user = getattr(w, who)
        body = api(user).get("/api/v1/assignments?page_size=200").get_json()
        listed = [item for item in body["items"] if item["id"] in ids]
        assert listed
        with app.test_request_context():
            g.api_actor = user
            expected = AssignmentSchema(many=True).dump([db.session.get(type(items[0]), i["id"]) for i in listed])
        assert listed == expected
        assert set(body) == set(AssignmentPageSchema().fields)


def test_a_transition_shows_in_the_next_list(app, api, w):
    a = make_assignment(make_task(w.act), w.sa, state="in_progress")
    client = api(w.exec_sa)
    before = {i["id"]: i for i in client.get("/api/v1/assignments?page_size=200").get_json()["items"]}
    assert before[a.id]["allowed_actions"] == ["submit"]
    assignment_service.transition(w.exec_sa, a, "submit", None)
    db.session.flush()
    after = {i["id"]: i for i in client.get("/api/v1/assignments?page_size=200").get_json()["items"]}
    assert after[a.id]["state"] == "submitted" and after[a.id]["allowed_actions"] == []


def test_total_and_pages_with_and_without_the_count(api, w):
    task = make_task(w.act)
    for org in (w.sa, w.sa1, w.mt, w.mt1):
        make_assignment(task, org)
    client = api(w.controller)
    url = f"/api/v1/assignments?act_id={w.act.id}&sort=organization"
    full = client.get(url + "&page_size=3").get_json()           # a full first page: counted
    assert (full["total"], full["pages"], len(full["items"])) == (4, 2, 3)
    last = client.get(url + "&page_size=3&page=2").get_json()    # a short last page: offset + items
    assert (last["total"], last["pages"], len(last["items"])) == (4, 2, 1)
    beyond = client.get(url + "&page_size=3&page=5").get_json()  # past the end: counted
    assert (beyond["total"], beyond["items"]) == (4, [])
    short = client.get(url + "&page_size=10").get_json()
    assert (short["total"], short["pages"]) == (4, 1)
    searched = client.get(url + f"&page_size=2&q={w.sa.short_name.lower()}").get_json()
    assert searched["total"] == 2  # SA and its sub-unit SA-1, counted through the joins the search needs
