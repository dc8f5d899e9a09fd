"""Domain errors and how they reach a person (an HTML page) or a client (problem+json)."""

import sqlalchemy as sa
from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from monitoris.extensions import db

# Seconds a client should wait after a 503 while the database is away (a restart, a failover).
RETRY_AFTER_SECONDS = 5


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, message, *, errors=None):
        super().__init__(message)
        self.message = message
        # Field name -> list of messages, for forms and the API's field errors.
        self.errors = errors or {}


class ValidationError(DomainError):
    status = 422
    title = "Invalid input"


class NotFound(DomainError):
    status = 404
    title = "Not found"

    def __init__(self, message=None):
        super().__init__(message or _("This page does not exist or you do not have access to it."))


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"

    def __init__(self, message=None):
        super().__init__(message or _("You are not allowed to do this."))


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class IllegalTransition(Conflict):
    title = "Illegal transition"


class PayloadTooLarge(DomainError):
    status = 413
    title = "Payload too large"


def is_public_path(path):
    """A path under the public portal's prefix (/public), whether a route matched it or not."""
    portal = current_app.blueprints.get("public")
    prefix = portal.url_prefix if portal is not None else None
    return bool(prefix) and (path == prefix or path.startswith(prefix.rstrip("/") + "/"))


def wants_problem_json():
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/problem+json"


def _titles():
    # The titles of this module's errors, of werkzeug's exceptions and of the other problems the app writes, in
    # the reader's language (RFC 9457 lets a problem's title change by localization only); English as it was.
    return {"Bad request": _("Bad request"), "Bad Request": _("Bad Request"), "Invalid input": _("Invalid input"),
            "Unprocessable Entity": _("Unprocessable Entity"), "Unauthorized": _("Unauthorized"),
            "Login failed": _("Login failed"), "Forbidden": _("Forbidden"), "Not found": _("Not found"),
            "Not Found": _("Not Found"), "Method Not Allowed": _("Method Not Allowed"), "Conflict": _("Conflict"),
            "Illegal transition": _("Illegal transition"), "Precondition Failed": _("Precondition Failed"),
            "Precondition Required": _("Precondition Required"), "Payload too large": _("Payload too large"),
            "Request Entity Too Large": _("Request Entity Too Large"),
            "Unsupported Media Type": _("Unsupported Media Type"), "Too Many Requests": _("Too Many Requests"),
            "Internal server error": _("Internal server error"), "Internal Server Error": _("Internal Server Error"),
            "Service unavailable": _("Service unavailable")}


def _descriptions():
    # What werkzeug says (in English) for an exception raised without a description of the app's own.
    return {400: _("The server could not understand the request."),
            404: _("There is nothing at this address."),
            405: _("This address does not take %(method)s requests; the Allow header lists the methods it takes.",
                   method=request.method),
            413: _("The request is larger than the server accepts.")}


def problem(status, title, detail=None, errors=None, type_="about:blank"):
    body = {"type": type_, "title": _titles().get(title, title), "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def carried_headers(exc):
    """The headers a werkzeug HTTPException carries (Allow on a 405, WWW-Authenticate, Retry-After …), without
    the Content-Type of werkzeug's own HTML page."""
    return [(name, value) for name, value in exc.get_headers() if name.lower() != "content-type"]


def problem_of(exc, detail=None, errors=None):
    """A werkzeug HTTPException as problem+json, in the reader's language and with the headers it carries."""
    if detail is None:
        detail = exc.description
        if detail == type(exc).description:
            detail = _descriptions().get(exc.code, detail)
    response = problem(exc.code, exc.name, detail, errors)
    for name, value in carried_headers(exc):
        response.headers.add(name, value)
    return response


def register_error_handlers(app):
    @app.errorhandler(DomainError)
    def domain_error(exc):
        if wants_problem_json():
            return problem(exc.status, exc.title, exc.message, exc.errors)
        if exc.status == 404 and is_public_path(request.path):
            return render_template("public/not_found.html"), 404
        return render_template("error.html", status=exc.status, title=exc.title, message=exc.message), exc.status

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if wants_problem_json():
            return problem_of(exc)
        if exc.code == 404 and is_public_path(request.path):
            # A citizen is not staff: the portal's own page, which leads back to the published acts, not to a login.
            return render_template("public/not_found.html"), 404
        return (render_template("error.html", status=exc.code, title=exc.name, message=exc.description), exc.code,
                carried_headers(exc))

    @app.errorhandler(sa.exc.OperationalError)
    @app.errorhandler(sa.exc.InterfaceError)
    @app.errorhandler(sa.exc.TimeoutError)
    def database_unavailable(exc):
        return database_unavailable_response(exc)

    @app.errorhandler(sa.exc.DBAPIError)
    def database_error(exc):
        if getattr(exc, "connection_invalidated", False):
            return database_unavailable_response(exc)
        return unhandled(exc)

    @app.errorhandler(Exception)
    def unhandled(exc):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        message = _("Something went wrong on our side. The error has been logged.")
        if wants_problem_json():
            return problem(500, "Internal server error", message)
        return render_template("error.html", status=500, title="Internal server error", message=message), 500

    # Registered after db.init_app, so it runs before Flask-SQLAlchemy's own teardown (the last registered runs first).
    app.teardown_appcontext(release_session)


def database_unavailable_response(exc):
    """503 while the database cannot be reached: the pool drops the dead connection, and pre-ping checks
    every connection it hands out, so the next request after the database is back succeeds."""
    current_app.logger.warning("database unavailable on %s %s: %s", request.method, request.path,
                               getattr(exc, "orig", None) or exc)
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        pass  # the connection is gone; the session is discarded at the end of the request
    message = _("The database is unavailable for a moment. Please try again in a few seconds.")
    if wants_problem_json():
        response = problem(503, "Service unavailable", message)
    else:
        # A page of its own: the usual layout reads the logged-in user, which needs the database.
        response = current_app.response_class(render_template("unavailable.html", message=message), 503,
                                              mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def close_quietly(session, close):
    """Run ``close`` (which ends ``session``) without turning an answer already made into a 500.

    Closing a session rolls back its transaction.  When the database went away after the request's last
    query (a restart, a failover), that ROLLBACK fails, and the teardown would raise it after the response
    was built: the client would get gunicorn's bare 500 instead of its answer.  The transaction died with
    the connection anyway, so the connection is dropped instead of rolled back.
    """
    try:
        close()
    except sa.exc.DBAPIError as exc:
        if not (isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError) or exc.connection_invalidated):
            raise
        current_app.logger.warning("database unavailable while closing the session: %s", exc.orig or exc)
        session.invalidate()
        close()


def release_session(_exc=None):
    """End the request's session (``close_quietly``)."""
    # db.session() is the request's Session itself: the scoped_session proxy does not offer invalidate.
    close_quietly(db.session(), db.session.remove)
