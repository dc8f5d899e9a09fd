"""/public/tasks: the open data, without login — published tasks of public acts and their progress.

JSON (paginated, like every list) or CSV (every matching row, streamed).  Only what
monitoris.public exposes ever leaves here.  Answers carry an ETag of their content, so a
harvester polling the data gets ``304 Not Modified`` until something changes.
"""

import csv
import hashlib
import io
import json

from flask import Response, current_app, request, stream_with_context

from monitoris import clock
from monitoris import public as public_data
from monitoris.api.core import bp, public
from monitoris.schemas.public import PublicTaskArgs, PublicTaskPageSchema, PublicTaskSchema
from monitoris.spreadsheets import csv_text

TAG = ["Open data"]
CSV_FIELDS = (
    "id", "uri", "act_id", "act_number", "act_title", "act_state", "section_number", "section_title", "number",
    "title", "indicator", "period", "period_start", "period_end", "recurrence", "due_on", "state", "progress",
    "next_due_on", "on_time", "organization_ids", "organizations", "organization_states", "organization_due_dates",
    "updated_at",
)
CACHE_CONTROL = "public, max-age=60"

_task_schema = PublicTaskSchema()
_page_schema = PublicTaskPageSchema()


def task_uri(task_id):
    """The task's stable address on the public portal, on the configured base URL."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/public/tasks/{task_id}"


def _with_uri(task):
    task.uri = task_uri(task.id)
    return task


def _filters(args):
    return {key: args.get(key) for key in ("act_id", "organization_id", "state", "q")}


@bp.route("/public/tasks", methods=["GET"], tags=TAG)
@public
@bp.arguments(PublicTaskArgs, location="query")
@bp.response(200, PublicTaskPageSchema)
@bp.doc(security=[], responses={
    200: {"description": "format=json: one page of tasks; format=csv: every matching task, one row each",
          "content": {"text/csv": {"schema": {"type": "string"}}}},
    304: {"description": "Not modified since the ETag sent in If-None-Match"},
})
def list_public_tasks(args):
    """Open data: the published tasks of active and closed acts, with their state and progress.

    No login.  Only published tasks of acts that are not drafts appear, with the executive bodies
    that hold them (names only: never people) and the progress of each.  `format=csv` answers
    every matching row at once (page and page_size do not apply); cells a spreadsheet would read as
    a formula start with a `'`.  Licence of the data: CC BY 4.0.
    """
    today = clock.today()
    if args["format"] == "csv":
        return _csv(public_data.all_tasks(today, **_filters(args)))
    page = public_data.tasks(today, page=args["page"], per_page=args.get("page_size") or current_app.config[
        "PAGE_SIZE"], **_filters(args))
    body = _page_schema.dump({"items": [_with_uri(t) for t in page.items], "total": page.total, "page": page.page,
                              "page_size": page.per_page, "pages": page.pages})
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    response = Response(payload, mimetype="application/json")
    response.set_etag(hashlib.sha256(payload.encode()).hexdigest()[:32])
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response.make_conditional(request)


def safe_cell(value):
    """A CSV cell no spreadsheet will evaluate: text that would start a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return csv_text(value) if isinstance(value, str) else str(value)


def _row(task):
    data = {name: getattr(task, name, None) for name in CSV_FIELDS}
    data["uri"] = task_uri(task.id)
    data["period"] = task.period_label
    data["organization_ids"] = "; ".join(str(a.organization.id) for a in task.assignments)
    data["organizations"] = "; ".join(a.organization.short_name for a in task.assignments)
    data["organization_states"] = "; ".join(a.state for a in task.assignments)
    data["organization_due_dates"] = "; ".join(a.due_on.isoformat() for a in task.assignments)
    return [safe_cell(data[name]) for name in CSV_FIELDS]


def _csv(tasks):
    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_FIELDS)
        for task in tasks:
            writer.writerow(_row(task))
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="monitoris-public-tasks.csv"'
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
