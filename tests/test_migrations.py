"""The schema the migrations build is the schema the models describe."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from monitoris import create_app
from monitoris.extensions import db
from monitoris.models import Act, Event, Task
from monitoris.services import assignments, audit, documents, extensions, instructions, reports
from tests.conftest import TEST_DB
from tests.factories import make_act, make_document, make_task, make_world


def test_models_and_migrations_agree():
    context = MigrationContext.configure(db.session.connection(), opts={"compare_type": True})
    assert compare_metadata(context, db.metadata) == []


def test_a_database_with_work_migrates_to_the_acts_index_and_back_on_sqlite(tmp_path):
    """SQLite rebuilds the assignments table for 0009 while other rows point at it (here a delegated
    sub-assignment): the migration must keep every reference and give each assignment its task's act."""
    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "migrations", "INSTANCE_PATH": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'work.db'}"})
    with app.app_context():
        upgrade(revision="0008")
        for statement in (
            "INSERT INTO organizations (id, name, short_name, kind, path, active, created_at, version) "
            "VALUES (1, 'Ministry', 'M', 'central', '/1/', 1, '2026-01-01 00:00:00', 1)",
            "INSERT INTO acts (id, kind, title, state, created_at, updated_at, version) "
            "VALUES (7, 'decree', 'Decree', 'active', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)",
            "INSERT INTO tasks (id, act_id, number, sort_key, title, recurrence, priority, published, created_at, "
            "updated_at, version) VALUES (3, 7, '1', '00001', 'Measure', 'none', 'normal', 1, '2026-01-01 00:00:00', "
            "'2026-01-01 00:00:00', 1)",
            "INSERT INTO assignments (id, task_id, organization_id, parent_id, role, due_on, original_due_on, state, "
            "progress, created_at, updated_at, version) VALUES (10, 3, 1, NULL, 'lead', '2026-06-01', '2026-06-01', "
            "'in_progress', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1), (11, 3, 1, 10, 'lead', '2026-05-01', "
            "'2026-05-01', 'assigned', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)",
        ):
            db.session.execute(sa.text(statement))
        db.session.commit()
        db.session.remove()
        upgrade()
        rows = db.session.execute(sa.text("SELECT id, parent_id, act_id FROM assignments ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(10, None, 7), (11, 10, 7)]
        assert db.session.execute(sa.text("PRAGMA foreign_key_check")).all() == []
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1  # on again after the migration
        db.session.remove()
        downgrade(revision="0008")
        upgrade()
        assert db.session.execute(sa.text("SELECT count(*) FROM assignments WHERE act_id = 7")).scalar() == 2
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def fresh_app(request, tmp_path):
    """An app on an empty database of its own, outside the per-test transaction: migrations run on it."""
    if TEST_DB == "postgresql":
        app, _admin, _name = request.getfixturevalue("own_postgresql_app")
        app.config["UPLOAD_FOLDER"] = str(tmp_path / "documents")
        yield app
        return
    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "migrations", "INSTANCE_PATH": str(tmp_path),
                      "UPLOAD_FOLDER": str(tmp_path / "documents"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'events.db'}"})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_events_written_before_0010_get_the_act_of_their_work(fresh_app):
    """0010 names the act of every event about a body's work, also a removed document's, from the event's own
    objects, and no hashed content changes."""
    with fresh_app.app_context():
        upgrade()
        w = make_world()
        work = assignments.assign(w.controller, make_task(w.act), w.sa, due_on=date(2026, 9, 1))
        assignments.transition(w.exec_sa, work, "start")
        report = reports.create(w.exec_sa, work, text="Done", progress=100)
        make_document(report, w.exec_sa)
        documents.remove(w.exec_sa, make_document(report, w.exec_sa, filename="wrong.pdf"))
        instruction = instructions.issue(w.controller, work, kind="request", text="Say more")
        make_document(instruction, w.controller, filename="form.pdf")
        extensions.request(w.exec_sa, work, proposed_due_on=date(2026, 10, 1), reason="Procurement")
        other = make_act()
        assignments.assign(w.controller, make_task(other), w.mt, due_on=date(2026, 9, 1))
        audit.record(w.controller, "act.updated", "act", other.id)  # about an act, not a body's work: none
        db.session.commit()
        act_ids = {None, w.act.id, other.id}
        written = dict(db.session.execute(sa.select(Event.id, Event.act_id)).all())
        db.session.remove()
        downgrade(revision="0009")
        upgrade()
        assert dict(db.session.execute(sa.select(Event.id, Event.act_id)).all()) == written
        assert set(written.values()) == act_ids
        kinds = db.session.execute(sa.select(Event.object_type).where(Event.act_id.in_(act_ids - {None})).distinct())
        assert set(kinds.scalars()) == {"assignment", "report", "document", "instruction", "extension_request"}
        assert audit.verify_chain().ok
        db.session.remove()


def test_0011_orders_existing_tasks_by_number_and_keeps_their_numbers(fresh_app):
    """Tasks written before 0011 (five-digit keys: 100000 before 99999) sort by number after it; a number with
    leading zeros sorts as the plain one, and keeps its zeros (what people typed is not rewritten)."""
    old_rows = [  # (act, number, the key of 0010), in the order of their ids
        (7, "100000", "100000"), (7, "99999", "99999"), (7, "1", "00001"), (7, "1.10", "00001.00010"),
        (7, "1.2", "00001.00002"), (7, "1.1", "00001.00001"), (7, "1.01", "00001.00001"), (7, "2", "00002"),
        (7, "2.01", "00002.00001"), (8, "01", "00001"),
    ]
    at = datetime(2026, 1, 1)
    with fresh_app.app_context():
        upgrade(revision="0010")
        for act_id in (7, 8):
            db.session.execute(sa.text(
                "INSERT INTO acts (id, kind, title, state, created_at, updated_at, version) "
                "VALUES (:id, 'action_plan', 'Plan', 'active', :at, :at, 1)"), {"id": act_id, "at": at})
        db.session.execute(sa.text(
            "INSERT INTO tasks (act_id, number, sort_key, title, recurrence, priority, published, created_at, "
            "updated_at, version) VALUES (:act_id, :number, :sort_key, 'Measure', 'none', 'normal', :published, "
            ":at, :at, 1)"), [{"act_id": act, "number": number, "sort_key": key, "published": True, "at": at}
                              for act, number, key in old_rows])
        db.session.commit()
        db.session.remove()
        upgrade()

        def numbers(act_id):
            return db.session.scalars(sa.select(Task.number).where(Task.act_id == act_id)
                                      .order_by(Task.sort_key, Task.id)).all()

        assert numbers(7) == ["1", "1.1", "1.01", "1.2", "1.10", "2", "2.01", "99999", "100000"]
        assert numbers(8) == ["01"]
        # The keys are the ones the app writes: a task added now sorts among them.
        make_task(db.session.get(Act, 7), "100")
        assert numbers(7)[-3:] == ["100", "99999", "100000"]
        db.session.rollback()
        db.session.remove()
        downgrade(revision="0010")
        keys = db.session.execute(sa.text("SELECT number, sort_key FROM tasks WHERE act_id = 7 ORDER BY id")).all()
        assert [tuple(k) for k in keys][:2] == [("100000", "100000"), ("99999", "99999")]
        db.session.remove()
