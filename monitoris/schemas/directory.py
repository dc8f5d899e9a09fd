"""Organizations and people."""

from marshmallow import Schema, fields, validate

from monitoris.models import LOCALES, ORGANIZATION_KINDS, ROLES
from monitoris.schemas.common import Id, OneOf, PageArgs, QueryId, Str, page_schema, patch_schema
from monitoris.services import passwords


class OrganizationSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Str(300, 1, required=True)
    short_name = Str(40, 1, required=True)
    kind = OneOf(ORGANIZATION_KINDS, required=True)
    parent_id = Id(allow_none=True)
    email = Str(254, allow_none=True)
    phone = Str(40, allow_none=True)
    active = fields.Boolean()
    created_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)


OrganizationPatchSchema = patch_schema(OrganizationSchema, "OrganizationPatch")
OrganizationPageSchema = page_schema(OrganizationSchema, "OrganizationPage")


class OrganizationArgs(PageArgs):
    q = Str(200, metadata={"description": "Part of the name or short name"})
    kind = OneOf(ORGANIZATION_KINDS)
    active = fields.Boolean()


# A person's contact details and account are theirs: not every reader of the directory sees them.
PRIVATE = ("Present only for the control body (controllers, observers, admins) and for the person themself; "
           "other readers see id, name, organization_id and roles.")


class UserSchema(Schema):
    """A person as the directory shows them."""

    id = fields.Integer(dump_only=True, required=True)
    email = fields.Email(validate=validate.Length(max=254), metadata={"description": PRIVATE})
    name = Str(200, 1, required=True)
    phone = Str(40, allow_none=True, metadata={"description": PRIVATE})
    locale = OneOf(LOCALES, metadata={"description": PRIVATE})
    organization_id = Id(required=True)
    roles = fields.List(OneOf(ROLES), required=True)
    active = fields.Boolean(metadata={"description": PRIVATE})
    last_login_at = fields.DateTime(dump_only=True, allow_none=True, metadata={"description": PRIVATE})
    created_at = fields.DateTime(dump_only=True, metadata={"description": PRIVATE})
    version = fields.Integer(dump_only=True, metadata={"description": PRIVATE})


class UserInputSchema(Schema):
    """What an admin writes about a person."""

    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = Str(200, 1, required=True)
    phone = Str(40, allow_none=True)
    locale = OneOf(LOCALES)
    organization_id = Id(required=True)
    roles = fields.List(OneOf(ROLES), required=True)
    active = fields.Boolean()


class UserCreateSchema(UserInputSchema):
    password = Str(passwords.MAX_LENGTH, load_only=True, metadata={
        "description": f"At least {passwords.MIN_LENGTH} characters; none: no password login"})


UserPatchSchema = patch_schema(UserInputSchema, "UserPatch")
UserPageSchema = page_schema(UserSchema, "UserPage")


class UserArgs(PageArgs):
    q = Str(200, metadata={"description": "Part of the person's name or of their organization's short name; of "
                                         "the email too for the control body"})
    organization_id = QueryId()
    role = OneOf(ROLES)
    active = fields.Boolean(metadata={"description": "For the control body only"})
