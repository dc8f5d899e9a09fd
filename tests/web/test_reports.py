"""The report pages in a browser: write, attach a PDF and an XLSX, submit, return, revise, accept; the
timeline in order; documents refused to another body on every URL; My work and the review queue."""

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Document, EvidenceRequirement, Report
from monitoris.services import assignments, extensions, instructions, reports
from tests.factories import PDF_BYTES, make_assignment, make_document, make_report, make_task, office_bytes
from tests.web.conftest import text

pytestmark = pytest.mark.usefixtures("upload_folder")


@pytest.fixture
def a(w):
    task = make_task(w.act, "1.1", title="Move civil status certificates online", controller_id=w.controller.id)
    db.session.add(EvidenceRequirement(task=task, text="Copy of the adopted amendments"))
    db.session.flush()
    return make_assignment(task, w.sa, state="in_progress", responsible=w.exec_sa)


def _files(*items):
    return [(io.BytesIO(content), name) for content, name in items]


def _latest(a):
    return db.session.scalars(sa.select(Report).where(Report.assignment_id == a.id)
                              .order_by(Report.version.desc())).first()


def test_write_attach_submit_return_revise_accept_and_the_timeline(w, a, login):
    executor, controller = login(w.exec_sa), login(w.controller)
    page = executor.get(f"/assignments/{a.id}")
    assert "Write a report" in text(page)
    r = executor.post(f"/assignments/{a.id}/reports/new", {"period": "final", "text": "Amendments drafted.",
                                                           "progress": "60"})
    assert r.status_code == 302
    report = _latest(a)
    r = executor.post(f"/reports/{report.id}/documents", {"files": _files((PDF_BYTES, "amendments.pdf"),
                                                                          (office_bytes(), "stats.xlsx"))},
                      content_type="multipart/form-data")
    assert r.status_code == 302, text(r)
    page = text(executor.get(f"/reports/{report.id}"))
    assert "amendments.pdf" in page and "stats.xlsx" in page
    assert executor.post(f"/reports/{report.id}/submit").status_code == 302
    assert (report.state, a.state) == ("submitted", "submitted")
    assert "Attach documents" not in text(executor.get(f"/reports/{report.id}"))  # frozen

    assert controller.post(f"/reports/{report.id}/review", {"decision": "return", "comment": ""}).status_code == 422
    r = controller.post(f"/reports/{report.id}/review", {"decision": "return",
                                                         "comment": "Attach the gazette publication."})
    assert r.status_code == 302 and report.state == "returned"
    page = text(executor.get("/my-work"))
    assert "Attach the gazette publication." in page

    r = executor.post(f"/reports/{report.id}/revise")
    assert r.status_code == 302
    second = _latest(a)
    assert second.version == 2 and len(second.documents) == 2
    assert executor.post(f"/reports/{second.id}/edit", {"text": "Adopted and published.",
                                                        "progress": "100"}).status_code == 302
    assert executor.post(f"/reports/{second.id}/submit").status_code == 302
    assert f"/reports/{second.id}" in text(controller.get("/review"))
    req = a.task.evidence_requirements[0]
    r = controller.post(f"/reports/{second.id}/review", {"decision": "accept", "checked": str(req.id)})
    assert r.status_code == 302 and a.state == "accepted"
    assert "Amendments drafted." in text(controller.get(f"/reports/{report.id}"))  # version 1 readable

    page = text(controller.get(f"/assignments/{a.id}"))
    page = page[page.index('id="assignment-timeline"'):]
    labels = ["Report drafted", "Document attached", "Report submitted", "Report returned for revision",
              "Report edited", "Report accepted", "Accepted"]
    positions = [page.index(f'event-label">{label}<') for label in labels]
    assert positions == sorted(positions)
    assert page.count("Report submitted") == 2 and "Attach the gazette publication." in page


def test_html_renamed_to_pdf_is_refused_with_a_clear_message(w, a, login, upload_folder):
    executor = login(w.exec_sa)
    report = make_report(a, author=w.exec_sa)
    r = executor.post(f"/reports/{report.id}/documents",
                      {"files": _files((b"<!doctype html><script>alert(1)</script>", "evidence.pdf"))},
                      content_type="multipart/form-data")
    assert r.status_code == 422
    assert "not an accepted type" in text(r)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    assert not any(p.is_file() for p in upload_folder.rglob("*"))


def test_too_large_is_413_and_nothing_is_stored(app, w, a, login, upload_folder, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 1024)
    report = make_report(a, author=w.exec_sa)
    r = login(w.exec_sa).post(f"/reports/{report.id}/documents", {"files": _files((PDF_BYTES * 100, "big.pdf"))},
                              content_type="multipart/form-data")
    assert r.status_code == 413 and "the largest file accepted" in text(r)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    assert not any(p.is_file() for p in upload_folder.rglob("*"))


