"""The analysis as a reader gets it: filters, scoping by permissions, the index, the ranking.

Controllers, observers and admins see every body's figures.  An org_head or executor sees the
figures of their own organization (and its sub-units) and, for the others, only the ranking
positions: rank, name, index and grade.
"""

from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from monitoris import clock, permissions, queries
from monitoris.analysis import figures, index, sql
from monitoris.analysis.items import Filters

RANKING_FIELDS = ("rank", "key", "name", "full_name", "index", "grade")


def session():
    """The session analysis reads through: the read replica's when one is configured."""
    return queries.read_session()


def may_see_detail(user, organization):
    """Figures and lists of ``organization``: everyone who reads everything, and the body's own people."""
    if permissions.reads_everything(user):
        return True
    return (user is not None and user.is_authenticated and organization is not None
            and organization.is_within(user.organization))


# The longest range the analysis takes: its trend shows every month of it (a range over centuries took the page
# 16 s and 18 MB to draw).
MAX_YEARS = 25


def range_problem(date_from, date_to, today=None):
    """What is wrong with a range (either end may be missing: this year's end stands in), or None."""
    default_from, default_to = sql.year_range(today or clock.today())
    date_from, date_to = date_from or default_from, date_to or default_to
    if date_from > date_to:
        return _("The end of the range is before its start.")
    if (date_to.year - date_from.year) * 12 + date_to.month - date_from.month >= MAX_YEARS * 12:
        return _("Choose a range of at most %(years)s years.", years=MAX_YEARS)
    return None


def make_filters(user, *, date_from=None, date_to=None, act_id=None, controller_id=None, kind=None,
                 organization_id=None, scoped=True, today=None):
    """Filters for a query; ``scoped``: limited to what ``user`` may see in detail."""
    today = today or clock.today()
    default_from, default_to = sql.year_range(today)
    scope = None if (not scoped or permissions.reads_everything(user)) else permissions.own_organization_ids(user)
    return Filters(date_from=date_from or default_from, date_to=date_to or default_to, today=today,
                   timezone=current_app.config["TIMEZONE"], dialect=session().get_bind().dialect.name,
                   act_id=act_id, controller_id=controller_id, kind=kind, organization_id=organization_id,
                   scope=scope)


def _with_index(rows):
    weights, bands = current_app.config["ANALYSIS_WEIGHTS"], current_app.config["ANALYSIS_BANDS"]
    for row in rows:
        result = index.compute(row, weights, bands)
        row["index"], row["grade"], row["working"] = result.value, result.grade, result.lines
    return rows


def table(user, f, group):
    """The rows of one table (per act, per controller, per month, overall), scoped to ``user``."""
    return _with_index(figures.compute(session(), f, group))


def organizations(user, f):
    """Per organization, ranked by index.  Rows the reader may not see in detail keep only the ranking fields.

    The index of every body is computed over all bodies (the ranking is shared), so ``f`` must be
    unscoped here; the detail is withheld row by row.
    """
    rows = index.rank(_with_index(figures.compute(session(), f, "organization")))
    if permissions.reads_everything(user):
        for row in rows:
            row["restricted"] = False
        return rows
    own = set(session().scalars(permissions.own_organization_ids(user)))
    for i, row in enumerate(rows):
        if row["key"] not in own:
            rows[i] = {k: row.get(k) for k in RANKING_FIELDS} | {"restricted": True}
        else:
            row["restricted"] = False
    return rows


def overall(user, f):
    rows = table(user, f, "overall")
    return rows[0] if rows else None


def working(user, f, organization):
    """One organization's figures and the index's working; None when it has no work in the range."""
    rows = figures.compute(session(), Filters(**{**f.__dict__, "organization_id": organization.id}),
                           "organization")
    row = next((r for r in rows if r["key"] == organization.id), None)
    if row is None:
        return None
    return _with_index([row])[0]


def months(date_from: date, date_to: date):
    """["2026-01", …, "2026-12"]: every month the range touches."""
    out, y, m = [], date_from.year, date_from.month
    while (y, m) <= (date_to.year, date_to.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


_LEAD_COLUMNS = {
    "organization": [("rank", _l("Rank")), ("name", _l("Body")), ("full_name", _l("Name")), ("kind", _l("Kind"))],
    "act": [("name", _l("Act")), ("full_name", _l("Number"))],
    "controller": [("name", _l("Controller")), ("full_name", _l("Email"))],
    "overall": [],
}
TREND_COLUMNS = [("month", _l("Month"))] + [(k, figures.LABELS[k]) for k in (
    "assigned", "accepted", "on_time", "late", "overdue", "open_not_due", "timeliness", "average_delay",
    "median_delay")]
INDEX_COLUMNS = [("index", _l("Discipline index")), ("grade", _l("Grade"))]


def columns(group):
    """[(key, header)] of a table, for the pages and the exports alike."""
    if group == "month":
        return TREND_COLUMNS
    return (_LEAD_COLUMNS[group] + [(k, figures.LABELS[k]) for k in figures.FIGURES]
            + INDEX_COLUMNS)
