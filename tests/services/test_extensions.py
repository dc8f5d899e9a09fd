"""Extension requests: asked with a reason, decided by the control body, due_on moved, original kept."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from monitoris import periods, work
from monitoris.errors import Conflict, Forbidden, IllegalTransition, ValidationError
from monitoris.extensions import db
from monitoris.models import Event, EvidenceRequirement, ExtensionRequest, Notification
from monitoris.permissions import can_decide_extension, can_edit_report
from monitoris.services import assignments, extensions, reports
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


def _on(clock, day):
    """09:00 in Baku on ``day``."""
    clock.at = datetime(day.year, day.month, day.day, 5, tzinfo=UTC)


@pytest.fixture
def quarterly(w):
    """A quarterly task whose assignment is due with Q2: at first Q2 is its final period."""
    task = make_task(w.act, "4.3", controller_id=w.controller.id, recurrence="quarterly", period_start=date(2026, 1, 1))
    db.session.add(EvidenceRequirement(task=task, text="Attendance lists"))
    return make_assignment(task, w.sa, state="in_progress", due_on=date(2026, 6, 30), responsible=w.exec_sa)


def _plan(a):
    return [(p.label, p.due_on, p.final) for p in periods.of(a)]


def test_an_extension_past_the_final_period_makes_it_an_ordinary_one(w, quarterly, clock):
    a = quarterly
    _on(clock, date(2026, 3, 30))
    q1 = reports.create(w.exec_sa, a, period="2026-Q1", text="Q1 events held.")
    reports.submit(w.exec_sa, q1)
    _on(clock, date(2026, 4, 1))
    reports.review(w.controller, q1, "accept")
    _on(clock, date(2026, 6, 1))
    q2 = reports.create(w.exec_sa, a, text="Q2 events held.")
    assert (q2.period, q2.final, q2.period_due_on) == ("2026-Q2", True, date(2026, 6, 30))
    _on(clock, date(2026, 6, 2))
    asked = extensions.request(w.exec_sa, a, proposed_due_on=date(2026, 9, 30), reason="The venue burnt down.")
    _on(clock, date(2026, 6, 3))
    extensions.decide(w.controller, asked, "approved")

    assert _plan(a) == [("2026-Q1", date(2026, 3, 31), False), ("2026-Q2", date(2026, 6, 30), False),
                        ("2026-Q3", date(2026, 9, 30), True)]
    assert (q2.final, q2.period_due_on) == (False, date(2026, 6, 30))  # the draft follows its period
    _on(clock, date(2026, 6, 20))
    reports.submit(w.exec_sa, q2)
    assert q2.on_time
    _on(clock, date(2026, 6, 21))
    reports.review(w.controller, q2, "accept")  # Q2's own acceptance: the work goes on
    assert a.state == "in_progress"
    assert reports.open_period(a).label == "2026-Q3"

    _on(clock, date(2026, 9, 25))
    q3 = reports.create(w.exec_sa, a, text="Q3 events held.")
    assert (q3.period, q3.final, q3.period_due_on) == ("2026-Q3", True, date(2026, 9, 30))
    reports.submit(w.exec_sa, q3)
    with pytest.raises(ValidationError):  # the final period removes the task from control: every requirement
        reports.review(w.controller, q3, "accept")
    reports.review(w.controller, q3, "accept", checked=[r.id for r in a.task.evidence_requirements])
    assert a.state == "accepted"


def test_every_version_of_the_formerly_final_period_follows_the_extension(w, quarterly, clock):
    a = quarterly
    _on(clock, date(2026, 5, 20))
    first = reports.create(w.exec_sa, a, period="2026-Q2", text="Q2 events planned.")
    reports.submit(w.exec_sa, first)
    reports.review(w.controller, first, "return", "Hold them first.")
    asked = extensions.request(w.exec_sa, a, proposed_due_on=date(2026, 7, 31), reason="Postponed.")
    extensions.decide(w.controller, asked, "approved")
    second = reports.create(w.exec_sa, a, period="2026-Q2")
    assert [(r.version, r.final, r.period_due_on) for r in reports.versions(second)] == [
        (1, False, date(2026, 6, 30)), (2, False, date(2026, 6, 30))]
    assert _plan(a)[-1] == ("2026-Q3", date(2026, 7, 31), True)


def test_reopened_then_extended_the_accepted_period_stands_and_the_next_is_final(w, quarterly, clock):
    a = quarterly
    _on(clock, date(2026, 6, 10))
    for period in ("2026-Q1", "2026-Q2"):
        report = reports.create(w.exec_sa, a, period=period, text=f"{period} events held.")
        reports.submit(w.exec_sa, report)
        reports.review(w.controller, report, "accept", checked=[r.id for r in a.task.evidence_requirements])
    q2 = report
    assert (q2.final, a.state) == (True, "accepted")
    assignments.transition(w.controller, a, "reopen", "Two more events are needed.")
    asked = extensions.request(w.exec_sa, a, proposed_due_on=date(2026, 9, 30), reason="The events are in July.")
    extensions.decide(w.controller, asked, "approved")
    assert (q2.state, q2.final, q2.period_due_on) == ("accepted", False, date(2026, 6, 30))
    assert reports.open_period(a).label == "2026-Q3"
    with pytest.raises(Conflict):  # Q2 is an ordinary, accepted period now
        reports.create(w.exec_sa, a, period="2026-Q2")
    assert reports.create(w.exec_sa, a).final


def test_a_request_left_pending_when_the_work_was_accepted_is_not_decided_nor_listed(w, a):
    """Approving it would move finished work's due date and make a late acceptance timely in the analysis."""
    req = extensions.request(w.exec_sa, a, proposed_due_on=date(2026, 8, 1), reason="The tender failed.")
    assignments.transition(w.exec_sa, a, "submit")
    assignments.transition(w.controller, a, "accept")
    assert not can_decide_extension(w.controller, req)
    with pytest.raises(IllegalTransition, match="The assignment is accepted: its due date no longer moves."):
        extensions.decide(w.controller, req, "approved")
    assert (a.due_on, req.decision) == (DUE, "pending")
    assert db.session.scalars(work.review_queue(w.controller)["extension_requests"]).all() == []
    assert db.session.scalars(work.my_work(w.exec_sa)["extension_requests"]).all() == []


