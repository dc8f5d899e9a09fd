"""What every response and request goes through for security.

- Response headers: a strict Content-Security-Policy (scripts only from this site or with the
  request's nonce, no inline styles, no framing), nosniff, a referrer policy, a permissions policy,
  HSTS over HTTPS, and ``Cache-Control: no-store`` unless a view chose its own caching.
- A person whose role requires two-factor login and who has not set it up can only set it up (or log out).
- Denials (403, and 404 on a real route for a signed-in person: an object that does not exist or
  that they may not see, which we deliberately do not tell apart) go to the audit trail as ``security.denied``.
"""

import secrets

from flask import current_app, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from monitoris.errors import problem
from monitoris.extensions import db
from monitoris.services import audit, two_factor

CSP = ("default-src 'self'; script-src 'self'{script_extra}; style-src 'self'{style_extra}; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
# Swagger UI sets style attributes from its script: the one page that needs inline styles.
INLINE_STYLE_ENDPOINTS = frozenset({"api_docs.docs"})
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
                      "payment=(), usb=(), interest-cohort=()")
HSTS = "max-age=31536000; includeSubDomains"

# Where a person who must set up two-factor login may still go.
ENROLMENT_ENDPOINTS = frozenset({"static", "two_factor.setup", "two_factor.confirm", "auth.logout", "healthz",
                                 "readyz"})


def csp_nonce():
    """The nonce of this response's Content-Security-Policy, for a ``<script nonce="…">`` a page needs."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


# The same on every answer; added, not set: werkzeug's set() scans every header already there for each one.
COMMON_HEADERS = (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
                  ("Referrer-Policy", "same-origin"), ("Permissions-Policy", PERMISSIONS_POLICY),
                  ("Cross-Origin-Opener-Policy", "same-origin"))
STRICT_CSP = CSP.format(script_extra="", style_extra="")


def _security_headers():
    style_extra = " 'unsafe-inline'" if request.endpoint in INLINE_STYLE_ENDPOINTS else ""
    # A nonce only when the page asked for one (an inline script): an API answer or a page without one
    # allows no inline script at all, and costs no random bytes.
    nonce = g.get("csp_nonce")
    if nonce or style_extra:
        yield "Content-Security-Policy", CSP.format(script_extra=f" 'nonce-{nonce}'" if nonce else "",
                                                    style_extra=style_extra)
    else:
        yield "Content-Security-Policy", STRICT_CSP
    yield from COMMON_HEADERS
    if request.is_secure:
        yield "Strict-Transport-Security", HSTS
    if request.endpoint != "static":
        # Pages and API answers carry officials' data: never kept by the browser or a shared cache.
        yield "Cache-Control", "no-store"


def set_headers(response):
    """Every answer's security headers, except those its view chose itself (a document download keeps its
    sandboxing policy and its own caching)."""
    chosen = {name.lower() for name in response.headers.keys()}
    response.headers.extend([(name, value) for name, value in _security_headers() if name.lower() not in chosen])
    return response


def require_enrolment():
    if request.endpoint in ENROLMENT_ENDPOINTS or _speaks_for_bearer():
        return None
    if not current_user.is_authenticated:
        return None
    if not two_factor.needs_enrolment(current_user):
        return None
    if request.path.startswith("/api/"):
        return problem(403, "Forbidden", _("Your role requires two-factor login: set it up in Monitoris first "
                                           "(%(url)s).", url=url_for("two_factor.setup")))
    return redirect(url_for("two_factor.setup"))


def _speaks_for_bearer():
    """An API request with a token acts for the token's owner, not for whoever the browser's cookie names: the
    cookie's person is not asked about (nor loaded, which would cost every token request a session lookup)."""
    return "Authorization" in request.headers and request.path.startswith("/api/")


def _denied_actor():
    actor = g.get("api_actor")
    if actor is None and current_user.is_authenticated:
        actor = current_user._get_current_object()
    return actor


def record_denial(response):
    if response.status_code not in (403, 404) or request.url_rule is None or request.endpoint == "static":
        return response
    actor = _denied_actor()
    if actor is None:
        return response
    try:
        # Whatever the refused request had begun is not ours to keep; the denial is.
        db.session.rollback()
        actor.ip = request.remote_addr
        audit.record(actor, "security.denied", "request", None,
                     after={"status": response.status_code, "method": request.method, "path": request.path[:300],
                            "endpoint": request.endpoint, "ip": request.remote_addr})
        db.session.commit()
    except Exception:  # the refusal itself must reach the person even if the trail cannot be written
        db.session.rollback()
        current_app.logger.exception("could not record a denial of %s %s", request.method, request.path)
    return response


def register(app):
    app.add_template_global(csp_nonce)
    app.before_request(require_enrolment)
    app.after_request(record_denial)
    app.after_request(set_headers)
