"""A report's period as people read it: the one period of a one-off task is the "final report" in the page's
language (never the code "final"), and its due date is written like every other date of the page."""

import re
from datetime import date

import pytest

from monitoris.extensions import db
from monitoris.services import reports
from tests.factories import PDF_BYTES, make_assignment, make_document, make_report, make_task
from tests.web.conftest import text

pytestmark = pytest.mark.usefixtures("upload_folder")


@pytest.fixture
def a(w):
    task = make_task(w.act, "1.1", title="Move civil status certificates online", controller_id=w.controller.id)
    return make_assignment(task, w.sa, state="in_progress", responsible=w.exec_sa, due_on=date(2026, 11, 26))


def _speaks(user, locale):
    user.locale = locale
    db.session.flush()


def _title(html):
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def _option(html):
    return re.search(r'<option[^>]*value="final"[^>]*>([^<]*)</option>', html).group(1)


@pytest.mark.parametrize("locale, words, due", [
    ("en", "final report", "(due 26 Nov 2026)"),
    ("ru", "итоговый отчёт", "(срок 26 нояб. 2026)"),
    ("az", "yekun hesabat", "(icra müddəti 26 noy 2026)"),
])
def test_the_period_menu_names_the_final_report_and_writes_its_date_in_the_page_language(login, w, a, locale,
                                                                                        words, due):
    _speaks(w.exec_sa, locale)
    html = text(login(w.exec_sa).get(f"/assignments/{a.id}/reports/new"))
    assert _option(html) == f"{words} {due}"


@pytest.mark.parametrize("locale, words, code", [
    ("ru", "итоговый отчёт", "период final"),
    ("az", "yekun hesabat", "Hesabat final"),
])
def test_the_report_page_names_the_final_report_in_the_page_language(login, w, a, locale, words, code):
    report = reports.create(w.exec_sa, a, text="Amendments drafted.")
    _speaks(w.exec_sa, locale)
    html = text(login(w.exec_sa).get(f"/reports/{report.id}"))
    assert words in _title(html) and "final" not in _title(html)
    eyebrow = re.search(r'<p class="eyebrow">([^<]*)</p>', html).group(1)
    assert words in eyebrow and "final" not in eyebrow
    assert code not in html


def test_every_list_of_reports_names_the_final_report(login, w, a):
    draft = reports.create(w.exec_sa, a, text="Amendments drafted.")
    document = make_document(draft, w.exec_sa, PDF_BYTES, "amendments.pdf")
    executor = login(w.exec_sa)

    assert "1.1 · final report · version 1" in text(executor.get("/my-work"))
    assert re.search(rf'<tr id="report-{draft.id}"><td>final report</td>', text(executor.get(f"/assignments/{a.id}")))
    crumbs = re.search(r'<nav class="crumbs"[^>]*>(.*?)</nav>', text(executor.get(f"/documents/{document.id}")))
    assert f'<a href="/reports/{draft.id}">1.1 · final report · version 1</a>' in crumbs.group(1)

    reports.submit(w.exec_sa, draft)
    queue = text(login(w.controller).get("/review"))
    assert f"1.1 · {w.sa.short_name} · final report · version 1" in queue
    assert "period final" not in queue


def test_the_periods_of_a_recurring_task_keep_their_names(login, w):
    a = make_assignment(make_task(w.act, "2.1"), w.mt, state="in_progress")
    quarter = make_report(a, period="2026-Q3", final=False, state="submitted", submitted_at=a.created_at)
    queue = text(login(w.controller).get("/review"))
    assert f'<a href="/reports/{quarter.id}">2.1 · {w.mt.short_name} · 2026-Q3 · version 1</a>' in queue
