"""Text that people search: case-insensitive in a way that holds for Azerbaijani.

Azerbaijani has two i's: İ/i (dotted) and I/ı (dotless).  Python's ``lower()`` turns "İ" into
"i" plus a combining dot, SQLite's ``lower()`` knows only ASCII, and PostgreSQL's follows the
server's locale, so "İnformasiya" would not find "informasiya" and "Işıq" would not find
"ışıq".  Search compares a *folded* form on both sides instead: every i-like letter becomes
"i" and the rest is lower-cased, in Python (the needle) and in SQL (the column, through
``fold()``: PostgreSQL's ``translate``+``lower``; on SQLite a function the connection registers).
"""

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

_I_LIKE = str.maketrans({"İ": "i", "I": "i", "ı": "i"})


def fold_text(text):
    """The searchable form of ``text``: i-like letters as "i", everything lower-cased."""
    return None if text is None else text.translate(_I_LIKE).lower()


class fold(FunctionElement):  # noqa: N801 - used like sa.func.lower
    """SQL: the searchable form of a column, the same as ``fold_text`` gives in Python."""

    type = sa.String()
    inherit_cache = True
    name = "monitoris_fold"


@compiles(fold)
def _fold_sqlite(element, compiler, **kw):
    return f"monitoris_fold({compiler.process(element.clauses, **kw)})"


@compiles(fold, "postgresql")
def _fold_postgresql(element, compiler, **kw):
    return f"lower(translate({compiler.process(element.clauses, **kw)}, 'İIı', 'iii'))"


def contains(column, q):
    """``column`` contains the search text ``q``, ignoring case (Azerbaijani-aware); % and _ are text."""
    return fold(column).contains(fold_text(q.strip()), autoescape=True)


# -- sorting --------------------------------------------------------------------------------------

# The Azerbaijani Latin alphabet in its order (x after h, ı before i, q after k, ç ə ğ ö ş ü in place).
AZ_ALPHABET = "abcçdeəfgğhxıijkqlmnoöprsştuüvyz"
_RANK = {letter: index for index, letter in enumerate(AZ_ALPHABET)}


def az_sort_key(value):
    """A key that sorts names in Azerbaijani alphabetical order, case-insensitively; other letters after."""
    lowered = (value or "").replace("İ", "i").replace("I", "ı").lower()
    return [(_RANK[c], c) if c in _RANK else (len(_RANK) + ord(c), c) for c in lowered]


def compare_az(a, b):
    """SQLite collation: -1, 0 or 1 in Azerbaijani order."""
    ka, kb = az_sort_key(a), az_sort_key(b)
    return (ka > kb) - (ka < kb)


class az_order(FunctionElement):  # noqa: N801 - used like a SQL function
    """SQL: ``column`` collated in Azerbaijani order, for ORDER BY of names."""

    type = sa.String()
    inherit_cache = True
    name = "az_order"


@compiles(az_order)
def _az_order_sqlite(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)} COLLATE monitoris_az)"


@compiles(az_order, "postgresql")
def _az_order_postgresql(element, compiler, **kw):
    return f'({compiler.process(element.clauses, **kw)} COLLATE "az-x-icu")'
