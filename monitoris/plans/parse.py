"""Reading a plan out of a file: XLSX, CSV or the first matching table of a DOCX.

The readers only find the table and its columns; they return the cells as they are (text, numbers,
dates) with the row number a person sees in the file.  What the cells mean is the importer's job.

Columns are found by their headers in English, Azerbaijani or Russian, compared without case,
spaces, punctuation or diacritics, so column order and spelling details do not matter.  Files are
recognised by their content, not their name: an image renamed ``plan.xlsx`` is refused clearly.
"""

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field

import docx
import openpyxl
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from monitoris.errors import ValidationError

FIELDS = ("number", "title", "indicator", "period", "bodies", "due_on")
REQUIRED = ("number", "title")
# The columns' names in the reader's language (the preview's problems name their column).
FIELD_NAMES = {
    "number": _l("No."), "title": _l("Event name"), "indicator": _l("Assessment indicator"),
    "period": _l("Fulfilment period"), "bodies": _l("Executive bodies"), "due_on": _l("Due date"),
}
# The headers each column is known by (en, az, ru), as people write them in circulated plans.
HEADERS = {
    "number": ("No", "No.", "Nr", "Number", "#", "№", "№ п/п", "N п/п", "п/п", "Nömrə", "Sıra", "Sıra №", "S/s",
               "Номер", "Пункт"),
    "title": ("Event name", "Event", "Measure", "Measures", "Name of the event", "Activity", "Action", "Title",
              "Tədbirin adı", "Tədbir", "Tədbirlər", "Наименование мероприятия", "Мероприятие", "Мероприятия",
              "Наименование"),
    "indicator": ("Assessment indicator", "Indicator", "Performance indicator", "Evaluation indicator",
                  "Qiymətləndirmə indikatoru", "Qiymətləndirmə göstəricisi", "İndikator", "Göstərici",
                  "Индикатор оценки", "Индикатор", "Показатель", "Показатель оценки"),
    "period": ("Fulfilment period", "Fulfillment period", "Implementation period", "Period", "Execution period",
               "Term", "İcra müddəti", "İcra dövrü", "Müddət", "Срок исполнения", "Сроки исполнения",
               "Период исполнения", "Период"),
    "bodies": ("Executive bodies", "Executive body", "Executors", "Executor", "Responsible bodies",
               "Responsible executors", "Implementing agencies", "Responsible", "İcraçı qurumlar", "İcraçılar",
               "İcraçı", "Məsul icraçılar", "Исполнители", "Исполнитель", "Ответственные исполнители",
               "Ответственные"),
    "due_on": ("Due date", "Deadline", "Due", "Son tarix", "Son icra tarixi", "Срок", "Крайний срок",
               "Дата исполнения"),
}
MAX_ROWS = 20_000
MAX_COLUMNS = 40
HEADER_SEARCH_ROWS = 25
MAX_CELL = 20_000

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def squash(text):
    """Header text reduced to its letters and digits: no case, spaces, punctuation or accents."""
    text = unicodedata.normalize("NFKD", str(text)).casefold()
    return "".join(ch for ch in text if ch.isalnum() or ch == "№")


_KNOWN = {field_: {squash(h) for h in headers} for field_, headers in HEADERS.items()}


def column_of(header):
    """The field a header names, or None.  An exact match wins; then the longest known prefix."""
    key = squash(header or "")
    if not key:
        return None
    for field_, known in _KNOWN.items():
        if key in known:
            return field_
    best, length = None, 0
    for field_, known in _KNOWN.items():
        for k in known:
            if len(k) >= 4 and key.startswith(k) and len(k) > length:
                best, length = field_, len(k)
    return best


@dataclass
class RawRow:
    row: int  # the row number a person sees in the file (spreadsheet row, CSV record, DOCX table row)
    cells: dict  # field -> the cell's value (str, int, float, date, datetime or None)


@dataclass
class ParsedFile:
    format: str  # xlsx, csv, docx
    header_row: int
    columns: dict  # field -> 0-based column index
    rows: list = field(default_factory=list)


def _match_header(values):
    columns = {}
    for index, value in enumerate(values[:MAX_COLUMNS]):
        field_ = column_of(value) if isinstance(value, str) else None
        if field_ is not None and field_ not in columns:
            columns[field_] = index
    return columns if all(f in columns for f in REQUIRED) else None


def _clean(value):
    if isinstance(value, str):
        # NUL and other control characters cannot be stored and never belong in a plan.
        value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc")
        value = value.replace("\r\n", "\n").replace("\r", "\n").strip()[:MAX_CELL]
        return value or None
    return value