def test_download_is_an_attachment_that_no_browser_renders(w, a, login):
    report = make_report(a, author=w.exec_sa)
    doc = make_document(report, w.exec_sa, b"plain <b>text</b>\n", "note.txt")
    r = login(w.exec_sa).get(f"/documents/{doc.id}/download")
    assert r.status_code == 200 and r.data == b"plain <b>text</b>\n"
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Disposition"].startswith("attachment;") and "note.txt" in r.headers[
        "Content-Disposition"]
    page = text(login(w.observer).get(f"/documents/{doc.id}"))
    assert doc.sha256 in page and "note.txt" in page and w.exec_sa.name in page


def test_another_body_gets_404_on_every_document_and_report_url(w, a, login):
    report = make_report(a, author=w.exec_sa)
    doc = make_document(report, w.exec_sa)
    ins = instructions.issue(w.controller, a, kind="request", text="x")
    ins_doc = make_document(ins, w.controller)
    ext = extensions.request(w.exec_sa, a, proposed_due_on=date(2026, 9, 1), reason="x")
    other = login(w.exec_mt)
    for url in (f"/reports/{report.id}", f"/documents/{doc.id}", f"/documents/{doc.id}/download",
                f"/documents/{ins_doc.id}", f"/documents/{ins_doc.id}/download", f"/instructions/{ins.id}",
                f"/extension-requests/{ext.id}", f"/assignments/{a.id}/reports/new"):
        assert other.get(url).status_code == 404, url
    for url in (f"/reports/{report.id}/submit", f"/reports/{report.id}/documents", f"/documents/{doc.id}/remove",
                f"/instructions/{ins.id}/acknowledge", f"/extension-requests/{ext.id}/decision"):
        assert other.post(url).status_code == 404, url


def test_instruction_pages(w, a, login, clock):
    controller, executor = login(w.controller), login(w.exec_sa)
    r = controller.post(f"/assignments/{a.id}/instructions/new", {
        "kind": "request", "text": "Send the statistics.", "response_due_on": "2026-06-20",
        "files": _files((PDF_BYTES, "template.pdf"))}, content_type="multipart/form-data")
    assert r.status_code == 302, text(r)
    assert "Send the statistics." not in text(login(w.exec_mt).get("/my-work"))
    page = text(executor.get("/my-work"))
    assert "Open instructions" in page and "Request" in page
    from monitoris.models import Instruction
    ins = db.session.scalar(sa.select(Instruction))
    assert executor.post(f"/instructions/{ins.id}/acknowledge").status_code == 302
    r = executor.post(f"/instructions/{ins.id}/respond", {"response_text": "Attached.",
                                                          "files": _files((office_bytes(), "stats.xlsx"))},
                      content_type="multipart/form-data")
    assert r.status_code == 302 and ins.state == "answered"
    assert f"/instructions/{ins.id}" in text(controller.get("/review"))
    assert controller.post(f"/instructions/{ins.id}/close").status_code == 302 and ins.state == "closed"
    page = text(controller.get(f"/instructions/{ins.id}"))
    assert "template.pdf" in page and "stats.xlsx" in page and "Attached." in page


def test_extension_pages(w, a, login):
    executor, controller = login(w.exec_sa), login(w.controller)
    assert executor.post(f"/assignments/{a.id}/extension-requests/new",
                         {"proposed_due_on": "2026-06-01", "reason": ""}).status_code == 422
    r = executor.post(f"/assignments/{a.id}/extension-requests/new",
                      {"proposed_due_on": "2026-08-01", "reason": "The tender failed."})
    assert r.status_code == 302
    from monitoris.models import ExtensionRequest
    req = db.session.scalar(sa.select(ExtensionRequest))
    assert "Pending extension requests" in text(executor.get("/my-work"))
    assert executor.post(f"/extension-requests/{req.id}/decision", {"decision": "approved"}).status_code == 403
    assert controller.post(f"/extension-requests/{req.id}/decision", {"decision": "approved"}).status_code == 302
    assert (a.due_on, a.original_due_on) == (date(2026, 8, 1), date(2026, 7, 1))
    page = text(controller.get(f"/assignments/{a.id}"))
    assert "Due date extended" in page and "Extension approved" in page


def test_my_work_and_review_queue_are_for_their_people(w, login):
    assert login(w.controller).get("/my-work").status_code == 404
    assert login(w.exec_sa).get("/review").status_code == 404
    assert login(w.observer).get("/review").status_code == 404


def test_the_review_queue_lists_submitted_reports_oldest_first(w, login, clock):
    first = make_assignment(make_task(w.act, "9.1"), w.sa, state="in_progress")
    second = make_assignment(make_task(w.act, "9.2"), w.mt, state="in_progress")
    r2 = reports.create(w.exec_mt, second, text="b")
    reports.submit(w.exec_mt, r2)
    clock.advance(hours=1)
    r1 = reports.create(w.exec_sa, first, text="a")
    reports.submit(w.exec_sa, r1)
    page = text(login(w.controller).get("/review"))
    assert page.index(f"/reports/{r2.id}") < page.index(f"/reports/{r1.id}")


