"""Plan import (multipart upload, dry run) and the implementation report of an act."""

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from monitoris.schemas.common import OneOf, QueryArgs, QueryId

REPORT_FORMATS = ("json", "html", "docx", "xlsx", "pdf")
MIN_YEAR, MAX_YEAR = 1990, 2100  # as monitoris.plans.report (schemas load before the models)


class PlanFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "The plan: an XLSX workbook, a CSV file (UTF-8, ; or ,) "
                                                          "or a DOCX document with the plan's table"})


class PlanImportArgs(QueryArgs):
    dry_run = fields.Boolean(load_default=False, metadata={
        "description": "true: check the file and answer what would be created; write nothing"})


class PlanBodySchema(Schema):
    organization_id = fields.Integer()
    short_name = fields.String()
    role = fields.String(metadata={"description": "lead (the first body of the row) or co_executor"})


class PlanTaskSchema(Schema):
    row = fields.Integer(metadata={"description": "The row of the file"})
    number = fields.String()
    parent_number = fields.String(allow_none=True)
    depth = fields.Integer()
    kind = fields.String(metadata={"description": "section or measure"})
    status = fields.String(metadata={"description": "new, or exists (the act has this number: skipped)"})
    task_id = fields.Integer(allow_none=True, metadata={"description": "Once imported, or when it exists"})
    title = fields.String()
    indicator = fields.String(allow_none=True)
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(allow_none=True)
    period_label = fields.String()
    recurrence = fields.String()
    due_on = fields.Date(allow_none=True)
    assignment_due_on = fields.Date(allow_none=True, metadata={"description": "The due date of its assignments"})
    bodies = fields.List(fields.Nested(PlanBodySchema))


class PlanRowNoteSchema(Schema):
    row = fields.Integer(allow_none=True)
    column = fields.String(allow_none=True)
    message = fields.String()


class PlanCountsSchema(Schema):
    rows = fields.Integer()
    sections = fields.Integer(metadata={"description": "New sections"})
    measures = fields.Integer(metadata={"description": "New measures"})
    assignments = fields.Integer(metadata={"description": "New assignments"})
    existing = fields.Integer(metadata={"description": "Rows whose number the act already has (skipped)"})
    errors = fields.Integer()
    created_tasks = fields.Integer()
    created_assignments = fields.Integer()


class PlanResultSchema(Schema):
    act_id = fields.Integer()
    dry_run = fields.Boolean()
    imported = fields.Boolean(metadata={"description": "true when the tasks were written"})
    format = fields.String(metadata={"description": "xlsx, csv or docx (recognised by the content)"})
    counts = fields.Nested(PlanCountsSchema)
    tasks = fields.List(fields.Nested(PlanTaskSchema), metadata={"description": "The task tree, in number order"})
    warnings = fields.List(fields.Nested(PlanRowNoteSchema))


class ImplementationReportArgs(QueryArgs):
    organization_id = QueryId(metadata={"description": "The executive body; all bodies of the act when not given "
                                                       "(control body and observers only)"})
    year = fields.Integer(validate=validate.Range(min=MIN_YEAR, max=MAX_YEAR),
                          metadata={"description": "The year reported on; this year when not given"})
    format = OneOf(REPORT_FORMATS, load_default="json",
                   metadata={"description": "json, or the report as an html page or a docx / xlsx / pdf file"})


class ReportRowSchema(Schema):
    kind = fields.String(metadata={"description": "organization (a group heading), section or measure"})
    number = fields.String(metadata={"description": "The task number; an organization's short name"})
    title = fields.String()
    indicator = fields.String()
    period = fields.String(metadata={"description": "The fulfilment period as the plan states it"})
    status = fields.String(metadata={"description": "accepted, submitted or not_reported (measures)"})
    paragraphs = fields.List(fields.String(), metadata={"description": "The information on completed works"})
    depth = fields.Integer()


class ImplementationReportSchema(Schema):
    act_id = fields.Integer()
    organization_id = fields.Integer(allow_none=True)
    year = fields.Integer()
    title = fields.String()
    columns = fields.List(fields.String())
    rows = fields.List(fields.Nested(ReportRowSchema))
