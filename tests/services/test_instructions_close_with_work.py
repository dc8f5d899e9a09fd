"""Instructions still awaiting an answer close with the work they were given on: an answer nobody will read is
neither chased by reminders nor left in the body's "My work"."""

from datetime import date

import pytest
import sqlalchemy as sa

from monitoris import work
from monitoris.extensions import db
from monitoris.models import Event
from monitoris.notifications import reminders
from monitoris.services import assignments, instructions
from tests.factories import make_assignment, make_task, make_world

DUE = date(2026, 7, 1)


@pytest.fixture
def w():
    return make_world()


def _ask(w, assignment, **options):
    return instructions.issue(w.controller, assignment, kind="request", text="How many centres opened?",
                              response_due_on=date(2026, 6, 25), **options)


def _closing(instruction):
    return db.session.scalars(sa.select(Event).where(Event.object_type == "instruction",
                                                     Event.object_id == instruction.id,
                                                     Event.action == "instruction.closed")).all()


def test_cancelling_an_assignment_closes_its_waiting_instructions_and_leaves_the_answered_one(w):
    a = make_assignment(make_task(w.act, controller=w.controller), w.sa, state="in_progress", due_on=DUE)
    waiting, seen, to_body = _ask(w, a), _ask(w, a), _ask(w, a, whole_organization=True)
    instructions.acknowledge(w.exec_sa, seen)
    answered = _ask(w, a)
    instructions.respond(w.exec_sa, answered, "Twelve.")
    other = _ask(w, make_assignment(make_task(w.act), w.mt, state="in_progress", due_on=DUE))

    assignments.transition(w.controller, a, "cancel", "Withdrawn from the plan.")

    assert [i.state for i in (waiting, seen, to_body, answered, other)] == \
        ["closed", "closed", "closed", "answered", "issued"]
    [event] = _closing(waiting)
    assert event.actor_id == w.controller.id and event.before == {"state": "issued"}
    assert event.after["comment"] == "Closed with its assignment, which was cancelled: no answer is awaited any more."
    assert waiting.closing_comment == event.after["comment"] and waiting.closed_by_id == w.controller.id
    listed = db.session.scalars(work.my_work(w.exec_sa)["instructions"]).all()
    assert listed == []


def test_accepted_work_keeps_its_instructions_unlisted_until_it_is_reopened_its_cancelled_pieces_close_theirs(w):
    a = make_assignment(make_task(w.act, controller=w.controller), w.sa, state="in_progress", due_on=DUE)
    piece = assignments.delegate(w.head_sa, a, organization=w.sa1, responsible=w.exec_sa1)
    on_piece, on_body, to_body = _ask(w, piece), _ask(w, a), _ask(w, a, whole_organization=True)
    assignments.transition(w.exec_sa, a, "submit")
    assignments.transition(w.controller, a, "accept")
    assert (piece.state, on_piece.state) == ("cancelled", "closed")
    assert _closing(on_piece)[0].after["comment"] == \
        "Closed with its assignment, which was cancelled: no answer is awaited any more."
    # Accepted work may be reopened: its instructions wait, listed nowhere and reminded of by nobody.
    assert (on_body.state, to_body.state) == ("issued", "issued")
    assert db.session.scalars(work.my_work(w.exec_sa)["instructions"]).all() == []
    assert db.session.execute(reminders.instruction_candidates([date(2026, 6, 25)])).all() == []

    assignments.transition(w.controller, a, "reopen", "The gazette publication is missing.")
    assert db.session.scalars(work.my_work(w.exec_sa)["instructions"]).all() == [on_body, to_body]
    assert {r.id for r in db.session.execute(reminders.instruction_candidates([date(2026, 6, 25)]))} == \
        {on_body.id, to_body.id}
    instructions.respond(w.exec_sa, on_body, "Published on 20 June.")
