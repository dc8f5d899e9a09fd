"""People: creating and changing accounts (admin), passwords (the person or an admin)."""

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import flag_modified

from monitoris import permissions
from monitoris.errors import Forbidden, ValidationError
from monitoris.extensions import db
from monitoris.models import LOCALES, ROLES, Organization, User
from monitoris.services import audit, auth
from monitoris.services.contacts import clean_contact
from monitoris.services.passwords import hash_password, password_problems

FIELDS = ("email", "name", "phone", "locale", "organization_id", "active")


def _validate(user, fields, roles):
    errors = {}
    if "email" in fields:
        fields["email"] = (fields["email"] or "").strip().lower()
    clean_contact(fields, errors)
    if "email" in fields and "email" not in errors:
        if fields["email"] is None:
            errors["email"] = [_("Enter a valid email address.")]
        else:
            clash = db.session.scalar(sa.select(User.id).where(User.email == fields["email"]))
            if clash is not None and clash != user.id:
                errors["email"] = [_("Another account already uses this email address.")]
    if "name" in fields and not (fields["name"] or "").strip():
        errors["name"] = [_("A name is required.")]
    if "locale" in fields and fields["locale"] not in LOCALES:
        errors["locale"] = [_("Choose one of: %(choices)s.", choices=", ".join(LOCALES))]
    if "organization_id" in fields and db.session.get(Organization, fields["organization_id"] or 0) is None:
        errors["organization_id"] = [_("Choose an organization.")]
    if roles is not None:
        unknown = set(roles) - set(ROLES)
        if unknown:
            errors["roles"] = [_("Unknown roles: %(roles)s.", roles=", ".join(sorted(unknown)))]
    if errors:
        raise ValidationError(_("The account could not be saved."), errors=errors)


def create_user(actor, *, roles=(), password=None, **fields):
    """``actor`` None is the command line (creating the first admin)."""
    if actor is not None and not permissions.can_administer(actor):
        raise Forbidden()
    user = User()
    _validate(user, fields, roles)
    for key in FIELDS:
        if key in fields:
            setattr(user, key, fields[key].strip() if isinstance(fields[key], str) else fields[key])
    user.roles = roles
    if password is not None:
        _set_password(user, password)
    db.session.add(user)
    db.session.flush()
    after = audit.snapshot(user, FIELDS) | {"roles": sorted(user.roles)}
    audit.record(actor, "user.created", "user", user.id, after=after)
    return user


def update_user(actor, user, *, roles=None, **fields):
    if not permissions.can_administer(actor):
        raise Forbidden()
    _validate(user, fields, roles)
    if actor.id == user.id and (fields.get("active") is False or (roles is not None and "admin" not in roles)):
        raise ValidationError(_("You cannot deactivate yourself or remove your own admin role."),
                              errors={"roles": [_("Ask another admin to do this.")]})
    before = audit.snapshot(user, FIELDS) | {"roles": sorted(user.roles)}
    for key in FIELDS:
        if key in fields:
            setattr(user, key, fields[key].strip() if isinstance(fields[key], str) else fields[key])
    if roles is not None:
        user.roles = roles
        if set(roles) != set(before["roles"]):
            # Roles live in their own table: touch the users row so its version (the API's ETag) moves too.
            flag_modified(user, "active")
    db.session.flush()
    old, new = audit.diff(before, audit.snapshot(user, FIELDS) | {"roles": sorted(user.roles)})
    if new:
        audit.record(actor, "user.updated", "user", user.id, before=old, after=new)
    if not user.active:
        auth.revoke_sessions(user)
    return user


def set_locale(actor, locale):
    """The person's own language, from the menu of every page (the profile page stores it too)."""
    if locale not in LOCALES:
        message = gettext("Choose one of: %(locales)s.", locales=", ".join(LOCALES))
        raise ValidationError(message, errors={"locale": [message]})
    if actor.locale == locale:
        return actor
    before = audit.snapshot(actor, ("locale",))
    actor.locale = locale
    db.session.flush()
    audit.record(actor, "user.updated", "user", actor.id, before=before, after={"locale": locale})
    return actor


def _set_password(user, password):
    problems = password_problems(password, email=user.email, name=user.name)
    if problems:
        raise ValidationError(_("The password is too weak."), errors={"password": problems})
    user.password_hash = hash_password(password)


def change_password(actor, user, new_password):
    """The person themself, or an admin.  Every other login session of the account ends."""
    if actor.id != user.id and not permissions.can_administer(actor):
        raise Forbidden()
    _set_password(user, new_password)
    user.failed_logins = 0
    user.locked_until = None
    keep = actor.login_session if actor.id == user.id else None
    auth.revoke_sessions(user, keep=keep)
    db.session.flush()
    audit.record(actor, "user.password_changed", "user", user.id)
