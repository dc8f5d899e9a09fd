"""/api/v1/docs: interactive API documentation (Swagger UI, vendored: no CDN)."""

from flask import Blueprint, render_template, url_for

docs_bp = Blueprint("api_docs", __name__, template_folder="templates")


@docs_bp.get("/api/v1/docs")
def docs():
    return render_template("api/docs.html", spec_url=url_for("api-docs.openapi_json"))


def register(app):
    app.register_blueprint(docs_bp)
