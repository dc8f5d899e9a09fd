"""Who may do what, per role; and that every scoped list shows exactly what the detail rule allows."""

from datetime import date

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from monitoris import permissions, queries
from monitoris.extensions import db
from monitoris.models import Act, Assignment, Event
from monitoris.services import acts, assignments, audit, instructions
from tests.factories import make_act, make_assignment, make_task, make_world

ROLES = ("admin", "controller", "observer", "head_sa", "exec_sa", "exec_sa1", "head_mt", "exec_mt")
ANONYMOUS = AnonymousUserMixin()


@pytest.fixture
def w():
    w = make_world()
    w.anonymous = ANONYMOUS
    return w


def _who(w, names):
    return {name: getattr(w, name) for name in names}


# -- the simple rules ------------------------------------------------------------------------

@pytest.mark.parametrize("rule,allowed", [
    (permissions.can_administer, {"admin"}),
    (permissions.can_manage_acts, {"admin", "controller"}),
    (permissions.can_view_directory, set(ROLES)),
])
def test_rules_without_an_object(w, rule, allowed):
    assert {name for name, user in _who(w, ROLES).items() if rule(user)} == allowed
    assert not rule(ANONYMOUS) and not rule(None)


@pytest.mark.parametrize("state,viewers,editors", [
    ("draft", {"admin", "controller", "observer"}, {"admin", "controller"}),
    ("active", set(ROLES), {"admin", "controller"}),
    ("closed", set(ROLES), set()),
])
def test_acts_and_tasks(w, state, viewers, editors):
    act = make_act(state=state)
    task = make_task(act)
    assert {n for n, u in _who(w, ROLES).items() if permissions.can_view_act(u, act)} == viewers
    assert {n for n, u in _who(w, ROLES).items() if permissions.can_view_task(u, task)} == viewers
    assert {n for n, u in _who(w, ROLES).items() if permissions.can_edit_task(u, task)} == editors
    assert {n for n, u in _who(w, ROLES).items() if permissions.can_assign(u, task)} == editors
    assert not permissions.can_view_act(ANONYMOUS, act)


def test_scope_acts_hides_drafts_from_executive_bodies(w):
    draft, active, closed = make_act(state="draft"), make_act(state="active"), make_act(state="closed")
    mine = {draft.id, active.id, closed.id}
    for name, user in _who(w, ROLES).items():
        ids = set(db.session.scalars(permissions.scope_acts(user, sa.select(Act.id), Act))) & mine
        assert ids == {a.id for a in (draft, active, closed) if permissions.can_view_act(user, a)}, name
        assert set(db.session.scalars(queries.acts(user).with_only_columns(Act.id))) & mine == ids, name


# -- assignment rules, per role ----------------------------------------------------------------

ASSIGNMENT_RULES = {
    # rule -> state of SA's top-level assignment -> who may
    "can_view_assignment": ("in_progress", {"admin", "controller", "observer", "head_sa", "exec_sa"}),
    "can_edit_assignment": ("in_progress", {"admin", "controller"}),
    "can_choose_responsible": ("in_progress", {"admin", "controller", "head_sa"}),
    "can_report_progress": ("in_progress", {"head_sa", "exec_sa"}),
    "can_delegate": ("in_progress", {"head_sa"}),
}


@pytest.mark.parametrize("rule", sorted(ASSIGNMENT_RULES))
def test_assignment_rules_per_role(w, rule):
    state, allowed = ASSIGNMENT_RULES[rule]
    a = make_assignment(make_task(w.act), w.sa, state=state)
    check = getattr(permissions, rule)
    assert {name for name, user in _who(w, ROLES).items() if check(user, a)} == allowed
    assert not check(ANONYMOUS, a)


@pytest.mark.parametrize("state", ["submitted", "accepted", "cancelled"])
def test_progress_and_delegation_only_while_open_for_work(w, state):
    a = make_assignment(make_task(w.act), w.sa, state=state)
    assert not permissions.can_report_progress(w.exec_sa, a)
    assert not permissions.can_delegate(w.head_sa, a)


@pytest.mark.parametrize("action,allowed", [
    ("start", {"head_sa", "exec_sa"}), ("submit", {"head_sa", "exec_sa"}),
    ("accept", {"admin", "controller"}), ("return", {"admin", "controller"}),
    ("cancel", {"admin", "controller"}), ("reopen", {"admin", "controller"}), ("approve", set()),
])
def test_can_transition_per_role(w, action, allowed):
    a = make_assignment(make_task(w.act), w.sa)
    assert {name for name, user in _who(w, ROLES).items() if permissions.can_transition(user, a, action)} == allowed
    assert not permissions.can_transition(ANONYMOUS, a, action)


