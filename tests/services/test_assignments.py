"""Assigning tasks, the workflow with its permissions, editing, and delegation inside a body."""

from datetime import date

import pytest
import sqlalchemy as sa

from monitoris.errors import Forbidden, IllegalTransition, ValidationError
from monitoris.extensions import db
from monitoris.models import STATES, Assignment, Event
from monitoris.services import assignments
from tests.factories import make_act, make_assignment, make_org, make_task, make_user, make_world
from tests.models.test_assignment import ACTIONS as ALL_ACTIONS
from tests.models.test_assignment import LEGAL as ALL_LEGAL

# "accept_period" happens only through a report's review (tests/services/test_reports.py).
ACTIONS = tuple(a for a in ALL_ACTIONS if a != "accept_period")
LEGAL = {k: v for k, v in ALL_LEGAL.items() if k[1] != "accept_period"}

DUE = date(2026, 7, 1)
COMMENT = {"return": "Attach the publication.", "cancel": "Covered by another programme.",
           "reopen": "The portal went offline again."}
# Who may perform each action on a body's own (top-level) assignment.
ACTOR_FOR = {"start": "exec_sa", "submit": "exec_sa", "accept": "controller", "return": "controller",
             "cancel": "controller", "reopen": "controller"}
# A state each action may start from, so that only the actor decides.
SOURCE = {"start": "assigned", "submit": "in_progress", "accept": "submitted", "return": "submitted",
          "cancel": "in_progress", "reopen": "accepted"}


@pytest.fixture
def w():
    return make_world()


def _events(assignment):
    return db.session.scalars(sa.select(Event).where(Event.object_type == "assignment",
                                                     Event.object_id == assignment.id).order_by(Event.id)).all()


def _event_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Event))


def _reload(assignment):
    db.session.expire(assignment)
    return db.session.get(Assignment, assignment.id)


# -- the transition table ------------------------------------------------------------------

@pytest.mark.parametrize("state,action", sorted(LEGAL))
def test_legal_transition_moves_and_writes_one_event(w, clock, state, action):
    a = make_assignment(make_task(w.act), w.sa, state=state, progress=40)
    actor = getattr(w, ACTOR_FOR[action])
    before = _event_count()

    result = assignments.transition(actor, a, action, COMMENT.get(action))

    assert result is a
    assert _reload(a).state == LEGAL[(state, action)]
    assert _event_count() == before + 1
    (event,) = _events(a)
    assert event.action == f"assignment.{action}"
    assert event.actor_id == actor.id
    assert event.organization_id == w.sa.id
    assert event.at == clock.now()
    assert event.before == {"state": state, "progress": 40}
    assert event.after["state"] == LEGAL[(state, action)]
    if action in COMMENT:
        assert event.after["comment"] == COMMENT[action]


@pytest.mark.parametrize("state,action", [(s, a) for s in STATES for a in ACTIONS if (s, a) not in LEGAL])
def test_illegal_transition_is_refused_and_changes_nothing(w, state, action):
    a = make_assignment(make_task(w.act), w.sa, state=state, progress=40)
    before = _event_count()

    with pytest.raises(IllegalTransition) as exc:
        assignments.transition(getattr(w, ACTOR_FOR[action]), a, action, COMMENT.get(action))

    assert exc.value.status == 409
    verb = {"start": "start work on"}.get(action, action)
    assert exc.value.message == f"You cannot {verb} an assignment that is {state.replace('_', ' ')}."
    a = _reload(a)
    assert (a.state, a.progress) == (state, 40)
    assert _event_count() == before


def test_submit_accept_and_reopen_keep_their_moments(w, clock):
    a = make_assignment(make_task(w.act), w.sa, state="in_progress", progress=70)
    assignments.transition(w.exec_sa, a, "submit")
    submitted = clock.now()
    assert a.submitted_at == submitted
    clock.advance(days=2)
    assignments.transition(w.controller, a, "accept")
    assert (a.accepted_at, a.progress) == (clock.now(), 100)
    clock.advance(days=1)
    assignments.transition(w.controller, a, "reopen", "The portal went offline again.")
    assert a.accepted_at is None and a.submitted_at == submitted and a.state == "in_progress"


