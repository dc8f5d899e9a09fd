"""Numbers as a person reads them, in the page's language: "1,234.5" in English, "1 234,5" in Russian
(a non-breaking space between thousands), "1.234,5" in Azerbaijani.

Only for what people read (pages, charts, emails).  The API's JSON and the CSV and XLSX exports keep
machine numbers, so that programs and spreadsheets read them as numbers whatever the language.
"""

from decimal import Decimal

from babel.numbers import format_percent
from flask_babel import format_decimal, get_locale

EMPTY = "—"


def _decimal(value):
    # Through str(), so that 83.1 stays 83.1 (not 83.099999…) once divided or formatted.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def number(value, places=None):
    """A count or a figure: grouped thousands, the locale's decimal sign, up to three decimals
    (trailing zeros dropped) or exactly ``places``.  None (nothing to measure) reads "—"."""
    if value is None or value == "" or isinstance(value, bool):
        return EMPTY if value is None or value == "" else str(value)
    if places is not None:
        return format_decimal(_decimal(value), format="#,##0." + "0" * places if places else "#,##0")
    return format_decimal(_decimal(value))


def percent(value):
    """A percentage given on the 0-100 scale (83.1 -> "83.1%", "83,1 %" in Russian), decimals kept."""
    if value is None or value == "":
        return EMPTY
    # Babel's own: Flask-Babel's wrapper would round to whole percents.
    return format_percent(_decimal(value) / 100, locale=get_locale(), decimal_quantization=False)


def figure(value, unit=""):
    """A chart's label: a percentage when ``unit`` is "%", else the number and the unit."""
    if value is None:
        return EMPTY
    return percent(value) if unit == "%" else number(value) + unit
