"""The report loop through /api/v1: write, attach a PDF and an XLSX, submit, return, revise, accept;
type and size checks; documents refused to another body; instructions and extension requests."""

import io
from datetime import date

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Document, EvidenceRequirement
from monitoris.services import assignments
from tests.api.conftest import problem
from tests.factories import PDF_BYTES, make_assignment, make_task, office_bytes

pytestmark = pytest.mark.usefixtures("upload_folder")


@pytest.fixture
def a(w):
    task = make_task(w.act, "1.1", controller_id=w.controller.id)
    db.session.add(EvidenceRequirement(task=task, text="Copy of the adopted amendments"))
    db.session.flush()
    return make_assignment(task, w.sa, state="in_progress", responsible=w.exec_sa)


def _upload(client, url, *files):
    return client.client.post(url, headers=client.headers(),
                              data={"files": [(io.BytesIO(c), n) for c, n in files]},
                              content_type="multipart/form-data")


def test_the_report_loop_through_the_api(w, a, api):
    executor, controller = api(w.exec_sa), api(w.controller)
    r = executor.post(f"/api/v1/assignments/{a.id}/reports", json={"text": "Drafted.", "progress": 60})
    assert r.status_code == 201, r.get_json()
    report = r.get_json()
    assert (report["period"], report["version"], report["state"]) == ("final", 1, "draft")
    url = f"/api/v1/reports/{report['id']}"
    r = _upload(executor, f"{url}/documents", (PDF_BYTES, "amendments.pdf"), (office_bytes(), "stats.xlsx"))
    assert r.status_code == 201, r.get_json()
    docs = r.get_json()["items"]
    assert [d["media_type"] for d in docs] == ["application/pdf", "application/vnd.openxmlformats-officedocument."
                                               "spreadsheetml.sheet"]
    content = executor.get(docs[0]["content_url"])
    assert content.data == PDF_BYTES and content.headers["X-Content-Type-Options"] == "nosniff"
    assert content.headers["Content-Disposition"].startswith("attachment;")
    # The download keeps its own policy and caching: nothing it holds runs, even if a browser opened it in place.
    assert content.headers.getlist("Content-Security-Policy") == ["default-src 'none'; sandbox"]
    assert content.headers["Cache-Control"] == "private, no-cache" and content.headers["X-Frame-Options"] == "DENY"

    etag = executor.get(url).headers["ETag"]
    problem(executor.patch(url, json={"text": "x"}), 428)
    r = executor.patch(url, json={"text": "Amendments drafted."}, headers={"If-Match": etag})
    assert r.status_code == 200 and r.headers["ETag"] != etag
    problem(executor.patch(url, json={"text": "stale"}, headers={"If-Match": etag}), 412)

    assert executor.post(f"{url}/submit").get_json()["state"] == "submitted"
    problem(executor.patch(url, json={"text": "late edit"}, headers={"If-Match": executor.get(url).headers["ETag"]}),
            409)
    problem(_upload(executor, f"{url}/documents", (PDF_BYTES, "late.pdf")), 409)
    problem(controller.post(f"{url}/review", json={"decision": "return"}), 422)
    r = controller.post(f"{url}/review", json={"decision": "return", "comment": "Attach the publication."})
    assert r.get_json()["state"] == "returned"

    r = executor.post(f"/api/v1/assignments/{a.id}/reports", json={})
    second = r.get_json()
    assert (second["version"], second["previous_id"], len(second["documents"])) == (2, report["id"], 2)
    executor.post(f"/api/v1/reports/{second['id']}/submit")
    req = a.task.evidence_requirements[0]
    r = controller.post(f"/api/v1/reports/{second['id']}/review", json={"decision": "accept", "checked": [req.id]})
    assert r.status_code == 200 and r.get_json()["state"] == "accepted"
    assignment = controller.get(f"/api/v1/assignments/{a.id}").get_json()
    assert assignment["state"] == "accepted"
    listed = controller.get(f"/api/v1/assignments/{a.id}/reports").get_json()
    assert [(x["version"], x["state"]) for x in listed] == [(1, "returned"), (2, "accepted")]


def test_html_renamed_to_pdf_is_refused_and_too_large_is_413(app, w, a, api, upload_folder, monkeypatch):
    executor = api(w.exec_sa)
    report = executor.post(f"/api/v1/assignments/{a.id}/reports", json={"text": "x"}).get_json()
    url = f"/api/v1/reports/{report['id']}/documents"
    body = problem(_upload(executor, url, (b"<html><script>alert(1)</script></html>", "evidence.pdf")), 422)
    assert "not an accepted type" in body["errors"]["files"][0]
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 1024)
    body = problem(_upload(executor, url, (PDF_BYTES * 100, "big.pdf")), 413)
    assert "largest file accepted" in body["detail"]
    problem(_upload(executor, url), 422)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    assert not any(p.is_file() for p in upload_folder.rglob("*"))


def test_another_body_cannot_reach_any_report_or_document_url(w, a, api):
    executor = api(w.exec_sa)
    report = executor.post(f"/api/v1/assignments/{a.id}/reports", json={"text": "x"}).get_json()
    doc = _upload(executor, f"/api/v1/reports/{report['id']}/documents", (PDF_BYTES, "a.pdf")).get_json()["items"][0]
    other = api(w.exec_mt)
    for url in (f"/api/v1/reports/{report['id']}", f"/api/v1/reports/{report['id']}/documents",
                f"/api/v1/documents/{doc['id']}", f"/api/v1/documents/{doc['id']}/content",
                f"/api/v1/assignments/{a.id}/reports", f"/api/v1/assignments/{a.id}/instructions",
                f"/api/v1/assignments/{a.id}/extension-requests"):
        problem(other.get(url), 404)
    problem(other.post(f"/api/v1/reports/{report['id']}/submit"), 404)
    problem(_upload(other, f"/api/v1/reports/{report['id']}/documents", (PDF_BYTES, "b.pdf")), 404)
    problem(api().get(f"/api/v1/documents/{doc['id']}/content"), 401)
    assert api(w.observer).get(f"/api/v1/documents/{doc['id']}/content").status_code == 200


