"""A database outage answers a clean 503 (problem+json under /api, a page elsewhere) with Retry-After,
/readyz says so, and the pool recovers by itself (pre-ping) once the database is back.

The shared PostgreSQL server is never stopped here: an app whose database URL points at a closed
port stands for "the database is down", and the recovery test kills the connections of a database
of its own (tests/perf/test_pg_restart.py restarts and crashes a real, private server)."""

import socket
import time

import pytest
import sqlalchemy as sa

from monitoris import create_app
from monitoris.extensions import db
from monitoris.services import tokens
from tests.factories import make_user


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # free, and nobody listens on it once the socket is closed


@pytest.fixture
def down_app(tmp_path):
    url = f"postgresql+psycopg://monitoris@127.0.0.1:{_closed_port()}/monitoris?connect_timeout=2"
    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_readyz_reports_an_unreachable_database(down_app):
    response = down_app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}


def test_readyz_reports_a_reachable_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_api_answers_503_problem_json_while_the_database_is_down(down_app):
    response = down_app.test_client().get("/api/v1/assignments",
                                          headers={"Authorization": "Bearer mnt_" + "x" * 43})
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 503
    assert response.get_json()["title"] == "Service unavailable"
    assert int(response.headers["Retry-After"]) > 0


def test_pages_answer_a_503_page_while_the_database_is_down(down_app):
    @down_app.get("/probe")
    def probe():
        db.session.execute(sa.text("SELECT 1"))
        return "up"

    response = down_app.test_client().get("/probe", headers={"Accept": "text/html"})
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert "Temporarily unavailable" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.postgresql
def test_the_pool_recovers_after_its_connections_are_killed(own_postgresql_app):
    """Connections the server dropped (a restart, a failover) are replaced at checkout: nothing fails after."""
    app, admin, name = own_postgresql_app
    client = app.test_client()
    assert client.get("/readyz").status_code == 200  # the pool now holds a live connection
    killed = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE datname = %s AND pid <> pg_backend_pid()", (name,)).fetchone()[0]
    assert killed >= 1
    # pg_terminate_backend only signals: wait until the backends are gone, as they are once a restart is over
    # (a ping that reaches a backend still shutting down succeeds, and the next statement would then fail).
    deadline = time.monotonic() + 10
    while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                        (name,)).fetchone()[0] and time.monotonic() < deadline:
        time.sleep(0.05)
    for _ in range(3):
        assert client.get("/readyz").status_code == 200


def test_a_valid_token_request_succeeds_when_the_database_is_up(client):
    user = make_user("controller")
    token = tokens.create_token(user, name="ready")
    db.session.commit()
    response = client.get("/api/v1/assignments", headers={"Authorization": f"Bearer {token.token}"})
    assert response.status_code == 200
