"""Flask extensions, created unbound and attached in ``create_app``."""

import http

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from monitoris.database import Base
from monitoris.schemas.common import ProblemSchema

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


# Only writes are limited (the POSTs that check a password or send an email): a read skips the limiter's
# bookkeeping (a twentieth of the CPU of an API list request).
_UNLIMITED_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class WriteLimiter(Limiter):
    """flask-limiter, whose app-wide check is not run for a read.

    Every limit here is a decorator's, on a POST (there are no default, application or blueprint limits); the
    decorator checks its own limit.  The app-wide before-request check would only find that out after its
    bookkeeping, which cost every API read 0.19 M of 7.0 M instructions (callgrind, the list).  Should a
    release rename the method, the check runs as before: slower, not looser.
    """

    def _check_request_limit(self, callable_name=None, in_middleware=True):
        if in_middleware and request.method in _UNLIMITED_METHODS:
            return None
        return super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)


limiter = WriteLimiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def _rate_limits_off():
    return request.method in _UNLIMITED_METHODS or not current_app.config.get("RATELIMIT_APPLY", True)


class ProblemApi(Api):
    """flask-smorest with every error documented as ``application/problem+json`` (RFC 9457).

    The API blueprints render their own errors (monitoris.api.core); smorest's app-wide
    handler is not installed, since it would also replace the HTML error pages.
    """

    ERROR_SCHEMA = ProblemSchema
    ERROR_CONTENT_TYPE = "application/problem+json"

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, self.ERROR_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as application/problem+json", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, self.ERROR_CONTENT_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


api = ProblemApi()
