"""The optional read replica: ``MONITORIS_REPLICA_DATABASE_URL`` becomes a second engine, and
``queries.replica()`` reads through it; without it, reads stay on the primary's session."""

import time

import psycopg
import pytest
import sqlalchemy as sa

from monitoris import create_app, queries
from monitoris.analysis import tables
from monitoris.config import load
from monitoris.extensions import db


def test_without_a_replica_reads_use_the_primary_session(app):
    assert "replica" not in (app.config.get("SQLALCHEMY_BINDS") or {})
    with queries.replica() as session:
        assert session is db.session


def test_the_replica_url_becomes_a_bind(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITORIS_REPLICA_DATABASE_URL", "postgres://reader@replica.internal/monitoris")
    config = load(str(tmp_path), {"ENV_NAME": "testing", "SECRET_KEY": "x"})
    assert config["SQLALCHEMY_BINDS"]["replica"] == {"url": "postgresql+psycopg://reader@replica.internal/monitoris"}


@pytest.mark.postgresql
def test_replica_connections_speak_utc_and_one_the_server_dropped_is_replaced(database_url, tmp_path):
    """As the primary's (database.configure_postgresql): a session in UTC, and a pooled connection the server
    ended (a replica restarting, say) checked before use, so that the next read succeeds."""
    url = database_url.replace("postgresql://", "postgresql+psycopg://")
    other = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                        "SQLALCHEMY_DATABASE_URI": url, "REPLICA_DATABASE_URL": url})
    try:
        with other.app_context():
            with queries.replica() as session:
                assert session.execute(sa.text("SHOW TIME ZONE")).scalar() == "UTC"
                pid = session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
            with psycopg.connect(database_url, autocommit=True) as admin:
                assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0] is True
                deadline = time.monotonic() + 10
                while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
                    assert time.monotonic() < deadline, "the backend did not end"
                    time.sleep(0.05)
        with other.app_context():
            with queries.replica() as session:
                assert session.execute(sa.text("SELECT pg_backend_pid()")).scalar() != pid
    finally:
        with other.app_context():
            for engine in db.engines.values():
                engine.dispose()


def test_reads_go_through_the_replica_engine(database_url, tmp_path):
    """The replica URL points at the test database itself; every statement is counted per engine."""
    url = database_url.replace("postgresql://", "postgresql+psycopg://")
    other = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                        "SQLALCHEMY_DATABASE_URI": url, "REPLICA_DATABASE_URL": url})
    seen = {"primary": [], "replica": []}
    with other.app_context():
        sa.event.listen(db.engines[None], "before_cursor_execute",
                        lambda *args: seen["primary"].append(args[2]))
        sa.event.listen(db.engines["replica"], "before_cursor_execute",
                        lambda *args: seen["replica"].append(args[2]))
        with queries.replica() as session:
            assert session is not db.session
            revision = session.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar()
        assert revision >= 1
        assert any("alembic_version" in sql for sql in seen["replica"])
        assert not any("alembic_version" in sql for sql in seen["primary"])
        for engine in db.engines.values():
            engine.dispose()


def test_analysis_reads_through_the_replica_and_the_session_closes(database_url, tmp_path):
    url = database_url.replace("postgresql://", "postgresql+psycopg://")
    other = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                        "SQLALCHEMY_DATABASE_URI": url, "REPLICA_DATABASE_URL": url})
    seen = []
    with other.app_context():
        sa.event.listen(db.engines["replica"], "before_cursor_execute", lambda *args: seen.append(args[2]))
        session = tables.session()
        assert session is not db.session and tables.session() is session  # one per context
        session.execute(sa.text("SELECT 1 AS analysis_probe"))
        assert any("analysis_probe" in sql for sql in seen)
    assert not session.in_transaction()  # closed with the context
    with other.app_context():
        for engine in db.engines.values():
            engine.dispose()
