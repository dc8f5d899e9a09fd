"""The documents of a report as a table people can read, scroll and tell apart, and a refused upload that
the browser scrolls to and a screen reader announces."""

import io
import re

import pytest

from tests.factories import PDF_BYTES, make_assignment, make_document, make_report, make_task, office_bytes
from tests.web.conftest import text

pytestmark = pytest.mark.usefixtures("upload_folder")


@pytest.fixture
def report(w):
    a = make_assignment(make_task(w.act, "1.1", controller_id=w.controller.id), w.sa, state="in_progress",
                        responsible=w.exec_sa)
    return make_report(a, author=w.exec_sa)


def _rows(html):
    return dict(re.findall(r'<tr id="document-(\d+)">(.*?)</tr>', html, re.S))


def test_each_row_names_its_type_and_its_download(login, w, report):
    sheet = make_document(report, w.exec_sa, office_bytes("xlsx"), "statistics.xlsx")
    pdf = make_document(report, w.exec_sa, PDF_BYTES, "amendments.pdf")

    html = text(login(w.exec_sa).get(f"/reports/{report.id}"))
    rows = _rows(html)
    for document, name in ((sheet, "XLSX"), (pdf, "PDF")):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", rows[str(document.id)], re.S)
        assert re.sub(r"<[^>]+>", "", cells[1]) == name
        link = re.search(rf'<a href="/documents/{document.id}/download"[^>]*>(.*?)</a>', cells[0]).group(1)
        # What a screen reader's list of links reads: the word and the file it downloads.
        assert re.sub(r"<[^>]+>", "", link).split() == ["download", document.filename]
    assert "<td>application/vnd.openxmlformats-officedocument.spreadsheetml.sheet</td>" not in html
    # Wide tables scroll inside a wrapper (a table itself cannot scroll).
    assert re.search(r'<div class="table-wrap">\s*<table class="documents">', html)
    assert '<table class="table-wrap' not in html


def test_a_refused_upload_is_announced_and_tied_to_the_file_field(login, w, report):
    executor = login(w.exec_sa)
    page = text(executor.get(f"/reports/{report.id}"))
    assert f'action="/reports/{report.id}/documents#attach-documents" id="attach-documents"' in page
    assert 'role="alert"' not in page.split('id="attach-documents"', 1)[1].split("</form>", 1)[0]

    r = executor.post(f"/reports/{report.id}/documents", {"files": [(io.BytesIO(b"MZ\x90\x00\x03\x00"), "evil.exe")]},
                      content_type="multipart/form-data")
    assert r.status_code == 422
    form = text(r).split('id="attach-documents"', 1)[1].split("</form>", 1)[0]
    field = re.search(r'<input type="file" id="files"[^>]*>', form).group(0)
    assert 'aria-invalid="true"' in field
    assert re.search(r'aria-describedby="files-hint files-err"', field)
    alert = re.search(r'<div id="files-err" role="alert">(.*?)</div>', form, re.S)
    assert alert and "evil.exe is not an accepted type" in alert.group(1)
