"""What every endpoint of /api/v1 shares: authentication, problem+json errors, ETags, pages.

One blueprint carries the whole API, so that authentication and error rendering are attached
once (``before_request`` and error handlers, as GOV.UK Notify does per blueprint); each module
adds its routes under its own tag.
"""

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException, PreconditionFailed, PreconditionRequired, Unauthorized

from monitoris import queries
from monitoris.errors import NotFound, problem
from monitoris.extensions import csrf, db
from monitoris.services import tokens

PREFIX = "/api/v1"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bp = Blueprint("api", __name__, url_prefix=PREFIX, description="Monitoris API v1")
# Each schema says what it accepts (Meta.unknown; RAISE by default), in the query string too:
# webargs would otherwise drop unknown query parameters, so a misspelt filter would silently not filter.
bp.ARGUMENTS_PARSER = FlaskParser(unknown=None)
# Bearer requests carry no cookie to forge; browser-session writes are checked in authenticate().
csrf.exempt(bp)

IF_MATCH = {
    "in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
    "description": "The ETag of the object as you last read it; 428 without it, 412 when it changed since",
}
IF_MATCH_OPTIONAL = dict(IF_MATCH, required=False,
                         description="Optional: the ETag you last read; 412 when the object changed since")
ETAG = {"ETag": {"description": "The object's version, for If-Match", "schema": {"type": "string"}}}


def public(view):
    """Mark a view that answers without authentication (creating a token with a password)."""
    view.api_public = True
    return view


def read_only(view):
    """Mark a view that only reads: with a bearer token its statements run without a transaction around them
    (``queries.read_without_transaction``).  Such a view must never write."""
    view.api_read_only = True
    return view


def actor():
    return g.api_actor


@bp.before_request
def authenticate():
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "api_public", False):
        return
    header = request.headers.get("Authorization")
    if header is not None:
        read_only = request.method in SAFE_METHODS and getattr(view, "api_read_only", False)
        if read_only:
            queries.read_without_transaction()
        scheme, _space, raw = header.partition(" ")
        bearer = tokens.authenticate(raw.strip()) if scheme.lower() == "bearer" else None
        if bearer is None:
            raise Unauthorized(_("The bearer token is missing, malformed, expired or revoked."))
        if bearer.touched:
            # Keep last_used_at (touched once a minute); the request's own work commits separately.  Only
            # then: a commit expires the user, which would cost every request a reload.
            db.session.commit()
            if read_only:
                queries.read_without_transaction()
        user = bearer.user
        user.ip = request.remote_addr
        g.api_actor = user
        g.api_token_id = bearer.token_id
        g.api_locale = user.locale  # read now: an error page must not reload the user (select_locale)
        return
    if current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            csrf.protect()  # a browser session writes only with its CSRF token (X-CSRFToken header)
        g.api_actor = current_user._get_current_object()
        g.api_login_session_id = current_user.login_session.id
        return
    raise Unauthorized(_("Send Authorization: Bearer <token>, or log in."))


def _field_errors(data):
    """webargs reports {location: {field: [messages]}}; clients want {field: [messages]}."""
    if data.get("errors"):
        return data["errors"]
    errors = {}
    for location, messages in (data.get("messages") or {}).items():
        if isinstance(messages, dict):
            errors.update(messages)
        else:
            errors[location] = messages
    return errors


@bp.errorhandler(HTTPException)
def http_problem(exc):
    data = getattr(exc, "data", None) or {}
    errors = _field_errors(data)
    detail = data.get("message") or exc.description
    if errors and exc.code in (400, 422):
        detail = _("The request has invalid fields; see errors.")
    response = problem(exc.code, exc.name, detail, errors)
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if exc.code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="monitoris"'
    return response


@bp.errorhandler(StaleDataError)
def stale_problem(exc):
    # Another writer committed between our read and our write: the version column caught it.
    db.session.rollback()
    return problem(412, "Precondition Failed", _("Someone else changed this object meanwhile. Read it again."))


@bp.errorhandler(IntegrityError)
def integrity_problem(exc):
    # Two requests raced past the same validation (a unique name, say): the database had the last word.
    db.session.rollback()
    current_app.logger.info("integrity error on %s %s: %s", request.method, request.path, exc.orig)
    return problem(409, "Conflict", _("This clashes with a change made at the same moment. Try again."))


def etag(obj):
    """A strong ETag from the object's version column (bumped by SQLAlchemy on every update)."""
    return f'"{obj.__tablename__}-{obj.id}-v{obj.version}"'


def etag_header(obj):
    return {"ETag": etag(obj)}


def check_if_match(obj):
    """Updates name the version they were based on: 428 without If-Match, 412 when it is stale."""
    if "If-Match" not in request.headers:
        raise PreconditionRequired(_("Send If-Match with the ETag from your last read of this object."))
    if not (request.if_match.star_tag or request.if_match.contains(etag(obj).strip('"'))):
        raise PreconditionFailed(_("This object changed since you read it: read it again, then repeat the change."))


def check_if_match_when_sent(obj):
    """For actions (workflow transitions): a precondition is honoured when given, not required."""
    if "If-Match" in request.headers:
        check_if_match(obj)


def get_or_404(model, object_id, can_view=None):
    """The object, if it exists and ``can_view(actor, obj)``; otherwise 404, so existence does not leak."""
    obj = db.session.get(model, object_id)
    if obj is None or (can_view is not None and not can_view(actor(), obj)):
        raise NotFound(_("There is no such object, or you do not have access to it."))
    return obj


def page_size(args):
    return args.get("page_size") or current_app.config["PAGE_SIZE"]


def page_of(stmt, args):
    return as_page(queries.paginate(stmt, args.get("page", 1), page_size(args)))


def as_page(page):
    return {"items": page.items, "total": page.total, "page": page.page, "page_size": page.per_page,
            "pages": page.pages}
