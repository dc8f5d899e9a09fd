"""/assignments/{id}/instructions, /instructions/{id}: issue, acknowledge, respond, close; their documents."""

import sqlalchemy as sa
from flask import url_for

from monitoris import permissions, work
from monitoris.api.core import actor, bp, get_or_404, page_of
from monitoris.api.reports import upload_files
from monitoris.extensions import db
from monitoris.models import Assignment, Instruction
from monitoris.schemas.common import MAX_ID, PageArgs
from monitoris.schemas.instructions import (
    CloseSchema,
    InstructionCreateSchema,
    InstructionPageSchema,
    InstructionSchema,
    RespondSchema,
)
from monitoris.schemas.reports import DocumentListSchema, UploadSchema
from monitoris.services import instructions

TAG = ["Instructions"]
ID = f"<int(min=1, max={MAX_ID}):object_id>"


def _instruction(object_id):
    return get_or_404(Instruction, object_id, permissions.can_view_instruction)


@bp.route(f"/assignments/{ID}/instructions", methods=["GET"], tags=TAG)
@bp.arguments(PageArgs, location="query")
@bp.response(200, InstructionPageSchema)
def list_instructions(args, object_id):
    """Instructions on the assignment, and those to its whole organization about its task."""
    assignment = get_or_404(Assignment, object_id, permissions.can_view_assignment)
    ids = [i.id for i in work.instructions_of(actor(), assignment)]
    return page_of(sa.select(Instruction).where(Instruction.id.in_(ids)).order_by(Instruction.issued_at,
                                                                                   Instruction.id), args)


@bp.route(f"/assignments/{ID}/instructions", methods=["POST"], tags=TAG)
@bp.arguments(InstructionCreateSchema)
@bp.response(201, InstructionSchema)
def issue_instruction(args, object_id):
    """Issue an instruction, recommendation or request for information (the control body)."""
    assignment = get_or_404(Assignment, object_id, permissions.can_view_assignment)
    instruction = instructions.issue(actor(), assignment, **args)
    db.session.commit()
    return instruction, 201, {"Location": url_for("api.get_instruction", object_id=instruction.id)}


@bp.route(f"/instructions/{ID}", methods=["GET"], tags=TAG)
@bp.response(200, InstructionSchema)
def get_instruction(object_id):
    """One instruction with its documents and answer."""
    return _instruction(object_id)


@bp.route(f"/instructions/{ID}/acknowledge", methods=["POST"], tags=TAG)
@bp.response(200, InstructionSchema)
def acknowledge_instruction(object_id):
    """The read receipt (the body's people)."""
    instruction = instructions.acknowledge(actor(), _instruction(object_id))
    db.session.commit()
    return instruction


@bp.route(f"/instructions/{ID}/respond", methods=["POST"], tags=TAG)
@bp.arguments(RespondSchema)
@bp.response(200, InstructionSchema)
def respond_instruction(args, object_id):
    """Answer the instruction (attach documents first through /instructions/{id}/documents)."""
    instruction = instructions.respond(actor(), _instruction(object_id), args["response_text"])
    db.session.commit()
    return instruction


@bp.route(f"/instructions/{ID}/close", methods=["POST"], tags=TAG)
@bp.arguments(CloseSchema)
@bp.response(200, InstructionSchema)
def close_instruction(args, object_id):
    """Close the instruction (the control body); a comment is needed when it was not answered."""
    instruction = instructions.close(actor(), _instruction(object_id), args["comment"])
    db.session.commit()
    return instruction


@bp.route(f"/instructions/{ID}/documents", methods=["POST"], tags=TAG)
@bp.arguments(UploadSchema, location="files")
@bp.response(201, DocumentListSchema)
@bp.alt_response(413, description="A file is larger than the limit; nothing was stored")
def upload_instruction_documents(_files, object_id):
    """Attach documents: the control body to its instruction, the body to its answer (multipart ``files``)."""
    return upload_files(_instruction(object_id)), 201
