"""Performance analysis pages: the tables with every figure a link, the index's working, the lists, exports.

The figures come from monitoris.analysis (SQL aggregation); these views parse the filters, scope
by the reader's permissions, and render.
"""

from urllib.parse import quote_plus

from flask import Blueprint, Response, abort, current_app, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateField, SelectChoice, SelectField
from wtforms.validators import Optional, ValidationError

from monitoris import clock, permissions, queries
from monitoris.analysis import charts, drilldown, export, figures, index, sql, tables, trend
from monitoris.extensions import db
from monitoris.models import ORGANIZATION_KINDS, Organization
from monitoris.web.forms import Form
from monitoris.web.helpers import OptionalSelectField, format_date, label_choices

bp = Blueprint("analysis", __name__, url_prefix="/analysis")

TABLES = ("organizations", "acts", "controllers", "trend")
GROUP_OF = {"organizations": "organization", "acts": "act", "controllers": "controller", "trend": "month"}
FILTER_NAMES = ("date_from", "date_to", "act_id", "controller_id", "kind")


def _within_the_calendar(form, field):
    if field.data is not None and not sql.FIRST_DAY <= field.data <= sql.LAST_DAY:
        raise ValidationError(_("Give a date from %(first)s to %(last)s.", first=format_date(sql.FIRST_DAY),
                                last=format_date(sql.LAST_DAY)))


class FilterForm(Form):
    class Meta:
        csrf = False

    date_from = DateField(_l("From"), validators=[Optional(), _within_the_calendar])
    date_to = DateField(_l("To"), validators=[Optional(), _within_the_calendar])
    act_id = OptionalSelectField(_l("Act"), validate_choice=False)
    controller_id = OptionalSelectField(_l("Controller"), validate_choice=False)
    kind = SelectField(_l("Kind of body"), validate_choice=False, choices=[
        SelectChoice("", _l("All kinds")), *label_choices([k for k in ORGANIZATION_KINDS if k != "control"], "kind")])

    def fill_choices(self, user):
        self.act_id.choices = [SelectChoice("", _l("All acts"))] + [
            SelectChoice(a.id, a.display_title) for a in db.session.scalars(queries.acts(user))]
        people = db.session.scalars(queries.users(role="controller")).all()
        self.controller_id.choices = [SelectChoice("", _l("All controllers"))] + [
            SelectChoice(u.id, u.name) for u in people]
        return self

    def filters(self, user, *, scoped=True, **extra):
        valid = self.validate()
        date_from, date_to = self.date_from.data, self.date_to.data
        problem = tables.range_problem(date_from, date_to) if valid else None
        if problem:
            field = self.date_to if date_to else self.date_from
            field.errors = [*field.errors, problem]
        if not valid or problem:
            date_from = date_to = None
        kind = self.kind.data if self.kind.data in ORGANIZATION_KINDS else None
        return tables.make_filters(user, date_from=date_from, date_to=date_to, act_id=self.act_id.data,
                                   controller_id=self.controller_id.data, kind=kind, scoped=scoped, **extra)


def _form():
    return FilterForm(request.args).fill_choices(current_user)


def filter_args(f):
    """The query-string form of the filters in force, for links to lists and exports."""
    args = {"date_from": f.date_from.isoformat(), "date_to": f.date_to.isoformat()}
    for name in ("act_id", "controller_id", "kind"):
        value = getattr(f, name)
        if value is not None and value != "":
            args[name] = value
    return args


def _int_arg(name):
    value = request.args.get(name, "")
    if value == "":
        return None
    try:
        return int(value)
    except ValueError:
        abort(404)


def _organization_or_404(organization_id):
    organization = db.session.get(Organization, organization_id)
    if organization is None or not tables.may_see_detail(current_user, organization):
        abort(404)
    return organization


def _trend_organization():
    organization_id = _int_arg("trend_organization_id")
    return _organization_or_404(organization_id) if organization_id else None


