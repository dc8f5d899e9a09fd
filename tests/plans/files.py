"""Plan files written the way people write them: the same table as XLSX, CSV or a DOCX table."""

import csv
import io

import docx
import openpyxl

HEADER_EN = ["No.", "Event name", "Assessment indicator", "Fulfilment period", "Executive bodies"]
HEADER_AZ = ["№", "Tədbirin adı", "Qiymətləndirmə indikatoru", "İcra müddəti", "İcraçı qurumlar"]
HEADER_RU = ["№ п/п", "Наименование мероприятия", "Индикатор оценки", "Срок исполнения", "Исполнители"]


def plan_rows(w):
    """A hand-written plan: sections, three-level numbers (one with a trailing dot), a Regular measure,
    several bodies per row, bodies by short and by full name, Azerbaijani and Russian text."""
    return [
        ["1", "Better public e-services", "", "", ""],
        ["1.1", "Hold awareness events on e-services", "Number of awareness events held and people reached",
         "2016-2018", f"{w.sa.short_name}, {w.mt.short_name}"],
        ["1.2", "Vətəndaşlar üçün elektron xidmətlərin genişləndirilməsi", "Xidmətlərin sayı", "2016 - 2017",
         w.mt.name],
        ["1.10", "Расширение электронных услуг для граждан", "Количество услуг", "Постоянно",
         f"{w.mt.short_name}; {w.sa.name}"],
        ["2", "Transparency of public procurement", "", "", ""],
        ["2.1", "Publish procurement plans", "Plans published", "Daimi", w.sa.short_name],
        ["4", "Open data", "", "", ""],
        ["4.1", "Data catalogue", "", "", ""],
        ["4.1.1.", "Publish the open data catalogue", "Catalogue online", "Regular", w.mt.short_name],
    ]


def xlsx_bytes(rows, header=HEADER_EN, title="Action plan", extra_sheet=False):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if extra_sheet:
        sheet.title = "Cover"
        sheet.append(["This workbook holds the plan on the next sheet"])
        sheet = workbook.create_sheet("Plan")
    sheet.append([title])
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append([c if c != "" else None for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, header=HEADER_EN, delimiter=";", bom=True):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8")


def docx_bytes(rows, header=HEADER_EN, merge_sections=False):
    document = docx.Document()
    document.add_paragraph("National action plan")
    document.add_table(rows=1, cols=2).rows[0].cells[0].text = "A layout table before the plan"
    table = document.add_table(rows=0, cols=len(header))
    for i, text in enumerate(header):
        table.add_row() if i == 0 else None
        table.rows[0].cells[i].text = text
    for row in rows:
        cells = table.add_row().cells
        if merge_sections and all(c == "" for c in row[2:]):
            merged = cells[0].merge(cells[-1])
            merged.text = f"{row[0]}. {row[1]}"
            continue
        for i, text in enumerate(row):
            cells[i].text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
