"""CSV and XLSX of any analysis table: the same header and rows, safe to open in a spreadsheet.

A text cell beginning with = + - @, a tab or a carriage return would be run as a formula by
spreadsheet programs (CSV injection); such cells get a leading apostrophe in CSV, and in XLSX
they are written as text, never as formulas.

Numbers stay machine numbers (XLSX cells are numeric; CSV has "83.1", whatever the language, so
that every program reads it); words that stand for a value (a grade, a kind of body, a state) are
written in the reader's language, like the headers.
"""

import csv
import io
import re
from datetime import date, datetime
from urllib.parse import quote

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook

from monitoris.analysis.index import GRADE_LABELS
from monitoris.services import wording
from monitoris.spreadsheets import as_text, csv_text

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# Column -> {value: label}.  The same words as the pages (the catalogue has them once).
VALUE_LABELS = {
    "grade": GRADE_LABELS,
    "kind": {"control": _l("Control body"), "central": _l("Central body"), "local": _l("Local executive authority"),
             "state_company": _l("State company"), "other": _l("Other")},
    "report_state": wording.REPORT_STATES,
    "decision": wording.EXTENSION_DECISIONS,
}


def _plain(value, key=None):
    labels = VALUE_LABELS.get(key)
    if labels is not None and isinstance(value, str) and value in labels:
        return str(labels[value])
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_csv(columns, rows):
    """``columns``: [(key, header)]; ``rows``: dicts.  UTF-8 with a BOM, which Excel needs to read it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_text(str(h)) for _, h in columns])
    for row in rows:
        writer.writerow(["" if row.get(k) is None else csv_text(_plain(row.get(k), k)) for k, _ in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(columns, rows, title=None):
    """Headers and titles may be lazy translations: openpyxl takes plain strings only."""
    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(title if title is not None else gettext("Analysis"))
    sheet.append([str(h) for _, h in columns])
    for number, row in enumerate(rows, 2):  # (sheet.max_row walks every cell: a long export took minutes)
        for i, (key, _) in enumerate(columns, 1):
            cell = sheet.cell(row=number, column=i, value=_plain(row.get(key), key))
            as_text([cell])  # never a formula, whatever the text begins with
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title):
    """A worksheet name: at most 31 characters, none of []:*?/\\ (a translation may bring them)."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31].strip() or "Sheet"


def render(fmt, columns, rows, title):
    return to_csv(columns, rows) if fmt == "csv" else to_xlsx(columns, rows, title)


def attachment(stem, title, day, fmt):
    """Content-Disposition of an export: the reader's language in ``filename*`` (RFC 6266), and the
    English ``stem`` ("analysis-organizations") in ``filename`` for programs that know no other."""
    readable = re.sub(r'[\\/:*?"<>|\r\n]+', " ", f"{gettext('Analysis')} - {title} - {day.isoformat()}").strip()
    return (f'attachment; filename="{stem}-{day.isoformat()}.{fmt}"; '
            f"filename*=UTF-8''{quote(readable + '.' + fmt, safe='')}")
