"""The report page's upload form: one refused file refuses the whole batch, in the database and in the store."""

import io

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Document
from tests.factories import PDF_BYTES, make_assignment, make_document, make_report, make_task
from tests.web.conftest import text

pytestmark = pytest.mark.usefixtures("upload_folder")


def _stored(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def report(w):
    a = make_assignment(make_task(w.act, "1.1", controller_id=w.controller.id), w.sa, state="in_progress",
                        responsible=w.exec_sa)
    return make_report(a, author=w.exec_sa)


def test_a_refused_file_in_the_form_stores_none_of_the_batch(w, report, login, upload_folder):
    kept = make_document(report, w.exec_sa, PDF_BYTES, "kept.pdf")
    stored = _stored(upload_folder)
    files = [(io.BytesIO(PDF_BYTES + b"% new\n"), "uniq.pdf"), (io.BytesIO(PDF_BYTES), "kept-again.pdf"),
             (io.BytesIO(b"MZ\x90\x00\x03\x00"), "bad.exe")]
    r = login(w.exec_sa).post(f"/reports/{report.id}/documents", {"files": files}, content_type="multipart/form-data")
    assert r.status_code == 422 and "bad.exe is not an accepted type" in text(r)
    assert _stored(upload_folder) == stored
    assert db.session.scalars(sa.select(Document.filename)).all() == [kept.filename]


def test_an_empty_file_in_the_form_is_refused_as_empty(w, report, login):
    r = login(w.exec_sa).post(f"/reports/{report.id}/documents", {"files": [(io.BytesIO(b""), "minutes.pdf")]},
                              content_type="multipart/form-data")
    assert r.status_code == 422 and "minutes.pdf is empty." in text(r)


def test_a_refused_file_stores_none_of_an_instructions_files(w, report, login, upload_folder):
    """The same on the instruction's pages: issuing one with files, and answering one."""
    files = [(io.BytesIO(PDF_BYTES + b"% form\n"), "form.pdf"), (io.BytesIO(b"MZ\x90\x00\x03\x00"), "bad.exe")]
    b = login(w.controller)
    r = b.post(f"/assignments/{report.assignment_id}/instructions/new",
               {"kind": "request", "text": "Send the form.", "files": files}, content_type="multipart/form-data")
    assert r.status_code == 422 and "bad.exe is not an accepted type" in text(r)
    assert _stored(upload_folder) == [] and db.session.scalars(sa.select(Document)).all() == []