def test_delegated_assignment_is_reviewed_by_the_head_of_the_body(w):
    parent = make_assignment(make_task(w.act), w.sa, state="in_progress")
    sub = make_assignment(parent.task, w.sa1, parent=parent)
    assert {n for n, u in _who(w, ROLES).items() if permissions.can_transition(u, sub, "accept")} == {"head_sa"}
    assert {n for n, u in _who(w, ROLES).items() if permissions.can_edit_assignment(u, sub)} == {"head_sa"}
    assert {n for n, u in _who(w, ROLES).items() if permissions.can_transition(u, sub, "start")} == {
        "head_sa", "exec_sa", "exec_sa1"}


# -- scoped lists: exactly the visible rows --------------------------------------------------------

@pytest.fixture
def spread(w):
    """Assignments all over the country, with distinct titles to search for."""
    act = w.act
    rows = {
        "sa": make_assignment(make_task(act, "1.1", title="Open service points in the regions"), w.sa),
        "sa1": make_assignment(make_task(act, "1.2", title="Train the staff of the centres"), w.sa1,
                               state="in_progress"),
        "mt": make_assignment(make_task(act, "2.1", title="Launch the transport permits portal"), w.mt,
                              state="submitted", due_on=date(2026, 6, 1)),
        "mt1": make_assignment(make_task(act, "2.2", title="Digitise the vehicle register"), w.mt1),
    }
    rows["sa_sub"] = make_assignment(rows["sa"].task, w.sa1, parent=rows["sa"])
    rows["mt_sub"] = make_assignment(rows["mt"].task, w.mt1, parent=rows["mt"])
    shared = make_task(act, "3.1", title="Publish open data on service use")
    rows["shared_sa"] = make_assignment(shared, w.sa, role="lead")
    rows["shared_mt"] = make_assignment(shared, w.mt, role="co_executor")
    return rows


VISIBLE = {
    "admin": "all", "controller": "all", "observer": "all",
    "head_sa": {"sa", "sa1", "sa_sub", "shared_sa"},
    "exec_sa": {"sa", "sa1", "sa_sub", "shared_sa"},
    "exec_sa1": {"sa1", "sa_sub"},
    "head_mt": {"mt", "mt1", "mt_sub", "shared_mt"},
    "exec_mt": {"mt", "mt1", "mt_sub", "shared_mt"},
}


def _names(spread, ids):
    return {name for name, a in spread.items() if a.id in ids}


@pytest.mark.parametrize("who", ROLES)
def test_scope_assignments_returns_exactly_the_visible_rows(w, spread, who):
    user = getattr(w, who)
    expected = set(spread) if VISIBLE[who] == "all" else VISIBLE[who]
    assert {n for n, a in spread.items() if permissions.can_view_assignment(user, a)} == expected
    scoped = set(db.session.scalars(permissions.scope_assignments(user, sa.select(Assignment.id))))
    assert _names(spread, scoped) == expected
    listed = [a.id for a in db.session.scalars(queries.assignments(user, today=date(2026, 6, 15))).unique()]
    assert len(listed) == len(set(listed))
    assert _names(spread, listed) == expected


@pytest.mark.parametrize("who,q,expected", [
    ("exec_sa", "transport", set()),
    ("exec_sa", "TRANSPORT PERMITS", set()),
    ("exec_sa", "2.1", set()),
    ("exec_sa", "MT", set()),
    ("exec_sa", "open", {"sa", "sa_sub", "shared_sa"}),
    ("exec_sa", "1.", {"sa", "sa1", "sa_sub"}),
    ("exec_mt", "open", {"shared_mt"}),
    ("exec_mt", "transport", {"mt", "mt_sub"}),
    ("controller", "transport", {"mt", "mt_sub"}),
    ("controller", "publish open data", {"shared_sa", "shared_mt"}),
    ("observer", "2.", {"mt", "mt1", "mt_sub"}),
])
def test_search_never_reaches_past_the_scope(w, spread, who, q, expected):
    found = db.session.scalars(queries.assignments(getattr(w, who), today=date(2026, 6, 15), q=q)).unique()
    assert _names(spread, [a.id for a in found]) == expected


