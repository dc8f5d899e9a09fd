"""Extension requests: asked with a reason, decided by the control body, due_on moved, original kept."""

from datetime import date

import pytest
import sqlalchemy as sa

from monitoris.errors import Conflict, Forbidden, IllegalTransition, ValidationError
from monitoris.extensions import db
from monitoris.models import Event, ExtensionRequest, Notification
from monitoris.services import extensions, reports
from tests.factories import make_assignment, make_task, make_world

DUE = date(2026, 7, 1)


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def a(w):
    task = make_task(w.act, "4.2", controller_id=w.controller.id)
    return make_assignment(task, w.sa, state="in_progress", due_on=DUE, responsible=w.exec_sa)


def test_approval_moves_due_on_but_not_original_due_on(w, a):
    req = extensions.request(w.exec_sa, a, proposed_due_on=date(2026, 8, 1), reason="The tender failed.")
    assert db.session.scalar(sa.select(Notification.recipient_id).where(
        Notification.template == "extension_requested")) == w.controller.id
    extensions.decide(w.controller, req, "approved")
    assert (a.due_on, a.original_due_on, req.decision, req.days_requested) == (date(2026, 8, 1), DUE, "approved", 31)
    event = db.session.scalar(sa.select(Event).where(Event.action == "assignment.due_extended"))
    assert (event.before, event.after["due_on"]) == ({"due_on": "2026-07-01"}, "2026-08-01")
    assert db.session.scalar(sa.select(Notification.recipient_id).where(
        Notification.template == "extension_decided")) == w.exec_sa.id


def test_rejection_needs_a_comment_and_keeps_the_date(w, a):
    req = extensions.request(w.exec_sa, a, proposed_due_on=date(2026, 8, 1), reason="More time.")
    with pytest.raises(ValidationError):
        extensions.decide(w.controller, req, "rejected")
    extensions.decide(w.controller, req, "rejected", "The deadline is set by the decree.")
    assert a.due_on == DUE and req.decision == "rejected"
    with pytest.raises(IllegalTransition):
        extensions.decide(w.controller, req, "approved")


def test_one_pending_request_at_a_time_and_a_later_date_with_a_reason(w, a):
    with pytest.raises(ValidationError) as exc:
        extensions.request(w.exec_sa, a, proposed_due_on=DUE, reason="")
    assert set(exc.value.errors) == {"proposed_due_on", "reason"}
    extensions.request(w.exec_sa, a, proposed_due_on=date(2026, 8, 1), reason="x")
    with pytest.raises(Conflict):
        extensions.request(w.head_sa, a, proposed_due_on=date(2026, 9, 1), reason="y")


@pytest.mark.parametrize("who", ["controller", "observer", "exec_mt", "exec_sa1"])
def test_only_the_bodys_people_ask(w, a, who):
    with pytest.raises(Forbidden):
        extensions.request(getattr(w, who), a, proposed_due_on=date(2026, 8, 1), reason="x")


@pytest.mark.parametrize("who", ["exec_sa", "head_sa", "observer", "exec_mt"])
def test_only_the_control_body_decides(w, a, who):
    req = extensions.request(w.exec_sa, a, proposed_due_on=date(2026, 8, 1), reason="x")
    with pytest.raises(Forbidden):
        extensions.decide(getattr(w, who), req, "approved")


def test_approval_moves_the_final_reports_due_date_and_the_history_stays(w, a):
    report = reports.create(w.exec_sa, a, text="x")
    first = extensions.request(w.exec_sa, a, proposed_due_on=date(2026, 7, 15), reason="a")
    extensions.decide(w.controller, first, "approved")
    second = extensions.request(w.exec_sa, a, proposed_due_on=date(2026, 8, 15), reason="b")
    extensions.decide(w.controller, second, "rejected", "No.")
    assert report.period_due_on == date(2026, 7, 15)
    asked, granted, days_added = db.session.execute(
        sa.select(sa.func.count(), sa.func.sum(sa.case((ExtensionRequest.decision == "approved", 1), else_=0)),
                  sa.func.sum(sa.case((ExtensionRequest.decision == "approved", ExtensionRequest.days_requested),
                                      else_=0)))
        .where(ExtensionRequest.assignment_id == a.id)).one()
    assert (asked, granted, days_added) == (2, 1, 14)
