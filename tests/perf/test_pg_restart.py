"""The web tier across a PostgreSQL restart and outage (bench/pg_restart.py), on a private server of its own.

The shared server is never restarted: bench/private_pg.py runs ``initdb`` in a temporary directory and
``pg_ctl`` on a free port (as the ``postgres`` OS user when run as root), and removes it all afterwards.
gunicorn serves a small dataset while clients read and PATCH; the server is restarted (fast shutdown), then
crashed (immediate shutdown) and kept down 2.5 s.  PostgreSQL leg only, where a missing server binary or
``postgres`` user fails the test (it never skips); about 30 seconds.
"""

import time

import pytest
import sqlalchemy as sa

from bench import pg_restart
from bench.private_pg import PrivateServerUnavailable, private_server
from monitoris.extensions import db

pytestmark = pytest.mark.postgresql


def test_requests_get_clean_503s_while_postgresql_is_away_and_succeed_after_with_nothing_lost():
    try:
        with private_server() as server:
            outcome = pg_restart.run(server.create_database("monitoris_restart"), pg_restart.PrivateOutages(server))
    except PrivateServerUnavailable as exc:
        pytest.fail(f"the restart test needs a private PostgreSQL server: {exc}")
    figures = {name: value for name, (value, _) in outcome.figures.items()}
    report = "\n".join(f"{name}: {value}" for name, value in figures.items())
    assert outcome.violations == [], f"{report}\n{outcome.violations}\n{outcome.log}"
    assert figures["answers other or dropped"] == 0
    assert figures["503 while down"] > 0 and figures["readyz 503 while down"] > 0
    assert figures["recovery after the outage"] <= pg_restart.RECOVERY_LIMIT
    assert figures["writes answered 200"] > 0 and figures["confirmed writes lost"] == 0


def test_an_answer_survives_its_connection_dying_before_the_request_ends(own_postgresql_app):
    """The request has read what it needs when the server drops its connection (a restart): closing the
    session can no longer roll back, and that must not turn the answer into a 500."""
    app, admin, _ = own_postgresql_app

    @app.get("/probe")
    def probe():
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            assert time.monotonic() < deadline, "the backend outlived pg_terminate_backend"
            time.sleep(0.05)
        return "read"

    client = app.test_client()
    response = client.get("/probe")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "read")
    assert client.get("/readyz").status_code == 200
