"""The few SQL expressions that differ between PostgreSQL and SQLite, each small and tested on both.

Everything else in the analysis is portable SQLAlchemy Core.  ``dialect`` is the name of the
connected database's dialect ("postgresql" or "sqlite").
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from monitoris import clock

# Set for the rest of the transaction before the analysis's aggregations on PostgreSQL: room to hash
# the national histogram in memory (the default 4 MB makes the planner sort it on disk instead), and
# no JIT compilation, which costs more (50-80 ms) than it saves on a query of a few hundred ms.
POSTGRESQL_SETTINGS = {"work_mem": "64MB", "jit": "off"}

# The days a range of the analysis may reach (the filters refuse others).
FIRST_DAY, LAST_DAY = clock.FIRST_DAY, clock.LAST_DAY


def prepare(session):
    """Apply POSTGRESQL_SETTINGS to the current transaction of ``session`` (nothing elsewhere)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(*[sa.func.set_config(name, value, True)
                                    for name, value in POSTGRESQL_SETTINGS.items()]))


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


def median(histogram, key, value, count):
    """SELECT key, median … GROUP BY key, from a histogram: rows of (key, value, how many rows had it).

    The values are walked in order with a running sum of the counts (a window function); the median
    is the mean of the two middle values (the same one when the count is odd): the lower is the first
    value whose running sum reaches half the total, the upper the first that passes it.  Values that
    are null are not counted.  The same SQL on PostgreSQL and SQLite.
    """
    h = histogram.c
    running = sa.func.sum(h[count]).over(partition_by=h[key], order_by=h[value])
    ranked = sa.select(h[key].label("key"), h[value].label("value"), running.label("running"),
                       sa.func.sum(h[count]).over(partition_by=h[key]).label("total")
                       ).where(h[value].is_not(None)).subquery()
    r = ranked.c
    lower = sa.func.min(r.value).filter(2 * r.running >= r.total)
    upper = sa.func.min(r.value).filter(2 * r.running > r.total)
    return sa.select(r.key, ((lower + upper) / 2.0).label("median")).group_by(r.key)


def utc_bounds(date_from, date_to, timezone):
    """[start, end) in UTC of the local days date_from … date_to, for filtering timestamps by date.

    The days are first brought within FIRST_DAY … LAST_DAY (the filters take no others): at the ends of the
    calendar the day after 31 December 9999, or the UTC time of a zone's midnight on 1 January of year 1,
    does not exist."""
    zone = ZoneInfo(timezone)
    date_from, date_to = (min(max(day, FIRST_DAY), LAST_DAY) for day in (date_from, date_to))
    start = datetime.combine(date_from, time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(date_to + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    return start, end


def year_range(today: date):
    return date(today.year, 1, 1), date(today.year, 12, 31)
