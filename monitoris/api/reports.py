"""/assignments/{id}/reports, /reports/{id}: execution reports, their review, and their documents."""

from flask import request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import PreconditionFailed, PreconditionRequired, RequestEntityTooLarge

from monitoris import permissions, work
from monitoris.api.core import IF_MATCH, actor, bp, get_or_404
from monitoris.documents import sniff
from monitoris.documents.serve import send_document
from monitoris.errors import PayloadTooLarge, ValidationError
from monitoris.extensions import db
from monitoris.models import Assignment, Document, Report
from monitoris.schemas.common import MAX_ID
from monitoris.schemas.reports import (
    DocumentListSchema,
    DocumentSchema,
    ReportCreateSchema,
    ReportPatchSchema,
    ReportSchema,
    ReviewSchema,
    UploadSchema,
)
from monitoris.services import documents, reports

TAG = ["Reports"]
DOC_TAG = ["Documents"]
ID = f"<int(min=1, max={MAX_ID}):object_id>"
ETAG = {"ETag": {"description": "The report's lock_version, for If-Match", "schema": {"type": "string"}}}


def _etag(report):
    return f'"reports-{report.id}-v{report.lock_version}"'


def _with_etag(report, status=200, extra=None):
    return report, status, {"ETag": _etag(report)} | (extra or {})


def _check_if_match(report):
    # As core.check_if_match, with the report's lock column (its ``version`` is the report's own number).
    if "If-Match" not in request.headers:
        raise PreconditionRequired(_("Send If-Match with the ETag from your last read of this report."))
    if not (request.if_match.star_tag or request.if_match.contains(_etag(report).strip('"'))):
        raise PreconditionFailed(_("This report changed since you read it: read it again, then repeat the change."))


def _assignment(object_id):
    return get_or_404(Assignment, object_id, permissions.can_view_assignment)


def _report(object_id):
    return get_or_404(Report, object_id, permissions.can_view_report)


@bp.route(f"/assignments/{ID}/reports", methods=["GET"], tags=TAG)
@bp.response(200, ReportSchema(many=True))
def list_reports(object_id):
    """The assignment's reports, every version, by period."""
    return work.reports_of(_assignment(object_id))


@bp.route(f"/assignments/{ID}/reports", methods=["POST"], tags=TAG)
@bp.arguments(ReportCreateSchema)
@bp.response(201, ReportSchema, headers=ETAG)
def create_report(args, object_id):
    """Start a draft report for a period, or the next version of a returned one (the body's people)."""
    report = reports.create(actor(), _assignment(object_id), **args)
    db.session.commit()
    return _with_etag(report, 201, {"Location": url_for("api.get_report", object_id=report.id)})


@bp.route(f"/reports/{ID}", methods=["GET"], tags=TAG)
@bp.response(200, ReportSchema, headers=ETAG)
def get_report(object_id):
    """One report with its documents."""
    return _with_etag(_report(object_id))


@bp.route(f"/reports/{ID}", methods=["PATCH"], tags=TAG)
@bp.arguments(ReportPatchSchema)
@bp.response(200, ReportSchema, headers=ETAG)
@bp.doc(parameters=[IF_MATCH])
def update_report(args, object_id):
    """Change a draft's text or progress; send If-Match.  A submitted report is 409."""
    report = _report(object_id)
    _check_if_match(report)
    reports.update(actor(), report, **args)
    db.session.commit()
    return _with_etag(report)


@bp.route(f"/reports/{ID}/submit", methods=["POST"], tags=TAG)
@bp.response(200, ReportSchema, headers=ETAG)
def submit_report(object_id):
    """Submit the draft: it and its documents are frozen, the assignment is submitted."""
    report = _report(object_id)
    reports.submit(actor(), report)
    db.session.commit()
    return _with_etag(report)


@bp.route(f"/reports/{ID}/review", methods=["POST"], tags=TAG)
@bp.arguments(ReviewSchema)
@bp.response(200, ReportSchema, headers=ETAG)
def review_report(args, object_id):
    """Accept (ticking the evidence requirements in ``checked``) or return with a comment (the control body)."""
    report = _report(object_id)
    reports.review(actor(), report, args["decision"], args["comment"], args["checked"])
    db.session.commit()
    return _with_etag(report)


@bp.route(f"/reports/{ID}/documents", methods=["GET"], tags=DOC_TAG)
@bp.response(200, DocumentListSchema)
def list_report_documents(object_id):
    """The report's documents."""
    return {"items": work.documents_of_report(_report(object_id))}


def upload_files(owner):
    """Attach the request's ``files`` to ``owner``; one refused file refuses the lot."""
    try:
        files = [f for f in request.files.getlist("files") if f and f.filename]
    except RequestEntityTooLarge as exc:
        raise PayloadTooLarge(_("The request is larger than the server accepts; each file may be up to %(limit)s.",
                                limit=documents.describe_limit())) from exc
    if not files:
        raise ValidationError(_("No file was sent."), errors={"files": [
            _("Send one or more files as multipart form data in the field files.")]})
    attached = documents.attach_all(actor(), owner, [(f.stream, f.filename) for f in files])
    db.session.commit()
    return {"items": attached}


@bp.route(f"/reports/{ID}/documents", methods=["POST"], tags=DOC_TAG)
@bp.arguments(UploadSchema, location="files")
@bp.response(201, DocumentListSchema)
@bp.alt_response(413, description="A file is larger than the limit; nothing was stored")
def upload_report_documents(_files, object_id):
    """Attach evidence to a draft report (multipart, field ``files``, several at once).

    The type is checked by the content (PDF, images, DOCX/XLSX/ODT/ODS, plain text, CSV); anything
    else is 422, a file over the size limit 413; in both cases nothing is stored.
    """
    return upload_files(_report(object_id)), 201


@bp.route(f"/documents/{ID}", methods=["GET"], tags=DOC_TAG)
@bp.response(200, DocumentSchema)
def get_document(object_id):
    """A document's metadata."""
    return get_or_404(Document, object_id, permissions.can_view_document)


CONTENT_TYPES = {t: {"schema": {"type": "string", "format": "binary"}} for t in sorted(set(sniff.SERVED_AS.values()))}


@bp.route(f"/documents/{ID}/content", methods=["GET"], tags=DOC_TAG)
@bp.doc(responses={200: {"description": "The file, as an attachment with its original name",
                         "content": CONTENT_TYPES}})
def get_document_content(object_id):
    """The file itself (after the same permission check as the report, on every request)."""
    return send_document(get_or_404(Document, object_id, permissions.can_view_document))
