"""The scheduler process: one leader at a time, jobs that survive their own failures, shared dispatch."""

import threading
import time

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from monitoris import create_app
from monitoris.extensions import db
from monitoris.models import Notification, Organization, User
from monitoris.notifications import dispatch, outbox
from monitoris.scheduler import LeaderLock, build, run_job


def test_only_one_scheduler_leads_and_the_lead_passes_on(app):
    first, second = LeaderLock(app), LeaderLock(app)
    try:
        assert first.try_acquire()
        assert first.alive()
        assert not second.try_acquire()
        first.release()  # the leader dies: its lock goes with it
        assert second.try_acquire()
    finally:
        first.release()
        second.release()


def test_a_failing_job_is_logged_and_rolled_back(app, caplog):
    def broken():
        db.session.add(Organization(name="Half written", short_name="HALF", kind="other", path="/x/"))
        db.session.flush()
        raise RuntimeError("boom")

    assert run_job(app, "broken job", broken) is None
    assert "broken job failed" in caplog.text
    assert db.session.scalar(sa.select(Organization).where(Organization.short_name == "HALF")) is None


def test_on_sqlite_a_job_that_reads_then_writes_survives_another_process_writing_meanwhile(tmp_path, caplog):
    """WAL: a transaction that has read cannot write after another connection committed ("database is
    locked" at once, whatever the busy timeout).  This failed the demo's first deadline scan when the
    dispatcher, started beside it, committed first.  A job now takes the write lock as it begins."""
    other = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'jobs.db'}"})
    with other.app_context():
        upgrade(revision="heads")
    job_has_read = threading.Event()

    def another_process():
        job_has_read.wait(5)
        with other.app_context():
            db.session.add(Organization(name="Written meanwhile", short_name="MEAN", kind="other", path="/m/"))
            db.session.commit()

    def job():
        seen = db.session.scalar(sa.select(sa.func.count(Organization.id)))
        job_has_read.set()
        time.sleep(0.3)  # the other writer commits now, or waits for this job
        db.session.add(Organization(name="Written by the job", short_name="JOB", kind="other", path="/j/"))
        db.session.flush()
        return f"saw {seen}"

    writer = threading.Thread(target=another_process)
    writer.start()
    result = run_job(other, "read then write", job)
    writer.join()
    assert result == "saw 0", caplog.text
    with other.app_context():
        names = set(db.session.scalars(sa.select(Organization.short_name)))
        db.engine.dispose()
    assert names == {"MEAN", "JOB"}


def test_the_jobs_and_their_settings(app):
    scheduler = build(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"deadline_scan", "dispatch", "daily_digest"}
    assert jobs["deadline_scan"].trigger.interval.total_seconds() == app.config["SCAN_INTERVAL_SECONDS"]
    assert jobs["dispatch"].trigger.interval.total_seconds() == app.config["DISPATCH_INTERVAL_SECONDS"]
    assert str(jobs["daily_digest"].trigger.fields[5]) == "8"  # hour
    assert all(job.coalesce and job.max_instances == 1 for job in jobs.values())
    assert jobs["deadline_scan"].misfire_grace_time == app.config["SCAN_INTERVAL_SECONDS"]
    assert jobs["daily_digest"].misfire_grace_time == 4 * 3600


@pytest.mark.postgresql
def test_two_dispatchers_claim_disjoint_rows(app, database_url, tmp_path):
    """Real concurrency needs committed rows: a second app on the same database, cleaned up after."""
    other = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                        "SQLALCHEMY_DATABASE_URI": database_url.replace("postgresql://", "postgresql+psycopg://")})
    with other.app_context():
        org = Organization(name="Concurrency", short_name="CONC", kind="other", path="/c/")
        user = User(email="conc@example.test", name="C", organization=org, locale="en")
        db.session.add_all([org, user])
        db.session.flush()
        rows = [r for i in range(40) for r in outbox.rows_for(user, kind="assignment", template="test_message",
                                                              key=f"conc:{i}", payload={}, channels=("email",))]
        outbox.insert_ignoring_duplicates(rows)
        db.session.commit()
        ids = {}
        barrier = threading.Barrier(2)

        def worker(name):
            with other.app_context():
                barrier.wait()
                ids[name] = dispatch.claim(25)
                db.session.remove()

        try:
            threads = [threading.Thread(target=worker, args=(n,)) for n in ("a", "b")]
            for t in threads:
                t.start()
            for t in threads:
                t.join(10)
            assert not set(ids["a"]) & set(ids["b"])
            assert len(ids["a"]) + len(ids["b"]) == 40
        finally:
            db.session.execute(sa.delete(Notification).where(Notification.recipient_id == user.id))
            db.session.execute(sa.delete(User).where(User.id == user.id))
            db.session.execute(sa.delete(Organization).where(Organization.id == org.id))
            db.session.commit()
            db.engine.dispose()
