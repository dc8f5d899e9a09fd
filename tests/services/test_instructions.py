"""Instructions: issued → acknowledged → answered → closed, who may do each, overdue answers."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from monitoris import clock as clock_module
from monitoris import permissions, work
from monitoris.errors import Forbidden, IllegalTransition, ValidationError
from monitoris.extensions import db
from monitoris.models import Instruction, Notification
from monitoris.services import instructions
from tests.factories import make_assignment, make_document, make_task, make_world

pytestmark = pytest.mark.usefixtures("upload_folder")


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def a(w):
    return make_assignment(make_task(w.act, "3.1"), w.sa, state="in_progress", responsible=w.exec_sa)


def test_the_life_of_an_instruction(w, a, clock):
    ins = instructions.issue(w.controller, a, kind="request", text="Send the draft rules.",
                             response_due_on=date(2026, 6, 20))
    assert (ins.state, ins.organization_id, ins.assignment_id) == ("issued", w.sa.id, a.id)
    assert db.session.scalar(sa.select(Notification.recipient_id).where(
        Notification.template == "instruction_issued")) == w.exec_sa.id
    clock.advance(hours=2)
    instructions.acknowledge(w.exec_sa, ins)
    assert ins.state == "acknowledged" and ins.acknowledged_at == clock.now()
    make_document(ins, w.exec_sa)
    instructions.respond(w.exec_sa, ins, "The draft is attached.")
    assert ins.state == "answered" and ins.documents[0].purpose == "response"
    assert db.session.scalar(sa.select(Notification.recipient_id).where(
        Notification.template == "instruction_answered")) == w.controller.id
    instructions.close(w.controller, ins)
    assert ins.state == "closed"
    with pytest.raises(IllegalTransition):
        instructions.close(w.controller, ins)


def test_answering_acknowledges_on_the_way(w, a):
    ins = instructions.issue(w.controller, a, kind="instruction", text="Do it.")
    instructions.respond(w.head_sa, ins, "Done.")
    assert ins.acknowledged_at is not None and ins.state == "answered"


@pytest.mark.parametrize("who", ["exec_sa", "head_sa", "observer", "exec_mt"])
def test_only_the_control_body_issues_and_closes(w, a, who):
    with pytest.raises(Forbidden):
        instructions.issue(getattr(w, who), a, kind="instruction", text="x")
    ins = instructions.issue(w.controller, a, kind="instruction", text="x")
    with pytest.raises(Forbidden):
        instructions.close(getattr(w, who), ins, "no")


@pytest.mark.parametrize("who", ["controller", "observer", "exec_mt"])
def test_only_the_body_acknowledges_and_answers(w, a, who):
    ins = instructions.issue(w.controller, a, kind="instruction", text="x")
    with pytest.raises(Forbidden):
        instructions.acknowledge(getattr(w, who), ins)
    with pytest.raises(Forbidden):
        instructions.respond(getattr(w, who), ins, "y")


def test_closing_unanswered_needs_a_comment_and_empty_texts_are_refused(w, a):
    with pytest.raises(ValidationError):
        instructions.issue(w.controller, a, kind="instruction", text="  ")
    ins = instructions.issue(w.controller, a, kind="instruction", text="x")
    with pytest.raises(ValidationError):
        instructions.respond(w.exec_sa, ins, "")
    with pytest.raises(ValidationError):
        instructions.close(w.controller, ins)
    instructions.close(w.controller, ins, "No longer needed.")


def test_overdue_is_derived_in_python_and_sql(w, a, clock):
    ins = instructions.issue(w.controller, a, kind="request", text="x", response_due_on=date(2026, 6, 16))
    today = clock_module.today()
    assert not ins.is_overdue(today)
    later = today + timedelta(days=2)
    assert ins.is_overdue(later)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Instruction)
                             .where(Instruction.overdue_clause(later))) == 1
    instructions.respond(w.exec_sa, ins, "Here.")
    assert not ins.is_overdue(later)


def test_an_instruction_to_the_whole_organization_and_who_sees_it(w, a):
    ins = instructions.issue(w.controller, a, kind="recommendation", text="All units.", whole_organization=True)
    assert ins.assignment_id is None and ins.task_id == a.task_id
    assert work.instructions_of(w.exec_sa, a) == [ins]
    assert permissions.can_view_instruction(w.observer, ins)
    assert not permissions.can_view_instruction(w.exec_mt, ins)
    assert not permissions.can_view_instruction(w.exec_sa1, ins)  # a sub-unit does not see its parent's
    stmt = permissions.scope_instructions(w.exec_mt, sa.select(Instruction))
    assert db.session.scalars(stmt).all() == []
