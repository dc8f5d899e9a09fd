"""The figures, per organization, act, controller, month or overall: one SQL aggregation each.

The items (monitoris.analysis.items) are summed with GROUP BY, through a histogram of their delays
that also gives the median (monitoris.analysis.sql.median); instructions are aggregated the same way
on their own and joined on the same key.  The same SQL on PostgreSQL and SQLite.  Python only turns
the result rows into dictionaries.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from monitoris.analysis import items as items_module
from monitoris.analysis import sql
from monitoris.models import Act, Organization, User

# Figure name -> what it counts, in the order the tables show them.
COUNTS = ("assigned", "accepted", "on_time", "late", "overdue", "open_not_due")
FIGURES = COUNTS + ("timeliness", "average_delay", "median_delay", "reviews", "returns", "return_rate",
                    "extension_requests", "extensions_granted", "days_added", "instructions_received",
                    "instructions_answered", "median_response_days")
LABELS = {
    "assigned": _l("Assigned"), "accepted": _l("Accepted"), "on_time": _l("Accepted on time"),
    "late": _l("Accepted late"), "overdue": _l("Overdue now"), "open_not_due": _l("Open, not yet due"),
    "timeliness": _l("Timeliness %"), "average_delay": _l("Average delay (days)"),
    "median_delay": _l("Median delay (days)"), "reviews": _l("Reviews"), "returns": _l("Returned for revision"),
    "return_rate": _l("Return rate %"), "extension_requests": _l("Extensions asked"),
    "extensions_granted": _l("Extensions granted"), "days_added": _l("Days added"),
    "instructions_received": _l("Instructions received"), "instructions_answered": _l("Instructions answered"),
    "median_response_days": _l("Median response (days)"),
}
GROUPS = ("organization", "act", "controller", "month", "overall")
# Item columns summed into the counts of the same name.
_SUMS = {"accepted": "accepted", "on_time": "on_time", "late": "late", "overdue": "overdue",
         "open_not_due": "open_not_due", "reviews": "reviews", "returns": "returns",
         "extension_requests": "extension_requests", "extensions_granted": "extensions_granted",
         "days_added": "days_added"}


def _key(source, group):
    if group == "overall":
        return None
    if group == "controller":
        return sa.func.coalesce(source.c.controller_id, sa.literal_column("0"))  # 0: tasks nobody controls
    return source.c[f"{group}_id" if group != "month" else "month"]


def _grouped(source, group, columns):
    key = _key(source, group)
    stmt = sa.select(_key_label(source, group), *columns)
    return stmt.group_by(key) if key is not None else stmt


def _key_label(source, group):
    key = _key(source, group)
    return (key if key is not None else sa.literal_column("'all'")).label("key")


def _totals_and_median(group, source, value, count, sums, average=None):
    """Per key of ``group``: the count of ``source``'s rows, the ``sums`` of its columns, the median of
    ``value`` (and its ``average``): (totals, median) subqueries, both keyed ``key``.

    One pass over the rows: they are counted and summed per (key, value) first — a histogram, since a
    body has thousands of items but few different delays — by hashing, with no sort of the rows; the
    totals add the histogram up per key, and the median walks it in order (``sql.median``).
    """
    key, column = _key(source, group), source.c[value]
    histogram = (
        sa.select(_key_label(source, group), column.label("value"), sa.func.count().label("n"),
                  *[sa.func.sum(source.c[column]).label(name) for name, column in sums.items()])
        .group_by(*([key] if key is not None else []), column)
        .cte(f"{value}_histogram")
    )
    h = histogram.c
    columns = [sa.func.sum(h.n).label(count)]
    columns += [sa.func.coalesce(sa.func.sum(h[name]), 0).label(name) for name in sums]
    if average:
        measured = sa.func.sum(sa.case((h.value.is_not(None), h.n)))
        columns.append((sa.func.sum(h.value * h.n) * 1.0 / measured).label(average))
    totals = sa.select(h.key, *columns).group_by(h.key).cte(f"{value}_totals")
    return totals, sql.median(histogram, "key", "value", "n").subquery(f"{value}_median")


def item_totals(f, group):
    it = items_module.items(f, controller=group == "controller")
    return _totals_and_median(group, it, "delay", "assigned", _SUMS, average="average_delay")


def instruction_totals(f, group):
    ins = items_module.instructions(f)
    return _totals_and_median(group, ins, "response_days", "instructions_received",
                              {"instructions_answered": "answered"})


def _names(group, key):
    """Columns naming the group: (label, detail), joined by key."""
    if group == "organization":
        return Organization, Organization.id == key, [Organization.short_name.label("name"),
                                                      Organization.name.label("full_name"),
                                                      Organization.kind.label("kind")]
    if group == "act":
        return Act, Act.id == key, [Act.title.label("name"), Act.number.label("full_name")]
    if group == "controller":
        return User, User.id == key, [User.name.label("name"), User.email.label("full_name")]
    return None, None, []


def _join_median(stmt, keys, median, name):
    return stmt.outerjoin(median, median.c.key == keys.c.key), median.c.median.label(name)


def statement(f, group):
    """The one SELECT that computes every figure of every row of a table."""
    if group not in GROUPS:
        raise ValueError(f"unknown grouping {group!r}")
    totals, delay_median = item_totals(f, group)
    with_instructions = group != "month"
    parts = [totals]
    if with_instructions:
        ins_totals, response_median = instruction_totals(f, group)
        parts.append(ins_totals)
        keys = sa.union(*[sa.select(p.c.key) for p in parts]).subquery("keys")
    else:
        keys = sa.select(totals.c.key).subquery("keys")
    columns = [keys.c.key, sa.func.coalesce(totals.c.assigned, 0).label("assigned")]
    columns += [sa.func.coalesce(totals.c[name], 0).label(name) for name in _SUMS]
    columns.append(totals.c.average_delay)
    stmt = sa.select().select_from(keys).outerjoin(totals, totals.c.key == keys.c.key)
    stmt, median = _join_median(stmt, keys, delay_median, "median_delay")
    columns.append(median)
    if with_instructions:
        columns += [sa.func.coalesce(ins_totals.c.instructions_received, 0).label("instructions_received"),
                    sa.func.coalesce(ins_totals.c.instructions_answered, 0).label("instructions_answered")]
        stmt = stmt.outerjoin(ins_totals, ins_totals.c.key == keys.c.key)
        stmt, median = _join_median(stmt, keys, response_median, "median_response_days")
        columns.append(median)
    model, on, names = _names(group, keys.c.key)
    if model is not None:
        stmt = stmt.outerjoin(model, on)
    return stmt.add_columns(*columns, *names).order_by(keys.c.key)


def _percent(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def _rounded(value, places=1):
    return round(float(value), places) if value is not None else None


def derive(row):
    """A result row as a dictionary, with the ratios (computed from the row's own counts)."""
    d = dict(row._mapping)
    # PostgreSQL answers sums as Decimal: the counts are whole numbers.
    for name in ("assigned", *_SUMS, "instructions_received", "instructions_answered"):
        if name in d:
            d[name] = int(d[name] or 0)
    d["timeliness"] = _percent(d["on_time"], d["accepted"] + d["overdue"])
    d["return_rate"] = _percent(d["returns"], d["reviews"])
    d["average_delay"] = _rounded(d.get("average_delay"))
    d["median_delay"] = _rounded(d.get("median_delay"))
    if "median_response_days" in d:
        d["median_response_days"] = _rounded(d["median_response_days"])
    return d


def compute(session, f, group):
    sql.prepare(session)
    return [derive(row) for row in session.execute(statement(f, group))]