def _submitted(w, a):
    report = reports.create(w.exec_sa, a, text="Amendments drafted.")
    reports.submit(w.exec_sa, report)
    return report


def _ticked(html):
    return {int(v) for v in re.findall(r'<input type="checkbox" name="checked" value="(\d+)" checked>', html)}


def test_a_refused_review_keeps_what_the_reviewer_ticked(w, a, login):
    db.session.add(EvidenceRequirement(task=a.task, text="Publication in the gazette"))
    db.session.flush()
    first, second = a.task.evidence_requirements
    report = _submitted(w, a)
    controller = login(w.controller)
    assert _ticked(text(controller.get(f"/reports/{report.id}"))) == set()
    response = controller.post(f"/reports/{report.id}/review", {"decision": "return", "comment": "",
                                                                "checked": str(second.id)})
    html = text(response)
    assert response.status_code == 422 and "a comment is required to return a report" in html
    assert _ticked(html) == {second.id}
    response = controller.post(f"/reports/{report.id}/review", {"decision": "accept", "checked": str(first.id),
                                                                "comment": "Nearly."})
    html = text(response)
    assert response.status_code == 422 and _ticked(html) == {first.id} and "Nearly.</textarea>" in html


def _timeline(html):
    return html.split('id="assignment-timeline"', 1)[1].split("</ol>", 1)[0]


def _changes(timeline):
    """[(field, old or None, new)] of every event, as the page writes them."""
    rows = re.findall(r'<li><span class="field-name">([^<]*)</span>(?: <span class="old">([^<]*)</span> <span '
                      r'aria-label="[^"]*">→</span>|:) <span class="new">([^<]*)</span></li>', timeline)
    return [(name, old or None, new) for name, old, new in rows]


def test_the_timeline_names_every_field_and_shows_no_internals(w, a, login):
    requirement = a.task.evidence_requirements[0]
    executor, controller = login(w.exec_sa), login(w.controller)
    executor.post(f"/assignments/{a.id}/reports/new", {"period": "final", "text": "Drafted.", "progress": "60"})
    report = _latest(a)
    executor.post(f"/reports/{report.id}/documents", {"files": _files((PDF_BYTES, "amendments.pdf"))},
                  content_type="multipart/form-data")
    executor.post(f"/reports/{report.id}/submit")
    controller.post(f"/reports/{report.id}/review", {"decision": "return", "comment": "Publish it.",
                                                     "checked": str(requirement.id)})
    executor.post(f"/reports/{report.id}/revise")
    controller.post(f"/assignments/{a.id}/instructions/new", {"kind": "request", "text": "Send the figures.",
                                                              "response_due_on": "2026-11-28"},
                    content_type="multipart/form-data")
    executor.post(f"/assignments/{a.id}/extension-requests/new", {"proposed_due_on": "2026-08-01",
                                                                  "reason": "The tender failed."})
    timeline = _timeline(text(controller.get(f"/assignments/{a.id}")))
    changes = _changes(timeline)
    names = {name for name, _old, _new in changes}
    for internal in ("assignment id", "previous id", "media type", "sha256", "report id", "instruction id",
                     "extension request id", "purpose", "task"):
        assert internal not in names, internal
    assert ("evidence requirements met", None, "Copy of the adopted amendments") in changes
    assert ("kind", None, "Request for information") in changes
    assert ("answer due", None, "28 Nov 2026") in changes
    assert ("proposed due date", None, "01 Aug 2026") in changes and ("due date", None, "01 Jul 2026") in changes
    assert ("file", None, "amendments.pdf") in changes and ("size", None, "77 bytes") in changes
    assert ("period", None, "final") in changes and ("version", None, "2") in changes
    assert "2026-11-28" not in timeline and "[" not in timeline

    w.controller.locale = "ru"
    changes = _changes(_timeline(text(controller.get(f"/assignments/{a.id}"))))
    assert ("срок ответа", None, "28 нояб. 2026") in changes
    assert ("выполненные требования к подтверждению", None, "Copy of the adopted amendments") in changes
    assert all(re.search("[а-я]", name) for name, _old, _new in changes), changes


def test_deciding_an_extension_of_cancelled_work_says_why_it_cannot_be_done(w, a, login):
    req = extensions.request(w.exec_sa, a, proposed_due_on=date(2026, 9, 1), reason="Procurement.")
    assignments.transition(w.controller, a, "cancel", "Withdrawn from the plan.")
    db.session.flush()
    controller = login(w.controller)
    page = text(controller.get(f"/extension-requests/{req.id}"))
    assert 'value="approved"' not in page
    response = controller.post(f"/extension-requests/{req.id}/decision", {"decision": "approved"})
    assert response.status_code == 409
    assert "The assignment is cancelled: its due date no longer moves." in text(response)
    assert login(w.exec_sa).post(f"/extension-requests/{req.id}/decision",
                                 {"decision": "approved"}).status_code == 403  # not theirs to decide, whatever
