"""Open data: the published tasks of public acts, as anyone may read them (JSON; the CSV has the same fields)."""

from marshmallow import Schema, fields

from monitoris.schemas.common import OneOf, PageArgs, QueryId, Str, page_schema

# monitoris.public.TASK_STATES (not imported: schemas load before the models).
PUBLIC_TASK_STATES = ("not_assigned", "not_started", "in_progress", "overdue", "done")
ASSIGNMENT_STATES = ("assigned", "in_progress", "submitted", "accepted", "cancelled")


class PublicBodySchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "The body's stable identifier"})
    name = fields.String(required=True)
    short_name = fields.String(required=True)


class PublicAssignmentSchema(Schema):
    organization_id = fields.Integer(required=True, metadata={"description": "The executive body"})
    organization = fields.Nested(PublicBodySchema, required=True)
    role = OneOf(("lead", "co_executor"), required=True)
    state = OneOf(ASSIGNMENT_STATES, required=True, metadata={
        "description": "The body's workflow state: assigned, in_progress, submitted (awaiting review), "
                       "accepted (done, removed from control), cancelled"})
    progress = fields.Integer(required=True, metadata={"description": "Percent done, as the body reports it"})
    due_on = fields.Date(required=True, metadata={"description": "The effective due date"})
    original_due_on = fields.Date(required=True, metadata={
        "description": "The due date first set; differs from due_on when an extension was granted"})
    overdue = fields.Boolean(required=True, metadata={"description": "Past due_on and neither accepted nor cancelled"})


class PublicTaskSchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "The task's stable identifier"})
    uri = fields.String(required=True, metadata={"description": "The task's page on the public portal (stable)"})
    act_id = fields.Integer(required=True)
    act_number = fields.String(allow_none=True, required=True)
    act_title = fields.String(required=True)
    act_state = OneOf(("active", "closed"), required=True)
    section_number = fields.String(allow_none=True, required=True, metadata={
        "description": "The number of the section the measure belongs to, when that section is published"})
    section_title = fields.String(allow_none=True, required=True)
    number = fields.String(required=True, metadata={"description": 'The measure\'s number in the act: "4.1.1"'})
    title = fields.String(required=True, metadata={"description": "The event name"})
    indicator = fields.String(allow_none=True, required=True, metadata={"description": "The assessment indicator"})
    period = fields.String(required=True, attribute="period_label", metadata={
        "description": 'The fulfilment period as the act states it: "2026-2028", "Regular"; empty when none'})
    period_start = fields.Date(allow_none=True, required=True)
    period_end = fields.Date(allow_none=True, required=True)
    recurrence = OneOf(("none", "annual", "semiannual", "quarterly", "monthly"), required=True)
    due_on = fields.Date(allow_none=True, required=True, metadata={"description": "The task's own due date, if any"})
    state = OneOf(PUBLIC_TASK_STATES, required=True, metadata={
        "description": "done: every body's assignment accepted; overdue: some body is past its due date; "
                       "not_started: every body still at assigned; in_progress: otherwise; not_assigned: no body "
                       "holds it (cancelled assignments are left out of all of these)"})
    progress = fields.Integer(required=True, metadata={"description": "Mean percent done over its bodies"})
    next_due_on = fields.Date(allow_none=True, required=True, metadata={
        "description": "The earliest due date among its bodies' unfinished assignments"})
    on_time = fields.Boolean(allow_none=True, required=True, metadata={
        "description": "For a done task: every body submitted on or before its due date; null otherwise"})
    updated_at = fields.DateTime(required=True)
    assignments = fields.List(fields.Nested(PublicAssignmentSchema), required=True, metadata={
        "description": "The executive bodies that hold the task"})


PublicTaskPageSchema = page_schema(PublicTaskSchema, "PublicTaskPage")


class PublicTaskArgs(PageArgs):
    format = OneOf(("json", "csv"), load_default="json", metadata={
        "description": "json (default; paginated) or csv (every matching row, one per task; page ignored)"})
    act_id = QueryId(metadata={"description": "Only this act's tasks"})
    organization_id = QueryId(metadata={"description": "Only tasks this executive body holds"})
    state = OneOf(PUBLIC_TASK_STATES)
    q = Str(200, metadata={"description": "Part of the event name or indicator, or the start of the number"})
