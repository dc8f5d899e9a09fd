"""What every endpoint of /api/v1 shares: authentication, problem+json errors, ETags, pages.

One blueprint carries the whole API, so that authentication and error rendering are attached
once (``before_request`` and error handlers, as GOV.UK Notify does per blueprint); each module
adds its routes under its own tag.
"""

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import missing
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from webargs.core import parse_json
from webargs.flaskparser import FlaskParser, abort, is_json_request
from werkzeug.exceptions import BadRequest, HTTPException, PreconditionFailed, PreconditionRequired, Unauthorized

from monitoris import queries
from monitoris.errors import NotFound, problem, problem_of
from monitoris.extensions import csrf, db
from monitoris.schemas.common import in_readers_language
from monitoris.services import tokens

PREFIX = "/api/v1"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Where @bp.arguments reads a body from; the header that says which body a method takes (RFC 5789 for PATCH).
BODY_LOCATIONS = frozenset({"json", "form", "files", "json_or_form"})
ACCEPT_HEADERS = {"POST": "Accept-Post", "PATCH": "Accept-Patch"}


def has_body(req):
    """Whether the request carries a body: a length, or chunks of a length not known beforehand."""
    return bool(req.content_length) or "chunked" in req.headers.get("Transfer-Encoding", "").lower()


class ApiParser(FlaskParser):
    """webargs' Flask parser, for an API whose bodies are JSON.

    A body that is not JSON is refused as such (415): webargs would read it as no body at all and report
    the fields it carries as missing.  JSON that Python cannot read for another reason than its syntax
    (nested deeper than the recursion limit, an integer of thousands of digits) is invalid JSON too, not a 500.
    """

    def load_json(self, req, schema):
        if not is_json_request(req):
            if has_body(req):
                header = ACCEPT_HEADERS.get(req.method)
                abort(415, message=_("Send the request body as JSON, with Content-Type: application/json."),
                      headers={header: "application/json"} if header else {})
            return missing
        data = req.get_data(cache=True)
        if not data:
            return missing
        try:
            return parse_json(data)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            abort(400, exc=exc, messages={"json": [_("Invalid JSON body.")]})


bp = Blueprint("api", __name__, url_prefix=PREFIX, description="Monitoris API v1")
# Each schema says what it accepts (Meta.unknown; RAISE by default), in the query string too:
# webargs would otherwise drop unknown query parameters, so a misspelt filter would silently not filter.
bp.ARGUMENTS_PARSER = ApiParser(unknown=None)
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


def _bearer(header):
    """The live token of an ``Authorization: Bearer …`` header, or None."""
    scheme, _space, raw = (header or "").partition(" ")
    return tokens.authenticate(raw.strip()) if scheme.lower() == "bearer" else None


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
        bearer = _bearer(header)
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


@bp.before_request
def refuse_an_unexpected_body():
    """An action that declares no body takes none: a body sent anyway (a mistake, or meant for another
    endpoint) is refused, not ignored while the action goes ahead.  ``{}``, which says nothing, passes:
    some clients send it with every POST.  Runs after authenticate(), so that a stranger gets a 401.

    flask-smorest keeps what ``@bp.arguments`` declared in the view's ``_apidoc``: a view that reads a body
    must declare it there, as it must for the OpenAPI document anyway.
    """
    if request.method in SAFE_METHODS or not has_body(request):
        return
    view = current_app.view_functions.get(request.endpoint)
    declared = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    if any(argument.get("in") in BODY_LOCATIONS for argument in declared):
        return
    if is_json_request(request) and request.get_data(cache=True).strip() == b"{}":
        return
    raise BadRequest(_("This request takes no body; send it without one."))


@bp.before_app_request
def speak_the_token_owners_language():
    """A request under /api/ that matches no route (404, 405) never reaches authenticate(); its problem is
    still written in the language of the token's owner, as every other answer to that token is."""
    routing = request.routing_exception
    if routing is None or getattr(routing, "code", 0) < 400 or not request.path.startswith(PREFIX + "/"):
        return
    bearer = _bearer(request.headers.get("Authorization"))
    if bearer is not None:
        g.api_locale = bearer.user.locale
        if bearer.touched:
            db.session.commit()  # the token was used, as in authenticate()


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
    errors = in_readers_language(_field_errors(data))
    detail = data.get("message")
    if errors and exc.code in (400, 422):
        detail = _("The request has invalid fields; see errors.")
    response = problem_of(exc, detail, errors)
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
