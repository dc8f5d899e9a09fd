"""Acts and their tasks."""

from marshmallow import Schema, fields

from monitoris.models import ACT_KINDS, ACT_STATES, PRIORITIES, RECURRENCES
from monitoris.notifications.reminders import MAX_OFFSET
from monitoris.schemas.common import Id, OneOf, PageArgs, Str, page_schema, patch_schema


class ActSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = OneOf(ACT_KINDS, required=True)
    number = Str(60, allow_none=True)
    signed_on = fields.Date(allow_none=True)
    title = Str(500, 1, required=True)
    issuer = Str(300, allow_none=True)
    summary = Str(allow_none=True)
    state = OneOf(ACT_STATES, metadata={"description": "draft when not given"})
    reminder_policy = Str(60, allow_none=True, metadata={"description": (
        "This act's own deadline reminders: days before the due date, 0 on it, negative after it, comma-separated, "
        f'each from -{MAX_OFFSET} to {MAX_OFFSET}, e.g. "7,3,1,0,-1"; then weekly while overdue when the '
        "installation sends weekly reminders.  null or empty: the installation's policy.")})
    created_by_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)


ActPatchSchema = patch_schema(ActSchema, "ActPatch")
ActPageSchema = page_schema(ActSchema, "ActPage")


class ActArgs(PageArgs):
    q = Str(200, metadata={"description": "Part of the title"})
    state = OneOf(ACT_STATES)


class TaskSchema(Schema):
    id = fields.Integer(dump_only=True)
    act_id = fields.Integer(dump_only=True)
    parent_id = fields.Integer(dump_only=True, allow_none=True,
                               metadata={"description": "The section above, found from the number"})
    number = Str(40, 1, required=True, metadata={"description": 'Digits separated by dots: "4", "4.1.1"'})
    title = Str(min_length=1, required=True, metadata={"description": "The event name"})
    indicator = Str(allow_none=True, metadata={"description": "The assessment indicator"})
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(allow_none=True)
    recurrence = OneOf(RECURRENCES)
    due_on = fields.Date(allow_none=True)
    priority = OneOf(PRIORITIES)
    controller_id = Id(allow_none=True)
    published = fields.Boolean()
    depth = fields.Integer(dump_only=True, metadata={"description": "0 for a top-level number, 1 for 4.1, ..."})
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)


TaskPatchSchema = patch_schema(TaskSchema, "TaskPatch")
TaskPageSchema = page_schema(TaskSchema, "TaskPage")
