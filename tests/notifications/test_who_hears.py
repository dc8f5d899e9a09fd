"""Who hears of a body's work: nobody outside it, and nobody while its act is a draft."""

from datetime import date

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Notification
from monitoris.notifications import digest
from monitoris.services import acts, assignments, instructions
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
