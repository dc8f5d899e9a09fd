"""On SQLite (make run), people saving at the same moment wait their turn instead of being told the database is
unavailable: a request that writes takes the write lock as its transactions begin (database.register)."""

import threading

import pytest
from flask_migrate import upgrade

from monitoris import create_app
from monitoris.extensions import db
from tests.conftest import TEST_DB
from tests.factories import make_org, make_token, make_user

pytestmark = pytest.mark.skipif(TEST_DB != "sqlite", reason="SQLite's locks; PostgreSQL writers wait by themselves")


def test_concurrent_saves_all_succeed(tmp_path):
    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'writers.db'}"})
    with app.app_context():
        upgrade(revision="heads")
        control = make_org("CD", kind="control")
        tokens = [make_token(make_user("controller", organization=control), days_valid=3650) for _ in range(6)]
        db.session.commit()
    statuses, start = [], threading.Barrier(len(tokens))

    def save(token):
        client = app.test_client()
        start.wait()
        for n in range(5):
            response = client.post("/api/v1/acts", json={"kind": "law", "title": f"Law {token[-6:]} {n}"},
                                   headers={"Authorization": f"Bearer {token}"})
            statuses.append(response.status_code)

    threads = [threading.Thread(target=save, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        assert statuses == [201] * 30
        assert db.session.execute(db.text("SELECT count(*) FROM acts")).scalar() == 30
        db.engine.dispose()