def test_instructions_through_the_api(w, a, api):
    controller, executor = api(w.controller), api(w.exec_sa)
    r = controller.post(f"/api/v1/assignments/{a.id}/instructions",
                        json={"kind": "request", "text": "Send the statistics.", "response_due_on": "2026-06-20"})
    assert r.status_code == 201
    ins = r.get_json()
    url = f"/api/v1/instructions/{ins['id']}"
    problem(executor.post(f"{url}/close", json={}), 403)
    assert executor.post(f"{url}/acknowledge").get_json()["state"] == "acknowledged"
    problem(executor.post(f"{url}/acknowledge"), 409)
    assert _upload(executor, f"{url}/documents", (office_bytes(), "stats.xlsx")).status_code == 201
    r = executor.post(f"{url}/respond", json={"response_text": "Attached."})
    assert r.get_json()["state"] == "answered" and r.get_json()["documents"][0]["purpose"] == "response"
    assert controller.post(f"{url}/close", json={}).get_json()["state"] == "closed"
    items = executor.get(f"/api/v1/assignments/{a.id}/instructions").get_json()["items"]
    assert [i["state"] for i in items] == ["closed"]


def test_extension_requests_through_the_api(w, a, api):
    controller, executor = api(w.controller), api(w.exec_sa)
    r = executor.post(f"/api/v1/assignments/{a.id}/extension-requests",
                      json={"proposed_due_on": "2026-08-01", "reason": "The tender failed."})
    assert r.status_code == 201
    req = r.get_json()
    problem(executor.post(f"/api/v1/assignments/{a.id}/extension-requests",
                          json={"proposed_due_on": "2026-09-01", "reason": "again"}), 409)
    problem(executor.post(f"/api/v1/extension-requests/{req['id']}/decision", json={"decision": "approved"}), 403)
    r = controller.post(f"/api/v1/extension-requests/{req['id']}/decision", json={"decision": "approved"})
    assert r.get_json()["decision"] == "approved"
    assignment = controller.get(f"/api/v1/assignments/{a.id}").get_json()
    assert (assignment["due_on"], assignment["original_due_on"]) == ("2026-08-01", "2026-07-01")
    history = executor.get(f"/api/v1/assignments/{a.id}/extension-requests").get_json()
    assert [(x["decision"], x["days_requested"]) for x in history["items"]] == [("approved", 31)]
    assert date.fromisoformat(assignment["due_on"]) > date.fromisoformat(assignment["original_due_on"])


def test_a_batch_with_one_refused_file_stores_none_of_its_files(w, a, api, upload_folder):
    executor = api(w.exec_sa)
    report = executor.post(f"/api/v1/assignments/{a.id}/reports", json={"text": "x"}).get_json()
    url = f"/api/v1/reports/{report['id']}/documents"
    kept = _upload(executor, url, (PDF_BYTES, "kept.pdf")).get_json()["items"][0]
    stored = sorted(p for p in upload_folder.rglob("*") if p.is_file())
    unique = PDF_BYTES + b"% only in the refused batch\n"
    for batch in ([(unique, "uniq.pdf"), (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "bad.exe")],
                  [(PDF_BYTES, "kept-again.pdf"), (unique, "uniq.pdf"), (b"", "empty.pdf")]):
        body = problem(_upload(executor, url, *batch), 422)
        assert body["errors"]["files"][0].startswith(batch[-1][1])
        assert sorted(p for p in upload_folder.rglob("*") if p.is_file()) == stored
        listed = executor.get(url).get_json()["items"]
        assert [d["filename"] for d in listed] == ["kept.pdf"]
    # The bytes the refused batches shared with the kept document are still there.
    assert executor.get(kept["content_url"]).data == PDF_BYTES


def test_an_empty_file_is_refused_as_empty(w, a, api):
    executor = api(w.exec_sa)
    report = executor.post(f"/api/v1/assignments/{a.id}/reports", json={"text": "x"}).get_json()
    body = problem(_upload(executor, f"/api/v1/reports/{report['id']}/documents", (b"", "minutes.pdf")), 422)
    assert body["errors"] == {"files": ["minutes.pdf is empty."]}


def test_a_draft_of_work_cancelled_since_is_refused_with_the_reason_on_the_api_and_the_pages(w, a, api, login):
    executor = api(w.exec_sa)
    report = executor.post(f"/api/v1/assignments/{a.id}/reports", json={"text": "Drafted.", "progress": 60}).get_json()
    url = f"/api/v1/reports/{report['id']}"
    etag = executor.get(url).headers["ETag"]
    assignments.transition(w.controller, a, "cancel", "Withdrawn from the plan.")
    db.session.flush()
    reason = "The assignment is cancelled: its draft report can no longer change."
    assert problem(executor.patch(url, json={"text": "x"}, headers={"If-Match": etag}), 409)["detail"] == reason
    assert problem(_upload(executor, f"{url}/documents", (PDF_BYTES, "late.pdf")), 409)["detail"] == reason
    page = login(w.exec_sa)
    response = page.get(f"/reports/{report['id']}/edit")
    assert response.status_code == 409 and reason in response.get_data(as_text=True)
    problem(api(w.exec_mt).patch(url, json={"text": "x"}, headers={"If-Match": etag}), 404)  # not theirs at all
