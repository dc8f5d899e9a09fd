"""The implementation report in the reader's language in every format: the fulfilment period ("Regular"),
the notes and the headers are those of the page (the same words as the HTML report); the JSON of the API
keeps the English words."""

import io
from datetime import UTC, date, datetime

import docx
import openpyxl
import pytest
from pypdf import PdfReader

from monitoris.extensions import db
from monitoris.models import Report
from tests.api.conftest import api  # noqa: F401 - the API client fixture
from tests.factories import make_act, make_assignment, make_task, make_world

WORDS = {
    "ru": {"regular": "Постоянно", "not_reported": "Отчёт не представлен", "submitted": "Представлен, ещё не принят.",
           "period_header": "Срок исполнения"},
    "az": {"regular": "Daimi", "not_reported": "Hesabat verilməyib",
           "submitted": "Təqdim edilib, hələ qəbul edilməyib.", "period_header": "İcra müddəti"},
    "en": {"regular": "Regular", "not_reported": "Not reported", "submitted": "Submitted, not yet accepted.",
           "period_header": "Fulfilment period"},
}


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def act(w):
    """1.1 a regular measure with an accepted report, 1.2 one submitted only, 1.3 one not reported."""
    act = make_act(title="Open government plan")
    section = make_task(act, "1", title="Open data")
    regular = make_task(act, "1.1", parent=section, title="Publish the catalogue", recurrence="annual")
    years = {"period_start": date(2026, 1, 1), "period_end": date(2027, 12, 31)}
    submitted = make_task(act, "1.2", parent=section, title="Open the budget", **years)
    silent = make_task(act, "1.3", parent=section, title="Hold hearings", **years)
    for task, state in ((regular, "accepted"), (submitted, "submitted")):
        db.session.add(Report(assignment=make_assignment(task, w.sa), period="2026", period_due_on=date(2026, 12, 31),
                              final=False, text=f"Work on {task.number}.", state=state,
                              submitted_at=datetime(2026, 5, 1, tzinfo=UTC), submitted_on=date(2026, 5, 1)))
    make_assignment(silent, w.sa)
    db.session.flush()
    return act


def _get(login, user, locale, act, fmt, organization):
    """The report of ``organization`` in 2026 as ``user``, whose language is ``locale``, downloads it."""
    user.locale = locale
    response = login(user).get(f"/acts/{act.id}/report?organization_id={organization.id}&year=2026&format={fmt}")
    assert response.status_code == 200
    return response.data


def _docx_rows(data):
    table = docx.Document(io.BytesIO(data)).tables[0]
    return [[c.text for c in row.cells] for row in table.rows]


def _xlsx_rows(data):
    return [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows()]


def _pdf_text(data):
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


@pytest.mark.parametrize("locale", ["ru", "az", "en"])
def test_the_word_file_says_the_period_and_the_notes_in_the_readers_language(login, w, act, locale):
    words = WORDS[locale]
    header, _section, regular, submitted, silent = _docx_rows(_get(login, w.exec_sa, locale, act, "docx", w.sa))
    assert header[3] == words["period_header"]
    assert regular[:4] == ["1.1", "Publish the catalogue", "", words["regular"]]
    assert submitted[3] == "2026-2027" and submitted[4] == f"Work on 1.2.\n{words['submitted']}"
    assert silent[4] == words["not_reported"]


@pytest.mark.parametrize("locale", ["ru", "az"])
def test_the_workbook_says_the_period_and_the_notes_in_the_readers_language(login, w, act, locale):
    words = WORDS[locale]
    rows = _xlsx_rows(_get(login, w.head_sa, locale, act, "xlsx", w.sa))
    assert rows[2][3] == words["period_header"]
    measures = {r[0]: r for r in rows[3:]}
    assert measures["1.1"][3] == words["regular"] and "Regular" not in str(rows)
    assert measures["1.2"][4].endswith(words["submitted"]) and measures["1.3"][4] == words["not_reported"]


def test_the_pdf_says_the_period_and_the_notes_in_russian(login, w, act):
    words = WORDS["ru"]
    flat = _pdf_text(_get(login, w.controller, "ru", act, "pdf", w.sa))
    for expected in (words["period_header"], words["regular"], words["submitted"], words["not_reported"]):
        assert expected in flat
    assert "Regular" not in flat and "Not reported" not in flat


def test_the_html_report_says_the_same_words(login, w, act):
    html = _get(login, w.exec_sa, "az", act, "html", w.sa).decode()
    assert '<html lang="az">' in html
    for expected in WORDS["az"].values():
        assert expected in html
    assert "Regular" not in html and "Not reported" not in html


def test_the_api_json_keeps_the_english_words(api, w, act):  # noqa: F811
    w.exec_sa.locale = "ru"
    body = api(w.exec_sa).get(f"/api/v1/acts/{act.id}/report?organization_id={w.sa.id}&year=2026").get_json()
    measures = {r["number"]: r for r in body["rows"] if r["kind"] == "measure"}
    assert measures["1.1"]["period"] == "Regular" and measures["1.3"]["paragraphs"] == ["Not reported"]
