"""The daily digest: each head and controller counts each piece of work once."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Notification
from monitoris.notifications import digest
from monitoris.notifications.render import render
from tests.factories import make_assignment, make_report, make_task, make_user, make_world

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


def _quarterly(w, controller, organization=None, **options):
    """Work on a quarterly task since January, due at the end of the year; Q1 accepted, Q2 (due 30 June) not."""
    task = make_task(w.act, options.pop("number", "9.1"), controller=controller, recurrence="quarterly",
                     period_start=date(2026, 1, 1))
    work = make_assignment(task, organization or w.sa, state="in_progress", due_on=date(2026, 12, 31),
                           created_at=datetime(2026, 1, 5, 6, tzinfo=UTC), **options)
    make_report(work, state="accepted", period="2026-Q1", period_due_on=date(2026, 3, 31), final=False)
    return work


def test_late_period_reports_are_counted_for_the_head_and_the_controller(w):
    _quarterly(w, w.controller)
    digest.send_digest(date(2026, 6, 30))
    assert digests() == {}  # Q2 is due today, not late
    digest.send_digest(date(2026, 7, 1))
    sent = digests()
    assert {who: (p["overdue"], p["late_periods"]) for who, p in sent.items()} == {
        w.head_sa.id: (0, 1), w.controller.id: (0, 1)}
    text = render(db.session.scalars(sa.select(Notification).where(
        Notification.recipient_id == w.head_sa.id, Notification.channel == "email")).one())["text"]
    assert "Period reports of recurring tasks not sent by their due date: 1." in text


def test_a_late_period_of_a_task_without_a_controller_who_can_act_reaches_every_control_body_controller(w):
    second = make_user("controller", organization=w.cd)
    _quarterly(w, None)
    digest.send_digest(date(2026, 7, 1))
    sent = digests()
    assert {who for who, p in sent.items() if p["late_periods"] == 1} == {w.controller.id, second.id, w.head_sa.id}


def test_a_period_report_sent_on_time_and_awaiting_review_is_not_late_but_to_review(w):
    work = _quarterly(w, w.controller)
    make_report(work, state="submitted", period="2026-Q2", period_due_on=date(2026, 6, 30), final=False)
    work.state = "submitted"
    db.session.flush()
    digest.send_digest(date(2026, 7, 1))
    sent = digests()
    assert (sent[w.controller.id]["to_review"], sent[w.controller.id]["late_periods"]) == (1, 0)
    assert w.head_sa.id not in sent  # nothing is the body's to do
