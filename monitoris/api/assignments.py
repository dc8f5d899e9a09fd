"""/tasks/{id}/assignments, /assignments: giving tasks to executive bodies, and the workflow."""

from flask import current_app, url_for
from flask_babel import gettext as _

from monitoris import clock, permissions, queries, work
from monitoris.api.core import (
    ETAG,
    IF_MATCH,
    IF_MATCH_OPTIONAL,
    actor,
    as_page,
    bp,
    check_if_match,
    check_if_match_when_sent,
    etag_header,
    get_or_404,
    page_of,
    page_size,
    read_only,
)
from monitoris.errors import Forbidden, ValidationError
from monitoris.extensions import db
from monitoris.models import Assignment, Organization, Task, User
from monitoris.schemas.assignments import (
    AssignmentArgs,
    AssignmentCreateSchema,
    AssignmentDetailSchema,
    AssignmentPageSchema,
    AssignmentPatchSchema,
    AssignmentSchema,
    TransitionSchema,
    dump_assignment_rows,
)
from monitoris.schemas.common import MAX_ID, PageArgs
from monitoris.services import assignments, reports

TAG = ["Assignments"]
ID = f"<int(min=1, max={MAX_ID}):object_id>"


def _can_view(user, assignment):
    # As in the work lists: an executive body does not see assignments of a draft act.
    return permissions.can_view_assignment(user, assignment) and permissions.can_view_task(user, assignment.task)


def _timeline(assignment):
    # The assignment's own events and those of its reports, documents, instructions and extension requests.
    return work.timeline(actor(), assignment)


def _detail(assignment):
    assignment.timeline = _timeline(assignment)
    assignment.periods = reports.period_states(assignment, clock.today())
    return assignment, 200, etag_header(assignment)


@bp.route(f"/tasks/{ID}/assignments", methods=["GET"], tags=TAG)
@bp.arguments(PageArgs, location="query")
@bp.response(200, AssignmentPageSchema)
def list_task_assignments(args, object_id):
    """The bodies a task is assigned to (those you may see)."""
    task = get_or_404(Task, object_id, permissions.can_view_task)
    stmt = queries.assignments(actor(), today=clock.today(), task_id=task.id, sort="organization")
    return page_of(stmt, args)


@bp.route(f"/tasks/{ID}/assignments", methods=["POST"], tags=TAG)
@bp.arguments(AssignmentCreateSchema)
@bp.response(201, AssignmentSchema, headers=ETAG)
def assign(args, object_id):
    """Assign the task to an executive body (controller)."""
    task = get_or_404(Task, object_id, permissions.can_view_task)
    if not permissions.can_assign(actor(), task):
        raise Forbidden(_("Only a controller may assign tasks."))
    responsible = None
    if args["responsible_id"] is not None:
        responsible = db.session.get(User, args["responsible_id"])
        if responsible is None:
            raise ValidationError(_("The task could not be assigned."),
                                  errors={"responsible_id": [_("Choose a person.")]})
    assignment = assignments.assign(actor(), task, db.session.get(Organization, args["organization_id"]),
                                    due_on=args["due_on"], role=args["role"], responsible=responsible,
                                    note=args["note"])
    db.session.commit()
    location = url_for("api.get_assignment", object_id=assignment.id)
    return assignment, 201, etag_header(assignment) | {"Location": location}


@bp.route("/assignments", methods=["GET"], tags=TAG)
@read_only
# An instance, not the class: webargs would build a schema on every request (marshmallow loads are stateless).
@bp.arguments(AssignmentArgs(), location="query")
@bp.response(200, AssignmentPageSchema)
def list_assignments(args):
    """Work lists: the assignments you may see, filtered and sorted."""
    filters = {k: args.get(k) for k in ("organization_id", "act_id", "state", "overdue", "due_before",
                                        "due_after", "q")}
    today = clock.today()
    # Items carry ids, not the task or the people: the page selects the assignments' own columns only.
    page = as_page(queries.assignment_page(actor(), today=today, page=args.get("page", 1), per_page=page_size(args),
                                           sort=args["sort"], **filters))
    # Dumped by a plain function rather than by AssignmentSchema, field by field (the schema stays the
    # documented contract; tests/api/test_list_fast_path.py holds them equal).
    page["items"] = dump_assignment_rows(page["items"], actor(), today)
    return current_app.json.iso_response(page)


@bp.route(f"/assignments/{ID}", methods=["GET"], tags=TAG)
@bp.response(200, AssignmentDetailSchema, headers=ETAG)
def get_assignment(object_id):
    """One assignment with its timeline (its audit events, oldest first)."""
    return _detail(get_or_404(Assignment, object_id, _can_view))


@bp.route(f"/assignments/{ID}", methods=["PATCH"], tags=TAG)
@bp.arguments(AssignmentPatchSchema)
@bp.response(200, AssignmentDetailSchema, headers=ETAG)
@bp.doc(parameters=[IF_MATCH])
def update_assignment(args, object_id):
    """Change the due date, role, responsible person, progress or note; send If-Match.

    The control body changes the due date, role and note; the body's head chooses the responsible
    person; the body's people report progress while the work is open.
    """
    assignment = get_or_404(Assignment, object_id, _can_view)
    check_if_match(assignment)
    assignments.update(actor(), assignment, **args)
    db.session.commit()
    return _detail(assignment)


@bp.route(f"/assignments/{ID}/transitions", methods=["POST"], tags=TAG)
@bp.arguments(TransitionSchema)
@bp.response(200, AssignmentDetailSchema, headers=ETAG)
@bp.doc(parameters=[IF_MATCH_OPTIONAL])
def transition(args, object_id):
    """Move the assignment through its workflow: start, submit, accept, return, cancel, reopen.

    An action the state does not allow is 409; return, cancel and reopen need a comment.
    If-Match is honoured when sent.
    """
    assignment = get_or_404(Assignment, object_id, _can_view)
    check_if_match_when_sent(assignment)
    assignments.transition(actor(), assignment, args["action"], args["comment"])
    db.session.commit()
    return _detail(assignment)
