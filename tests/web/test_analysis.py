"""The analysis pages: every figure links to a list of the same count; scoping; exports."""

import csv
import io
import re
from datetime import date

import pytest
from flask import url_for
from openpyxl import load_workbook

from monitoris.analysis import drilldown as drilldown_lists
from monitoris.spreadsheets import csv_text
from monitoris.web.analysis import drilldown_url
from tests.analysis.dataset import SA_FIGURES, build_year
from tests.web.conftest import text

RANGE = "date_from=2026-01-01&date_to=2026-12-31"


@pytest.fixture
def year():
    return build_year()


def _links(html, organization_id):
    row = re.search(rf'<tr data-organization-id="{organization_id}".*?</tr>', html, re.S).group(0)
    return {m.group(2): (m.group(1).replace("&amp;", "&"), m.group(3)) for m in
            re.finditer(r'<a href="([^"]+)" data-figure="([a-z_]+)">([^<]+)</a>', row)}


def test_every_figure_of_a_body_links_to_a_list_of_that_many(year, login):
    b = login(year.w.controller)
    page = b.get(f"/analysis?{RANGE}")
    assert page.status_code == 200
    links = _links(text(page), year.sa.id)
    assert {k for k in SA_FIGURES} - {"timeliness", "return_rate", "average_delay", "median_delay",
                                      "median_response_days"} <= set(links)
    for figure, (url, shown) in links.items():
        if figure not in SA_FIGURES or figure in ("timeliness", "return_rate", "average_delay", "median_delay",
                                                  "median_response_days", "days_added"):
            continue
        listing = b.get(url)
        assert listing.status_code == 200, url
        total = re.search(r'data-total="(\d+)"', text(listing)).group(1)
        assert int(total) == int(shown) == SA_FIGURES[figure], figure
        assert text(listing).count('<tr data-assignment-id=') == int(total), figure


def test_the_overdue_list_is_exactly_the_overdue_items(year, login):
    b = login(year.w.controller)
    html = text(b.get(f"/analysis/drilldown?figure=overdue&organization_id={year.sa.id}&{RANGE}"))
    ids = re.findall(r'<tr data-assignment-id="(\d+)"', html)
    assert sorted(map(int, ids)) == sorted([year.a4.id, year.a10.id])  # a4, and a10's 2026-H1 period


def test_the_working_page_shows_each_weight_and_contribution(year, login):
    html = text(login(year.w.observer).get(f"/analysis/organizations/{year.sa.id}?{RANGE}"))
    assert 'id="index-value">53.9<' in html and "grade-unsatisfactory" in html
    assert 'data-component="timeliness"' in html and "16.67" in html  # 33.33 × 0.5


def test_an_executor_sees_their_figures_and_only_the_ranking_of_others(year, login):
    b = login(year.w.exec_mt)
    html = text(b.get(f"/analysis?{RANGE}"))
    assert _links(html, year.mt.id)  # their own body's figures are links
    assert not _links(html, year.sa.id)  # SA: rank, name, index and grade only
    sa_row = re.search(rf'<tr data-organization-id="{year.sa.id}".*?</tr>', html, re.S).group(0)
    assert "53.9" in sa_row and "not shown to you" in sa_row
    assert b.get(f"/analysis/drilldown?figure=overdue&organization_id={year.sa.id}&{RANGE}").status_code == 404
    assert b.get(f"/analysis/organizations/{year.sa.id}").status_code == 404
    # Without a body named, a list is their own work only.
    mine = text(b.get(f"/analysis/drilldown?figure=assigned&{RANGE}"))
    assert 'data-total="2"' in mine
    export_rows = list(csv.reader(io.StringIO(b.get(f"/analysis/export/organizations.csv?{RANGE}")
                                              .get_data(as_text=True).lstrip("\ufeff"))))
    header = export_rows[0]
    sa = next(r for r in export_rows if r[header.index("Body")] == year.sa.short_name)
    assert sa[header.index("Assigned")] == "" and sa[header.index("Discipline index")] == "53.9"


