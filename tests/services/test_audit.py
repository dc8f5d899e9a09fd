"""The hash-chained audit trail: it verifies, it names what was tampered with, PostgreSQL guards it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import GENESIS_HASH, Event
from monitoris.services import audit


def _write(n):
    return [audit.record(None, "test.written", "act", i, organization_id=None,
                         before={"n": i}, after={"n": i + 1, "text": "Şəki — Лянкяран"}) for i in range(n)]


def _raw(sql, **params):
    db.session.execute(sa.text(sql), params)
    db.session.expire_all()


@pytest.fixture
def sqlite_only(dialect):
    if dialect != "sqlite":
        pytest.skip("on PostgreSQL the database itself refuses the tampering")


def test_each_event_carries_the_hash_of_its_predecessor():
    events = _write(3)
    assert events[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert len({e.hash for e in events}) == 3


def test_an_empty_trail_verifies():
    report = audit.verify_chain()
    assert (report.ok, report.checked) == (True, 0)


def test_the_chain_verifies_after_several_writes(clock):
    _write(3)
    clock.advance(minutes=5)
    _write(4)
    report = audit.verify_chain(batch=2)  # several batches
    assert (report.ok, report.checked, report.bad_event_id) == (True, 7, None)


def test_a_clock_in_another_zone_does_not_break_the_chain(clock):
    clock.at = datetime(2026, 7, 1, 23, 59, 59, 123456, tzinfo=ZoneInfo("Asia/Baku"))
    event = _write(1)[0]
    assert event.at.utcoffset().total_seconds() == 0
    assert audit.verify_chain().ok


def test_snapshot_and_diff():
    class Thing:
        due_on = datetime(2026, 7, 1).date()
        roles = frozenset({"executor", "admin"})
        note = None
    snap = audit.snapshot(Thing, ("due_on", "roles", "note"))
    assert snap == {"due_on": "2026-07-01", "roles": ["admin", "executor"], "note": None}
    assert audit.diff(snap, snap | {"note": "x"}) == ({"note": None}, {"note": "x"})


def test_editing_an_event_row_is_named(sqlite_only):
    events = _write(5)
    _raw("UPDATE events SET after = :after WHERE id = :id", after='{"n": 999}', id=events[2].id)
    report = audit.verify_chain()
    assert (report.ok, report.bad_event_id, report.checked) == (False, events[2].id, 2)
    assert "edited" in report.reason


@pytest.mark.parametrize("column,value", [("action", "test.innocent"), ("at", "2020-01-01 00:00:00.000000"),
                                          ("object_id", 12345), ("hash", "f" * 64)])
def test_editing_any_column_is_named(sqlite_only, column, value):
    events = _write(3)
    _raw(f"UPDATE events SET {column} = :value WHERE id = :id", value=value, id=events[1].id)
    assert audit.verify_chain().bad_event_id == events[1].id


def test_deleting_an_event_names_the_next(sqlite_only):
    events = _write(5)
    _raw("DELETE FROM events WHERE id = :id", id=events[2].id)
    report = audit.verify_chain()
    assert (report.ok, report.bad_event_id) == (False, events[3].id)
    assert "deleted" in report.reason


def test_rewriting_an_event_with_a_fresh_hash_is_caught_at_the_next(sqlite_only):
    events = _write(3)
    forged = db.session.get(Event, events[1].id)
    _raw("UPDATE events SET action = 'test.forged' WHERE id = :id", id=forged.id)
    forged = db.session.get(Event, events[1].id)
    _raw("UPDATE events SET hash = :h WHERE id = :id", h=forged.compute_hash(), id=forged.id)
    assert audit.verify_chain().bad_event_id == events[2].id


@pytest.mark.postgresql
@pytest.mark.parametrize("sql", ["UPDATE events SET action = 'test.innocent' WHERE id = :id",
                                 "DELETE FROM events WHERE id = :id", "TRUNCATE events"])
def test_postgresql_refuses_to_change_the_trail(sql):
    events = _write(2)
    with pytest.raises(sa.exc.DBAPIError) as exc, db.session.begin_nested():
        db.session.execute(sa.text(sql), {"id": events[0].id})
    assert "append-only" in str(exc.value)
    db.session.expire_all()
    assert db.session.scalar(sa.select(Event.action).where(Event.id == events[0].id)) == "test.written"
    assert audit.verify_chain().ok


@pytest.mark.postgresql
def test_postgresql_refuses_an_unfiltered_delete_too():
    _write(2)
    with pytest.raises(sa.exc.DBAPIError), db.session.begin_nested():
        db.session.execute(sa.text("DELETE FROM events"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 2


# -- flask audit verify ----------------------------------------------------------------------

def test_cli_verify_ok(app):
    _write(3)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert result.output.strip() == "OK: 3 events, chain intact."


def test_cli_verify_names_the_edited_event_and_fails(app, sqlite_only):
    events = _write(4)
    _raw("UPDATE events SET object_id = 77 WHERE id = :id", id=events[1].id)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"FAILED at event {events[1].id}" in result.output
    assert "1 events before it are intact" in result.output
