"""The implementation report as a file: DOCX (a real Word table), XLSX and PDF.  HTML is a template
(templates/plans/report.html) rendered by the views.

Every format keeps the same table: a header row (repeated on every printed page), organization and
section rows spanning the whole width, and each measure's text with its paragraphs.  Every format is in
the reader's language: the headers, the title, the fulfilment period and the notes ("Not reported") go
through the catalogue (``measure_cells``); the JSON of the API keeps the English words.
"""

import io
from pathlib import Path

import docx
import openpyxl
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from flask import Response, render_template
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange

from monitoris.plans.report import COLUMNS, NOT_REPORTED, SUBMITTED_NOTE, period_text
from monitoris.spreadsheets import as_text

MEDIA_TYPES = {
    "html": "text/html",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
# DejaVu Sans (Bitstream Vera licence, in static/fonts): every Azerbaijani and Russian letter.
FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
WIDTHS_CM = (1.6, 7.0, 5.2, 2.8, 10.4)
PDF_CELL_LIMIT = 1500


def headers():
    """The headers of the table (``COLUMNS``) in the reader's language."""
    return [_("No."), _("Event name"), _("Assessment indicator"), _("Fulfilment period"),
            _("Information on completed works")]


def title_of(report):
    """``report.title`` in the reader's language."""
    if report.organization is not None:
        return _("Report on the implementation of %(act)s by %(organization)s in %(year)s",
                 act=report.act.title, organization=report.organization.name, year=report.year)
    return _("Report on the implementation of %(act)s in %(year)s", act=report.act.title, year=report.year)


def heading_text(row):
    if row.kind == "organization":
        return f"{row.title} ({row.number})" if row.number and row.number != row.title else row.title
    return f"{row.number}. {row.title}"


def note_text(note):
    """One of the report's notes (NOT_REPORTED, SUBMITTED_NOTE) in the reader's language."""
    return {NOT_REPORTED: _("Not reported"), SUBMITTED_NOTE: _("Submitted, not yet accepted.")}[note]


def measure_paragraphs(row):
    """The information on completed works of a measure, as the reader reads it."""
    if row.status == "not_reported":
        return [note_text(NOT_REPORTED)]
    return row.paragraphs + ([note_text(SUBMITTED_NOTE)] if row.status == "submitted" else [])


def measure_cells(row):
    """The first four columns of a measure: number, event name, indicator, fulfilment period."""
    return row.number, row.title, row.indicator, period_text(row.period)


# -- DOCX ------------------------------------------------------------------------------------

def _repeat_as_header(row):
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _bold_text(cell, text):
    cell.text = ""
    cell.paragraphs[0].add_run(text).bold = True


def to_docx(report):
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(title_of(report), level=1)
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, text, width in zip(header.cells, headers(), WIDTHS_CM, strict=True):
        _bold_text(cell, text)
        cell.width = Cm(width)
    span = Cm(sum(WIDTHS_CM))
    for row in report.rows:
        # Cells straight from the row's XML: ``row.cells`` and ``Cell.merge`` walk the whole table each
        # time, which made an 11,000-row report take minutes.
        tr = table.add_row()._tr
        tcs = tr.tc_lst
        if row.kind != "measure":
            for tc in tcs[1:]:
                tr.remove(tc)
            tcs[0].grid_span = len(COLUMNS)
            cell = _Cell(tcs[0], table)
            cell.width = span
            _bold_text(cell, heading_text(row))
            continue
        cells = [_Cell(tc, table) for tc in tcs]
        for cell, text in zip(cells[:4], measure_cells(row), strict=True):
            cell.text = text
        works = cells[4]
        texts = measure_paragraphs(row)
        works.text = texts[0]
        for text in texts[1:]:
            works.add_paragraph(text)
        for cell, width in zip(cells, WIDTHS_CM, strict=True):
            cell.width = Cm(width)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# -- XLSX ------------------------------------------------------------------------------------

def to_xlsx(report):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Report")[:31]  # Excel's limit for a sheet's name
    last = get_column_letter(len(COLUMNS))
    sheet.append([title_of(report)])
    as_text(sheet[1])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A1"].alignment = Alignment(wrap_text=True)
    sheet.append([])
    sheet.append(headers())
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    as_text(sheet[3])
    for cell in sheet[3]:
        cell.font, cell.alignment = bold, wrap
    fill = PatternFill("solid", fgColor="E8EEF7")
    for row in report.rows:
        if row.kind != "measure":
            sheet.append([heading_text(row)])
            n = sheet.max_row
            # Added to the set directly: ``merge_cells`` compares with every earlier range (quadratic),
            # and the covered cells B:E of a heading row are empty, so there is nothing to clean.
            sheet.merged_cells.ranges.add(MergedCellRange(sheet, f"A{n}:{last}{n}"))
            as_text([sheet[f"A{n}"]])
            sheet[f"A{n}"].font, sheet[f"A{n}"].alignment = bold, wrap
            if row.kind == "organization":
                sheet[f"A{n}"].fill = fill
            continue
        sheet.append([*measure_cells(row), "\n".join(measure_paragraphs(row))])
        cells = sheet[sheet.max_row]
        as_text(cells)
        for cell in cells:
            cell.alignment = wrap
    for index, width in enumerate((8, 45, 32, 16, 70), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- PDF -------------------------------------------------------------------------------------

class _ReportPDF(FPDF):
    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.cell(0, 8, f"{self.page_no()}", align="C")


def _pdf_chunks(paragraphs, limit=1200):
    """A measure's text cut into pieces that each fit on a page (a table row cannot break across pages)."""
    chunks, current = [], []
    for paragraph in paragraphs:
        while len(paragraph) > limit:
            cut = paragraph.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            if current:
                chunks.append(current)
                current = []
            chunks.append([paragraph[:cut]])
            paragraph = paragraph[cut:].lstrip()
        if current and sum(len(p) for p in current) + len(paragraph) > limit:
            chunks.append(current)
            current = []
        current.append(paragraph)
    if current:
        chunks.append(current)
    return chunks


def to_pdf(report):
    pdf = _ReportPDF(orientation="landscape", format="A4")
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title_of(report))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 7, title_of(report))
    pdf.ln(3)
    pdf.set_font("DejaVu", size=9)
    bold = FontFace(emphasis="BOLD")
    shade = FontFace(emphasis="BOLD", fill_color=(232, 238, 247))
    with pdf.table(col_widths=WIDTHS_CM, text_align="LEFT", v_align="TOP", line_height=4.6, padding=1.2,
                   repeat_headings=1, headings_style=bold) as table:
        head = table.row()
        for text in headers():
            head.cell(text)
        for row in report.rows:
            if row.kind != "measure":
                table.row().cell(heading_text(row), colspan=len(COLUMNS),
                                 style=shade if row.kind == "organization" else bold)
                continue
            for i, chunk in enumerate(_pdf_chunks(measure_paragraphs(row))):
                cells = table.row()
                first = i == 0
                for text in measure_cells(row) if first else ("", "", "", ""):
                    # A table row cannot break across pages: a cell longer than a page is cut short.
                    cells.cell(text if len(text) <= PDF_CELL_LIMIT else text[:PDF_CELL_LIMIT] + "…")
                cells.cell("\n".join(chunk))
    return bytes(pdf.output())


RENDERERS = {"docx": to_docx, "xlsx": to_xlsx, "pdf": to_pdf}


def response(report, fmt):
    """The report as a printable page (``html``) or a download; the pages and the API answer the same."""
    if fmt == "html":
        return Response(render_template("plans/report.html", report=report, report_title=title_of(report),
                                        not_reported=note_text(NOT_REPORTED),
                                        submitted_note=note_text(SUBMITTED_NOTE)),
                        mimetype="text/html")
    result = Response(RENDERERS[fmt](report), mimetype=MEDIA_TYPES[fmt])
    result.headers["Content-Disposition"] = f'attachment; filename="{report.filename(fmt)}"'
    result.headers["X-Content-Type-Options"] = "nosniff"
    return result
