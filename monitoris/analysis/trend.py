"""The monthly trend: the figures per month of the due date, overall or for one organization."""

from monitoris.analysis import figures, tables

TREND_FIGURES = ("assigned", "accepted", "on_time", "late", "overdue", "open_not_due", "timeliness",
                 "average_delay", "median_delay")


def trend(user, f):
    """One row per month of the range (months without work included, as zeros), scoped to ``user``.

    ``f.organization_id`` narrows it to one body; otherwise it is the overall trend of what the
    reader may see.
    """
    found = {row["key"]: row for row in figures.compute(tables.session(), f, "month")}
    rows = []
    for month in tables.months(f.date_from, f.date_to):
        row = found.get(month) or {"key": month, **{k: 0 for k in figures.COUNTS}, "average_delay": None,
                                   "median_delay": None, "timeliness": None}
        rows.append({"month": month, **{k: row.get(k) for k in TREND_FIGURES}})
    return rows
