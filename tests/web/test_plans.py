"""Plan import and implementation report pages: upload, preview, import now; the report form and downloads."""

import io
from datetime import UTC, date, datetime

import docx
import openpyxl
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Report, Task
from tests.factories import make_act, make_assignment, make_org, make_task
from tests.plans.files import csv_bytes, plan_rows, xlsx_bytes
from tests.web.conftest import text


def upload(browser, act, data, name="plan.xlsx"):
    return browser.post(f"/acts/{act.id}/import", data={"file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")


def numbers(act):
    return db.session.scalars(sa.select(Task.number).where(Task.act_id == act.id).order_by(Task.sort_key)).all()


def test_upload_preview_then_import_now(login, w):
    act = make_act()
    b = login(w.controller)
    assert "Import plan" in text(b.get(f"/acts/{act.id}"))
    assert 'enctype="multipart/form-data"' in text(b.get(f"/acts/{act.id}/import"))
    preview = upload(b, act, xlsx_bytes(plan_rows(w)))
    html = text(preview)
    assert preview.status_code == 200, html
    assert "create 4 sections, 5 measures and 7 assignments" in html and "Nothing has been written yet" in html
    assert html.index('data-number="1.2"') < html.index('data-number="1.10"') < html.index('data-number="4.1.1"')
    row_11 = html.split('data-number="1.1"', 1)[1].split("</tr>", 1)[0]
    assert f'data-role="lead" title="{w.sa.name}"' in row_11 and 'data-role="co_executor"' in row_11
    assert numbers(act) == []
    token = html.split('name="token" type="hidden" value="', 1)[1].split('"', 1)[0]
    done = b.post(f"/acts/{act.id}/import/confirm", data={"token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/acts/{act.id}")
    assert "Plan imported: 9 tasks (4 sections, 5 measures) and 7 assignments" in text(b.get(f"/acts/{act.id}"))
    assert numbers(act) == ["1", "1.1", "1.2", "1.10", "2", "2.1", "4", "4.1", "4.1.1"]
    # The same token cannot import twice.
    again = b.post(f"/acts/{act.id}/import/confirm", data={"token": token})
    assert again.status_code == 302 and "/import" in again.headers["Location"]
    assert len(numbers(act)) == 9


def test_a_bad_row_shows_its_row_number_and_no_import_button(login, w):
    act = make_act()
    rows = plan_rows(w)
    rows[1][4] = "Ministry of Nowhere"
    response = upload(login(w.controller), act, csv_bytes(rows), "plan.csv")
    html = text(response)
    assert response.status_code == 422
    errors = html.split('id="plan-errors"', 1)[1].split("</table>", 1)[0]
    assert 'data-row="3"' in errors and "Ministry of Nowhere" in errors and "Executive bodies" in errors
    assert "Import now" not in html and numbers(act) == []


def test_a_file_that_is_not_a_plan_is_a_form_error(login, w):
    act = make_act()
    response = upload(login(w.controller), act, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, "photo.xlsx")
    assert response.status_code == 422 and "not a plan" in text(response)


def test_a_too_large_file_is_refused(login, w, app, monkeypatch):
    monkeypatch.setitem(app.config, "PLAN_IMPORT_MAX_BYTES", 1000)
    response = upload(login(w.controller), make_act(), csv_bytes(plan_rows(w) * 20), "plan.csv")
    assert response.status_code == 422 and "larger than" in text(response)


def test_only_controllers_import(login, w):
    act = make_act()
    b = login(w.exec_sa)
    assert b.get(f"/acts/{act.id}/import").status_code == 403
    assert upload(b, act, csv_bytes(plan_rows(w))).status_code == 403
    assert "Import plan" not in text(b.get(f"/acts/{act.id}"))
    draft = make_act(state="draft")
    assert b.get(f"/acts/{draft.id}/import").status_code == 404
    assert login(w.controller).get(f"/acts/{make_act(state='closed').id}/import").status_code == 403


def _reported_act(w):
    act = make_act(title="Plan of measures")
    section = make_task(act, "1", title="Better services")
    measure = make_task(act, "1.1", parent=section, title="Hold events", indicator="Events held",
                        period_start=date(2026, 1, 1), period_end=date(2026, 12, 31))
    sa_assignment = make_assignment(measure, w.sa)
    make_assignment(measure, w.mt, role="co_executor")
    db.session.add(Report(assignment=sa_assignment, period="2026", period_due_on=date(2026, 12, 31), final=False,
                          text="Held 12 events.\nReached 3,000 people.", state="accepted",
                          submitted_at=datetime(2026, 5, 1, tzinfo=UTC), submitted_on=date(2026, 5, 1)))
    db.session.flush()
    return act


def test_the_report_form_and_every_format(login, w):
    act = _reported_act(w)
    b = login(w.controller)
    assert "Implementation report" in text(b.get(f"/acts/{act.id}"))
    form = text(b.get(f"/acts/{act.id}/report"))
    assert "All organizations" in form and w.sa.short_name in form and w.mt.short_name in form
    page = b.get(f"/acts/{act.id}/report?organization_id={w.sa.id}&year=2026&format=html")
    html = text(page)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert f"Report on the implementation of Plan of measures by {w.sa.name} in 2026" in html
    assert "<p>Held 12 events.</p><p>Reached 3,000 people.</p>" in html and "plan-report.css" in html
    assert "<script" not in html and "style=" not in html
    everyone = text(b.get(f"/acts/{act.id}/report?organization_id=0&year=2026&format=html"))
    assert w.mt.name in everyone and "Not reported" in everyone
    word = b.get(f"/acts/{act.id}/report?organization_id={w.sa.id}&year=2026&format=docx")
    assert word.headers["Content-Disposition"].startswith("attachment;")
    assert "Held 12 events." in docx.Document(io.BytesIO(word.data)).tables[0].rows[2].cells[4].text
    sheet = openpyxl.load_workbook(io.BytesIO(
        b.get(f"/acts/{act.id}/report?organization_id={w.sa.id}&year=2026&format=xlsx").data)).active
    assert sheet["A5"].value == "1.1"
    pdf = b.get(f"/acts/{act.id}/report?organization_id={w.sa.id}&year=2026&format=pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_an_executive_body_gets_only_its_own_report(login, w):
    act = _reported_act(w)
    b = login(w.exec_sa)
    form = text(b.get(f"/acts/{act.id}/report"))
    assert w.sa.short_name in form and w.mt.short_name not in form and "All organizations" not in form
    assert b.get(f"/acts/{act.id}/report?organization_id={w.sa.id}&year=2026&format=html").status_code == 200
    assert b.get(f"/acts/{act.id}/report?organization_id={w.mt.id}&year=2026&format=html").status_code == 404
    assert b.get(f"/acts/{act.id}/report?organization_id=0&year=2026&format=html").status_code == 404
    assert b.get(f"/acts/{act.id}/report?organization_id=999999&year=2026&format=pdf").status_code == 404
    assert b.get(f"/acts/{act.id}/report?organization_id={w.sa.id}&year=20260&format=pdf").status_code == 422
    draft = make_act(state="draft")
    assert b.get(f"/acts/{draft.id}/report").status_code == 404


def test_the_organization_page_lists_its_acts_with_report_links(login, w):
    act = _reported_act(w)
    html = text(login(w.exec_sa).get(f"/organizations/{w.sa.id}/reports?year=2026"))
    assert act.title in html
    assert f"/acts/{act.id}/report?organization_id={w.sa.id}&amp;year=2026&amp;format=docx" in html
    assert login(w.exec_sa).get(f"/organizations/{w.mt.id}/reports").status_code == 404
    assert login(w.observer).get(f"/organizations/{w.mt.id}/reports").status_code == 200
    assert login(w.controller).get(f"/organizations/{make_org().id}/reports").status_code == 200
