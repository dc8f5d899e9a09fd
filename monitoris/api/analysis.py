"""/analysis: the performance figures per body (with the discipline index) and the monthly trend."""

from flask import Response

from monitoris import clock
from monitoris.analysis import export, tables, trend
from monitoris.api.core import actor, bp, get_or_404
from monitoris.models import Organization
from monitoris.schemas.analysis import AnalysisArgs as OrganizationArgs
from monitoris.schemas.analysis import OrganizationAnalysisSchema, TrendArgs, TrendSchema

TAG = ["Analysis"]



def _files(schema_name):
    """The 200 answer as JSON, or the same table as a CSV or XLSX file (``format``)."""
    return {"200": {"description": "The figures; a file when format is csv or xlsx", "content": {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}},
        "text/csv": {"schema": {"type": "string"}},
        export.MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
    }}}


def _filters(args, **extra):
    keys = ("date_from", "date_to", "act_id", "controller_id", "kind")
    return tables.make_filters(actor(), **{k: args.get(k) for k in keys}, **extra)


def _file(fmt, columns, rows, name):
    # Named by the day in the application's time zone (the server's own may already be another day).
    return Response(export.render(fmt, columns, rows, name), mimetype=export.MEDIA_TYPES[fmt].split(";")[0],
                    headers={"Content-Disposition": export.attachment(f"analysis-{name}", name, clock.today(), fmt)})


def _lines(row):
    if "working" in row:
        row["working"] = [line.__dict__ for line in row["working"]]
    return row


@bp.route("/analysis/organizations", methods=["GET"], tags=TAG)
@bp.arguments(OrganizationArgs, location="query")
@bp.response(200, OrganizationAnalysisSchema)
@bp.doc(responses=_files("OrganizationAnalysis"))
def analysis_organizations(args):
    """The figures of every executive body, ranked by the execution discipline index.

    Controllers, observers and admins get every body's figures; an org_head or executor gets their
    own body's (and its units') and, for the others, the ranking only (``restricted``: true).
    """
    f = _filters(args, scoped=False)
    rows = tables.organizations(actor(), f)
    if args["format"] != "json":
        return _file(args["format"], tables.columns("organization"), rows, "organizations")
    return {"date_from": f.date_from, "date_to": f.date_to, "today": f.today, "items": [_lines(r) for r in rows]}


@bp.route("/analysis/trend", methods=["GET"], tags=TAG)
@bp.arguments(TrendArgs, location="query")
@bp.response(200, TrendSchema)
@bp.doc(responses=_files("Trend"))
def analysis_trend(args):
    """Month by month (of the due date): the overall trend of what you may see, or one body's."""
    organization_id = args.get("organization_id")
    if organization_id:
        get_or_404(Organization, organization_id, tables.may_see_detail)
    f = _filters(args, organization_id=organization_id)
    rows = trend.trend(actor(), f)
    if args["format"] != "json":
        return _file(args["format"], tables.columns("month"), rows, "trend")
    return {"date_from": f.date_from, "date_to": f.date_to, "today": f.today, "organization_id": organization_id,
            "items": rows}
