"""The assignment model: the transition table, and "overdue" derived in Python and in SQL."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from monitoris import clock as clock_module
from monitoris.extensions import db
from monitoris.models import COMMENT_REQUIRED, STATES, TRANSITIONS, Assignment
from tests.factories import make_assignment

# The workflow as the design states it, written out independently of the code under test.
LEGAL = {
    ("assigned", "start"): "in_progress",
    ("in_progress", "submit"): "submitted",
    ("submitted", "accept"): "accepted",
    ("submitted", "return"): "in_progress",
    ("submitted", "accept_period"): "in_progress",  # a recurring task's earlier period, accepted by its report
    ("assigned", "cancel"): "cancelled",
    ("in_progress", "cancel"): "cancelled",
    ("submitted", "cancel"): "cancelled",
    ("accepted", "reopen"): "in_progress",
}
ACTIONS = ("start", "submit", "accept", "return", "accept_period", "cancel", "reopen")


def test_the_transition_table_is_the_designed_workflow():
    table = {(state, action): target for action, (sources, target) in TRANSITIONS.items() for state in sources}
    assert table == LEGAL
    assert set(TRANSITIONS) == set(ACTIONS)
    assert COMMENT_REQUIRED == {"return", "cancel", "reopen"}


@pytest.mark.parametrize("state", STATES)
def test_allowed_actions_per_state(state):
    a = make_assignment(state=state)
    assert a.allowed_actions() == [action for action in ACTIONS if (state, action) in LEGAL]


def test_nothing_leaves_cancelled():
    assert make_assignment(state="cancelled").allowed_actions() == []


def test_database_refuses_unknown_state_and_progress_out_of_range():
    a = make_assignment()
    for column, value in (("state", "done"), ("progress", 101), ("progress", -1)):
        with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
            db.session.execute(sa.update(Assignment).where(Assignment.id == a.id).values({column: value}))


# -- overdue ------------------------------------------------------------------------------

@pytest.mark.parametrize("state,overdue", [("assigned", True), ("in_progress", True), ("submitted", True),
                                           ("accepted", False), ("cancelled", False)])
def test_overdue_only_when_open_and_past_due(state, overdue):
    a = make_assignment(state=state, due_on=date(2026, 7, 1))
    assert a.is_overdue(date(2026, 7, 1)) is False  # the due date itself is still in time
    assert a.is_overdue(date(2026, 7, 2)) is overdue
    assert a.days_overdue(date(2026, 7, 11)) == (10 if overdue else 0)


def _overdue_ids(today):
    return set(db.session.scalars(sa.select(Assignment.id).where(Assignment.overdue_clause(today))))


def test_overdue_clause_agrees_with_python_for_every_state():
    rows = [make_assignment(state=s, due_on=date(2026, 7, 1)) for s in STATES]
    for today in (date(2026, 6, 30), date(2026, 7, 1), date(2026, 7, 2)):
        assert _overdue_ids(today) & {a.id for a in rows} == {a.id for a in rows if a.is_overdue(today)}


def test_overdue_turns_at_midnight_in_baku_not_in_utc(app, clock):
    assert app.config["TIMEZONE"] == "Asia/Baku"
    a = make_assignment(state="in_progress", due_on=date(2026, 7, 1))
    done = make_assignment(state="accepted", due_on=date(2026, 7, 1))
    cancelled = make_assignment(state="cancelled", due_on=date(2026, 7, 1))

    clock.at = datetime(2026, 7, 1, 19, 59, 59, tzinfo=UTC)  # 23:59:59 on the due date in Baku
    assert clock_module.today() == date(2026, 7, 1)
    assert not a.is_overdue(clock_module.today())
    assert a.id not in _overdue_ids(clock_module.today())

    clock.at = datetime(2026, 7, 1, 20, 0, tzinfo=UTC)  # 00:00 the next day in Baku, still 1 July in UTC
    assert clock_module.today() == date(2026, 7, 2)
    assert a.is_overdue(clock_module.today())
    overdue = _overdue_ids(clock_module.today())
    assert a.id in overdue
    assert done.id not in overdue and cancelled.id not in overdue
    assert not done.is_overdue(clock_module.today()) and not cancelled.is_overdue(clock_module.today())


def test_extended_and_delegated_flags():
    parent = make_assignment(due_on=date(2026, 9, 1), original_due_on=date(2026, 8, 1))
    sub = make_assignment(task=parent.task, organization=parent.organization, parent=parent,
                          due_on=date(2026, 8, 1))
    assert parent.extended and not parent.is_delegated
    assert sub.is_delegated and not sub.extended
    assert parent.sub_assignments == [sub]
