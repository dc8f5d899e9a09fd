"""The deadline scan: the right reminders on the right days, each exactly once."""

from datetime import date

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Holiday, JobState, Notification
from monitoris.notifications import reminders
from monitoris.notifications.calendar import WorkingCalendar
from tests.factories import make_act, make_assignment, make_org, make_task, make_user
from tests.notifications.scan import at, queued_on

DUE = date(2026, 6, 22)  # a Monday; the test clock starts on Monday 2026-06-15


@pytest.fixture
def work():
    body = make_org("SA")
    executor = make_user("executor", organization=body, phone="+994501112233")
    head = make_user("org_head", organization=body)
    controller = make_user("controller", organization=make_org("CD", kind="control"))
    task = make_task(make_act(state="active"), "1.1", controller=controller)
    assignment = make_assignment(task, body, state="in_progress", due_on=DUE, responsible=executor)
    return assignment, executor, head, controller


def rows():
    return db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()


def keys():
    return {n.idempotency_key for n in rows()}


def test_seven_days_before_reaches_the_responsible_person_on_each_channel(work, clock):
    assignment, executor, _, _ = work
    assert reminders.scan() == 3
    base = f"assignment:{assignment.id}:due:2026-06-22:before-7"
    assert keys() == {f"{base}:{c}:user:{executor.id}" for c in ("email", "sms", "in_app")}
    in_app = next(n for n in rows() if n.channel == "in_app")
    assert in_app.state == "sent" and in_app.read_at is None
    assert {n.state for n in rows() if n.channel != "in_app"} == {"pending"}
    assert in_app.payload["task_number"] == "1.1" and in_app.payload["link"] == f"/assignments/{assignment.id}"


def test_a_rerun_queues_nothing_new(work, clock):
    assert reminders.scan() == 3
    assert reminders.scan() == 0
    assert len(rows()) == 3


def test_days_between_reminder_points_are_quiet(work, clock):
    assert reminders.scan() == 3
    clock.at = at(date(2026, 6, 16))
    assert reminders.scan() == 0
    clock.at = at(date(2026, 6, 18))
    assert reminders.scan() == 0


def test_a_reminder_due_on_a_sunday_goes_out_on_friday(work, clock):
    # before-3 is Friday 19th, before-1 would be Sunday 21st: both go out on Friday, as the latest one.
    clock.at = at(date(2026, 6, 19))
    reminders.scan()
    assert {k.split(":")[4] for k in keys()} == {"before-1"}
    clock.at = at(date(2026, 6, 21))
    assert reminders.scan() == 0


def test_a_holiday_moves_the_reminder_to_the_working_day_before(work, clock):
    db.session.add(Holiday(day=date(2026, 6, 19), name="National Salvation Day"))
    clock.at = at(date(2026, 6, 19))
    assert reminders.scan() == 0
    clock.at = at(date(2026, 6, 18))
    reminders.scan()
    assert {k.split(":")[4] for k in keys()} == {"before-1"}


def test_on_the_due_date_then_overdue_escalates_to_heads_and_the_controller(work, clock):
    assignment, executor, head, controller = work
    clock.at = at(DUE)
    reminders.scan()
    assert {(n.recipient_id, n.template) for n in rows()} == {(executor.id, "assignment_reminder")}
    clock.at = at(date(2026, 6, 23))
    reminders.scan()
    overdue = [n for n in rows() if n.template == "assignment_overdue"]
    assert {n.recipient_id for n in overdue} == {executor.id, head.id, controller.id}
    assert {n.channel for n in overdue if n.recipient_id == controller.id} == {"email", "in_app"}
    assert all(":after-1:" in n.idempotency_key for n in overdue)


def test_weekly_while_overdue(work, clock):
    clock.at = at(date(2026, 6, 30))  # eight days after the due date
    reminders.scan()
    assert {k.split(":")[4] for k in keys()} == {"after-8"}
    clock.at = at(date(2026, 7, 3))
    assert reminders.scan() == 0
    clock.at = at(date(2026, 7, 7))
    reminders.scan()
    assert "after-15" in {k.split(":")[4] for k in keys()}