def test_search_treats_wildcards_as_text(w, spread):
    found = db.session.scalars(queries.assignments(w.controller, today=date(2026, 6, 15), q="%")).unique().all()
    assert found == []
    found = db.session.scalars(queries.assignments(w.controller, today=date(2026, 6, 15), q="_")).unique().all()
    assert found == []


def test_filters_cannot_widen_the_scope(w, spread):
    today = date(2026, 6, 15)
    by_org = db.session.scalars(queries.assignments(w.exec_sa, today=today, organization_id=w.mt.id)).all()
    assert by_org == []
    overdue = db.session.scalars(queries.assignments(w.exec_sa, today=today, overdue=True)).unique().all()
    assert overdue == []  # only MT's assignment is past due
    overdue = db.session.scalars(queries.assignments(w.exec_mt, today=today, overdue=True)).unique().all()
    assert [a.id for a in overdue] == [spread["mt"].id]


def test_executive_bodies_see_nothing_of_a_draft_act(w):
    draft = make_act(state="draft")
    a = make_assignment(make_task(draft), w.sa)
    assert permissions.can_view_assignment(w.controller, a)
    for user in (w.exec_sa, w.head_sa):
        assert not permissions.can_view_assignment(user, a)
        assert db.session.scalars(permissions.scope_assignments(user, sa.select(Assignment.id))).all() == []
        assert db.session.scalars(queries.assignments(user, today=date(2026, 6, 15))).all() == []


def test_executive_bodies_see_no_event_of_a_draft_acts_work_until_it_is_out_of_draft(w):
    draft = make_act(state="draft")
    work = assignments.assign(w.controller, make_task(draft), w.sa, due_on=date(2026, 7, 1), note="not for SA yet")
    instructions.issue(w.controller, work, kind="request", text="Draft instruction")
    events = db.session.scalars(sa.select(Event).where(Event.act_id == draft.id)).all()
    assert {e.action for e in events} == {"assignment.created", "instruction.issued"}
    assert {e.organization_id for e in events} == {w.sa.id}

    def seen(user):
        scoped = set(db.session.scalars(permissions.scope_events(user, sa.select(Event.id))))
        assert {e.id for e in events if permissions.can_view_event(user, e)} == scoped & {e.id for e in events}
        return scoped & {e.id for e in events}

    assert seen(w.controller) == seen(w.observer) == {e.id for e in events}
    assert seen(w.exec_sa) == seen(w.head_sa) == set()
    acts.update_act(w.controller, draft, state="active")
    assert seen(w.exec_sa) == seen(w.head_sa) == {e.id for e in events}
    assert seen(w.exec_mt) == set()


def test_anonymous_lists_are_empty(w, spread):
    assert db.session.scalars(permissions.scope_assignments(ANONYMOUS, sa.select(Assignment.id))).all() == []
    assert db.session.scalars(permissions.scope_events(ANONYMOUS, sa.select(Event.id))).all() == []


# -- events ------------------------------------------------------------------------------------

def test_events_are_scoped_like_assignments(w):
    sa_work = assignments.assign(w.controller, make_task(w.act), w.sa, due_on=date(2026, 7, 1))
    sub_work = assignments.assign(w.controller, make_task(w.act), w.sa1, due_on=date(2026, 7, 1))
    mt_work = assignments.assign(w.controller, make_task(w.act), w.mt, due_on=date(2026, 7, 1))
    events = {e.object_id: e for e in db.session.scalars(sa.select(Event).where(Event.object_type == "assignment"))}
    # An event of no executive body (an act being created) is for the control body's eyes only.
    general = audit.record(w.controller, "act.updated", "act", w.act.id)
    cases = {
        "controller": {sa_work.id, sub_work.id, mt_work.id}, "observer": {sa_work.id, sub_work.id, mt_work.id},
        "exec_sa": {sa_work.id, sub_work.id}, "exec_sa1": {sub_work.id}, "exec_mt": {mt_work.id},
    }
    for who, expected in cases.items():
        user = getattr(w, who)
        assert {oid for oid, e in events.items() if permissions.can_view_event(user, e)} == expected, who
        scoped = set(db.session.scalars(permissions.scope_events(user, sa.select(Event.id))))
        assert {oid for oid, e in events.items() if e.id in scoped} == expected, who
        assert (general.id in scoped) == (who in ("controller", "observer")), who
        assert permissions.can_view_event(user, general) == (who in ("controller", "observer")), who
