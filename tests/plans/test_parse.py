"""Reading plan files: headers in three languages, any column order, and refusing what is not a plan."""

import io
import zipfile

import pytest

from monitoris.errors import ValidationError
from monitoris.plans.parse import column_of, read_plan, sniff
from tests.plans.files import HEADER_AZ, HEADER_EN, HEADER_RU, csv_bytes, docx_bytes, xlsx_bytes

ROWS = [["1", "Section", "", "", ""], ["1.1", "Measure", "Indicator", "2016-2018", "SA"]]


@pytest.mark.parametrize("header, field", [
    ("No.", "number"), ("№", "number"), ("Nömrə", "number"), ("№ п/п", "number"),
    ("Event name", "title"), ("EVENT  NAME:", "title"), ("Tədbirin adı", "title"), ("TƏDBİRİN ADI", "title"),
    ("Наименование мероприятия", "title"),
    ("Assessment indicator", "indicator"), ("Qiymətləndirmə indikatoru", "indicator"),
    ("Индикатор оценки", "indicator"),
    ("Fulfilment period", "period"), ("İcra müddəti", "period"), ("Срок исполнения", "period"),
    ("Executive bodies", "bodies"), ("İcraçı qurumlar", "bodies"), ("Исполнители", "bodies"),
    ("Due date", "due_on"), ("Son tarix", "due_on"), ("Срок", "due_on"),
    ("Information on completed works", None), ("", None),
])
def test_headers_are_recognised_in_english_azerbaijani_and_russian(header, field):
    assert column_of(header) == field


@pytest.mark.parametrize("header", [HEADER_EN, HEADER_AZ, HEADER_RU])
@pytest.mark.parametrize("make", [xlsx_bytes, csv_bytes, docx_bytes])
def test_every_format_finds_the_table_under_any_language(make, header):
    parsed = read_plan(make(ROWS, header=header))
    assert [r.cells["number"] for r in parsed.rows] == ["1", "1.1"]
    assert parsed.rows[1].cells == {"number": "1.1", "title": "Measure", "indicator": "Indicator",
                                    "period": "2016-2018", "bodies": "SA"}


def test_column_order_does_not_matter_and_row_numbers_are_the_files():
    header = ["Executive bodies", "Fulfilment period", "Event name", "No.", "Assessment indicator", "Notes"]
    rows = [["SA", "2017", "Measure", "1", "Ind", "ignored"]]
    parsed = read_plan(xlsx_bytes(rows, header=header))
    assert parsed.header_row == 3 and parsed.rows[0].row == 4
    assert parsed.rows[0].cells == {"number": "1", "title": "Measure", "indicator": "Ind", "period": "2017",
                                    "bodies": "SA"}


def test_csv_with_commas_and_no_bom():
    parsed = read_plan(csv_bytes(ROWS, delimiter=",", bom=False))
    assert parsed.format == "csv" and len(parsed.rows) == 2


def test_the_plan_sheet_is_found_behind_a_cover_sheet():
    assert len(read_plan(xlsx_bytes(ROWS, extra_sheet=True)).rows) == 2


def _zip(**files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (PNG, "not a plan"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
    (_zip(**{"xl/workbook.xml": "<not xml"}), "damaged"),
    (_zip(**{"hello.txt": "hi"}), "not a plan"),
    (b"PK\x03\x04 truncated", "not a plan"),
    ("name;value\nа;б\n".encode(), "no table"),
    ("№;Наименование мероприятия\n1;Мера\n".encode("cp1251"), "utf-8"),
])
def test_files_that_are_not_plans_give_a_clear_error(data, words):
    with pytest.raises(ValidationError) as caught:
        read_plan(data, "plan")
    assert words.lower() in caught.value.message.lower()


@pytest.mark.parametrize("data", [
    "name;value\nа;б\n".encode(),
    b"<html><table><tr><td>No.</td></tr></table></html>",
    docx_bytes([], header=["Something", "Else", "a", "b", "c"]),
])
def test_a_file_that_is_not_what_its_name_says_is_named_so(data):
    """Not "No table … in this CSV file" about plan.xlsx, which its author saved from Excel."""
    with pytest.raises(ValidationError) as caught:
        read_plan(data, "plan.xlsx")
    assert caught.value.message.startswith("The content of plan.xlsx is not XLSX, as its name says, so no plan")
    assert caught.value.errors == {"file": ["The content does not match the file name."]}


def test_a_plan_read_by_its_content_whatever_its_name():
    assert len(read_plan(csv_bytes(ROWS), "plan.xlsx").rows) == len(ROWS)


def test_an_empty_docx_and_a_docx_without_the_table():
    with pytest.raises(ValidationError, match="No table"):
        read_plan(docx_bytes([], header=["Something", "Else", "a", "b", "c"]))


def test_sniff_goes_by_content_not_name():
    assert sniff(xlsx_bytes(ROWS)) == "xlsx" and sniff(docx_bytes(ROWS)) == "docx" and sniff(csv_bytes(ROWS)) == "csv"
    assert sniff(PNG) is None
