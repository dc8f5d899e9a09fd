"""Shapes every endpoint shares: errors, pagination, identifiers, storable text."""

import copy
import re
from functools import cache

from flask_babel import gettext as _
from marshmallow import RAISE, Schema, ValidationError, fields, missing, validate

# Identifiers are PostgreSQL integers; anything larger cannot name a row.
MAX_ID = 2**31 - 1
MAX_TEXT = 20_000


def _library_messages():
    # marshmallow's own messages, in English: written when a schema is built or an error raised, with the limits
    # and the choices already in them (where %(name)s stands).  The first that matches wins: longer ones first.
    return {
        "Missing data for required field.": _("Missing data for required field."),
        "Field may not be null.": _("Field may not be null."),
        "Unknown field.": _("Unknown field."),
        "Invalid input type.": _("Invalid input type."),
        "Invalid type.": _("Invalid type."),
        "Invalid value.": _("Invalid value."),
        "Not a valid integer.": _("Not a valid integer."),
        "Not a valid number.": _("Not a valid number."),
        "Number too large.": _("Number too large."),
        "Special numeric values (nan or infinity) are not permitted.":
            _("Special numeric values (nan or infinity) are not permitted."),
        "Not a valid string.": _("Not a valid string."),
        "Not a valid utf-8 string.": _("Not a valid utf-8 string."),
        "Not a valid boolean.": _("Not a valid boolean."),
        "Not a valid date.": _("Not a valid date."),
        "Not a valid datetime.": _("Not a valid datetime."),
        "Not a valid email address.": _("Not a valid email address."),
        "Not a valid list.": _("Not a valid list."),
        "Not a valid mapping type.": _("Not a valid mapping type."),
        "Must be greater than or equal to %(min)s and less than or equal to %(max)s.":
            _("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
        "Must be greater than or equal to %(min)s.": _("Must be greater than or equal to %(min)s."),
        "Must be less than or equal to %(max)s.": _("Must be less than or equal to %(max)s."),
        "Length must be between %(min)s and %(max)s.": _("Length must be between %(min)s and %(max)s."),
        "Shorter than minimum length %(min)s.": _("Shorter than minimum length %(min)s."),
        "Longer than maximum length %(max)s.": _("Longer than maximum length %(max)s."),
        "Must be one of: %(choices)s.": _("Must be one of: %(choices)s."),
    }


@cache
def _pattern(english):
    # "Must be one of: %(choices)s." -> Must\ be\ one\ of:\ (?P<choices>.+?)\.
    parts = re.split(r"%\((\w+)\)s", english)
    return re.compile("".join(f"(?P<{part}>.+?)" if i % 2 else re.escape(part) for i, part in enumerate(parts)))


def in_readers_language(messages):
    """Field errors (a message, or lists and dicts of them) with marshmallow's own messages in the reader's
    language.  They are English when made, so they are translated when a problem shows them; the app's own
    messages are in the reader's language already."""
    if isinstance(messages, dict):
        return {key: in_readers_language(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [in_readers_language(message) for message in messages]
    if isinstance(messages, str):
        for english, translated in _library_messages().items():
            match = _pattern(english).fullmatch(messages)
            if match:
                return translated % match.groupdict()
    return messages


def _storable(value):
    # PostgreSQL refuses NUL in text and no database takes lone surrogates: refuse them here, as
    # invalid input, instead of failing in the database.
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValidationError(_("The text contains characters that cannot be stored."))


def Str(max_length=None, min_length=None, **kwargs):  # noqa: N802 - reads like the field classes beside it
    """A string no longer than its column, and storable in every database we support."""
    validators = [_storable, validate.Length(min=min_length, max=max_length or MAX_TEXT)]
    return fields.String(validate=validators, **kwargs)


def Id(**kwargs):  # noqa: N802
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def QueryId(**kwargs):  # noqa: N802
    """An id in a query string: text there, so not strict (``Id`` refuses "57" as a string)."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def OneOf(choices, **kwargs):  # noqa: N802
    return fields.String(validate=validate.OneOf(choices), **kwargs)


class ProblemSchema(Schema):
    """An error as RFC 9457 describes it, plus the field errors of invalid input."""

    type = fields.String(metadata={"description": "A URI naming the kind of problem; about:blank by default"})
    title = fields.String(required=True, metadata={"description": "A short summary of the kind of problem"})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code"})
    detail = fields.String(metadata={"description": "What went wrong this time, for a person to read"})
    errors = fields.Dict(keys=fields.String(), metadata={
        "description": "Invalid input: field name -> list of messages (nested for nested input)"})


class QueryArgs(Schema):
    """Query strings accept only the parameters an endpoint names: a misspelt filter is an error, not ignored."""

    class Meta:
        unknown = RAISE


class PageArgs(QueryArgs):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    # 200 is monitoris.queries.MAX_PAGE_SIZE (not imported: schemas load before the models).
    page_size = fields.Integer(load_default=None, validate=validate.Range(min=1, max=200),
                               metadata={"description": "Items per page, at most 200; 25 when not given"})


def page_schema(item_schema, name):
    """The envelope of a paginated list: ``items`` of one page, the ``total`` over all pages."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema), required=True),
        "total": fields.Integer(required=True, metadata={"description": "Items over all pages"}),
        "page": fields.Integer(required=True),
        "page_size": fields.Integer(required=True),
        "pages": fields.Integer(required=True),
    }, name=name)


def patch_schema(schema_cls, name):
    """The same fields as ``schema_cls``, none required and without defaults: a PATCH sends what changes."""
    declared = {}
    for key, field in schema_cls._declared_fields.items():
        if field.dump_only:
            continue
        field = copy.deepcopy(field)
        field.required = False
        field.load_default = missing
        declared[key] = field
    return Schema.from_dict(declared, name=name)
