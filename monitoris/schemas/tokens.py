"""Personal access tokens."""

from marshmallow import Schema, fields, validate

from monitoris.schemas.common import Str


class TokenRequestSchema(Schema):
    email = Str(254, required=True)
    password = Str(200, required=True, load_only=True)
    totp = Str(12, load_only=True, metadata={"description": "The current one-time code, once two-factor is on"})
    name = Str(100, 1, load_default="API token", metadata={"description": "Where the token will be used"})
    expires_in_days = fields.Integer(strict=True, validate=validate.Range(min=1, max=3650), metadata={
        "description": "90 by default; at most the installation's maximum (365 by default)"})


class TokenSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    expires_at = fields.DateTime(dump_only=True)
    last_used_at = fields.DateTime(dump_only=True, allow_none=True)


class NewTokenSchema(TokenSchema):
    token = fields.String(dump_only=True, metadata={"description": "Shown this once; send as Authorization: Bearer"})


class TokenListSchema(Schema):
    items = fields.List(fields.Nested(TokenSchema), required=True)
