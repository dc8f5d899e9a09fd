"""GET /api/v1/public/tasks: the open data, without any token, as JSON pages and as CSV."""

import csv
import io
from datetime import date

import pytest

from monitoris import public as public_data
from tests.api.conftest import problem
from tests.factories import make_act, make_assignment, make_task, make_world


@pytest.fixture
def data():
    w = make_world()
    section = make_task(w.act, "1", title="Section one", published=True)
    w.done = make_task(w.act, "1.1", parent=section, title="Open the portal", published=True, indicator="Launched")
    make_assignment(w.done, w.sa, state="accepted", progress=100, due_on=date(2026, 6, 1))
    w.late = make_task(w.act, "1.2", parent=section, title="Train the staff", published=True)
    make_assignment(w.late, w.mt, state="in_progress", progress=30, due_on=date(2026, 6, 1),
                    note="Internal: the minister is unhappy")
    w.formula = make_task(w.act, "1.3", parent=section, title='=HYPERLINK("http://evil.example","click")',
                          indicator="+1+1", published=True)
    w.hidden = make_task(w.act, "1.4", parent=section, title="Unpublished measure", published=False)
    draft = make_act(state="draft")
    make_task(draft, "1", title="Draft act measure", published=True)
    return w


def _csv(response):
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_json_without_any_token(api, data):
    response = api().get("/api/v1/public/tasks")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["total"] == 3 and body["page"] == 1 and body["pages"] == 1
    titles = [t["title"] for t in body["items"]]
    assert "Unpublished measure" not in titles and "Draft act measure" not in titles and "Section one" not in titles
    first = body["items"][0]
    assert first["id"] == data.done.id and first["uri"].endswith(f"/public/tasks/{data.done.id}")
    assert first["state"] == "done" and first["section_number"] == "1" and first["indicator"] == "Launched"
    assert first["assignments"][0]["organization"]["short_name"] == data.sa.short_name
    assert set(first["assignments"][0]) == {"organization_id", "organization", "role", "state", "progress", "due_on",
                                            "original_due_on", "overdue"}
    assert "minister" not in response.get_data(as_text=True)


def test_a_bad_token_does_not_matter(app, data):
    response = app.test_client().get("/api/v1/public/tasks", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 200


def test_filters_and_pages(api, data):
    client = api()
    assert [t["number"] for t in client.get(f"/api/v1/public/tasks?organization_id={data.mt.id}").get_json()["items"]] \
        == ["1.2"]
    assert [t["number"] for t in client.get("/api/v1/public/tasks?state=overdue").get_json()["items"]] == ["1.2"]
    assert [t["number"] for t in client.get("/api/v1/public/tasks?q=portal").get_json()["items"]] == ["1.1"]
    assert client.get(f"/api/v1/public/tasks?act_id={data.act.id}").get_json()["total"] == 3
    page = client.get("/api/v1/public/tasks?page_size=2&page=2").get_json()
    assert (page["total"], page["pages"], len(page["items"])) == (3, 2, 1)
    problem(client.get("/api/v1/public/tasks?page_size=201"), 422)
    problem(client.get("/api/v1/public/tasks?state=draft"), 422)
    problem(client.get("/api/v1/public/tasks?responsible_id=1"), 422)  # a misspelt filter never returns everything


def test_etag_and_not_modified(api, data):
    client = api()
    first = client.get("/api/v1/public/tasks")
    etag = first.headers["ETag"]
    assert "public" in first.headers["Cache-Control"]
    assert client.get("/api/v1/public/tasks", headers={"If-None-Match": etag}).status_code == 304
    data.late.title = "Train all the staff"
    assert client.get("/api/v1/public/tasks", headers={"If-None-Match": etag}).status_code == 200


def test_csv_every_row_and_safe_from_formulas(api, data):
    response = api().get("/api/v1/public/tasks?format=csv&page_size=1")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = _csv(response)
    assert [r["number"] for r in rows] == ["1.1", "1.2", "1.3"]  # all rows; page_size does not apply
    formula = rows[2]
    assert formula["title"].startswith("'=HYPERLINK") and formula["indicator"] == "'+1+1"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    assert rows[1]["organizations"] == data.mt.short_name and rows[1]["state"] == "overdue"
    assert rows[0]["uri"].endswith(f"/public/tasks/{data.done.id}")


def test_csv_filters(api, data):
    rows = _csv(api().get(f"/api/v1/public/tasks?format=csv&organization_id={data.sa.id}"))
    assert [r["number"] for r in rows] == ["1.1"]


def test_documented_without_security(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/public/tasks"]["get"]
    assert operation["security"] == []
    assert "text/csv" in operation["responses"]["200"]["content"]
    assert {p["name"] for p in operation["parameters"]} >= {"format", "act_id", "organization_id", "state", "q", "page",
                                                            "page_size"}


def test_every_measure_once_in_number_order_whatever_the_batches(api, data):
    """The CSV is read in batches, each after the last one's measure: across sections and acts, every measure
    comes once, in the order of the pages, with its state worked out as on them."""
    other = make_act(state="active", title="Second plan")
    for number in ("2", "10", "9"):  # numbered apart from the sort order of their text
        make_task(other, number, title=f"Measure {number}", published=True)
    everything = public_data.tasks(date(2026, 6, 15), per_page=200)
    for batch in (1, 2, 3, 500):
        streamed = list(public_data.all_tasks(date(2026, 6, 15), batch=batch))
        assert [(t.id, t.state, t.progress) for t in streamed] == \
            [(t.id, t.state, t.progress) for t in everything.items]
    assert [t.number for t in everything.items][-3:] == ["2", "9", "10"]
    # A page's states (worked out per measure) are the act's page's (grouped over the act).
    tree = public_data.task_tree(data.act.id, date(2026, 6, 15)).items
    assert {t.id: (t.state, t.progress) for t in tree if not t.is_section} == \
        {t.id: (t.state, t.progress) for t in everything.items if t.act_id == data.act.id}
    assert [r["number"] for r in _csv(api().get("/api/v1/public/tasks?format=csv"))] == \
        [t.number for t in everything.items]