@bp.get("")
@login_required
def index_page():
    form = _form()
    f = form.filters(current_user, scoped=False)
    scoped = form.filters(current_user)
    organizations = tables.organizations(current_user, f)
    trend_org = _trend_organization()
    trend_filters = tables.make_filters(current_user, **_same(scoped), organization_id=trend_org.id) \
        if trend_org else scoped
    trend_rows = trend.trend(current_user, trend_filters)
    overall = tables.overall(current_user, scoped)
    visible = [r for r in organizations if not r["restricted"]]
    pictures = {
        "timeliness": charts.bar_chart([(r["name"], r["timeliness"]) for r in visible
                                        if r["timeliness"] is not None],
                                       maximum=100, unit="%", title=_("Timeliness by body")),
        "trend": charts.stacked_bars([(r["month"], [r["on_time"], r["late"], r["overdue"], r["open_not_due"]])
                               for r in trend_rows], _series(), title=_("Monthly trend")),
        "states": charts.bar_chart([(figures.LABELS[k], overall[k] if overall else 0) for k in
                             ("on_time", "late", "overdue", "open_not_due")], title=_("Items by outcome")),
    }
    return render_template(
        "analysis/index.html", form=form, f=f, args=filter_args(f), organizations=organizations,
        acts=tables.table(current_user, scoped, "act"), controllers=tables.table(current_user, scoped, "controller"),
        trend_rows=trend_rows, trend_org=trend_org, overall=overall, charts=pictures,
        figure_names=figures.FIGURES, labels=figures.LABELS, list_of=drilldown.figure_for,
        whole_country=permissions.reads_everything(current_user),
        bands=current_app_bands(), trend_orgs=[r for r in visible])


def _series():
    return [_("Accepted on time"), _("Accepted late"), _("Overdue now"), _("Open, not yet due")]


def current_app_bands():
    return current_app.config["ANALYSIS_BANDS"]


def _same(f):
    return {"date_from": f.date_from, "date_to": f.date_to, "act_id": f.act_id, "controller_id": f.controller_id,
            "kind": f.kind}


@bp.get("/organizations/<int:organization_id>")
@login_required
def working(organization_id):
    organization = _organization_or_404(organization_id)
    form = _form()
    f = form.filters(current_user, scoped=False)
    ranking = tables.organizations(current_user, f)
    position = next((r for r in ranking if r["key"] == organization.id), None)
    row = tables.working(current_user, f, organization)
    org_trend = trend.trend(current_user, tables.make_filters(current_user, **_same(f),
                                                              organization_id=organization.id))
    return render_template("analysis/working.html", organization=organization, row=row, position=position,
                           ranking_size=sum(1 for r in ranking if r["rank"]), f=f, args=filter_args(f), form=form,
                           labels=figures.LABELS, figure_names=figures.FIGURES, list_of=drilldown.figure_for,
                           components=index.COMPONENTS, bands=current_app_bands(), trend_rows=org_trend,
                           chart=charts.stacked_bars([(r["month"], [r["on_time"], r["late"], r["overdue"],
                                                             r["open_not_due"]]) for r in org_trend],
                                              _series(), title=_("Monthly trend")))


def _drilldown_filters():
    form = _form()
    organization_id = _int_arg("organization_id")
    if organization_id:
        _organization_or_404(organization_id)
    f = form.filters(current_user, organization_id=organization_id)
    if request.args.get("act_id") and f.act_id is None:
        abort(404)
    return form, f


@bp.get("/drilldown")
@login_required
def drilldown_page():
    figure = drilldown.figure_for(request.args.get("figure", ""))
    if figure is None:
        abort(404)
    form, f = _drilldown_filters()
    month = request.args.get("month") or None
    listing = drilldown.listing(tables.session(), f, figure, month=month,
                                page=request.args.get("page", 1, type=int), per_page=100)
    organization = db.session.get(Organization, f.organization_id) if f.organization_id else None
    return render_template("analysis/drilldown.html", listing=listing, f=f, args=filter_args(f), form=form,
                           organization=organization, month=month, today=clock.today(),
                           export_args={**request.args.to_dict(), "figure": figure})


