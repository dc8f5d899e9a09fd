"""Instructions and extension requests."""

from marshmallow import Schema, fields, validate

from monitoris import clock
from monitoris.models import EXTENSION_DECISIONS, INSTRUCTION_KINDS, INSTRUCTION_STATES
from monitoris.schemas.common import OneOf, Str, page_schema
from monitoris.schemas.reports import DocumentSchema


class InstructionSchema(Schema):
    id = fields.Integer(dump_only=True)
    assignment_id = fields.Integer(dump_only=True, allow_none=True,
                                   metadata={"description": "Empty when addressed to the whole organization"})
    task_id = fields.Integer(dump_only=True)
    organization_id = fields.Integer(dump_only=True)
    kind = fields.String(dump_only=True, validate=validate.OneOf(INSTRUCTION_KINDS))
    text = fields.String(dump_only=True)
    response_due_on = fields.Date(dump_only=True, allow_none=True)
    state = fields.String(dump_only=True, validate=validate.OneOf(INSTRUCTION_STATES))
    overdue = fields.Method("_overdue", dump_only=True, metadata={"type": "boolean"})
    issued_by_id = fields.Integer(dump_only=True, allow_none=True)
    issued_at = fields.DateTime(dump_only=True)
    acknowledged_by_id = fields.Integer(dump_only=True, allow_none=True)
    acknowledged_at = fields.DateTime(dump_only=True, allow_none=True)
    response_text = fields.String(dump_only=True, allow_none=True)
    answered_by_id = fields.Integer(dump_only=True, allow_none=True)
    answered_at = fields.DateTime(dump_only=True, allow_none=True)
    closed_by_id = fields.Integer(dump_only=True, allow_none=True)
    closed_at = fields.DateTime(dump_only=True, allow_none=True)
    closing_comment = fields.String(dump_only=True, allow_none=True)
    documents = fields.List(fields.Nested(DocumentSchema), dump_only=True)
    version = fields.Integer(dump_only=True)

    def _overdue(self, instruction):
        return instruction.is_overdue(clock.today())


class InstructionCreateSchema(Schema):
    kind = OneOf(INSTRUCTION_KINDS, load_default="instruction")
    text = Str(20_000, min_length=1, required=True)
    response_due_on = fields.Date(allow_none=True, load_default=None)
    whole_organization = fields.Boolean(load_default=False, metadata={
        "description": "Address the assignment's whole organization about its task"})


class RespondSchema(Schema):
    response_text = Str(20_000, required=True)


class CloseSchema(Schema):
    comment = Str(5000, allow_none=True, load_default=None,
                  metadata={"description": "Required to close an unanswered instruction"})


class ExtensionRequestSchema(Schema):
    id = fields.Integer(dump_only=True)
    assignment_id = fields.Integer(dump_only=True)
    previous_due_on = fields.Date(dump_only=True, metadata={"description": "The effective due date when asked"})
    proposed_due_on = fields.Date(dump_only=True)
    days_requested = fields.Integer(dump_only=True)
    reason = fields.String(dump_only=True)
    decision = fields.String(dump_only=True, validate=validate.OneOf(EXTENSION_DECISIONS))
    requested_by_id = fields.Integer(dump_only=True, allow_none=True)
    requested_at = fields.DateTime(dump_only=True)
    decided_by_id = fields.Integer(dump_only=True, allow_none=True)
    decided_at = fields.DateTime(dump_only=True, allow_none=True)
    decision_comment = fields.String(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)


class ExtensionRequestCreateSchema(Schema):
    proposed_due_on = fields.Date(required=True)
    reason = Str(5000, required=True)


class DecisionSchema(Schema):
    decision = OneOf(("approved", "rejected"), required=True)
    comment = Str(5000, allow_none=True, load_default=None, metadata={"description": "Required to reject"})


InstructionPageSchema = page_schema(InstructionSchema, "InstructionPage")
ExtensionRequestPageSchema = page_schema(ExtensionRequestSchema, "ExtensionRequestPage")
