"""GET /api/v1/analysis/organizations and /analysis/trend: the figures, scoping, formats, errors."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.analysis.dataset import MT_FIGURES, SA_FIGURES, build_year
from tests.api.conftest import problem

RANGE = "date_from=2026-01-01&date_to=2026-12-31"


@pytest.fixture
def year():
    return build_year()


def _by_id(body):
    return {item["organization_id"]: item for item in body["items"]}


def test_the_figures_of_every_body_with_the_index(api, year):
    response = api(year.w.observer).get(f"/api/v1/analysis/organizations?{RANGE}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["date_from"] == "2026-01-01" and body["today"] == "2026-06-15"
    items = _by_id(body)
    sa, mt = items[year.sa.id], items[year.mt.id]
    assert {k: sa[k] for k in SA_FIGURES} == SA_FIGURES
    assert {k: mt[k] for k in MT_FIGURES} == MT_FIGURES
    assert (sa["index"], sa["grade"], sa["rank"]) == (53.9, "unsatisfactory", 2)
    assert (mt["index"], mt["grade"], mt["rank"]) == (100.0, "good", 1)
    assert [line["component"] for line in sa["working"]] == ["timeliness", "overdue", "returns", "extensions"]
    assert abs(sum(line["contribution"] for line in sa["working"]) - 53.9) < 0.05


def test_the_range_defaults_to_the_current_year(api, year):
    body = api(year.w.controller).get("/api/v1/analysis/organizations").get_json()
    assert (body["date_from"], body["date_to"]) == ("2026-01-01", "2026-12-31")
    assert _by_id(body)[year.sa.id]["assigned"] == 9


def test_an_executor_gets_their_figures_and_the_ranking_of_others(api, year):
    items = _by_id(api(year.w.exec_mt).get(f"/api/v1/analysis/organizations?{RANGE}").get_json())
    assert items[year.mt.id]["assigned"] == 2 and items[year.mt.id]["restricted"] is False
    assert items[year.sa.id] == {"organization_id": year.sa.id, "short_name": year.sa.short_name,
                                 "name": year.sa.name, "rank": 2, "index": 53.9, "grade": "unsatisfactory",
                                 "restricted": True}


def test_filters_by_act_and_kind(api, year):
    client = api(year.w.controller)
    assert client.get(f"/api/v1/analysis/organizations?{RANGE}&kind=local").get_json()["items"] == []
    items = client.get(f"/api/v1/analysis/organizations?{RANGE}&act_id={year.w.act.id}").get_json()["items"]
    assert sum(i["assigned"] for i in items) == 11


def test_csv_and_xlsx(api, year):
    client = api(year.w.controller)
    response = client.get(f"/api/v1/analysis/organizations?{RANGE}&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Rank", "Body", "Name"] and len(rows) == 3
    response = client.get(f"/api/v1/analysis/trend?{RANGE}&format=xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.max_row == 13 and sheet["A2"].value == "2026-01"


def test_the_monthly_trend_overall_and_of_one_body(api, year):
    client = api(year.w.controller)
    body = client.get(f"/api/v1/analysis/trend?{RANGE}").get_json()
    months = {m["month"]: m for m in body["items"]}
    assert len(months) == 12 and months["2026-03"]["assigned"] == 4 and months["2026-01"]["assigned"] == 0
    body = client.get(f"/api/v1/analysis/trend?{RANGE}&organization_id={year.mt.id}").get_json()
    assert sum(m["assigned"] for m in body["items"]) == 2 and body["organization_id"] == year.mt.id


def test_another_bodys_trend_is_not_found_for_an_executor(api, year):
    client = api(year.w.exec_mt)
    problem(client.get(f"/api/v1/analysis/trend?organization_id={year.sa.id}"), 404)
    body = client.get(f"/api/v1/analysis/trend?{RANGE}").get_json()
    assert sum(m["assigned"] for m in body["items"]) == 2  # their own work only


def test_bad_input_is_a_problem(api, year):
    client = api(year.w.controller)
    body = problem(client.get("/api/v1/analysis/organizations?date_from=2026-05-01&date_to=2026-04-01"), 422)
    assert "date_to" in body["errors"]
    assert "format" in problem(client.get("/api/v1/analysis/organizations?format=pdf"), 422)["errors"]
    assert "colour" in problem(client.get("/api/v1/analysis/trend?colour=red"), 422)["errors"]
    problem(api().get("/api/v1/analysis/organizations"), 401)


@pytest.mark.parametrize("query, field", [("date_to=9999-12-31", "date_to"), ("date_from=0001-01-01", "date_from"),
                                          ("date_from=1899-12-31", "date_from"), ("date_to=3000-01-01", "date_to")])
def test_a_date_beyond_the_calendar_is_a_problem_naming_the_field(api, year, query, field):
    client = api(year.w.controller)
    for url in (f"/api/v1/analysis/organizations?{query}", f"/api/v1/analysis/trend?{query}&format=csv"):
        body = problem(client.get(url), 422)
        assert list(body["errors"]) == [field]
        assert body["errors"][field] == ["Give a date from 1900-01-01 to 2999-12-31."]


def test_a_range_of_more_than_25_years_is_a_problem(api, year):
    """Its trend has a row a month: a range over centuries would keep a worker busy for minutes."""
    client = api(year.w.controller)
    for query, field in (("date_from=1900-01-01&date_to=2999-12-31", "date_to"), ("date_from=2001-12-01", "date_from"),
                         ("date_from=2002-01-01&date_to=2027-01-01", "date_to")):
        body = problem(client.get(f"/api/v1/analysis/trend?{query}&format=xlsx"), 422)
        assert body["errors"] == {field: ["Choose a range of at most 25 years."]}, query
    response = client.get("/api/v1/analysis/trend?date_from=2002-01-01&date_to=2026-12-31&format=xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.get_data())).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 300 and rows[1][0] == "2002-01" and rows[-1][0] == "2026-12"


def test_an_export_is_named_by_the_day_in_baku(api, year, clock):
    clock.advance(hours=16, minutes=30)  # 21:30 on 15 June in UTC: already 16 June in Baku (UTC+4)
    response = api(year.w.controller).get("/api/v1/analysis/organizations?format=csv")
    assert 'filename="analysis-organizations-2026-06-16.csv"' in response.headers["Content-Disposition"]
