"""/organizations and /users: the directory (every signed-in user reads it; admins write)."""

from typing import NamedTuple

from flask import url_for
from flask_babel import gettext as _

from monitoris import permissions, queries
from monitoris.api.core import ETAG, IF_MATCH, actor, bp, check_if_match, etag_header, get_or_404, page_of
from monitoris.errors import Forbidden, ValidationError
from monitoris.extensions import db
from monitoris.models import Organization, User
from monitoris.schemas.common import MAX_ID
from monitoris.schemas.directory import (
    OrganizationArgs,
    OrganizationPageSchema,
    OrganizationPatchSchema,
    OrganizationSchema,
    UserArgs,
    UserCreateSchema,
    UserPageSchema,
    UserPatchSchema,
    UserSchema,
)
from monitoris.services import organizations, users

ORG_TAG = ["Organizations"]
USER_TAG = ["Users"]
ID = f"<int(min=1, max={MAX_ID}):object_id>"


def _viewer(user, obj):
    return permissions.can_view_directory(user)


def _admin_only():
    if not permissions.can_administer(actor()):
        raise Forbidden(_("Only an administrator may change the directory."))


# -- organizations ------------------------------------------------------------------------

@bp.route("/organizations", methods=["GET"], tags=ORG_TAG)
@bp.arguments(OrganizationArgs, location="query")
@bp.response(200, OrganizationPageSchema)
def list_organizations(args):
    """Organizations in tree order (a body, then its sub-units)."""
    stmt = queries.organizations(q=args.get("q"), kind=args.get("kind"), active=args.get("active"))
    return page_of(stmt, args)


@bp.route("/organizations", methods=["POST"], tags=ORG_TAG)
@bp.arguments(OrganizationSchema)
@bp.response(201, OrganizationSchema, headers=ETAG)
def create_organization(args):
    """Add an organization (admin)."""
    _admin_only()
    org = organizations.create_organization(actor(), **args)
    db.session.commit()
    return org, 201, etag_header(org) | {"Location": url_for("api.get_organization", object_id=org.id)}


@bp.route(f"/organizations/{ID}", methods=["GET"], tags=ORG_TAG)
@bp.response(200, OrganizationSchema, headers=ETAG)
def get_organization(object_id):
    org = get_or_404(Organization, object_id, _viewer)
    return org, 200, etag_header(org)


@bp.route(f"/organizations/{ID}", methods=["PATCH"], tags=ORG_TAG)
@bp.arguments(OrganizationPatchSchema)
@bp.response(200, OrganizationSchema, headers=ETAG)
@bp.doc(parameters=[IF_MATCH])
def update_organization(args, object_id):
    """Change an organization (admin); send If-Match."""
    org = get_or_404(Organization, object_id, _viewer)
    _admin_only()
    check_if_match(org)
    organizations.update_organization(actor(), org, **args)
    db.session.commit()
    return org, 200, etag_header(org)


# -- users ----------------------------------------------------------------------------------

class Card(NamedTuple):
    """What every signed-in reader sees of a person: who they are and what they do, no contact details."""

    id: int
    name: str
    organization_id: int
    roles: frozenset


def _as_seen_by(viewer, person):
    # The schema leaves out what the card does not carry.
    if permissions.can_view_contact_details(viewer, person):
        return person
    return Card(person.id, person.name, person.organization_id, person.roles)


@bp.route("/users", methods=["GET"], tags=USER_TAG)
@bp.arguments(UserArgs, location="query")
@bp.response(200, UserPageSchema)
def list_users(args):
    """People, by organization and name.

    Email, phone, language, the account's state and last login are shown to the control body and to the
    person themself; other readers get each person's id, name, organization and roles, and search names only.
    """
    viewer = actor()
    private = permissions.reads_everything(viewer)
    if not private and "active" in args:
        message = _("Only the control body may filter people by whether their account is active.")
        raise ValidationError(message, errors={"active": [message]})
    page = page_of(queries.users(q=args.get("q"), organization_id=args.get("organization_id"),
                                 role=args.get("role"), active=args.get("active"), by_email=private), args)
    page["items"] = [_as_seen_by(viewer, person) for person in page["items"]]
    return page


@bp.route("/users", methods=["POST"], tags=USER_TAG)
@bp.arguments(UserCreateSchema)
@bp.response(201, UserSchema, headers=ETAG)
def create_user(args):
    """Add a person (admin)."""
    _admin_only()
    user = users.create_user(actor(), **args)
    db.session.commit()
    return user, 201, etag_header(user) | {"Location": url_for("api.get_user", object_id=user.id)}


@bp.route(f"/users/{ID}", methods=["GET"], tags=USER_TAG)
@bp.response(200, UserSchema, headers=ETAG)
def get_user(object_id):
    """One person: in full for the control body and for themself, else their card (see the list)."""
    user = get_or_404(User, object_id, _viewer)
    return _as_seen_by(actor(), user), 200, etag_header(user)


@bp.route(f"/users/{ID}", methods=["PATCH"], tags=USER_TAG)
@bp.arguments(UserPatchSchema)
@bp.response(200, UserSchema, headers=ETAG)
@bp.doc(parameters=[IF_MATCH])
def update_user(args, object_id):
    """Change a person's details, roles or active flag (admin); send If-Match."""
    user = get_or_404(User, object_id, _viewer)
    _admin_only()
    check_if_match(user)
    users.update_user(actor(), user, **args)
    db.session.commit()
    return user, 200, etag_header(user)