@pytest.mark.parametrize("action", sorted(COMMENT))
@pytest.mark.parametrize("comment", [None, "", "   "])
def test_return_cancel_and_reopen_need_a_comment(w, action, comment):
    a = make_assignment(make_task(w.act), w.sa, state=SOURCE[action])
    before = _event_count()
    with pytest.raises(ValidationError) as exc:
        assignments.transition(w.controller, a, action, comment)
    assert exc.value.errors["comment"][0].startswith("A comment is required")
    assert _reload(a).state == SOURCE[action]
    assert _event_count() == before


def test_comment_is_trimmed_and_optional_elsewhere(w):
    a = make_assignment(make_task(w.act), w.sa, state="submitted")
    assignments.transition(w.controller, a, "return", "  Attach the file.  ")
    assert _events(a)[-1].after["comment"] == "Attach the file."
    assignments.transition(w.exec_sa, a, "submit")
    assert "comment" not in _events(a)[-1].after


def test_unknown_action_is_a_validation_error(w):
    a = make_assignment(make_task(w.act), w.sa)
    with pytest.raises(ValidationError) as exc:
        assignments.transition(w.controller, a, "approve")
    assert "approve" in exc.value.message
    assert a.state == "assigned"


# -- who may do what -------------------------------------------------------------------------

