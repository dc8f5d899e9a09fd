"""The directory of organizations (admin only)."""

import sqlalchemy as sa
from flask_babel import gettext as _

from monitoris import permissions
from monitoris.errors import Forbidden, ValidationError
from monitoris.extensions import db
from monitoris.models import ORGANIZATION_KINDS, Organization
from monitoris.services import audit
from monitoris.services.contacts import clean_contact

FIELDS = ("name", "short_name", "kind", "parent_id", "email", "phone", "active")


def _validate(org, fields):
    errors = {}
    if "kind" in fields and fields["kind"] not in ORGANIZATION_KINDS:
        errors["kind"] = [_("Choose one of: %(choices)s.", choices=", ".join(ORGANIZATION_KINDS))]
    if "short_name" in fields:
        short = (fields["short_name"] or "").strip()
        if not short:
            errors["short_name"] = [_("A short name is required.")]
        else:
            clash = db.session.scalar(
                sa.select(Organization.id).where(sa.func.lower(Organization.short_name) == short.lower())
            )
            if clash is not None and clash != org.id:
                errors["short_name"] = [_("Another organization already uses the short name %(short)s.", short=short)]
    if "name" in fields and not (fields["name"] or "").strip():
        errors["name"] = [_("A name is required.")]
    clean_contact(fields, errors)  # a body's email and phone are public: people write and call them
    parent_id = fields.get("parent_id")
    if parent_id is not None:
        parent = db.session.get(Organization, parent_id)
        if parent is None:
            errors["parent_id"] = [_("The parent organization does not exist.")]
        elif org.id is not None and parent.is_within(org):
            errors["parent_id"] = [_("An organization cannot sit under itself or one of its sub-units.")]
    if errors:
        raise ValidationError(_("The organization could not be saved."), errors=errors)


def _repath(org):
    """Recompute the materialized path of ``org`` and every organization below it."""
    old = org.path
    org.path = (org.parent.path if org.parent else "/") + f"{org.id}/"
    if old and old != org.path:
        for sub in db.session.scalars(sa.select(Organization).where(Organization.path.startswith(old))):
            if sub.id != org.id:
                sub.path = org.path + sub.path[len(old):]


def create_organization(actor, **fields):
    if not permissions.can_administer(actor):
        raise Forbidden()
    org = Organization(path="")
    _validate(org, fields)
    for key in FIELDS:
        if key in fields:
            setattr(org, key, fields[key].strip() if isinstance(fields[key], str) else fields[key])
    db.session.add(org)
    db.session.flush()
    _repath(org)
    db.session.flush()
    audit.record(actor, "organization.created", "organization", org.id, after=audit.snapshot(org, FIELDS))
    return org


def update_organization(actor, org, **fields):
    if not permissions.can_administer(actor):
        raise Forbidden()
    _validate(org, fields)
    before = audit.snapshot(org, FIELDS)
    for key in FIELDS:
        if key in fields:
            setattr(org, key, fields[key].strip() if isinstance(fields[key], str) else fields[key])
    db.session.flush()
    if before["parent_id"] != org.parent_id:
        db.session.refresh(org, ["parent"])
        _repath(org)
    old, new = audit.diff(before, audit.snapshot(org, FIELDS))
    if new:
        audit.record(actor, "organization.updated", "organization", org.id, before=old, after=new)
    return org
