"""Declarative base, constraint naming convention and the column types every model shares.

Outside the models package so that extensions.py can use it without importing the models.
"""

import select
import time
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import g, request
from sqlalchemy.orm import DeclarativeBase

from monitoris.text import compare_az, fold_text

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow():
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database keeps.

    SQLite has no time zones; PostgreSQL gets ``timestamptz``.  Naive values are refused
    on the way in so that a local time can never be stored by mistake.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def result_processor(self, dialect, coltype):
        # PostgreSQL's sessions speak UTC (configure_postgresql): psycopg already hands back aware UTC datetimes,
        # and a page of fifty assignments would otherwise pass two hundred of them through a function that
        # returns them unchanged.
        if dialect.name == "postgresql":
            return None
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value, dialect):
        if value is None or value.tzinfo is UTC:
            return value
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Set while the code that runs begins only transactions that will write (``writing``).
_writing = ContextVar("monitoris_writing", default=False)


def configure_sqlite(engine):
    """Make SQLite behave: real transactions and savepoints, foreign keys, and patience with a busy writer.

    pysqlite's own transaction handling skips BEGIN before some statements and breaks
    SAVEPOINT; SQLAlchemy's documented remedy is to switch it off and emit BEGIN ourselves.
    WAL lets the web process read while the scheduler writes.
    """

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # The searchable form of text (monitoris.text.fold), which SQLite cannot compute itself.
        dbapi_connection.create_function("monitoris_fold", 1, fold_text, deterministic=True)
        dbapi_connection.create_collation("monitoris_az", compare_az)
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")


@contextmanager
def writing():
    """Within this block every transaction begins as one that will write: on SQLite it takes the write lock now.

    In WAL mode a transaction that has read cannot write once another connection has committed
    since: SQLite answers "database is locked" at once, busy_timeout or not.  A transaction that
    takes the lock as it begins waits its turn instead, and the others wait for it.  Every
    transaction, not only the first: a job that commits as it goes (the dispatcher, once per
    message) begins several.  The mark belongs to the running thread (a context variable), so the
    requests and jobs beside it keep their plain BEGIN unless they are marked too (``register``).
    """
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def register(app):
    """A request that writes runs as ``writing`` does: on SQLite, four people saving at once otherwise got "the
    database is unavailable" for half their saves.  Not an upload (a multipart body): it would hold the lock
    while its files arrive.  Reads keep their plain BEGIN, and PostgreSQL is not concerned."""

    @app.before_request
    def _mark_writes():
        if request.method in WRITE_METHODS and request.mimetype != "multipart/form-data":
            g.monitoris_writing = _writing.set(True)

    @app.teardown_request
    def _unmark_writes(_exc=None):
        token = g.pop("monitoris_writing", None)
        if token is not None:
            _writing.reset(token)


# A pooled connection unused for longer than this is pinged before its next use (configure_postgresql).
PING_AFTER_IDLE_SECONDS = 10


def engine_options(url, options):
    """The engine options, with PostgreSQL's ``pool_pre_ping`` left to ``configure_postgresql``."""
    options = dict(options or {})
    if url.startswith("postgresql"):
        options.pop("pool_pre_ping", None)
    return options


def configure_postgresql(engine, ping_after_idle=PING_AFTER_IDLE_SECONDS):
    """Check a pooled connection before use, as ``pool_pre_ping`` does, without its round trip while busy.

    Pre-ping sends a statement every time a connection leaves the pool: one round trip of the five or six
    of an API read, and the server's work too.  A connection the server has closed (a restart, an idle
    timeout, pg_terminate_backend) has news on its socket: the server's goodbye, or the end of the stream.
    Such a connection is pinged, and so is one that sat unused longer than ``ping_after_idle`` seconds
    (a firewall may have dropped it without a word).  A failed ping empties the pool, as pre-ping does.

    Each new connection's session also speaks UTC.
    """

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        # Timestamps then come back as they are kept, in UTC, whatever the server's own zone: UTCDateTime has
        # nothing to convert (a SET rather than a startup option, which a connection pooler may refuse).
        dbapi_connection.execute("SET TIME ZONE 'UTC'")
        dbapi_connection.commit()

    @sa.event.listens_for(engine, "checkin")
    def _checkin(dbapi_connection, record):
        if dbapi_connection is not None:
            record.info["monitoris.checked_in"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, record, _proxy):
        checked_in = record.info.get("monitoris.checked_in")
        if checked_in is None:
            return  # just connected
        if time.monotonic() - checked_in < ping_after_idle and not _has_news(dbapi_connection):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise sa.exc.InvalidatePoolError(f"the connection failed its ping: {exc}") from exc


def _has_news(dbapi_connection):
    """Whether an idle psycopg connection is closed, or the server sent it something (or hung up)."""
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    if not hasattr(select, "poll"):
        return True  # no cheap way to look: ping
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def enum_check(column, values):
    """A CHECK constraint naming the allowed values of a string column (portable, unlike ENUM types)."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=f"{column}_allowed")
