"""One document: its page (name, size, type, sha256, who and when), its download, its removal from a draft."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from monitoris import permissions
from monitoris.documents import sniff
from monitoris.documents.serve import send_document
from monitoris.extensions import db
from monitoris.models import Document
from monitoris.services import documents as documents_service
from monitoris.web.helpers import get_visible

bp = Blueprint("documents", __name__)


@bp.app_template_filter("document_type")
def type_name(media_type):
    """A document's type as people know it ("XLSX", "PDF") rather than its media type."""
    return sniff.NAMES.get(media_type) or media_type or ""


def _document(document_id):
    # The same rule as the report or instruction it belongs to, on every request, download included.
    return get_visible(Document, document_id, permissions.can_view_document)


@bp.get("/documents/<int:document_id>")
@login_required
def show(document_id):
    document = _document(document_id)
    return render_template("documents/show.html", document=document, type_name=type_name(document.media_type),
                           can_remove=permissions.can_remove_document(current_user, document))


@bp.get("/documents/<int:document_id>/download")
@login_required
def download(document_id):
    return send_document(_document(document_id))


@bp.post("/documents/<int:document_id>/remove")
@login_required
def remove(document_id):
    document = _document(document_id)
    if not FlaskForm().validate_on_submit() or not permissions.can_remove_document(current_user, document):
        abort(403)
    back = (url_for("reports.show", report_id=document.report_id, _anchor="documents") if document.report_id
            else url_for("instructions.show", instruction_id=document.instruction_id))
    documents_service.remove(current_user, document)
    db.session.commit()
    flash(_("%(filename)s has been removed.", filename=document.filename), "success")
    return redirect(back)
