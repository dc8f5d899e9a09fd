"""Who hears of a body's work: nobody outside it, and nobody while its act is a draft."""

from datetime import date

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Notification
from monitoris.notifications import digest, reminders
from monitoris.services import acts, assignments, extensions, instructions
from tests.factories import make_act, make_task, make_world


@pytest.fixture
def w():
    return make_world()


def heard():
    """(recipient id, template) of every message queued so far, once per person and template."""
    return set(db.session.execute(sa.select(Notification.recipient_id, Notification.template)).all())


def test_a_draft_acts_work_is_heard_of_when_the_act_comes_into_force(w):
    draft = make_act(state="draft")
    task = make_task(draft, "1.1", controller=w.controller)
    work = assignments.assign(w.controller, task, w.sa, due_on=date(2026, 6, 1), responsible=w.exec_sa)
    instructions.issue(w.controller, work, kind="request", text="Draft instruction")
    assert heard() == set()
    digest.send_digest(date(2026, 6, 15))  # the work is overdue, but of a draft act
    assert heard() == set()

    acts.update_act(w.controller, draft, state="active")
    assert heard() == {(w.exec_sa.id, "assignment_new"), (w.exec_sa.id, "instruction_issued")}
    payloads = [n.payload for n in db.session.scalars(sa.select(Notification).where(Notification.channel == "in_app"))]
    assert {p["task_number"] for p in payloads} == {"1.1"}
    assert {p.get("text") for p in payloads} == {None, "Draft instruction"}
    digest.send_digest(date(2026, 6, 15))
    assert (w.head_sa.id, "digest_head") in heard()


def test_a_person_moved_to_another_body_no_longer_hears_of_the_old_bodys_work(w, clock):
    work = assignments.assign(w.controller, make_task(w.act, "2.1", controller=w.controller), w.sa,
                              due_on=date(2026, 6, 22), responsible=w.exec_sa)
    extension = extensions.request(w.exec_sa, work, proposed_due_on=date(2026, 7, 1), reason="Procurement")
    db.session.execute(sa.delete(Notification))
    w.exec_sa.organization = w.mt  # moved by an admin; still named on SA's assignment
    db.session.flush()
    instructions.issue(w.controller, work, kind="request", text="Say more")
    extensions.decide(w.controller, extension, "approved")
    assert heard() == {(w.head_sa.id, "instruction_issued"), (w.head_sa.id, "extension_decided")}
    db.session.execute(sa.delete(Notification))
    reminders.scan()  # 2026-07-01 is far; the first reminder is a week before: move the clock there
    clock.advance(days=9)
    reminders.scan()
    assert {person for person, _ in heard()} == {w.head_sa.id}
