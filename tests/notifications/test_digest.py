"""The daily digest: each head and controller counts each piece of work once."""

from datetime import date

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Notification
from monitoris.notifications import digest
from tests.factories import make_assignment, make_task, make_user, make_world

TODAY = date(2026, 6, 15)


@pytest.fixture
def w():
    w = make_world()
    w.head_sa1 = make_user("org_head", organization=w.sa1)
    return w


def digests():
    """recipient id -> the payload of their digest email today."""
    return {n.recipient_id: n.payload for n in db.session.scalars(
        sa.select(Notification).where(Notification.kind == "digest", Notification.channel == "email"))}


def test_a_delegated_sub_assignment_is_not_an_extra_overdue_item_for_the_controller(w):
    # The QA scenario: SA's assignment due 06-10, delegated to SA-1 for 06-05; SA's second one due 06-12.
    first = make_assignment(make_task(w.act, "4.1", controller=w.controller), w.sa, due_on=date(2026, 6, 10))
    make_assignment(first.task, w.sa1, parent=first, due_on=date(2026, 6, 5), responsible=w.exec_sa1)
    make_assignment(make_task(w.act, "4.2", controller=w.controller), w.sa, due_on=date(2026, 6, 12))
    digest.send_digest(TODAY)
    sent = digests()
    assert sent[w.controller.id]["overdue"] == 2
    assert sent[w.head_sa.id]["overdue"] == 2
    assert sent[w.head_sa1.id]["overdue"] == 1  # the sub-unit's own piece of the work


def test_a_split_inside_the_same_unit_is_one_item_for_its_head(w):
    work = make_assignment(make_task(w.act, "4.1", controller=w.controller), w.sa, due_on=date(2026, 6, 10))
    make_assignment(work.task, w.sa, parent=work, due_on=date(2026, 6, 5), responsible=w.exec_sa)
    digest.send_digest(TODAY)
    assert digests()[w.head_sa.id]["overdue"] == 1
    assert digests()[w.controller.id]["overdue"] == 1


@pytest.mark.parametrize("closed", ["cancelled", "accepted"])
def test_a_sub_assignment_of_closed_work_is_not_counted(w, closed):
    work = make_assignment(make_task(w.act, "4.1", controller=w.controller), w.sa, state=closed,
                           due_on=date(2026, 6, 10))
    make_assignment(work.task, w.sa1, parent=work, due_on=date(2026, 6, 5), responsible=w.exec_sa1)
    make_assignment(work.task, w.sa, parent=work, due_on=date(2026, 6, 5), responsible=w.exec_sa)
    digest.send_digest(TODAY)
    assert digests() == {}


def test_work_on_tasks_without_a_controller_who_can_act_is_in_every_control_body_controllers_digest(w):
    second = make_user("controller", organization=w.cd)
    gone = make_user("controller", organization=w.cd, active=False)
    make_assignment(make_task(w.act, "5.1", controller=w.controller), w.sa, due_on=date(2026, 6, 10))
    make_assignment(make_task(w.act, "5.2"), w.sa, due_on=date(2026, 6, 11))  # imported: nobody named
    make_assignment(make_task(w.act, "5.3", controller=gone), w.mt, state="submitted", due_on=date(2026, 7, 1))
    digest.send_digest(TODAY)
    sent = digests()
    assert (sent[w.controller.id]["overdue"], sent[w.controller.id]["to_review"]) == (2, 1)  # 5.1, and 5.2 and 5.3
    assert (sent[second.id]["overdue"], sent[second.id]["to_review"]) == (1, 1)  # 5.2 and 5.3
    assert gone.id not in sent
