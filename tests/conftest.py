"""Test fixtures: one database per run (SQLite or PostgreSQL), built by the real migrations;
each test runs inside a transaction that is rolled back.

Choose the database with ``MONITORIS_TEST_DB=sqlite`` (default) or ``postgresql``.  The
PostgreSQL leg creates a fresh database on ``MONITORIS_TEST_PG_URL`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``) and drops it afterwards; it fails, never
skips, when PostgreSQL does not answer.
"""

import os
import re
import uuid
from datetime import UTC, datetime

import psycopg
import pytest
from flask import g, request_started
from flask_migrate import upgrade

from monitoris import create_app
from monitoris.clock import FrozenClock
from monitoris.extensions import db

TEST_DB = os.environ.get("MONITORIS_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get("MONITORIS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# 2026-06-15 09:00 in Baku: a Monday, mid-year, far from any year boundary.
START = datetime(2026, 6, 15, 5, 0, tzinfo=UTC)


def pytest_report_header(config):
    return f"monitoris test database: {TEST_DB}"


def pytest_collection_modifyitems(config, items):
    if TEST_DB != "postgresql":
        skip = pytest.mark.skip(reason="PostgreSQL only; runs in the PostgreSQL leg")
        for item in items:
            if "postgresql" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if TEST_DB == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    if TEST_DB != "postgresql":
        raise pytest.UsageError(f"MONITORIS_TEST_DB must be sqlite or postgresql, not {TEST_DB!r}")
    name = f"monitoris_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.exit(f"PostgreSQL leg requested but PostgreSQL does not answer at {PG_ADMIN_URL}: {exc}", returncode=3)
    admin.execute(f'CREATE DATABASE "{name}"')
    url = re.sub(r"/[^/]*$", f"/{name}", PG_ADMIN_URL)
    yield url
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="session")
def frozen_clock():
    return FrozenClock(START)


@pytest.fixture(scope="session")
def app(database_url, frozen_clock, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({
        "ENV_NAME": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url.replace("postgresql://", "postgresql+psycopg://"),
        "INSTANCE_PATH": str(instance),
        "CLOCK": frozen_clock,
    })
    request_started.connect(_fresh_globals, app)
    with app.app_context():
        upgrade(revision="heads")  # the schema comes from the migrations, on both legs
        yield app
        db.engine.dispose()


def _fresh_globals(sender, **extra):
    """Requests reuse the test's app context (and so its database session), but ``g`` must start
    empty for each one, as in production: else the logged-in user and the CSRF token of one
    request or test leak into the next."""
    g.__dict__.clear()


@pytest.fixture(autouse=True)
def _transaction(app, frozen_clock):
    """Every test runs in a transaction that is rolled back; commits inside become savepoints."""
    frozen_clock.at = START
    # The app context (and its ``g``) outlives each test: Flask-Babel's cached locale of the last
    # request must not translate the next test's service messages (outside a request it is English).
    g.pop("_flask_babel", None)
    engines = db.engines
    engine = engines[None]
    connection = engine.connect()
    outer = connection.begin()
    db.session.remove()
    engines[None] = connection
    db.session.configure(join_transaction_mode="create_savepoint")
    try:
        yield connection
    finally:
        db.session.remove()
        engines[None] = engine
        outer.rollback()
        connection.close()


@pytest.fixture
def clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def dialect(app):
    return db.session.get_bind().dialect.name


def csrf_token(client, url="/"):
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class Browser:
    """A test client that logs in through the login form and sends CSRF tokens like a browser."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def login(self, email, password="correct horse battery"):
        token = csrf_token(self.client, "/login")
        response = self.client.post("/login", data={"email": email, "password": password, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        self.token = csrf_token(self.client, "/")
        return response

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, **kwargs)


@pytest.fixture
def browser(client):
    return Browser(client)


@pytest.fixture
def login(app):
    """``login(user)`` -> a Browser logged in as that user (password from the factories)."""
    def _login(user):
        b = Browser(app.test_client())
        b.login(user.email)
        return b
    return _login


@pytest.fixture
def upload_folder(app, tmp_path):
    """A fresh document store for one test (the app's UPLOAD_FOLDER, restored afterwards)."""
    before = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "documents")
    yield tmp_path / "documents"
    app.config["UPLOAD_FOLDER"] = before


@pytest.fixture
def own_postgresql_app(tmp_path):
    """An app on a PostgreSQL database of its own, outside the per-test transaction (for tests that kill
    its connections): yields (app, admin connection, database name); drops the database afterwards."""
    name = f"monitoris_own_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(PG_ADMIN_URL, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    url = re.sub(r"/[^/]*$", f"/{name}", PG_ADMIN_URL).replace("postgresql://", "postgresql+psycopg://")
    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": url})
    try:
        yield app, admin, name
    finally:
        with app.app_context():
            db.engine.dispose()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