@pytest.mark.parametrize("name", ["organizations", "acts", "controllers", "trend"])
def test_every_table_exports_as_csv_and_xlsx(year, login, name):
    b = login(year.w.controller)
    response = b.get(f"/analysis/export/{name}.csv?{RANGE}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) > 1
    response = b.get(f"/analysis/export/{name}.xlsx?{RANGE}")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert [c.value for c in sheet[1]] == rows[0]
    assert sheet.max_row == len(rows)


def test_a_drilldown_exports_too(year, login):
    b = login(year.w.controller)
    response = b.get(f"/analysis/export/drilldown.csv?figure=late&organization_id={year.sa.id}&{RANGE}")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1 + SA_FIGURES["late"]


def test_exports_are_safe_against_formula_injection(year, login):
    year.sa.name = "=HYPERLINK(\"http://evil.example\",\"click\")"
    year.sa.short_name = "+SA"
    b = login(year.w.controller)
    body = b.get(f"/analysis/export/organizations.csv?{RANGE}").get_data(as_text=True)
    assert "'=HYPERLINK" in body and "'+SA" in body
    assert not re.search(r'(^|,)[=+@-]', body.replace("'=", "").replace("'+", ""), re.M)
    sheet = load_workbook(io.BytesIO(b.get(f"/analysis/export/organizations.xlsx?{RANGE}").get_data())).active
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)


def test_csv_text():
    assert [csv_text(v) for v in ("=1+1", "-2", "@x", "\tx", "\rx", "\nx", "ok", 5, -3)] == [
        "'=1+1", "'-2", "'@x", "'\tx", "'\rx", "'\nx", "ok", 5, -3]


def test_the_page_defaults_to_the_current_year_and_has_its_charts(year, login):
    html = text(login(year.w.controller).get("/analysis"))
    assert "01 Jan 2026" in html and "31 Dec 2026" in html
    assert html.count('<svg class="chart"') >= 3 and "<script>" not in html
    assert date(2026, 6, 15)  # the suite's today


BEYOND = "Укажите дату с 01 янв. 1900 по 31 дек. 2999."


@pytest.mark.parametrize("query, field, message", [
    ("date_to=9999-12-31", "date_to", BEYOND), ("date_from=0001-01-01", "date_from", BEYOND),
    ("date_from=1899-12-31&date_to=2026-12-31", "date_from", BEYOND),
    ("date_from=2026-01-01&date_to=3000-01-01", "date_to", BEYOND),
    ("date_from=someday", "date_from", "Неверное значение даты.")])
def test_a_date_beyond_the_calendar_is_told_and_the_year_shown(year, login, query, field, message):
    year.w.controller.locale = "ru"
    b = login(year.w.controller)
    response = b.get(f"/analysis?{query}")
    assert response.status_code == 200
    html = text(response)
    form = html[html.index('class="filters"'):html.index("</form>", html.index('class="filters"'))]
    error = re.search(rf'id="{field}"[^>]*><p class="error">([^<]+)</p>', form)
    assert error and error.group(1) == message
    assert "01 янв. 2026 – 31 дек. 2026" in html  # the default period instead
    assert _links(html, year.sa.id)
    for url in (f"/analysis/organizations/{year.sa.id}?{query}", f"/analysis/export/organizations.csv?{query}",
                f"/analysis/export/trend.xlsx?{query}", f"/analysis/drilldown?figure=assigned&{query}"):
        assert b.get(url).status_code == 200, url


def test_a_range_of_more_than_25_years_is_told_and_the_year_shown(year, login):
    html = text(login(year.w.controller).get("/analysis?date_from=2000-01-01&date_to=2026-12-31"))
    form = html[html.index('class="filters"'):html.index("</form>", html.index('class="filters"'))]
    assert re.search(r'id="date_to"[^>]*><p class="error">Choose a range of at most 25 years.</p>', form)
    assert "01 Jan 2026 – 31 Dec 2026" in html


def test_figure_links_built_from_a_kept_pattern_are_the_links_url_for_makes(app):
    """The analysis pages link thousands of figures through one URL pattern per request: the same URLs."""
    args = {"date_from": "2026-01-01", "date_to": "2026-12-31", "act_id": 3, "kind": "central"}
    with app.test_request_context("/analysis"):
        for figure in ("assigned", "on_time", "overdue", "returns", "no such figure"):
            for where in ({"organization_id": 17}, {"month": "2026-03"}, {"act_id": 9, "controller_id": 4},
                          {"q": "a/b c:d&e=é"}):
                target = drilldown_lists.figure_for(figure)
                expected = None if target is None else url_for("analysis.drilldown_page", figure=target,
                                                               **{**args, **where})
                assert drilldown_url(figure, args, **where) == expected
