"""A report's period as people read it: the one period of a one-off task is the "final report" in the page's
language (never the code "final"), and its due date is written like every other date of the page.  A recurring
task's periods, each with its due date, its report and whether it is late, on the assignment's page and in the API."""

import re
from datetime import UTC, date, datetime

import pytest

from monitoris.extensions import db
from monitoris.services import reports
from tests.api.conftest import ApiClient
from tests.factories import PDF_BYTES, make_assignment, make_document, make_report, make_task, make_token
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


# -- a recurring task's periods on the assignment's page and in the API ------------------------------------------

@pytest.fixture
def quarterly(w):
    """SA reports quarterly on its work of 2026 (the clock: Monday 15 June 2026); Q1's report was accepted."""
    task = make_task(w.act, "2.1", title="Publish the quarterly statistics", controller_id=w.controller.id,
                     recurrence="quarterly", period_start=date(2026, 1, 1))
    a = make_assignment(task, w.sa, state="in_progress", responsible=w.exec_sa, due_on=date(2026, 12, 31),
                        created_at=datetime(2026, 1, 5, 6, tzinfo=UTC))
    make_report(a, state="accepted", period="2026-Q1", period_due_on=date(2026, 3, 31), final=False)
    return a


def _periods(html):
    rows = re.search(r'<table[^>]*id="periods".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [(period, "pill-danger" in row, re.sub(r"<[^>]+>|\s+", " ", row).split())
            for period, row in re.findall(r'<tr[^>]*data-period="([^"]+)"[^>]*>(.*?)</tr>', rows, re.S)]


def test_the_assignment_page_lists_each_period_with_its_due_date_and_report(login, w, quarterly, clock):
    rows = _periods(text(login(w.exec_sa).get(f"/assignments/{quarterly.id}")))
    assert [(period, late) for period, late, _ in rows] == [
        ("2026-Q1", False), ("2026-Q2", False), ("2026-Q3", False), ("2026-Q4", False)]
    assert " ".join(rows[0][2]) == "2026-Q1 31 Mar 2026 Accepted"
    assert " ".join(rows[1][2]) == "2026-Q2 30 Jun 2026 not reported"
    assert " ".join(rows[3][2]) == "2026-Q4 final period 31 Dec 2026 not reported"

    clock.at = clock.at.replace(month=7, day=1)  # Q2 ended yesterday without a report
    rows = _periods(text(login(w.controller).get(f"/assignments/{quarterly.id}")))
    assert [(period, late) for period, late, _ in rows][:2] == [("2026-Q1", False), ("2026-Q2", True)]
    assert " ".join(rows[1][2]) == "2026-Q2 30 Jun 2026 overdue not reported"


def test_a_period_with_a_submitted_report_is_still_overdue_until_accepted_as_the_work_is(login, w, quarterly, clock):
    make_report(quarterly, state="submitted", period="2026-Q2", period_due_on=date(2026, 6, 30), final=False)
    clock.at = clock.at.replace(month=7, day=1)
    rows = _periods(text(login(w.exec_sa).get(f"/assignments/{quarterly.id}")))
    assert rows[1][0] == "2026-Q2" and rows[1][1] and "Submitted" in rows[1][2]


def test_a_one_off_task_shows_no_period_table(login, w, a):
    assert 'id="periods"' not in text(login(w.exec_sa).get(f"/assignments/{a.id}"))


def test_the_api_gives_the_periods_of_an_assignment(app, w, quarterly, clock):
    client = ApiClient(app.test_client(), make_token(w.exec_sa))
    clock.at = clock.at.replace(month=7, day=1)
    body = client.get(f"/api/v1/assignments/{quarterly.id}").get_json()
    accepted = reports.latest_by_period(quarterly)["2026-Q1"]
    assert body["periods"] == [
        {"period": "2026-Q1", "due_on": "2026-03-31", "final": False, "report_id": accepted.id,
         "report_state": "accepted", "overdue": False},
        {"period": "2026-Q2", "due_on": "2026-06-30", "final": False, "report_id": None, "report_state": None,
         "overdue": True},
        {"period": "2026-Q3", "due_on": "2026-09-30", "final": False, "report_id": None, "report_state": None,
         "overdue": False},
        {"period": "2026-Q4", "due_on": "2026-12-31", "final": True, "report_id": None, "report_state": None,
         "overdue": False},
    ]


def test_my_work_says_which_period_is_due_now(login, w, quarterly, a, clock):
    def line(assignment):
        html = text(login(w.exec_sa).get("/my-work"))
        item = re.search(rf'<li><a href="/assignments/{assignment.id}">(.*?)</li>', html, re.S).group(1)
        return " ".join(re.sub(r"<[^>]+>", " ", item).split())

    assert "· report for 2026-Q2 due 30 Jun 2026 ·" in line(quarterly)
    assert "report for" not in line(a)  # a one-off task: its due date says it all
    make_report(quarterly, state="accepted", period="2026-Q2", period_due_on=date(2026, 6, 30), final=False)
    clock.at = clock.at.replace(month=10, day=5)
    assert "· report for 2026-Q3 due 30 Sep 2026 ·" in line(quarterly)
    assert 'class="due is-overdue" data-period="2026-Q3"' in text(login(w.exec_sa).get("/my-work"))
    make_report(quarterly, state="accepted", period="2026-Q3", period_due_on=date(2026, 9, 30), final=False)
    assert "report for" not in line(quarterly)  # the final period: the work's own due date


def test_a_delegated_piece_of_work_shows_no_periods_of_its_own(app, login, w, quarterly):
    """It writes no reports: its organization's one report covers it, so it has no periods to be late on."""
    sub = make_assignment(quarterly.task, w.sa1, state="in_progress", responsible=w.exec_sa1,
                          due_on=date(2026, 11, 30), parent_id=quarterly.id)
    assert 'id="periods"' not in text(login(w.exec_sa1).get(f"/assignments/{sub.id}"))
    body = ApiClient(app.test_client(), make_token(w.exec_sa1)).get(f"/api/v1/assignments/{sub.id}").get_json()
    assert body["periods"] == []
