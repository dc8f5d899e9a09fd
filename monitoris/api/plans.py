"""/acts/{id}/import and /acts/{id}/report: importing an action plan, and the implementation report."""

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from monitoris import clock, permissions
from monitoris.api.core import actor, bp, get_or_404
from monitoris.errors import Forbidden, NotFound, ValidationError, problem
from monitoris.extensions import db
from monitoris.models import Act, Organization
from monitoris.plans import importer, render
from monitoris.plans import report as implementation
from monitoris.schemas.common import MAX_ID
from monitoris.schemas.plans import (
    ImplementationReportArgs,
    ImplementationReportSchema,
    PlanFileSchema,
    PlanImportArgs,
    PlanResultSchema,
)

TAG = ["Plans"]
ID = f"<int(min=1, max={MAX_ID}):object_id>"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
BINARY = {"schema": {"type": "string", "format": "binary"}}
REPORT_RESPONSES = {"200": {"description": "The report: JSON, or a page or a file (``format``)", "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/ImplementationReport"}},
    "text/html": {"schema": {"type": "string"}},
    render.MEDIA_TYPES["docx"]: BINARY, render.MEDIA_TYPES["xlsx"]: BINARY, render.MEDIA_TYPES["pdf"]: BINARY,
}}}


def _plan_json(plan, dry_run):
    tasks = [{
        "row": i.row, "number": i.number, "parent_number": i.parent_number, "depth": i.depth, "kind": i.kind,
        "status": i.status, "task_id": i.task_id, "title": i.title, "indicator": i.indicator,
        "period_start": i.period_start, "period_end": i.period_end, "period_label": i.period_label,
        "recurrence": i.recurrence, "due_on": i.due_on, "assignment_due_on": i.assignment_due_on,
        "bodies": [{"organization_id": b.organization.id, "short_name": b.organization.short_name, "role": b.role}
                   for b in i.bodies],
    } for i in plan.items]
    return {"act_id": plan.act.id, "dry_run": dry_run, "imported": plan.imported, "format": plan.format,
            "counts": plan.counts(), "tasks": tasks, "warnings": [p.as_dict() for p in plan.warnings]}


@bp.route(f"/acts/{ID}/import", methods=["POST"], tags=TAG)
@bp.arguments(PlanImportArgs, location="query", arg_name="query")
@bp.arguments(PlanFileSchema, location="files", arg_name="upload")
@bp.response(200, PlanResultSchema)
@bp.alt_response(403, description="Not a controller, or the act is closed")
def import_plan(object_id, query, upload):
    """Import an action plan into the act (controller): multipart, field ``file`` (XLSX, CSV or DOCX).

    Columns are found by their headers (en, az, ru).  With ``dry_run=true`` nothing is written and the
    answer is what would be created.  Any problem in any row makes the whole import 422, with ``errors``
    keyed ``row N`` (``file`` for the file as a whole); nothing is written unless every row is valid.
    Numbers the act already has are skipped and listed in ``warnings`` (a re-import never duplicates).
    """
    act = get_or_404(Act, object_id, permissions.can_view_act)
    if not permissions.can_manage_acts(actor()):
        raise Forbidden(_("Only a controller may import a plan."))
    dry_run = query["dry_run"]
    file = upload["file"]
    limit = current_app.config.get("PLAN_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("The file is larger than %(size)s MB.", size=limit // (1024 * 1024)),
                              errors={"file": [_("The file is too large.")]})
    plan = importer.import_plan(actor(), act, data, file.filename, dry_run=dry_run)
    if not plan.valid:
        db.session.rollback()
        detail = ngettext("The plan has %(num)d problem; nothing was imported.",
                          "The plan has %(num)d problems; nothing was imported.", len(plan.errors))
        return problem(422, "Invalid input", detail, plan.error_messages())
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return _plan_json(plan, dry_run)


@bp.route(f"/acts/{ID}/report", methods=["GET"], tags=TAG)
@bp.arguments(ImplementationReportArgs, location="query")
@bp.response(200, ImplementationReportSchema)
@bp.doc(responses=REPORT_RESPONSES)
def implementation_report(args, object_id):
    """The implementation report of the act for a year: by one body, or by all bodies (one table, grouped).

    An executive body may get only its own report (and its sub-units'); the control body and observers any.
    """
    act = get_or_404(Act, object_id, permissions.can_view_act)
    organization = None
    if args.get("organization_id"):
        organization = db.session.get(Organization, args["organization_id"])
        if organization is None or not implementation.may_view(actor(), act, organization):
            raise NotFound(_("There is no such organization, or you do not have access to its report."))
    elif not permissions.reads_everything(actor()):
        raise NotFound(_("Name your organization: organization_id."))
    report = implementation.build(act, args.get("year") or clock.today().year, organization)
    if args["format"] != "json":
        return render.response(report, args["format"])
    return {"act_id": act.id, "organization_id": organization.id if organization else None, "year": report.year,
            "title": report.title, "columns": list(implementation.COLUMNS),
            "rows": [{"kind": r.kind, "number": r.number, "title": r.title, "indicator": r.indicator,
                      "period": r.period, "status": r.status, "paragraphs": r.paragraphs, "depth": r.depth}
                     for r in report.rows]}