ROLE_ACTORS = ("admin", "controller", "observer", "head_sa", "exec_sa", "exec_sa1", "head_mt", "exec_mt")
MAY = {
    "start": {"head_sa", "exec_sa"},
    "submit": {"head_sa", "exec_sa"},
    "accept": {"admin", "controller"},
    "return": {"admin", "controller"},
    "cancel": {"admin", "controller"},
    "reopen": {"admin", "controller"},
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", ROLE_ACTORS)
def test_permission_per_role_for_each_action(w, action, who):
    a = make_assignment(make_task(w.act), w.sa, state=SOURCE[action])
    actor = getattr(w, who)
    before = _event_count()
    if who in MAY[action]:
        assignments.transition(actor, a, action, COMMENT.get(action))
        assert _reload(a).state == LEGAL[(SOURCE[action], action)]
        assert _event_count() == before + 1
    else:
        with pytest.raises(Forbidden) as exc:
            assignments.transition(actor, a, action, COMMENT.get(action))
        assert exc.value.status == 403
        assert _reload(a).state == SOURCE[action]
        assert _event_count() == before


def test_another_bodys_people_learn_nothing_from_the_refusal(w):
    a = make_assignment(make_task(w.act, title="Secret measure"), w.sa, state="assigned")
    with pytest.raises(Forbidden) as exc:
        assignments.transition(w.exec_mt, a, "start")
    assert exc.value.message == "You are not allowed to do this."


def test_people_of_the_body_work_on_sub_unit_assignments_but_not_the_reverse(w):
    task = make_task(w.act)
    for_sub_unit = make_assignment(task, w.sa1)
    assignments.transition(w.exec_sa, for_sub_unit, "start")
    assert for_sub_unit.state == "in_progress"
    for_body = make_assignment(make_task(w.act), w.sa)
    with pytest.raises(Forbidden):
        assignments.transition(w.exec_sa1, for_body, "start")


# -- assign ------------------------------------------------------------------------------------

def test_controller_assigns_a_measure(w):
    task = make_task(w.act)
    a = assignments.assign(w.controller, task, w.sa, due_on=DUE, responsible=w.exec_sa, note="Weekly updates")
    assert (a.state, a.progress, a.role, a.due_on, a.original_due_on) == ("assigned", 0, "lead", DUE, DUE)
    assert a.responsible is w.exec_sa
    (event,) = _events(a)
    assert event.action == "assignment.created"
    assert event.organization_id == w.sa.id
    assert event.after == {"task_id": task.id, "organization_id": w.sa.id, "role": "lead", "due_on": "2026-07-01",
                           "responsible_id": w.exec_sa.id, "state": "assigned"}


def test_admin_may_assign(w):
    assert assignments.assign(w.admin, make_task(w.act), w.mt, due_on=DUE, role="co_executor").role == "co_executor"


@pytest.mark.parametrize("who", ["observer", "head_sa", "exec_sa"])
def test_only_controllers_assign(w, who):
    with pytest.raises(Forbidden):
        assignments.assign(getattr(w, who), make_task(w.act), w.sa, due_on=DUE)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0


def test_no_assigning_in_a_closed_act(w):
    act = make_act(state="closed")
    with pytest.raises(Forbidden):
        assignments.assign(w.controller, make_task(act), w.sa, due_on=DUE)


def test_a_section_cannot_be_assigned(w):
    section = make_task(w.act, "4")
    make_task(w.act, "4.1", parent=section)
    with pytest.raises(ValidationError) as exc:
        assignments.assign(w.controller, section, w.sa, due_on=DUE)
    assert exc.value.errors["task_id"] == ["4 is a section; assign its measures instead."]


def test_an_organization_holds_a_task_once(w):
    task = make_task(w.act)
    assignments.assign(w.controller, task, w.sa, due_on=DUE)
    with pytest.raises(ValidationError) as exc:
        assignments.assign(w.controller, task, w.sa, due_on=DUE, role="co_executor")
    assert exc.value.errors["organization_id"] == [f"{w.sa.short_name} already has this task."]
    # Another body may share the task.
    assignments.assign(w.controller, task, w.mt, due_on=DUE, role="co_executor")


def test_the_database_also_refuses_a_second_top_level_assignment(w):
    task = make_task(w.act)
    make_assignment(task, w.sa)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        make_assignment(task, w.sa)


@pytest.mark.parametrize("case", ["control body", "inactive", "none"])
def test_only_active_executive_bodies_receive_tasks(w, case):
    organization = {"control body": w.cd, "inactive": make_org(active=False), "none": None}[case]
    with pytest.raises(ValidationError) as exc:
        assignments.assign(w.controller, make_task(w.act), organization, due_on=DUE)
    assert exc.value.errors["organization_id"] == ["Choose an active executive body."]


def test_assign_checks_due_date_role_and_responsible(w):
    with pytest.raises(ValidationError) as exc:
        assignments.assign(w.controller, make_task(w.act), w.sa, due_on=None, role="boss", responsible=w.exec_mt)
    assert set(exc.value.errors) == {"due_on", "role", "responsible_id"}
    assert exc.value.errors["responsible_id"] == [f"The responsible person must work in {w.sa.short_name}."]


def test_responsible_may_work_in_a_sub_unit(w):
    a = assignments.assign(w.controller, make_task(w.act), w.sa, due_on=DUE, responsible=w.exec_sa1)
    assert a.responsible is w.exec_sa1


# -- update ------------------------------------------------------------------------------------

def test_controller_changes_due_date_role_note_and_responsible(w):
    a = make_assignment(make_task(w.act), w.sa, due_on=DUE)
    assignments.update(w.controller, a, due_on=date(2026, 8, 1), role="co_executor", note="Moved",
                       responsible_id=w.exec_sa.id)
    assert (a.due_on, a.original_due_on, a.role, a.note, a.responsible) == (
        date(2026, 8, 1), DUE, "co_executor", "Moved", w.exec_sa)
    (event,) = _events(a)
    assert event.action == "assignment.updated"
    assert event.before == {"due_on": "2026-07-01", "role": "lead", "note": None, "responsible_id": None}
    assert event.after == {"due_on": "2026-08-01", "role": "co_executor", "note": "Moved",
                           "responsible_id": w.exec_sa.id}


def test_an_update_that_changes_nothing_writes_no_event(w):
    a = make_assignment(make_task(w.act), w.sa, due_on=DUE)
    assignments.update(w.controller, a, due_on=DUE)
    assert _events(a) == []


# field -> who may change it on the body's top-level open assignment
FIELD_VALUES = {"due_on": date(2026, 8, 1), "role": "co_executor", "note": "x", "progress": 50}
FIELD_MAY = {
    "due_on": {"admin", "controller"},
    "role": {"admin", "controller"},
    "note": {"admin", "controller"},
    "progress": {"head_sa", "exec_sa"},
    "responsible_id": {"admin", "controller", "head_sa"},
}


@pytest.mark.parametrize("field", sorted(FIELD_MAY))
@pytest.mark.parametrize("who", ROLE_ACTORS)
def test_update_field_permissions(w, field, who):
    a = make_assignment(make_task(w.act), w.sa, state="in_progress", due_on=DUE)
    value = w.exec_sa.id if field == "responsible_id" else FIELD_VALUES[field]
    if who in FIELD_MAY[field]:
        assignments.update(getattr(w, who), a, **{field: value})
        assert getattr(_reload(a), field) == value
    else:
        with pytest.raises(Forbidden):
            assignments.update(getattr(w, who), a, **{field: value})
        assert getattr(_reload(a), field) != value


def test_refusal_names_the_fields(w):
    a = make_assignment(make_task(w.act), w.sa, state="in_progress")
    with pytest.raises(Forbidden) as exc:
        assignments.update(w.exec_sa, a, progress=50, due_on=date(2026, 9, 1), state="accepted")
    assert exc.value.message == "You may not change: due_on, state."
    assert (a.progress, a.state) == (0, "in_progress")


@pytest.mark.parametrize("state", ["submitted", "accepted", "cancelled"])
def test_progress_is_frozen_once_submitted_or_closed(w, state):
    a = make_assignment(make_task(w.act), w.sa, state=state, progress=80)
    with pytest.raises(Forbidden):
        assignments.update(w.exec_sa, a, progress=10)
    assert _reload(a).progress == 80


@pytest.mark.parametrize("fields,error", [
    ({"progress": 101}, "progress"), ({"progress": -1}, "progress"), ({"progress": None}, "progress"),
    ({"role": "boss"}, "role"), ({"due_on": None}, "due_on"), ({"responsible_id": 10 ** 9}, "responsible_id"),
])
def test_update_validates(w, fields, error):
    a = make_assignment(make_task(w.act), w.sa, state="in_progress")
    actor = w.exec_sa if "progress" in fields else w.controller
    with pytest.raises(ValidationError) as exc:
        assignments.update(actor, a, **fields)
    assert list(exc.value.errors) == [error]


def test_responsible_must_work_in_the_body(w):
    a = make_assignment(make_task(w.act), w.sa)
    with pytest.raises(ValidationError) as exc:
        assignments.update(w.head_sa, a, responsible_id=w.exec_mt.id)
    assert exc.value.errors["responsible_id"] == [f"The responsible person must work in {w.sa.short_name}."]
    assignments.update(w.head_sa, a, responsible_id=w.exec_sa1.id)
    assert a.responsible is w.exec_sa1


# -- delegation --------------------------------------------------------------------------------

def test_org_head_delegates_to_a_sub_unit(w):
    a = make_assignment(make_task(w.act), w.sa, state="in_progress", due_on=DUE)
    sub = assignments.delegate(w.head_sa, a, organization=w.sa1, responsible=w.exec_sa1, due_on=date(2026, 6, 20),
                               note="Report weekly")
    assert (sub.parent, sub.organization, sub.responsible, sub.state, sub.due_on, sub.task) == (
        a, w.sa1, w.exec_sa1, "assigned", date(2026, 6, 20), a.task)
    assert a.sub_assignments == [sub]
    assert [e.action for e in _events(a)] == ["assignment.delegated"]
    assert [e.action for e in _events(sub)] == ["assignment.created"]
    assert _events(sub)[0].after["parent_id"] == a.id


def test_delegation_defaults_to_the_assignments_due_date_and_may_name_a_person_in_the_body(w):
    a = make_assignment(make_task(w.act), w.sa, due_on=DUE)
    sub = assignments.delegate(w.head_sa, a, organization=w.sa, responsible=w.exec_sa)
    assert (sub.organization, sub.due_on) == (w.sa, DUE)


@pytest.mark.parametrize("who", ["admin", "controller", "observer", "exec_sa", "exec_sa1", "head_mt", "exec_mt"])
def test_only_the_org_head_delegates(w, who):
    a = make_assignment(make_task(w.act), w.sa, state="in_progress", due_on=DUE)
    with pytest.raises(Forbidden):
        assignments.delegate(getattr(w, who), a, organization=w.sa1, responsible=w.exec_sa1)
    assert a.sub_assignments == []


@pytest.mark.parametrize("state", ["submitted", "accepted", "cancelled"])
def test_only_open_work_is_delegated(w, state):
    a = make_assignment(make_task(w.act), w.sa, state=state, due_on=DUE)
    with pytest.raises(Forbidden):
        assignments.delegate(w.head_sa, a, organization=w.sa1, responsible=w.exec_sa1)


def test_delegation_stays_inside_the_body(w):
    a = make_assignment(make_task(w.act), w.sa, due_on=DUE)
    with pytest.raises(ValidationError) as exc:
        assignments.delegate(w.head_sa, a, organization=w.mt1, responsible=w.exec_mt)
    assert "organization_id" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        assignments.delegate(w.head_sa, a, organization=w.sa1, responsible=w.exec_sa)  # not in SA-1
    assert "responsible_id" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        assignments.delegate(w.head_sa, a, organization=w.sa)  # same unit, nobody named
    assert "responsible_id" in exc.value.errors
    assert a.sub_assignments == []


def test_personal_due_date_is_no_later_than_the_assignments(w):
    a = make_assignment(make_task(w.act), w.sa, due_on=DUE)
    with pytest.raises(ValidationError) as exc:
        assignments.delegate(w.head_sa, a, organization=w.sa1, responsible=w.exec_sa1, due_on=date(2026, 7, 2))
    assert exc.value.errors["due_on"] == ["The personal due date cannot be later than the assignment's (2026-07-01)."]
    sub = assignments.delegate(w.head_sa, a, organization=w.sa1, responsible=w.exec_sa1, due_on=DUE)
    with pytest.raises(ValidationError):
        assignments.update(w.head_sa, sub, due_on=date(2026, 7, 2))
    assignments.update(w.head_sa, sub, due_on=date(2026, 6, 25))
    assert sub.due_on == date(2026, 6, 25)


def test_progress_rolls_up_from_sub_assignments(w):
    a = make_assignment(make_task(w.act), w.sa, state="in_progress", due_on=DUE)
    first = assignments.delegate(w.head_sa, a, organization=w.sa1, responsible=w.exec_sa1)
    second = assignments.delegate(w.head_sa, a, organization=w.sa, responsible=w.exec_sa)
    for sub in (first, second):
        assignments.transition(w.exec_sa, sub, "start")
    assignments.update(w.exec_sa1, first, progress=40)
    assignments.update(w.exec_sa, second, progress=81)
    assert a.progress == 60  # round((40 + 81) / 2)
    rolled = [e for e in _events(a) if e.action == "assignment.progress_rolled_up"]
    assert rolled[-1].before == {"progress": 20} and rolled[-1].after == {"progress": 60}

    # The parent's own progress is the roll-up's, not anybody's to type in.
    with pytest.raises(Forbidden):
        assignments.update(w.exec_sa, a, progress=90)

    # Inside the body, the head reviews the sub-assignments; accepted counts as 100, cancelled not at all.
    assignments.transition(w.exec_sa1, first, "submit")
    assignments.transition(w.head_sa, first, "accept")
    assert a.progress == 90  # round((100 + 81) / 2)
    assignments.transition(w.head_sa, second, "cancel", "Done by the sub-unit alone.")
    assert a.progress == 100


def test_sub_assignment_is_reviewed_inside_the_body(w):
    a = make_assignment(make_task(w.act), w.sa, state="in_progress", due_on=DUE)
    sub = assignments.delegate(w.head_sa, a, organization=w.sa1, responsible=w.exec_sa1)
    assignments.transition(w.exec_sa1, sub, "start")
    assignments.transition(w.exec_sa1, sub, "submit")
    for who in ("exec_sa", "exec_sa1", "head_mt", "observer"):
        with pytest.raises(Forbidden):
            assignments.transition(getattr(w, who), sub, "accept")
    assignments.transition(w.head_sa, sub, "return", "Add the photos.")
    assert sub.state == "in_progress"


def test_progress_rolls_up_through_two_levels_of_delegation(w):
    a = make_assignment(make_task(w.act), w.sa, state="in_progress", due_on=DUE)
    sub = assignments.delegate(w.head_sa, a, organization=w.sa1, responsible=w.exec_sa1)
    subsub = assignments.delegate(w.head_sa, sub, organization=w.sa1, responsible=w.exec_sa1)
    assignments.update(w.exec_sa1, subsub, progress=70)
    assert sub.progress == 70
    assert a.progress == 70


def test_candidates_for_responsible_are_active_people_of_the_body_and_its_sub_units(w):
    make_user("executor", organization=w.sa, active=False)
    a = make_assignment(make_task(w.act), w.sa)
    assert set(assignments.candidates_for_responsible(a)) == {w.head_sa, w.exec_sa, w.exec_sa1}
