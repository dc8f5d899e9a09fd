"""File sizes in the reader's language: "1.5 MB" in English, "1,5 MB" in Azerbaijani, "1,5 МБ" in Russian,
on the report's list of documents and on the document's own page."""

import re

import pytest
from flask_babel import force_locale

from monitoris import numbers
from tests.factories import make_assignment, make_document, make_report, make_task
from tests.web.conftest import text

NBSP = "\xa0"
MB_AND_A_HALF = 3 * 512 * 1024  # 1,572,864 bytes


@pytest.mark.parametrize("locale, size, expected", [
    ("en", 0, "0 bytes"), ("en", 1, "1 byte"), ("ru", 1, "1 байт"), ("ru", 2, "2 байта"), ("ru", 5, "5 байт"),
    ("ru", 1023, f"1{NBSP}023 байта"), ("az", 512, "512 bayt"),
    ("en", 1024, "1 KB"), ("en", 1536, "1.5 KB"), ("az", 1536, "1,5 KB"), ("ru", 1536, "1,5 КБ"),
    ("en", MB_AND_A_HALF, "1.5 MB"), ("az", MB_AND_A_HALF, "1,5 MB"), ("ru", MB_AND_A_HALF, "1,5 МБ"),
    ("en", 1024 * 1024 - 1, "1 MB"),  # not "1,024 KB"
    ("en", 50 * 1024 * 1024, "50 MB"), ("ru", 12 * 1024 ** 3 + 300 * 1024 ** 2, "12,3 ГБ"),
    ("en", 3 * 1024 ** 5, "3,072 TB"), ("en", None, "—"),
])
def test_a_size_is_written_the_readers_way(app, locale, size, expected):
    with app.test_request_context(), force_locale(locale):
        assert numbers.filesize(size) == expected


@pytest.fixture
def document(w, upload_folder):
    a = make_assignment(make_task(w.act, "1.1"), w.sa, state="in_progress", responsible=w.exec_sa)
    report = make_report(a, author=w.exec_sa)
    return make_document(report, w.exec_sa, b"x" * MB_AND_A_HALF, "scan.txt")


@pytest.mark.parametrize("locale, size, in_bytes", [
    ("en", "1.5 MB", "1,572,864 bytes"),
    ("az", "1,5 MB", "1.572.864 bayt"),
    ("ru", "1,5 МБ", f"1{NBSP}572{NBSP}864 байта"),
])
def test_the_report_and_the_document_page_show_the_size_in_the_readers_language(login, w, document, locale, size,
                                                                                 in_bytes):
    w.exec_sa.locale = locale
    b = login(w.exec_sa)
    row = re.search(rf'<tr id="document-{document.id}">.*?</tr>', text(b.get(f"/reports/{document.report_id}")), re.S)
    assert f'<td class="nowrap">{size}</td>' in row.group(0)
    page = text(b.get(f"/documents/{document.id}"))
    assert f"{size} ({in_bytes})" in page
