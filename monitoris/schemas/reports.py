"""Execution reports and their documents."""

from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from monitoris.models import REPORT_STATES
from monitoris.schemas.common import Id, OneOf, PageArgs, Str, page_schema


class DocumentSchema(Schema):
    id = fields.Integer(dump_only=True)
    report_id = fields.Integer(dump_only=True, allow_none=True)
    instruction_id = fields.Integer(dump_only=True, allow_none=True)
    purpose = fields.String(dump_only=True, metadata={"description": "evidence, instruction or response"})
    filename = fields.String(dump_only=True)
    media_type = fields.String(dump_only=True, metadata={"description": "Sniffed from the content"})
    size = fields.Integer(dump_only=True)
    sha256 = fields.String(dump_only=True)
    uploaded_by_id = fields.Integer(dump_only=True, allow_none=True)
    uploaded_at = fields.DateTime(dump_only=True)
    public = fields.Boolean(dump_only=True)
    content_url = fields.Function(lambda d: url_for("api.get_document_content", object_id=d.id), dump_only=True)


class DocumentListSchema(Schema):
    items = fields.List(fields.Nested(DocumentSchema), required=True)


class UploadSchema(Schema):
    files = fields.List(Upload(), required=True, metadata={"description": "One or more files"})


class ReportSchema(Schema):
    id = fields.Integer(dump_only=True)
    assignment_id = fields.Integer(dump_only=True)
    period = fields.String(dump_only=True, metadata={"description": '"final" for a one-off task; "2026", '
                                                                    '"2026-Q3" … for a recurring one'})
    period_due_on = fields.Date(dump_only=True)
    final = fields.Boolean(dump_only=True, metadata={"description": "Accepting it removes the task from control"})
    version = fields.Integer(dump_only=True, metadata={"description": "1, then +1 for each revision"})
    previous_id = fields.Integer(dump_only=True, allow_none=True)
    text = Str(100_000, allow_none=True, metadata={"description": "Information on completed works"})
    progress = fields.Integer(strict=True, validate=validate.Range(min=0, max=100))
    state = fields.String(dump_only=True, validate=validate.OneOf(REPORT_STATES))
    created_by_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    submitted_at = fields.DateTime(dump_only=True, allow_none=True)
    submitted_by_id = fields.Integer(dump_only=True, allow_none=True)
    on_time = fields.Boolean(dump_only=True, allow_none=True)
    reviewed_at = fields.DateTime(dump_only=True, allow_none=True)
    reviewed_by_id = fields.Integer(dump_only=True, allow_none=True)
    reviewer_comment = fields.String(dump_only=True, allow_none=True)
    checked = fields.List(fields.Integer(), dump_only=True, attribute="checked_requirement_ids", allow_none=True)
    documents = fields.List(fields.Nested(DocumentSchema), dump_only=True)
    lock_version = fields.Integer(dump_only=True, metadata={"description": "Bumped by every change (the ETag)"})


class ReportCreateSchema(Schema):
    period = Str(20, load_default=None, metadata={
        "description": "The reporting period; by default the first one without an accepted report. "
                       "A returned report's period starts its next version."})
    text = Str(100_000, allow_none=True, load_default=None)
    progress = fields.Integer(strict=True, load_default=None, allow_none=True,
                              validate=validate.Range(min=0, max=100))


class ReportPatchSchema(Schema):
    text = Str(100_000, allow_none=True)
    progress = fields.Integer(strict=True, validate=validate.Range(min=0, max=100))


class ReviewSchema(Schema):
    decision = OneOf(("accept", "return"), required=True)
    comment = Str(5000, allow_none=True, load_default=None, metadata={"description": "Required to return"})
    checked = fields.List(Id(), load_default=list, metadata={
        "description": "Ids of the task's evidence requirements that are met (all of them to accept the final "
                       "period)"})


ReportPageSchema = page_schema(ReportSchema, "ReportPage")


class ReportArgs(PageArgs):
    pass
