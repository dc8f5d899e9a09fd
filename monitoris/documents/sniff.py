"""What a file really is, from its first bytes (and, for office documents, the zip inside).

No libmagic: a handful of signatures covers the allow-list, and anything we cannot name is
refused.  HTML and SVG are never named here, so they can never be stored or served.
"""

import zipfile

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
TEXT = "text/plain"
CSV = "text/csv"

# The short names used in configuration (MONITORIS_DOCUMENT_TYPES) and messages.
TYPES = {"pdf": PDF, "png": PNG, "jpeg": JPEG, "gif": GIF, "webp": WEBP, "docx": DOCX, "xlsx": XLSX,
         "odt": ODT, "ods": ODS, "txt": TEXT, "csv": CSV}
NAMES = {v: k.upper() for k, v in TYPES.items()}
# The Content-Type a download is served with: only these.
SERVED_AS = {t: t for t in TYPES.values()}  # Flask adds "; charset=utf-8" to text types

HEAD_BYTES = 8192
TEXT_SAMPLE = 1024 * 1024  # the first megabyte of a text file is checked as UTF-8


def sniff(path, filename=""):
    """The media type of the file at ``path``, or None when it is none of the types we know."""
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _office(path)
    if _is_text(path, head):
        return CSV if filename.lower().endswith(".csv") else TEXT
    return None


def _office(path):
    """DOCX/XLSX by their main part, ODT/ODS by the ``mimetype`` member; any other zip is refused."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "mimetype" in names:
                declared = z.read("mimetype").decode("ascii", "replace").strip()
                return declared if declared in (ODT, ODS) else None
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    return None


def _is_text(path, head):
    """UTF-8 without NUL bytes, and not markup a browser would render as a page."""
    if not head or b"\x00" in head:
        return False
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype", b"<html", b"<?xml", b"<svg", b"<script", b"<head", b"<body", b"<iframe")):
        return False
    with open(path, "rb") as f:
        sample = f.read(TEXT_SAMPLE)
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The sample may end in the middle of a character; only an error before its last bytes counts.
        if exc.start < len(sample) - 4:
            return False
    return True
