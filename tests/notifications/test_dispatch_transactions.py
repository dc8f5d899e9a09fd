"""The dispatcher's transactions: each one writes, none is open while a message is on its way, and a message
that went out is recorded as sent even when the first try at saving that fails."""

import sqlite3

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from monitoris import create_app
from monitoris.extensions import db
from monitoris.models import Notification, Organization, User
from monitoris.notifications import dispatch, outbox
from monitoris.notifications.channels import SmtpMailer
from monitoris.scheduler import run_job
from tests.factories import make_user


@pytest.fixture
def sqlite_app(tmp_path):
    """An app on a SQLite file of its own, outside the per-test transaction: the locks are real."""
    path = tmp_path / "jobs.db"
    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade(revision="heads")
    yield app, path
    with app.app_context():
        db.engine.dispose()


def another_process_writes(path, n):
    """What the deadline scan (another thread, another process) does meanwhile: write and commit at once.

    A short busy timeout: a dispatcher holding the write lock while it talks to the mail server fails this."""
    connection = sqlite3.connect(path, timeout=1)
    try:
        connection.execute("INSERT INTO job_states (name) VALUES (?)", (f"meanwhile {n}",))
        connection.commit()
    finally:
        connection.close()


def test_on_sqlite_each_message_is_sent_once_while_others_write_between_the_dispatchers_transactions(
        sqlite_app, smtp_server, caplog):
    """The first dispatch after the scheduler started failed with "database is locked" when the deadline scan
    committed between the dispatcher's transactions: the first email went out twice, the rest waited for
    their lease to run out."""
    app, path = sqlite_app
    controller, mailbox = smtp_server
    mailbox.messages.clear()
    mailbox.refuse = 0
    with app.app_context():
        org = Organization(name="Lock test body", short_name="LOCK", kind="other", path="/l/")
        people = [User(email=f"person{i}@lock.example", name=f"Person {i}", organization=org, locale="en")
                  for i in range(3)]
        db.session.add_all([org, *people])
        db.session.flush()
        outbox.queue(people, kind="assignment", template="test_message", key="lock", payload={"link": "/"},
                     channels=("email",))
        db.session.commit()
        db.session.remove()

    class BusyNeighbour(SmtpMailer):
        sends = 0

        def send(self, *args, **kwargs):
            super().send(*args, **kwargs)
            BusyNeighbour.sends += 1
            another_process_writes(path, BusyNeighbour.sends)

    result = run_job(app, "dispatch", lambda: dispatch.dispatch(mailer=BusyNeighbour("127.0.0.1", controller.port)))

    assert result == (3, 0), caplog.text
    assert "dispatch failed" not in caplog.text
    assert sorted(rcpt for rcpts, _ in mailbox.messages for rcpt in rcpts) == [
        "person0@lock.example", "person1@lock.example", "person2@lock.example"]
    with app.app_context():
        rows = db.session.execute(sa.select(Notification.state, Notification.attempts)).all()
        written = db.session.scalars(sa.select(sa.text("name")).select_from(sa.table("job_states"))).all()
        db.session.remove()
    assert rows == [("sent", 1)] * 3
    assert sorted(written) == ["meanwhile 1", "meanwhile 2", "meanwhile 3"]


def test_on_sqlite_every_transaction_of_a_job_takes_the_write_lock(sqlite_app):
    """Not only the first: a job that commits as it goes, reads, and writes after another process wrote."""
    app, path = sqlite_app

    def job():
        db.session.add(Organization(name="First", short_name="FIRST", kind="other", path="/f/"))
        db.session.commit()
        seen = db.session.scalar(sa.select(sa.func.count(Organization.id)))
        try:
            another_process_writes(path, 1)  # waits for this job's lock, then gives up: the job holds it
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
        db.session.add(Organization(name="Second", short_name="SECOND", kind="other", path="/s/"))
        db.session.flush()
        return seen

    assert run_job(app, "commits as it goes", job) == 1
    with app.app_context():
        assert set(db.session.scalars(sa.select(Organization.short_name))) == {"FIRST", "SECOND"}
        db.session.remove()


def test_a_message_that_went_out_is_recorded_as_sent_when_saving_it_fails_once(channels, clock, app):
    mailbox, _ = channels
    person = make_user("executor", email="once@example.test")
    outbox.queue([person], kind="assignment", template="test_message", key="once", payload={"link": "/"},
                 channels=("email",))
    db.session.commit()
    failures = []

    def fail_once(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE notifications SET state") and "sent_at" in statement and not failures:
            failures.append(statement)
            raise sa.exc.OperationalError(statement, parameters, Exception("the server closed the connection"))

    engine = db.session.get_bind().engine
    sa.event.listen(engine, "before_cursor_execute", fail_once)
    try:
        assert dispatch.dispatch() == (1, 0)
    finally:
        sa.event.remove(engine, "before_cursor_execute", fail_once)
    assert failures
    row = db.session.scalar(sa.select(Notification).where(Notification.recipient_id == person.id))
    assert (row.state, row.attempts, row.lease_until) == ("sent", 1, None)
    clock.advance(seconds=app.config["DISPATCH_LEASE_SECONDS"] + 1)
    assert dispatch.dispatch() == (0, 0)
    assert [rcpts for rcpts, _ in mailbox.messages] == [["once@example.test"]]

