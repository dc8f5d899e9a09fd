"""The API's work list reuses one statement per shape of list (queries.assignment_list): its answers must be
those of the plain query, whoever asks and in whatever order, and one body's ids never serve another."""

from datetime import date

import pytest

from monitoris import queries
from monitoris.extensions import db
from monitoris.models import Act
from tests.factories import make_assignment, make_task

TODAY = date(2026, 6, 15)


def _spread(w):
    """Work of every body, in every state, some overdue, in two acts (one of them a draft)."""
    draft = Act(title="Draft act", number="D-1", state="draft", kind="decree")
    db.session.add(draft)
    db.session.flush()
    tasks = [make_task(w.act) for _ in range(3)] + [make_task(draft)]
    days = [date(2026, 5, 1), date(2026, 6, 14), date(2026, 6, 15), date(2026, 9, 1)]
    states = ["assigned", "in_progress", "submitted", "accepted", "cancelled"]
    n = 0
    for task in tasks:
        for org in (w.sa, w.sa1, w.mt, w.mt1):
            make_assignment(task, org, state=states[n % len(states)], due_on=days[n % len(days)])
            n += 1
    db.session.flush()
    return draft


FILTERS = [
    {},
    {"state": ["in_progress"]},
    {"state": ["assigned", "submitted"]},
    {"overdue": True},
    {"overdue": False},
    {"due_before": "2026-06-14"},
    {"due_after": "2026-06-15", "state": ["accepted", "cancelled"]},
    {"sort": "-due_on"},
    {"sort": "organization"},
    {"sort": "-number"},
    {"sort": "state", "overdue": True},
]


def _query(params):
    return "&".join(f"{k}={v}" for k, values in params.items() for v in (values if isinstance(values, list)
                                                                         else [values]))


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: _query(f) or "all")
def test_each_shape_answers_as_the_plain_query_for_everyone(app, api, w, filters):
    draft = _spread(w)
    for who in ("controller", "exec_sa", "exec_mt", "head_sa", "exec_sa1", "exec_sa"):
        user = getattr(w, who)
        for extra in ({}, {"organization_id": w.sa1.id}, {"act_id": w.act.id}, {"act_id": draft.id}):
            params = {**filters, **extra, "page_size": 200}
            body = api(user).get(f"/api/v1/assignments?{_query(params)}").get_json()
            keywords = {k: v for k, v in params.items() if k not in ("page_size", "sort")}
            for key in ("due_before", "due_after"):
                if key in keywords:
                    keywords[key] = date.fromisoformat(keywords[key])
            with app.test_request_context():
                expected = [a.id for a in db.session.scalars(queries.assignments(
                    user, today=TODAY, sort=params.get("sort", "due_on"), **keywords)).unique()]
            assert [item["id"] for item in body["items"]] == expected, (who, params)
            assert body["total"] == len(expected)


def test_one_bodys_list_never_shows_anothers_work_whoever_asked_first(api, w):
    _spread(w)
    seen = {}
    for who in ("exec_sa", "exec_mt", "exec_sa1", "exec_mt", "exec_sa"):
        user = getattr(w, who)
        body = api(user).get("/api/v1/assignments?state=assigned&state=in_progress&page_size=200").get_json()
        organizations = {item["organization_id"] for item in body["items"]}
        assert organizations and organizations <= {o.id for o in (w.sa, w.sa1, w.mt, w.mt1)
                                                   if o.path.startswith(user.organization.path)}
        assert seen.setdefault(who, organizations) == organizations


def test_pages_of_one_shape_follow_each_other(api, w):
    _spread(w)
    client = api(w.controller)
    whole = client.get("/api/v1/assignments?page_size=200").get_json()["items"]
    pages = [client.get(f"/api/v1/assignments?page_size=5&page={n}").get_json() for n in range(1, 5)]
    assert [i["id"] for p in pages for i in p["items"]] == [i["id"] for i in whole][:20]
    assert {p["total"] for p in pages} == {len(whole)}