def test_a_missed_day_is_caught_up_with_only_the_latest_reminder(work, clock):
    # The scheduler was down on the due date; the next morning it sends the overdue notice only.
    clock.at = at(date(2026, 6, 23))
    reminders.scan()
    assert {k.split(":")[4] for k in keys()} == {"after-1"}


def test_finished_and_submitted_work_gets_no_reminders(work, clock):
    assignment, *_ = work
    for state in ("accepted", "cancelled", "submitted"):
        assignment.state = state
        db.session.flush()
        assert reminders.scan() == 0


def test_an_extension_starts_a_new_series(work, clock):
    assignment, *_ = work
    reminders.scan()
    assignment.due_on = date(2026, 6, 18)  # extended ... or moved: the key names the due date
    db.session.flush()
    clock.at = at(date(2026, 6, 15))
    reminders.scan()
    assert any(":due:2026-06-18:before-3:" in k for k in keys())


def test_an_act_can_override_the_policy(work, clock):
    assignment, *_ = work
    assignment.task.act.reminder_policy = "2"
    db.session.flush()
    assert reminders.scan() == 0  # no 7-day reminder under this act
    clock.at = at(date(2026, 6, 20))  # Saturday: 2 days before goes out on Friday, so nothing today
    assert reminders.scan() == 0
    clock.at = at(date(2026, 6, 19))
    reminders.scan()
    assert {k.split(":")[4] for k in keys()} == {"before-2"}


def test_the_scan_selects_only_due_dates_with_a_reminder_in_its_window(work, clock):
    calendar = WorkingCalendar((5, 6), ())
    monday = date(2026, 6, 15)
    dates = reminders.candidate_due_dates((monday, monday), calendar, (7, 3, 1, 0, -1), True)
    assert DUE in dates  # 7 days before
    assert date(2026, 6, 12) in dates  # due Friday: its day-after fell on Saturday, so goes out Monday
    assert date(2026, 6, 16) in dates  # due Tuesday: the day before is Monday
    assert date(2026, 6, 17) not in dates and date(2027, 3, 1) not in dates
    # Only a few dates per reminder point, never a whole range of days.
    assert len(dates) <= 3 * (5 + reminders.WEEKLY_HORIZON_WEEKS)


def test_after_a_gap_the_scan_catches_up_from_where_it_stopped(work, clock):
    reminders.scan()  # Monday: 7 days before
    clock.at = at(date(2026, 6, 19))  # Friday, after two days without a scan
    reminders.scan()
    points = sorted(k.split(":")[4] for k in keys() if ":email:" in k)
    assert points == ["before-1", "before-7"]  # the missed 3-day reminder gave way to the latest one
    assert db.session.get(JobState, "deadline_scan").last_day == date(2026, 6, 19)


# -- each act's own policy ---------------------------------------------------------------------

def test_another_acts_override_leaves_the_default_weekly_reminders_alone(work, clock):
    assignment, executor, head, controller = work  # due Monday 22nd, the installation's 7,3,1,0,-1
    other = make_assignment(make_task(make_act(state="active", reminder_policy="7,3,1,0,-2"), "2.1",
                                      controller=controller),
                            executor.organization, state="in_progress", due_on=date(2026, 6, 19), responsible=executor)
    everyone = (executor.id, head.id, controller.id)
    # The other act's own series: after-2 (Sunday 21st, so Monday), then after-9 (Sunday 28th, so Monday 29th).
    assert queued_on(date(2026, 6, 29), clock) == {(other.id, "after-9", p) for p in everyone}
    # The installation's weekly series goes on for the default-policy assignment: after-8, after-15.
    assert queued_on(date(2026, 6, 30), clock) == {(assignment.id, "after-8", p) for p in everyone}
    assert queued_on(date(2026, 7, 6), clock) == {(other.id, "after-16", p) for p in everyone}
    assert queued_on(date(2026, 7, 7), clock) == {(assignment.id, "after-15", p) for p in everyone}


