"""Personal access tokens for the API: created, listed, revoked; only their sha256 is kept.

The raw token is returned once, by ``create_token``, and never stored or logged.
"""

import functools
import hashlib
import secrets
from datetime import timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import defer, joinedload

from monitoris import clock
from monitoris.errors import NotFound, ValidationError
from monitoris.extensions import db
from monitoris.models import ApiToken, User
from monitoris.services import audit

# A recognisable prefix lets secret scanners spot a leaked token.
PREFIX = "mnt_"


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user, *, name, expires_in_days=None):
    """A new token for ``user`` (the actor is always the owner).  ``token.token`` holds the raw value."""
    name = (name or "").strip()
    days = expires_in_days if expires_in_days is not None else current_app.config["API_TOKEN_DEFAULT_DAYS"]
    maximum = current_app.config["API_TOKEN_MAX_DAYS"]
    errors = {}
    if not name:
        errors["name"] = [_("Name the token after where it will be used.")]
    elif len(name) > 100:
        errors["name"] = [_("Use at most %(count)s characters.", count=100)]
    if not 1 <= days <= maximum:
        errors["expires_in_days"] = [ngettext("A token lives from 1 to %(num)d day.",
                                               "A token lives from 1 to %(num)d days.", maximum)]
    if errors:
        raise ValidationError(_("The token could not be created."), errors=errors)
    raw = PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken(user=user, name=name, token_hash=token_hash(raw), created_at=now,
                     expires_at=now + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    token.token = raw
    audit.record(user, "api_token.created", "api_token", token.id,
                 after={"user_id": user.id, "name": name, "expires_at": audit.json_value(token.expires_at)})
    return token


def tokens_of(user):
    """The user's tokens that have not been revoked, newest first (expired ones too, to be seen and cleaned)."""
    return db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                              .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()


def revoke_token(actor, token_id):
    """Only the owner revokes a token; someone else's is "not found", so its existence does not leak."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.id or token.revoked_at is not None:
        raise NotFound(_("There is no such token."))
    token.revoked_at = clock.now()
    db.session.flush()
    audit.record(actor, "api_token.revoked", "api_token", token.id, after={"user_id": token.user_id,
                                                                          "name": token.name})
    return token


class Bearer(NamedTuple):
    """Who a live token speaks for.  ``touched``: its ``last_used_at`` was just written (the caller commits)."""

    user: User
    token_id: int
    touched: bool


@functools.cache
def _bearer_by_hash():
    """One query for the token's dates and its user with the organization and roles (which would otherwise cost
    a second round trip on every API request).  The token's columns, not the token: on every API request the
    ORM then builds the objects the permissions read and no more.  Built once: SQLAlchemy computes the
    statement's cache key once, not on every request.

    The owner's password hash and TOTP secret stay in the database: a token request never checks them, and the
    secret would otherwise be unsealed (a decryption) on every request of someone who uses two-factor login.
    Code that does read them loads them when it does."""
    return (sa.select(User, ApiToken.id, ApiToken.revoked_at, ApiToken.expires_at, ApiToken.last_used_at)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == sa.bindparam("token_hash"))
            .options(joinedload(User.organization), joinedload(User.role_rows),
                     defer(User.password_hash), defer(User.totp_secret)))


def authenticate(raw):
    """The ``Bearer`` of the live token behind ``raw``, or None.  Touches ``last_used_at`` at most once a minute."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    row = db.session.execute(_bearer_by_hash(), {"token_hash": token_hash(raw)}).unique().one_or_none()
    if row is None:
        return None
    user, token_id, revoked_at, expires_at, last_used_at = row
    now = clock.now()
    if not ApiToken.live(revoked_at, expires_at, user, now):
        return None
    touched = last_used_at is None or now - last_used_at > timedelta(minutes=1)
    if touched:
        db.session.execute(sa.update(ApiToken.__table__).where(ApiToken.__table__.c.id == token_id)
                           .values(last_used_at=now))
    return Bearer(user, token_id, touched)

