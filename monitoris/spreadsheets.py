"""Text people typed, written to CSV and XLSX files so that no spreadsheet runs it as a formula.

A report's text or a task's title that begins with "=" (``=HYPERLINK("http://…?"&B5, …)``) would otherwise be
evaluated in the reader's spreadsheet.
"""

from openpyxl.cell.cell import TYPE_STRING

# What makes a spreadsheet read a cell of a CSV file as a formula (OWASP's list, and a line break).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_text(value):
    """A CSV cell's text: one that would start a formula gets a leading quote (CSV has no types)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def as_text(cells):
    """XLSX cells of text stay text, as typed: typed as strings (openpyxl makes a formula of a string that
    begins with "="), rather than prefixed with a quote."""
    for cell in cells:
        if isinstance(cell.value, str):
            cell.data_type = TYPE_STRING