def test_a_policy_without_an_overdue_point_is_escalated_a_week_after_the_due_date_then_weekly(work, clock):
    assignment, executor, head, controller = work
    assignment.task.act.reminder_policy = "2,0"
    make_act(state="active", reminder_policy="7,3,1,0,-2")  # another override in force changes nothing here
    db.session.flush()
    assert queued_on(date(2026, 6, 19), clock) == {(assignment.id, "before-2", executor.id)}  # 20th is Saturday
    assert queued_on(date(2026, 6, 22), clock) == {(assignment.id, "due", executor.id)}
    assert queued_on(date(2026, 6, 23), clock) == set()  # no day-after point under this act
    everyone = {executor.id, head.id, controller.id}
    assert queued_on(date(2026, 6, 29), clock) == {(assignment.id, "after-7", p) for p in everyone}
    assert {n.template for n in rows() if ":after-7:" in n.idempotency_key} == {"assignment_overdue"}
    assert queued_on(date(2026, 7, 6), clock) == {(assignment.id, "after-14", p) for p in everyone}


def test_without_weekly_reminders_a_policy_without_an_overdue_point_ends_on_the_due_date(work, clock, app,
                                                                                          monkeypatch):
    assignment, executor, *_ = work
    monkeypatch.setitem(app.config, "REMINDER_WEEKLY_OVERDUE", False)
    assignment.task.act.reminder_policy = "2,0"
    db.session.flush()
    assert queued_on(date(2026, 6, 22), clock) == {(assignment.id, "due", executor.id)}
    assert queued_on(date(2026, 6, 29), clock) == set()


def test_an_act_policy_that_cannot_be_read_falls_back_to_the_installations(work, clock):
    # Stored before policies were checked on entry: that act's work, and everyone else's, is still reminded.
    assignment, executor, *_ = work
    assignment.task.act.reminder_policy = "weekly"
    db.session.flush()
    assert queued_on(date(2026, 6, 15), clock) == {(assignment.id, "before-7", executor.id)}


# -- delegated sub-assignments ------------------------------------------------------------------

@pytest.mark.parametrize("closed", ["cancelled", "accepted"])
def test_a_sub_assignment_is_silent_once_its_organizations_assignment_is_closed(work, clock, closed):
    assignment, executor, head, controller = work
    unit = make_org("SA-1", parent=executor.organization, kind="other")
    unit_executor = make_user("executor", organization=unit)
    sub = make_assignment(assignment.task, unit, parent=assignment, due_on=date(2026, 6, 12), responsible=unit_executor)
    # While the organization's assignment is open its sub-assignment, due Friday, is overdue on Monday: escalated.
    assert queued_on(date(2026, 6, 15), clock) == {
        (assignment.id, "before-7", executor.id),
        *((sub.id, "after-1", p) for p in (unit_executor.id, head.id, controller.id))}
    assignment.state = closed
    db.session.flush()
    assert queued_on(date(2026, 6, 22), clock) == set()  # no after-8 (Saturday 20th, so Monday)
    assert queued_on(date(2026, 6, 29), clock) == set()  # nor after-15


def test_a_sub_assignment_of_an_open_assignment_is_still_reminded_after_a_closed_ones_is_not(work, clock):
    assignment, executor, head, controller = work
    unit = make_org("SA-1", parent=executor.organization, kind="other")
    unit_executor = make_user("executor", organization=unit)
    closed = make_assignment(make_task(assignment.task.act, "1.2", controller=controller), executor.organization,
                             state="cancelled", due_on=DUE)
    make_assignment(closed.task, unit, parent=closed, due_on=date(2026, 6, 12), responsible=unit_executor)
    live = make_assignment(assignment.task, unit, parent=assignment, due_on=date(2026, 6, 12),
                           responsible=unit_executor)
    got = queued_on(date(2026, 6, 15), clock)
    assert {a for a, _, _ in got} == {assignment.id, live.id}  # not the orphan
