"""Monitoris: electronic monitoring of the execution of legislative acts."""

import os
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, g, has_request_context, jsonify, request, session
from flask_babel import lazy_gettext
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from monitoris import api, cli, config, database, queries, security, web
from monitoris.analysis import facts as _facts  # noqa: F401 - keeps the analysis's items current on every flush
from monitoris.clock import SystemClock
from monitoris.database import configure_postgresql, configure_sqlite, engine_options
from monitoris.errors import register_error_handlers
from monitoris.extensions import babel, csrf, db, limiter, login_manager, migrate
from monitoris.json_provider import JSONProvider
from monitoris.models import LOCALES
from monitoris.services import auth

ROOT = Path(__file__).resolve().parent.parent


def select_locale():
    """The person's choice when logged in, else the visitor's choice in the menu, else the browser's.

    An API client with a token: the language it asks for (Accept-Language), else its owner's choice.
    """
    if not has_request_context():
        return "en"
    if current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    if g.get("api_locale") in LOCALES and "Accept-Language" not in request.headers:
        return g.api_locale
    if session.get("locale") in LOCALES:
        return session["locale"]
    return request.accept_languages.best_match(LOCALES, default="en")


def create_app(overrides=None):
    overrides = dict(overrides or {})
    instance_path = overrides.pop("INSTANCE_PATH", None) or os.environ.get("MONITORIS_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path or str(ROOT / "instance"),
                template_folder=str(ROOT / "templates"))
    app.json = JSONProvider(app)
    os.makedirs(app.instance_path, exist_ok=True)
    clock = overrides.pop("CLOCK", None)
    app.config.update(config.load(app.instance_path, overrides))
    app.extensions["monitoris.clock"] = clock or SystemClock()

    proxies = int(os.environ.get("MONITORIS_PROXIES", "0") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"],
                                                             app.config.get("SQLALCHEMY_ENGINE_OPTIONS"))
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():  # the primary's, and the read replica's when one is set
            if engine.dialect.name == "sqlite":
                configure_sqlite(engine)
            elif engine.dialect.name == "postgresql":
                configure_postgresql(engine)
    database.register(app)  # first of the hooks: before any of them reads
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: app.config["TIMEZONE"],
                   default_translation_directories=str(ROOT / "monitoris" / "translations"))
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token):
        user = auth.load_session(token)
        if user is not None:
            user.ip = request.remote_addr
        return user

    register_error_handlers(app)
    app.teardown_appcontext(queries.close_read_session)
    security.register(app)
    web.register(app)
    api.register(app)
    cli.register(app)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():
        try:
            db.session.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError as exc:
            app.logger.warning("readiness: database unreachable: %s", exc)
            return jsonify(status="unavailable", database="unreachable"), 503
        return jsonify(status="ok", database="ok")

    return app