def test_drafts_and_returned_reports_of_cancelled_work_leave_my_work_and_cannot_be_edited(w, a):
    draft = reports.create(w.exec_sa, a, text="Half done.")
    assert db.session.scalars(work.my_work(w.exec_sa)["drafts"]).all() == [draft]
    assignments.transition(w.controller, a, "cancel", "Withdrawn from the plan.")
    assert db.session.scalars(work.my_work(w.exec_sa)["drafts"]).all() == []
    assert not can_edit_report(w.exec_sa, draft)


def test_on_closed_work_the_body_is_told_it_is_not_theirs_to_decide_before_anything_else(w, a):
    req = extensions.request(w.exec_sa, a, proposed_due_on=date(2026, 8, 1), reason="The tender failed.")
    assignments.transition(w.controller, a, "cancel", "Withdrawn from the plan.")
    with pytest.raises(Forbidden):
        extensions.decide(w.exec_sa, req, "approved")
    with pytest.raises(IllegalTransition, match="The assignment is cancelled: its due date no longer moves."):
        extensions.decide(w.controller, req, "approved")


def test_a_due_date_edited_past_the_final_period_makes_it_an_ordinary_one_too(w, quarterly, clock):
    """The controller may move the due date on the assignment itself: the reports follow as after an extension,
    so accepting Q2 lets the work go on instead of closing the whole task with Q3 never reported."""
    a = quarterly
    q2 = reports.create(w.exec_sa, a, period="2026-Q2", text="Q2 events held.")
    reports.submit(w.exec_sa, q2)
    assert (q2.final, a.state) == (True, "submitted")
    assignments.update(w.controller, a, due_on=date(2026, 9, 30))
    assert (q2.final, q2.period_due_on) == (False, date(2026, 6, 30))
    reports.review(w.controller, q2, "accept")
    assert a.state == "in_progress" and _plan(a)[-1] == ("2026-Q3", date(2026, 9, 30), True)
    # Back to June would make the accepted Q2 the final period, as if its acceptance had closed the work.
    with pytest.raises(ValidationError) as refused:
        assignments.update(w.controller, a, due_on=date(2026, 6, 30))
    assert refused.value.errors == {"due_on": ["Reports were filed for 2026-Q2: choose a due date after those "
                                               "periods."]}
    assert (a.due_on, q2.final) == (date(2026, 9, 30), False)


def test_an_earlier_due_date_may_not_strand_the_reports_of_later_periods(w, quarterly):
    a = quarterly
    assignments.update(w.controller, a, due_on=date(2026, 12, 31))
    reports.create(w.exec_sa, a, period="2026-Q3", text="A draft for the third quarter.")
    with pytest.raises(ValidationError) as refused:
        assignments.update(w.controller, a, due_on=date(2026, 6, 30))  # Q3 would no longer exist
    assert "Reports were filed for 2026-Q3" in refused.value.errors["due_on"][0]
    assignments.update(w.controller, a, due_on=date(2026, 9, 15))  # Q3 becomes the final period: its draft follows
    assert periods.of(a)[-1].label == "2026-Q3"


@pytest.mark.parametrize("closed", ["accepted", "cancelled"])
def test_finished_work_keeps_the_due_date_it_was_judged_against(w, a, closed):
    a.state = closed
    with pytest.raises(ValidationError) as refused:
        assignments.update(w.controller, a, due_on=date(2026, 12, 31), note="Moved.")
    assert refused.value.errors == {"due_on": ["Finished work keeps the due date it was judged against."]}
    assignments.update(w.controller, a, due_on=a.due_on, note="The same date is no change.")
