"""/api/v1/acts/{id}/import and /api/v1/acts/{id}/report."""

import io
from datetime import UTC, date, datetime

import docx
import openpyxl
import sqlalchemy as sa
from pypdf import PdfReader

from monitoris.extensions import db
from monitoris.models import Report, Task
from tests.api.conftest import problem
from tests.factories import make_act, make_assignment, make_task
from tests.plans.files import csv_bytes, docx_bytes, plan_rows, xlsx_bytes


def send(client, act, data, name="plan.xlsx", dry_run=None):
    url = f"/api/v1/acts/{act.id}/import" + ("?dry_run=true" if dry_run else "")
    return client.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def numbers(act):
    return db.session.scalars(sa.select(Task.number).where(Task.act_id == act.id).order_by(Task.sort_key)).all()


def test_dry_run_then_import_then_reimport(api, w):
    act = make_act()
    client = api(w.controller)
    preview = send(client, act, docx_bytes(plan_rows(w)), "plan.docx", dry_run=True)
    assert preview.status_code == 200, preview.get_data(as_text=True)
    body = preview.get_json()
    assert body["dry_run"] is True and body["imported"] is False and body["format"] == "docx"
    assert body["counts"]["measures"] == 5 and body["counts"]["assignments"] == 7
    assert [t["number"] for t in body["tasks"]] == ["1", "1.1", "1.2", "1.10", "2", "2.1", "4", "4.1", "4.1.1"]
    first = body["tasks"][1]
    assert first["bodies"] == [{"organization_id": w.sa.id, "short_name": w.sa.short_name, "role": "lead"},
                               {"organization_id": w.mt.id, "short_name": w.mt.short_name, "role": "co_executor"}]
    assert first["period_label"] == "2016-2018" and first["assignment_due_on"] == "2018-12-31"
    assert numbers(act) == []
    done = send(client, act, docx_bytes(plan_rows(w)), "plan.docx")
    assert done.status_code == 200 and done.get_json()["counts"]["created_tasks"] == 9
    assert all(t["task_id"] for t in done.get_json()["tasks"])
    assert len(numbers(act)) == 9
    again = send(client, act, xlsx_bytes(plan_rows(w))).get_json()
    assert again["counts"]["created_tasks"] == 0 and {t["status"] for t in again["tasks"]} == {"exists"}
    assert len(again["warnings"]) == 9


def test_a_bad_row_is_a_problem_naming_the_row(api, w):
    act = make_act()
    rows = plan_rows(w)
    rows[3][0] = "1.1"  # a duplicate number on file row 5
    body = problem(send(api(w.controller), act, csv_bytes(rows), "plan.csv"), 422)
    assert list(body["errors"]) == ["row 5"] and "Duplicate number 1.1" in body["errors"]["row 5"][0]
    assert numbers(act) == []


def test_not_a_plan_missing_file_and_permissions(api, w):
    act = make_act()
    client = api(w.controller)
    body = problem(send(client, act, b"GIF89a\x00\x00\x00" * 50, "plan.xlsx"), 422)
    assert "file" in body["errors"]
    problem(client.post(f"/api/v1/acts/{act.id}/import", data={}, content_type="multipart/form-data"), 422)
    problem(client.post(f"/api/v1/acts/{act.id}/import?dry_run=maybe",
                        data={"file": (io.BytesIO(csv_bytes(plan_rows(w))), "p.csv")},
                        content_type="multipart/form-data"), 422)
    problem(send(api(w.exec_sa), act, csv_bytes(plan_rows(w))), 403)
    problem(send(api(w.exec_sa), make_act(state="draft"), csv_bytes(plan_rows(w))), 404)
    problem(send(client, make_act(state="closed"), csv_bytes(plan_rows(w))), 403)
    problem(send(api(), act, csv_bytes(plan_rows(w))), 401)


def _act_with_reports(w):
    act = make_act(title="Milli Fəaliyyət Planı — Национальный план")
    section = make_task(act, "1", title="Şəffaflıq")
    measures = [make_task(act, n, parent=section, title=f"Tədbir {n} — Мероприятие {n}", indicator=f"İndikator {n}",
                          period_start=date(2026, 1, 1), period_end=date(2027, 12, 31)) for n in ("1.2", "1.10")]
    for task, text in zip(measures, ("Görülmüş işlər.\nВыполненные работы.", "Hesabat 1.10."), strict=True):
        assignment = make_assignment(task, w.sa)
        db.session.add(Report(assignment=assignment, period="2026", period_due_on=date(2026, 12, 31), final=False,
                              text=text, state="accepted", submitted_at=datetime(2026, 5, 1, tzinfo=UTC),
                              submitted_on=date(2026, 5, 1)))
    make_assignment(measures[1], w.mt, role="co_executor")
    db.session.flush()
    return act


def test_the_report_as_json_and_in_every_format(api, w):
    act = _act_with_reports(w)
    client = api(w.controller)
    url = f"/api/v1/acts/{act.id}/report?organization_id={w.sa.id}&year=2026"
    body = client.get(url).get_json()
    assert body["title"] == f"Report on the implementation of {act.title} by {w.sa.name} in 2026"
    assert [(r["kind"], r["number"]) for r in body["rows"]] == [("section", "1"), ("measure", "1.2"),
                                                                ("measure", "1.10")]
    assert body["rows"][1]["paragraphs"] == ["Görülmüş işlər.", "Выполненные работы."]
    html = client.get(url + "&format=html")
    assert html.mimetype == "text/html" and "<p>Выполненные работы.</p>" in html.get_data(as_text=True)
    table = docx.Document(io.BytesIO(client.get(url + "&format=docx").data)).tables[0]
    assert [r.cells[0].text for r in table.rows[2:]] == ["1.2", "1.10"]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(url + "&format=xlsx").data)).active
    assert sheet["E5"].value == "Görülmüş işlər.\nВыполненные работы."
    pdf = client.get(url + "&format=pdf")
    assert pdf.headers["Content-Disposition"].startswith("attachment;")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert text.index("Tədbir 1.2 — Мероприятие 1.2") < text.index("Tədbir 1.10 — Мероприятие 1.10")
    assert "Görülmüş işlər. Выполненные работы." in text
    everyone = client.get(f"/api/v1/acts/{act.id}/report?year=2026").get_json()
    groups = [(r["title"], r["number"]) for r in everyone["rows"] if r["kind"] == "organization"]
    assert groups == sorted([(w.sa.name, w.sa.short_name), (w.mt.name, w.mt.short_name)])


def test_report_permissions(api, w):
    act = _act_with_reports(w)
    mine = api(w.exec_sa)
    assert mine.get(f"/api/v1/acts/{act.id}/report?organization_id={w.sa.id}").status_code == 200
    assert api(w.exec_sa1).get(f"/api/v1/acts/{act.id}/report?organization_id={w.sa.id}").status_code == 404
    problem(mine.get(f"/api/v1/acts/{act.id}/report?organization_id={w.mt.id}"), 404)
    problem(mine.get(f"/api/v1/acts/{act.id}/report"), 404)
    problem(mine.get(f"/api/v1/acts/{make_act(state='draft').id}/report?organization_id={w.sa.id}"), 404)
    problem(mine.get(f"/api/v1/acts/{act.id}/report?organization_id={w.sa.id}&format=odt"), 422)
    problem(mine.get(f"/api/v1/acts/{act.id}/report?organization_id={w.sa.id}&colour=red"), 422)
    assert api(w.observer).get(f"/api/v1/acts/{act.id}/report?organization_id={w.mt.id}").status_code == 200
