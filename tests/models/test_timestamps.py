"""Timestamps: stored as UTC instants, read back as aware UTC datetimes on both databases."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Event

STAMP = Event.__table__.c.at.type  # UTCDateTime


def test_a_timestamp_comes_back_in_utc_whatever_zone_it_was_written_in(app):
    written = datetime(2026, 7, 1, 23, 30, tzinfo=timezone(timedelta(hours=4)))  # Baku
    value = db.session.execute(sa.select(sa.literal(written, type_=STAMP))).scalar()
    assert value == written and value.tzinfo is UTC
    assert value == datetime(2026, 7, 1, 19, 30, tzinfo=UTC)


def test_a_naive_timestamp_is_refused(app):
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        db.session.execute(sa.select(sa.literal(datetime(2026, 7, 1, 12, 0), type_=STAMP)))


@pytest.mark.postgresql
def test_postgresql_sessions_speak_utc(app):
    assert db.session.connection().exec_driver_sql("SHOW TimeZone").scalar() == "UTC"