def _table(rows, fmt):
    """Find the header among the first rows of ``rows`` [(row number, [values])], then read the rest."""
    parsed = None
    for row_number, values in rows:
        if parsed is None:
            if row_number > HEADER_SEARCH_ROWS:
                return None
            columns = _match_header([_clean(v) for v in values])
            if columns:
                parsed = ParsedFile(fmt, row_number, columns)
            continue
        cells = {f: _clean(values[i]) if i < len(values) else None for f, i in parsed.columns.items()}
        if all(v is None for v in cells.values()):
            continue
        if len(parsed.rows) >= MAX_ROWS:
            raise ValidationError(_("The plan has more than %(max)s rows; split it into several files.",
                                    max=MAX_ROWS), errors={"file": [_("At most %(max)s rows.", max=MAX_ROWS)]})
        parsed.rows.append(RawRow(row_number, cells))
    return parsed


def _no_table(fmt):
    names = ", ".join(str(FIELD_NAMES[f]) for f in REQUIRED)
    return ValidationError(_("No table with the plan's headers was found in this %(format)s file: the header row "
                             "needs at least %(columns)s (in English, Azerbaijani or Russian).",
                             format=fmt.upper(), columns=names),
                           errors={"file": [_("No header row with the plan's columns.")]})


def read_xlsx(data):
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            rows = ((n, list(values)) for n, values in
                    enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1))
            parsed = _table(rows, "xlsx")
            if parsed is not None:
                return parsed
    finally:
        workbook.close()
    raise _no_table("xlsx")


def read_csv(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The CSV file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."),
                              errors={"file": [_("Not UTF-8 text.")]}) from None
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        parsed = _table(((n, row) for n, row in enumerate(reader, start=1)), "csv")
    except csv.Error as exc:
        raise ValidationError(_("The CSV file cannot be read: %(error)s.", error=exc),
                              errors={"file": [str(exc)]}) from None
    if parsed is None:
        raise _no_table("csv")
    return parsed


def _docx_rows(table):
    for n, row in enumerate(table.rows, start=1):
        # A cell merged across columns appears once per grid column; its text repeats, which the
        # importer recognises as a section heading spanning the row.
        yield n, [cell.text for cell in row.cells][:MAX_COLUMNS]


def read_docx(data):
    document = docx.Document(io.BytesIO(data))
    for table in document.tables:
        parsed = _table(_docx_rows(table), "docx")
        if parsed is not None:
            return parsed
    raise _no_table("docx")


def sniff(data):
    """The format of ``data`` by its content: xlsx, docx, csv, or None."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "docx"
        return None
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "ole"
    # Text has no NUL bytes; images, PDFs and other binaries nearly always do early on.  Text in another
    # encoding than UTF-8 is still taken as CSV, so that its reader can say what to do about it.
    if b"\x00" in data[:4096]:
        return None
    return "csv"


READERS = {"xlsx": read_xlsx, "csv": read_csv, "docx": read_docx}


def _named_format(filename):
    """The format a file's name claims ("XLSX" for plan.xlsx), or None when it names none we know."""
    extension = (filename or "").rpartition(".")[2].lower() if "." in (filename or "") else ""
    return extension.upper() if extension in ("xlsx", "xls", "docx", "doc", "csv") else None


def read_plan(data, filename=None):
    """The plan table in ``data`` (bytes) as a ParsedFile; a ValidationError for anything else."""
    if not data:
        message = _("The file is empty.")
        raise ValidationError(message, errors={"file": [message]})
    fmt = sniff(data)
    if fmt == "ole":
        raise ValidationError(_("This is an old Excel (.xls) or Word (.doc) file. Save it as .xlsx or .docx and "
                                "upload it again."), errors={"file": [_("Old binary Office format.")]})
    if fmt is None:
        raise ValidationError(_("This file is not a plan we can read: upload an XLSX workbook, a CSV file or a DOCX "
                                "document whose table has the columns No., Event name, Assessment indicator, "
                                "Fulfilment period and Executive bodies."),
                              errors={"file": [_("Not an XLSX, CSV or DOCX file.")]})
    try:
        return READERS[fmt](data)
    except ValidationError:
        named = _named_format(filename)
        if named and named != fmt.upper():
            # "No table … in this CSV file" about plan.xlsx would puzzle: say what is wrong with the file.
            raise ValidationError(_("The content of %(filename)s is not %(format)s, as its name says, so no plan "
                                    "could be read from it. Open it, save it as XLSX, CSV UTF-8 or DOCX and upload "
                                    "it again.", filename=filename, format=named),
                                  errors={"file": [_("The content does not match the file name.")]}) from None
        raise
    except Exception as exc:  # noqa: BLE001 - the readers fail in many ways on damaged files; all mean the same
        raise ValidationError(_("The %(format)s file is damaged or not a plan and cannot be read.",
                                format=fmt.upper()),
                              errors={"file": [_("Unreadable %(format)s file (%(error)s).", format=fmt.upper(),
                                                 error=type(exc).__name__)]}) from None

