"""Numbers as a person reads them, in the page's language: "1,234.5" in English, "1 234,5" in Russian
(a non-breaking space between thousands), "1.234,5" in Azerbaijani.

Only for what people read (pages, charts, emails, file sizes).  The API's JSON and the CSV and XLSX exports keep
machine numbers, so that programs and spreadsheets read them as numbers whatever the language.
"""

from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_percent, get_group_symbol, get_minus_sign_symbol
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _

EMPTY = "—"
KIBI = 1024


def _decimal(value):
    # Through str(), so that 83.1 stays 83.1 (not 83.099999…) once divided or formatted.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def number(value, places=None):
    """A count or a figure: grouped thousands, the locale's decimal sign, up to three decimals
    (trailing zeros dropped) or exactly ``places``.  None (nothing to measure) reads "—"."""
    if value is None or value == "" or isinstance(value, bool):
        return EMPTY if value is None or value == "" else str(value)
    if isinstance(value, int) and not places:
        # A count: grouped by thousands with the locale's own signs, as babel does, without babel's pattern
        # machinery (an analysis page shows thousands of counts).
        group, minus = _signs(str(get_locale() or "en"))
        grouped = f"{abs(value):,}".replace(",", group)
        return minus + grouped if value < 0 else grouped
    if places is not None:
        return format_decimal(_decimal(value), format="#,##0." + "0" * places if places else "#,##0")
    return format_decimal(_decimal(value))


@lru_cache(maxsize=16)
def _signs(locale):
    return get_group_symbol(locale), get_minus_sign_symbol(locale)


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


def _in_unit(step, size):
    # One message per unit, so that each language writes it its own way ("1,5 МБ").
    if step == 0:
        return _("%(size)s KB", size=size)
    if step == 1:
        return _("%(size)s MB", size=size)
    if step == 2:
        return _("%(size)s GB", size=size)
    return _("%(size)s TB", size=size)


def filesize(value):
    """A file's size in bytes as a person reads it: "512 bytes", "1.5 MB" in English, "1,5 MB" in
    Azerbaijani, "1,5 МБ" in Russian; one decimal at most.  Binary steps (1 KB = 1,024 bytes), as the
    upload limit (DOCUMENT_MAX_MB) counts them."""
    if value is None or value == "":
        return EMPTY
    size = int(value)
    if size < KIBI:
        return ngettext("%(bytes)s byte", "%(bytes)s bytes", size, bytes=format_decimal(size))
    amount, step = Decimal(size) / KIBI, 0
    while round(amount, 1) >= KIBI and step < 3:
        amount, step = amount / KIBI, step + 1
    return _in_unit(step, format_decimal(round(amount, 1), format="#,##0.#"))
