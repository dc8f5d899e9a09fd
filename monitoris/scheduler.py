"""The scheduler process: deadline scan, outbox dispatch, daily digest.

It runs on its own (``flask --app monitoris scheduler``); the web workers never start it.
Only one scheduler works at a time: on PostgreSQL the leader holds an advisory lock on its
own connection (a second one waits and takes over when the first dies, because the lock
dies with its connection); on SQLite a lock file does the same on one machine.  Every job
is one transaction and safe to run twice.
"""

import fcntl
import logging
import os
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app

from monitoris.database import writing
from monitoris.extensions import db
from monitoris.notifications import digest, dispatch, reminders, webhooks

log = logging.getLogger(__name__)
LEADER_LOCK_KEY = 0x6D6F6E73  # "mons"


class LeaderLock:
    """Held while this process is the leader.  ``acquire`` waits; ``alive`` tells if it still holds."""

    def __init__(self, app):
        self.app = app
        self.engine = None
        self.connection = None
        self.file = None

    def try_acquire(self):
        url = self.app.config["SQLALCHEMY_DATABASE_URI"]
        if url.startswith("postgresql"):
            if self.engine is None:
                # Its own engine and connection: the lock lives exactly as long as this connection.
                self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
            connection = self.engine.connect()
            got = connection.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK_KEY}).scalar()
            connection.commit()
            if got:
                self.connection = connection
                return True
            connection.close()
            return False
        path = Path(self.app.instance_path) / "scheduler.lock"
        handle = open(path, "a+")  # noqa: SIM115 - kept open for as long as we lead
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.file = handle
        return True

    def acquire(self, poll_seconds=5, stop=lambda: False):
        announced = False
        while not stop():
            if self.try_acquire():
                log.info("scheduler: this process is the leader")
                return True
            if not announced:
                log.info("scheduler: another scheduler leads; waiting to take over")
                announced = True
            time.sleep(poll_seconds)
        return False

    def alive(self):
        if self.file is not None:
            return True
        if self.connection is None:
            return False
        try:
            self.connection.execute(sa.text("SELECT 1"))
            self.connection.commit()
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def release(self):
        if self.connection is not None:
            try:
                self.connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": LEADER_LOCK_KEY})
                self.connection.commit()
                self.connection.close()
            except sa.exc.SQLAlchemyError:
                pass
            self.connection = None
        if self.file is not None:
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()
            self.file = None
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None


def run_job(app, name, function):
    """One job run: one application context, one transaction, never an exception into APScheduler.

    Every transaction the job begins takes SQLite's write lock as it begins (``writing``): the jobs run in
    threads beside one another and beside the web processes, and a transaction that has read cannot
    write once one of them has committed.
    """
    with app.app_context(), writing():
        try:
            result = function()
            db.session.commit()
            if result:
                log.info("scheduler: %s: %s", name, result)
            return result
        except Exception:
            db.session.rollback()
            log.exception("scheduler: %s failed", name)
        finally:
            db.session.remove()


def scan_job(app):
    return run_job(app, "deadline scan", reminders.scan)


def dispatch_job(app):
    run_job(app, "webhook fan-out", webhooks.fan_out)
    return run_job(app, "dispatch", dispatch.dispatch)


def digest_job(app):
    return run_job(app, "daily digest", digest.send_digest)


def build(app):
    config = app.config
    scheduler = BlockingScheduler(timezone=config["TIMEZONE"])
    # A late job runs once (coalesce), never beside itself (max_instances), and only while it still makes sense.
    once = {"coalesce": True, "max_instances": 1}
    scan_every = config["SCAN_INTERVAL_SECONDS"]
    dispatch_every = config["DISPATCH_INTERVAL_SECONDS"]
    scheduler.add_job(scan_job, "interval", args=[app], seconds=scan_every, id="deadline_scan",
                      misfire_grace_time=scan_every, **once, next_run_time=_now(config))
    scheduler.add_job(dispatch_job, "interval", args=[app], seconds=dispatch_every, id="dispatch",
                      misfire_grace_time=dispatch_every, **once, next_run_time=_now(config))
    # A digest missed by less than four hours (a restart at 08:00) still goes out.
    scheduler.add_job(digest_job, "cron", args=[app], hour=config["DIGEST_HOUR"], minute=0, id="daily_digest",
                      misfire_grace_time=4 * 3600, **once)
    return scheduler


def _now(config):
    return datetime.now(ZoneInfo(config["TIMEZONE"]))


def run():
    """Lead, then run the jobs until stopped; give up the lead (and exit) if the lock is lost."""
    app = current_app._get_current_object()
    lock = LeaderLock(app)
    lock.acquire()
    scheduler = build(app)

    def watch_lock():
        if not lock.alive():
            log.error("scheduler: lost the leader lock; stopping so another scheduler can lead")
            scheduler.shutdown(wait=False)

    scheduler.add_job(watch_lock, "interval", seconds=15, id="leader_watch", coalesce=True, max_instances=1)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        lock.release()
