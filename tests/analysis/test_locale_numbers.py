"""Figures in the reader's language on the analysis pages ("33,3" in Azerbaijani and Russian where English
has "33.3"), grades and scores in words of that language; the API's JSON and the exports keep machine
numbers and stable values."""

import csv
import io
import re
from urllib.parse import unquote

import pytest
from babel.numbers import format_decimal as babel_decimal
from flask_babel import force_locale
from openpyxl import load_workbook

from monitoris import numbers
from tests.analysis.dataset import SA_FIGURES
from tests.api.conftest import api  # noqa: F401 - the API client fixture
from tests.web.conftest import text

RANGE = "date_from=2026-01-01&date_to=2026-12-31"
NBSP = "\xa0"


def _row(html, organization_id):
    return re.search(rf'<tr data-organization-id="{organization_id}".*?</tr>', html, re.S).group(0)


def _figure(row, name):
    return re.search(rf'data-figure="{name}">([^<]+)</a>', row).group(1)


def _page(login, user, locale, url):
    user.locale = locale
    return text(login(user).get(url))


@pytest.mark.parametrize("locale, timeliness, delay, index, grade", [
    ("en", "33.3", "4.2", "53.9", "Unsatisfactory"),
    ("az", "33,3", "4,2", "53,9", "Qeyri-kafi"),
    ("ru", "33,3", "4,2", "53,9", "Неудовлетворительно"),
])
def test_the_ranking_shows_figures_and_grades_in_the_readers_language(year, login, locale, timeliness, delay, index,
                                                                      grade):
    assert (SA_FIGURES["timeliness"], SA_FIGURES["average_delay"]) == (33.3, 4.2)
    html = _page(login, year.w.controller, locale, f"/analysis?{RANGE}")
    row = _row(html, year.sa.id)
    assert _figure(row, "timeliness") == timeliness and _figure(row, "average_delay") == delay
    assert _figure(row, "index") == index
    assert f'grade-unsatisfactory">{grade}</span>' in row
    assert _figure(row, "assigned") == "9"  # a link to the list of nine, whatever the language


def test_percentages_follow_the_locale_pattern(year, login):
    en = _page(login, year.w.controller, "en", f"/analysis?{RANGE}")
    ru = _page(login, year.w.controller, "ru", f"/analysis?{RANGE}")
    assert re.search(r'<span class="n">50%</span>', en)
    assert re.search(rf'<span class="n">50{NBSP}%</span>', ru)  # Russian: a non-breaking space before %
    assert f">33,3{NBSP}%</text>" in ru and ">33.3%</text>" in en  # the timeliness chart


def test_the_working_page_in_russian(year, login):
    html = _page(login, year.w.observer, "ru", f"/analysis/organizations/{year.sa.id}?{RANGE}")
    assert 'id="index-value">53,9<' in html and "Неудовлетворительно" in html
    line = re.search(r'<tr data-component="timeliness">.*?</tr>', html, re.S).group(0)
    assert "Своевременность" in line and "в срок ÷ (принято + просрочено сейчас) × 100" in line
    assert "0,500" in line and "16,67" in line  # weight used and contribution (33.3 × 0.5)
    assert "Timeliness" not in html
    assert '<th scope="row">март 2026</th>' in html  # the monthly trend's months


def test_numbers_grouped_the_russian_and_azerbaijani_way(app):
    with app.test_request_context():
        with force_locale("ru"):
            assert numbers.number(1234567.25) == f"1{NBSP}234{NBSP}567,25"
            assert numbers.number(0.5, 3) == "0,500" and numbers.percent(83.1) == f"83,1{NBSP}%"
        with force_locale("az"):
            assert numbers.number(1234567.25) == "1.234.567,25" and numbers.percent(83.1) == "83,1%"
        with force_locale("en"):
            assert numbers.number(1234567.25) == "1,234,567.25" and numbers.percent(83.1) == "83.1%"
            assert numbers.number(None) == "—" and numbers.percent(None) == "—"


@pytest.mark.parametrize("locale", ["en", "az", "ru"])
def test_counts_read_exactly_as_babel_writes_them(app, locale):
    """Counts take a shorter road than babel's patterns (an analysis page shows thousands): the same text."""
    with app.test_request_context(), force_locale(locale):
        for value in (0, 7, -7, 999, 1000, -1000, 12_345, 999_999, 1_000_000, -1_234_567, 10**12):
            assert numbers.number(value) == babel_decimal(value, locale=locale), value
        assert numbers.number(1234, 0) == babel_decimal(1234, locale=locale)


def test_exports_keep_machine_numbers_and_name_values_in_the_readers_language(year, login):
    b = login(year.w.controller)
    year.w.controller.locale = "ru"
    response = b.get(f"/analysis/export/organizations.csv?{RANGE}")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header = rows[0]
    sa = next(r for r in rows if r[header.index("Орган")] == year.sa.short_name)
    assert sa[header.index("Индекс исполнительской дисциплины")] == "53.9"  # a number any program reads
    assert sa[header.index("Своевременность, %")] == "33.3"
    assert sa[header.index("Оценка")] == "Неудовлетворительно"
    assert sa[header.index("Вид")] == "Центральный орган"
    disposition = response.headers["Content-Disposition"]
    assert 'filename="analysis-organizations-2026-06-15.csv"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Анализ - Организации - 2026-06-15.csv"

    sheet = load_workbook(io.BytesIO(b.get(f"/analysis/export/organizations.xlsx?{RANGE}").get_data())).active
    header = [c.value for c in sheet[1]]
    sa = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("Орган")].value == year.sa.short_name)
    index = sa[header.index("Индекс исполнительской дисциплины")]
    assert index.value == 53.9 and index.data_type == "n"
    assert sa[header.index("Оценка")].value == "Неудовлетворительно"


def test_the_api_keeps_stable_values_whatever_the_language(year, api):  # noqa: F811
    year.w.controller.locale = "ru"
    body = api(year.w.controller).get(f"/api/v1/analysis/organizations?{RANGE}",
                                      headers={"Accept-Language": "ru"}).get_json()
    sa = next(i for i in body["items"] if i["organization_id"] == year.sa.id)
    assert (sa["index"], sa["grade"], sa["timeliness"], sa["kind"]) == (53.9, "unsatisfactory", 33.3, "central")
    assert sa["working"][0]["label"] == "Timeliness"
