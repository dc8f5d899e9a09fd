"""/acts, /acts/{id}/tasks and /tasks/{id}: legislative acts and their tasks."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from monitoris import permissions, queries
from monitoris.api.core import ETAG, IF_MATCH, actor, bp, check_if_match, etag_header, get_or_404, page_of
from monitoris.errors import Forbidden
from monitoris.extensions import db
from monitoris.models import Act, Task
from monitoris.schemas.acts import (
    ActArgs,
    ActPageSchema,
    ActPatchSchema,
    ActSchema,
    TaskPageSchema,
    TaskPatchSchema,
    TaskSchema,
)
from monitoris.schemas.common import MAX_ID, PageArgs
from monitoris.services import acts, tasks

ACT_TAG = ["Acts"]
TASK_TAG = ["Tasks"]
ID = f"<int(min=1, max={MAX_ID}):object_id>"


def _may_manage_acts():
    if not permissions.can_manage_acts(actor()):
        raise Forbidden(_("Only a controller may change acts and tasks."))


# -- acts ----------------------------------------------------------------------------------

@bp.route("/acts", methods=["GET"], tags=ACT_TAG)
@bp.arguments(ActArgs, location="query")
@bp.response(200, ActPageSchema)
def list_acts(args):
    """Acts you may see (drafts only for the control body and observers), active ones first."""
    return page_of(queries.acts(actor(), state=args.get("state"), q=args.get("q")), args)


@bp.route("/acts", methods=["POST"], tags=ACT_TAG)
@bp.arguments(ActSchema)
@bp.response(201, ActSchema, headers=ETAG)
def create_act(args):
    """Enter a legislative act (controller); it starts as a draft unless a state is given."""
    _may_manage_acts()
    act = acts.create_act(actor(), **args)
    db.session.commit()
    return act, 201, etag_header(act) | {"Location": url_for("api.get_act", object_id=act.id)}


@bp.route(f"/acts/{ID}", methods=["GET"], tags=ACT_TAG)
@bp.response(200, ActSchema, headers=ETAG)
def get_act(object_id):
    act = get_or_404(Act, object_id, permissions.can_view_act)
    return act, 200, etag_header(act)


@bp.route(f"/acts/{ID}", methods=["PATCH"], tags=ACT_TAG)
@bp.arguments(ActPatchSchema)
@bp.response(200, ActSchema, headers=ETAG)
@bp.doc(parameters=[IF_MATCH])
def update_act(args, object_id):
    """Change an act, activate or close it (controller); send If-Match."""
    act = get_or_404(Act, object_id, permissions.can_view_act)
    _may_manage_acts()
    check_if_match(act)
    acts.update_act(actor(), act, **args)
    db.session.commit()
    return act, 200, etag_header(act)


# -- tasks ---------------------------------------------------------------------------------

@bp.route(f"/acts/{ID}/tasks", methods=["GET"], tags=TASK_TAG)
@bp.arguments(PageArgs, location="query")
@bp.response(200, TaskPageSchema)
def list_tasks(args, object_id):
    """The act's tasks in tree order: by number, 1.2 before 1.10, each section before its measures."""
    act = get_or_404(Act, object_id, permissions.can_view_act)
    return page_of(sa.select(Task).where(Task.act_id == act.id).order_by(Task.sort_key), args)


@bp.route(f"/acts/{ID}/tasks", methods=["POST"], tags=TASK_TAG)
@bp.arguments(TaskSchema)
@bp.response(201, TaskSchema, headers=ETAG)
def create_task(args, object_id):
    """Add a task (a measure, or a section) to an act (controller).  Its section must exist first."""
    act = get_or_404(Act, object_id, permissions.can_view_act)
    _may_manage_acts()
    task = tasks.create_task(actor(), act, **args)
    db.session.commit()
    return task, 201, etag_header(task) | {"Location": url_for("api.get_task", object_id=task.id)}


@bp.route(f"/tasks/{ID}", methods=["GET"], tags=TASK_TAG)
@bp.response(200, TaskSchema, headers=ETAG)
def get_task(object_id):
    task = get_or_404(Task, object_id, permissions.can_view_task)
    return task, 200, etag_header(task)


@bp.route(f"/tasks/{ID}", methods=["PATCH"], tags=TASK_TAG)
@bp.arguments(TaskPatchSchema)
@bp.response(200, TaskSchema, headers=ETAG)
@bp.doc(parameters=[IF_MATCH])
def update_task(args, object_id):
    """Change a task (controller, while its act is not closed); send If-Match."""
    task = get_or_404(Task, object_id, permissions.can_view_task)
    if not permissions.can_edit_task(actor(), task):
        raise Forbidden(_("Only a controller may change the tasks of an act that is not closed."))
    check_if_match(task)
    tasks.update_task(actor(), task, **args)
    db.session.commit()
    return task, 200, etag_header(task)
