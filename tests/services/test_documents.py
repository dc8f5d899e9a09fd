"""Documents: content sniffing, the size limit, the content-addressed store, check and cleanup."""

import io
import os
import time
import zipfile

import pytest
import sqlalchemy as sa

from monitoris.documents import sniff
from monitoris.documents.storage import storage
from monitoris.errors import PayloadTooLarge, ValidationError
from monitoris.extensions import db
from monitoris.models import Document
from monitoris.services import documents
from tests.factories import PDF_BYTES, make_assignment, make_document, make_report, make_task, make_world, office_bytes

pytestmark = pytest.mark.usefixtures("upload_folder")


@pytest.fixture
def report():
    w = make_world()
    report = make_report(make_assignment(make_task(w.act), w.sa, state="in_progress"))
    report.w = w
    return report


def _stored_files(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20
GIF = b"GIF89a" + b"\x00" * 10
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 "


@pytest.mark.parametrize("content,name,media_type", [
    (PDF_BYTES, "a.pdf", sniff.PDF), (PNG, "a.png", sniff.PNG), (JPEG, "a.jpg", sniff.JPEG), (GIF, "a.gif", sniff.GIF),
    (WEBP, "a.webp", sniff.WEBP), (office_bytes("xlsx"), "a.xlsx", sniff.XLSX),
    (office_bytes("docx"), "a.docx", sniff.DOCX), ("Текст отчёта\n".encode(), "a.txt", sniff.TEXT),
    (b"number,title\n1.1,Portal\n", "a.csv", sniff.CSV),
    (PDF_BYTES, "named-wrongly.txt", sniff.PDF),  # the content decides, not the name
])
def test_accepted_types_are_recognised_by_content(report, content, name, media_type):
    doc = make_document(report, report.w.exec_sa, content, name)
    assert doc.media_type == media_type and doc.filename == name and doc.size == len(content)


@pytest.mark.parametrize("content", [
    b"<!DOCTYPE html><html><script>alert(1)</script></html>", b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    b"<html><body>hi</body></html>", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", b"PK\x03\x04not really a zip",
    b"\x00\x01\x02binary",
])
def test_html_renamed_to_pdf_and_other_unknown_content_is_refused(report, upload_folder, content):
    with pytest.raises(ValidationError) as exc:
        make_document(report, report.w.exec_sa, content, "report.pdf")
    assert "not an accepted type" in exc.value.errors["files"][0]
    assert _stored_files(upload_folder) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_a_plain_zip_is_not_an_office_document(report):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("readme.txt", "hi")
    with pytest.raises(ValidationError):
        make_document(report, report.w.exec_sa, buffer.getvalue(), "a.docx")


def test_too_large_is_413_and_nothing_is_stored(app, report, upload_folder, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 1000)
    with pytest.raises(PayloadTooLarge) as exc:
        make_document(report, report.w.exec_sa, PDF_BYTES + b"x" * 1000, "big.pdf")
    assert exc.value.status == 413 and "Nothing was stored" in exc.value.message
    assert _stored_files(upload_folder) == []


def test_the_store_is_content_addressed_and_keeps_one_copy(report, upload_folder):
    first = make_document(report, report.w.exec_sa, PDF_BYTES, "a.pdf")
    second = make_document(report, report.w.exec_sa, PDF_BYTES, "copy.pdf")
    assert first.sha256 == second.sha256
    assert _stored_files(upload_folder) == [first.sha256]
    assert storage().path_for(first.sha256).read_bytes() == PDF_BYTES


def test_filenames_lose_paths_and_control_characters():
    assert documents.clean_filename("../../etc/passwd") == "passwd"
    assert documents.clean_filename("C:\\Users\\x\\report\x00.pdf") == "report.pdf"
    assert documents.clean_filename("") == "document"


def test_check_names_missing_and_altered_files(app, report):
    kept = make_document(report, report.w.exec_sa, PDF_BYTES, "a.pdf")
    altered = make_document(report, report.w.exec_sa, b"plain text\n", "b.txt")
    missing = make_document(report, report.w.exec_sa, b"other text\n", "c.txt")
    storage().path_for(altered.sha256).write_bytes(b"tampered\n")
    storage().path_for(missing.sha256).unlink()
    result = app.test_cli_runner().invoke(args=["documents", "check"])
    assert result.exit_code == 1
    assert f"ALTERED {altered.sha256}" in result.output and f"MISSING {missing.sha256}" in result.output
    assert kept.sha256 not in result.output


def test_check_is_ok_when_everything_holds(app, report):
    make_document(report, report.w.exec_sa)
    result = app.test_cli_runner().invoke(args=["documents", "check"])
    assert result.exit_code == 0 and result.output.startswith("OK: 1 stored files")


def test_cleanup_removes_partial_and_unreferenced_files_but_not_fresh_ones(app, report, upload_folder):
    doc = make_document(report, report.w.exec_sa)
    store = storage()
    orphan = store.stage(io.BytesIO(b"left behind by a rolled back upload\n"))
    orphan.commit()
    part = upload_folder / "tmp" / "interrupted.part"
    part.write_bytes(b"half")
    old = time.time() - 7200
    for path in (part, store.path_for(orphan.sha256)):
        os.utime(path, (old, old))
    fresh = store.stage(io.BytesIO(b"an upload finishing right now\n"))
    fresh.commit()
    result = app.test_cli_runner().invoke(args=["documents", "cleanup"])
    assert result.exit_code == 0, result.output
    assert "2 orphaned files removed" in result.output
    assert not part.exists() and not store.exists(orphan.sha256)
    assert store.exists(doc.sha256) and store.exists(fresh.sha256)


def test_an_empty_file_is_refused_as_empty_and_not_stored(report, upload_folder):
    with pytest.raises(ValidationError) as exc:
        make_document(report, report.w.exec_sa, b"", "minutes.pdf")
    assert exc.value.errors == {"files": ["minutes.pdf is empty."]}
    assert _stored_files(upload_folder) == []


def test_a_batch_is_stored_whole_or_not_at_all(report, upload_folder):
    kept = make_document(report, report.w.exec_sa, PDF_BYTES, "kept.pdf")
    batch = [(PDF_BYTES, "again.pdf"), (office_bytes(), "stats.xlsx"), (b"<html></html>", "page.pdf")]
    with pytest.raises(ValidationError) as exc:
        documents.attach_all(report.w.exec_sa, report, [(io.BytesIO(c), n) for c, n in batch])
    assert exc.value.errors["files"][0].startswith("page.pdf is not an accepted type")
    assert _stored_files(upload_folder) == [kept.sha256]
    attached = documents.attach_all(report.w.exec_sa, report, [(io.BytesIO(c), n) for c, n in batch[:2]])
    assert [d.filename for d in attached] == ["again.pdf", "stats.xlsx"]
    assert _stored_files(upload_folder) == sorted({kept.sha256, attached[1].sha256})
