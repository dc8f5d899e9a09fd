"""/assignments/{id}/extension-requests, /extension-requests/{id}/decision."""

import sqlalchemy as sa
from flask import url_for

from monitoris import permissions
from monitoris.api.core import actor, bp, get_or_404, page_of
from monitoris.extensions import db
from monitoris.models import Assignment, ExtensionRequest
from monitoris.schemas.common import MAX_ID, PageArgs
from monitoris.schemas.instructions import (
    DecisionSchema,
    ExtensionRequestCreateSchema,
    ExtensionRequestPageSchema,
    ExtensionRequestSchema,
)
from monitoris.services import extensions

TAG = ["Extension requests"]
ID = f"<int(min=1, max={MAX_ID}):object_id>"


def _can_view(user, extension_request):
    return permissions.can_view_assignment(user, extension_request.assignment)


@bp.route(f"/assignments/{ID}/extension-requests", methods=["GET"], tags=TAG)
@bp.arguments(PageArgs, location="query")
@bp.response(200, ExtensionRequestPageSchema)
def list_extension_requests(args, object_id):
    """Every extension request of the assignment and its decision, oldest first."""
    assignment = get_or_404(Assignment, object_id, permissions.can_view_assignment)
    return page_of(sa.select(ExtensionRequest).where(ExtensionRequest.assignment_id == assignment.id)
                   .order_by(ExtensionRequest.requested_at, ExtensionRequest.id), args)


@bp.route(f"/assignments/{ID}/extension-requests", methods=["POST"], tags=TAG)
@bp.arguments(ExtensionRequestCreateSchema)
@bp.response(201, ExtensionRequestSchema)
def request_extension(args, object_id):
    """Ask for a later due date with a reason (the body's people); one pending request at a time (409)."""
    assignment = get_or_404(Assignment, object_id, permissions.can_view_assignment)
    extension_request = extensions.request(actor(), assignment, **args)
    db.session.commit()
    return extension_request, 201, {"Location": url_for("api.get_extension_request", object_id=extension_request.id)}


@bp.route(f"/extension-requests/{ID}", methods=["GET"], tags=TAG)
@bp.response(200, ExtensionRequestSchema)
def get_extension_request(object_id):
    """One extension request."""
    return get_or_404(ExtensionRequest, object_id, _can_view)


@bp.route(f"/extension-requests/{ID}/decision", methods=["POST"], tags=TAG)
@bp.arguments(DecisionSchema)
@bp.response(200, ExtensionRequestSchema)
def decide_extension(args, object_id):
    """Approve (the assignment's due_on moves; original_due_on stays) or reject with a comment."""
    extension_request = get_or_404(ExtensionRequest, object_id, _can_view)
    extensions.decide(actor(), extension_request, args["decision"], args["comment"])
    db.session.commit()
    return extension_request
