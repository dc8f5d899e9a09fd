"""The REST API under /api/v1 (one blueprint, thin views: schema -> permission -> service -> schema)."""

from monitoris.api import (  # noqa: F401 - they add the routes
    acts,
    assignments,
    directory,
    docs,
    events,
    notifications,
    public,
    tokens,
)
from monitoris.api import analysis as _analysis  # noqa: F401 - performance analysis
from monitoris.api import extensions as _extensions  # noqa: F401 - reports, documents, instructions, extensions
from monitoris.api import instructions as _instructions  # noqa: F401
from monitoris.api import plans as _plans  # noqa: F401 - plan import, implementation report
from monitoris.api import reports as _reports  # noqa: F401
from monitoris.api.core import bp
from monitoris.extensions import api

OPENAPI_FILE = "openapi.json"

SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer",
                   "description": "A personal access token from POST /api/v1/auth/tokens"},
    "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "monitoris_session",
                      "description": "The browser's login session; writes also need the X-CSRFToken header"},
}

TAGS = [
    {"name": "Tokens", "description": "Personal access tokens: `Authorization: Bearer <token>`"},
    {"name": "Organizations", "description": "The control body and the executive bodies"},
    {"name": "Users", "description": "People and their roles"},
    {"name": "Acts", "description": "Legislative acts"},
    {"name": "Tasks", "description": "The measures of an act, a tree by number"},
    {"name": "Assignments", "description": "Tasks given to executive bodies, and their workflow"},
    {"name": "Events", "description": "The audit trail, as a list and live (Server-Sent Events)"},
    {"name": "Analysis", "description": "Performance analysis: figures per body, discipline index, monthly trend"},
    {"name": "Reports", "description": "Execution reports: one per reporting period, versioned; submit and review"},
    {"name": "Documents", "description": "Evidence files: multipart upload, metadata, the file as an attachment"},
    {"name": "Instructions", "description": "Instructions, recommendations and requests for information"},
    {"name": "Extension requests", "description": "Asking for a later due date, and the decision"},
    {"name": "Open data", "description": "Published tasks and their progress, without login (JSON, CSV; CC BY 4.0)"},
    {"name": "Notifications", "description": "Your in-app notifications: the list and marking them read"},
    {"name": "Plans", "description": "Importing an action plan (XLSX, CSV, DOCX) and the implementation report"},
]


def register(app):
    app.config.setdefault("API_TITLE", "Monitoris API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "Tasks of legislative acts, their assignments to executive bodies, the workflow "
                                "and the audit trail.  Errors are application/problem+json (RFC 9457).",
                 "license": {"name": "AGPL-3.0-or-later"}},
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
        "tags": TAGS,
        "components": {"securitySchemes": SECURITY_SCHEMES},
    })
    api.init_app(app)
    api.register_blueprint(bp)
    docs.register(app)
