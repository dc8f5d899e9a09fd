"""A person's in-app notifications."""

from marshmallow import Schema, fields

from monitoris.models.notification import KINDS
from monitoris.schemas.common import OneOf, PageArgs, page_schema


class NotificationArgs(PageArgs):
    unread = fields.Boolean(metadata={"description": "true: only unread ones; false: only read ones; absent: all"})


class NotificationSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = OneOf(KINDS, dump_only=True, metadata={"description": "The kind of message, as chosen per channel"})
    template = fields.String(dump_only=True, metadata={"description": 'Which message, e.g. "assignment_reminder"'})
    subject = fields.Function(lambda n: n.message["subject"], dump_only=True, metadata={
        "type": "string", "description": "The message's subject, in your language"})
    text = fields.Function(lambda n: n.message["text"], dump_only=True, metadata={
        "type": "string", "description": "The message's text, in your language"})
    link = fields.Function(lambda n: n.link, dump_only=True, allow_none=True, metadata={
        "type": "string", "nullable": True, "description": "The page it is about, a path on this site"})
    payload = fields.Dict(dump_only=True, metadata={"description": "The facts the message was written from"})
    created_at = fields.DateTime(dump_only=True)
    read_at = fields.DateTime(dump_only=True, allow_none=True)
    read = fields.Function(lambda n: n.read_at is not None, dump_only=True, metadata={"type": "boolean"})


NotificationPageSchema = page_schema(NotificationSchema, "NotificationPage")