DRILLDOWN_COLUMNS = [("assignment_id", _l("Assignment")), ("number", _l("No.")), ("title", _l("Event name")),
                     ("organization", _l("Body")), ("period", _l("Period")), ("due_on", _l("Due (effective)")),
                     ("baseline_on", _l("Due (baseline)")), ("submitted_on", _l("Submitted on")),
                     ("delay", _l("Delay (days)")),
                     ("version", _l("Report version")), ("report_state", _l("Report state")),
                     ("previous_due_on", _l("Due before")), ("proposed_due_on", _l("Due proposed")),
                     ("decision", _l("Decision")), ("instruction_id", _l("Instruction")),
                     ("issued_at", _l("Issued")),
                     ("answered_at", _l("Answered")), ("response_days", _l("Response (days)"))]


def _table_title(name):
    """The worksheet title of an exported table, in the reader's language (and so the file's name)."""
    titles = {"acts": _("Acts"), "controllers": _("Controllers"), "organizations": _("Organizations"),
              "trend": _("Monthly trend")}
    return titles.get(name) or name.capitalize()


@bp.get("/export/<name>.<fmt>")
@login_required
def export_table(name, fmt):
    if fmt not in export.MEDIA_TYPES or name not in (*TABLES, "drilldown"):
        abort(404)
    form = _form()
    if name == "drilldown":
        figure = drilldown.figure_for(request.args.get("figure", ""))
        if figure is None:
            abort(404)
        form, f = _drilldown_filters()
        listing = drilldown.listing(tables.session(), f, figure, month=request.args.get("month") or None,
                                    per_page=None)
        present = {k for row in listing.rows for k in row}
        columns = [c for c in DRILLDOWN_COLUMNS if c[0] in present]
        rows, title = listing.rows, figures.LABELS.get(figure, figure)
    elif name == "organizations":
        rows = tables.organizations(current_user, form.filters(current_user, scoped=False))
        columns, title = tables.columns("organization"), _("Organizations")
    elif name == "trend":
        trend_org = _trend_organization()
        f = form.filters(current_user, organization_id=trend_org.id if trend_org else None)
        rows, columns, title = trend.trend(current_user, f), tables.columns("month"), _("Monthly trend")
    else:
        group = GROUP_OF[name]
        rows = tables.table(current_user, form.filters(current_user), group)
        columns, title = tables.columns(group), _table_title(name)
    body = export.render(fmt, columns, rows, title)
    return Response(body, mimetype=export.MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": export.attachment(f"analysis-{name}", title, clock.today(), fmt)})


def drilldown_url(figure, args, **where):
    """The list behind a figure.  An analysis page links thousands of figures with the same filters: the URL is
    built once per shape (filters and names of ``where``) and request, with markers where the figure and the
    values go, and the markers are filled in for each figure."""
    target = drilldown.figure_for(figure)
    if target is None:
        return None
    shape = (tuple(args.items()), tuple(where))
    patterns = g.setdefault("drilldown_urls", {})
    pattern = patterns.get(shape)
    if pattern is None:
        markers = {name: f"zzwhere{i}zz" for i, name in enumerate(where)}  # letters and digits: kept as they are
        pattern = patterns[shape] = url_for("analysis.drilldown_page", figure="zzfigurezz", **{**args, **markers})
    url = pattern.replace("zzfigurezz", quote_plus(target, safe=URL_SAFE), 1)
    for i, value in enumerate(where.values()):
        url = url.replace(f"zzwhere{i}zz", quote_plus(str(value), safe=URL_SAFE), 1)
    return url


URL_SAFE = "!$'()*,/:;?@"  # what url_for leaves unquoted in a query (werkzeug.urls._urlencode)


@bp.app_template_global("analysis_link")
def analysis_link(figure, args, **where):
    return drilldown_url(figure, args, **where)
