"""The few SQL expressions that differ between PostgreSQL and SQLite, each small and tested on both.

Everything else in the analysis is portable SQLAlchemy Core.  ``dialect`` is the name of the
connected database's dialect ("postgresql" or "sqlite").
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa


def local_date(column, dialect, timezone):
    """The calendar date, in ``timezone``, of a UTC timestamp column.

    PostgreSQL converts exactly (``timezone(zone, ts)``).  SQLite knows no time zones: it shifts by
    the zone's offset at the current date, which is exact for zones without daylight saving time
    (Asia/Baku, the default) and may be an hour off near a clock change elsewhere.
    """
    if dialect == "postgresql":
        return sa.cast(sa.func.timezone(timezone, column), sa.Date)
    offset = datetime.now(UTC).astimezone(ZoneInfo(timezone)).utcoffset() or timedelta()
    minutes = int(offset.total_seconds() // 60)
    return sa.type_coerce(sa.func.date(column, f"{minutes:+d} minutes"), sa.Date)


def days_between(later, earlier, dialect):
    """Whole days from the date ``earlier`` to the date ``later`` (negative when ``later`` is before)."""
    if dialect == "postgresql":
        return sa.type_coerce(later - earlier, sa.Integer)
    return sa.cast(sa.func.julianday(later) - sa.func.julianday(earlier), sa.Integer)


def elapsed_days(later, earlier, dialect):
    """Days, with a fraction, between two UTC timestamps."""
    if dialect == "postgresql":
        return sa.extract("epoch", later - earlier) / 86400.0
    return sa.func.julianday(later) - sa.func.julianday(earlier)


def month_of(column, dialect):
    """"2026-07" for a date column."""
    if dialect == "postgresql":
        return sa.func.to_char(column, "YYYY-MM")
    return sa.func.strftime("%Y-%m", column)


def median(source, key, value, dialect, method=None):
    """SELECT key, median(value) … GROUP BY key, over the rows of ``source`` where value is not null.

    ``key`` may be None: one row for the whole of ``source``.  PostgreSQL has ``percentile_cont``;
    elsewhere the median is the average of the middle one or two rows, numbered by a window function.
    ``method`` ("percentile" or "window") forces one way, so the tests can compare both on PostgreSQL.
    """
    method = method or ("percentile" if dialect == "postgresql" else "window")
    keys = [source.c[key]] if key else []
    column = source.c[value]
    if method == "percentile":
        stmt = sa.select(*[k.label("key") for k in keys],
                         sa.func.percentile_cont(0.5).within_group(column).label("median"))
        return stmt.where(column.is_not(None)).group_by(*keys)
    ranked = sa.select(
        *[k.label("key") for k in keys], column.label("value"),
        sa.func.row_number().over(partition_by=keys or None, order_by=column).label("rn"),
        sa.func.count().over(partition_by=keys or None).label("n"),
    ).where(column.is_not(None)).subquery()
    middle = sa.and_(ranked.c.rn >= (ranked.c.n + 1) // 2, ranked.c.rn <= (ranked.c.n + 2) // 2)
    stmt = sa.select(*([ranked.c.key] if keys else []), sa.func.avg(ranked.c.value * 1.0).label("median"))
    return stmt.where(middle).group_by(*([ranked.c.key] if keys else []))


def utc_bounds(date_from, date_to, timezone):
    """[start, end) in UTC of the local days date_from … date_to, for filtering timestamps by date."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(date_from, time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(date_to + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    return start, end


def year_range(today: date):
    return date(today.year, 1, 1), date(today.year, 12, 31)
