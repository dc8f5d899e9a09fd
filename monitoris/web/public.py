"""The public transparency portal: published acts and tasks, for anyone, without login.

Every view reads through monitoris.public, which hands over plain public records only; anything
unpublished, draft or not public is a 404, exactly like something that does not exist.
"""

from flask import Blueprint, abort, render_template, request, send_file
from werkzeug.exceptions import NotFound

from monitoris import clock
from monitoris import public as public_data
from monitoris.documents.storage import storage

bp = Blueprint("public", __name__, url_prefix="/public")


def _filters():
    state = request.args.get("state", "")
    return {
        "organization_id": request.args.get("organization_id", type=int),
        "state": state if state in public_data.TASK_STATES else None,
        "q": (request.args.get("q") or "").strip()[:200] or None,
    }


@bp.get("/")
def index():
    q = (request.args.get("q") or "").strip()[:200] or None
    return render_template("public/index.html", acts=public_data.acts(clock.today(), q=q), q=q or "")


@bp.get("/acts/<int:act_id>")
def act(act_id):
    today = clock.today()
    found = public_data.act(act_id, today)
    if found is None:
        abort(404)
    filters = _filters()
    tree = public_data.task_tree(act_id, today, **filters, page=request.args.get("page", 1, type=int))
    return render_template("public/act.html", act=found, tree=tree,
                           bodies=public_data.bodies(act_id), filters=filters, filtered=any(filters.values()),
                           states=public_data.TASK_STATES, state_labels=public_data.TASK_STATE_LABELS)


@bp.get("/tasks/<int:task_id>")
def task(task_id):
    found = public_data.task(task_id, clock.today())
    if found is None:
        abort(404)
    return render_template("public/task.html", task=found, reports=public_data.reports(task_id),
                           state_labels=public_data.TASK_STATE_LABELS)


@bp.get("/documents/<int:document_id>")
def document(document_id):
    """A document marked public, checked on every download; always an attachment, never rendered inline."""
    doc = public_data.document(document_id)
    if doc is None:
        abort(404)
    try:
        stream = storage().open(doc.sha256)
    except (FileNotFoundError, ValueError):
        abort(404)
    response = send_file(stream, mimetype=doc.media_type, as_attachment=True, download_name=doc.filename,
                         conditional=False, etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Length"] = str(doc.size)
    return response


@bp.errorhandler(404)
def not_found(exc: NotFound):
    return render_template("public/not_found.html"), 404
