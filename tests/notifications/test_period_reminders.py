"""A recurring task's periods: each period's report is reminded of before its own due date, as the work's is."""

from datetime import date

import pytest

from monitoris.extensions import db
from monitoris.notifications import dispatch, reminders
from monitoris.services import reports
from tests.factories import make_assignment, make_org, make_report, make_user
from tests.notifications.scan import at, body_at_work, reminder_rows

DUE = date(2026, 12, 31)  # the assignment's own (final) due date; the test clock starts on Monday 2026-06-15
Q2_END = date(2026, 6, 30)  # a Tuesday


@pytest.fixture
def work():
    """SA reports quarterly from April on a task of an active act; its work is due at the end of the year."""
    return body_at_work(DUE, recurrence="quarterly", period_start=date(2026, 4, 1))[:4]


def queued(day, clock):
    """Scan at 09:00 on ``day``: the (period, its due date, point, recipient id) of every period reminder queued."""
    before = {n.id for n in reminder_rows()}
    clock.at = at(day)
    reminders.scan()
    out = set()
    for n in reminder_rows():
        parts = n.idempotency_key.split(":")
        if n.id not in before and parts[2] == "period":
            out.add((parts[3], parts[5], parts[6], n.recipient_id))
    return out


def test_a_period_is_reminded_seven_days_before_its_end(work, clock):
    assignment, executor, _, _ = work
    assert queued(date(2026, 6, 15), clock) == set()
    assert queued(date(2026, 6, 23), clock) == {("2026-Q2", "2026-06-30", "before-7", executor.id)}
    rows = [n for n in reminder_rows() if n.channel == "in_app"]
    assert [(n.template, n.kind) for n in rows] == [("period_reminder", "reminder")]
    assert rows[0].idempotency_key == f"assignment:{assignment.id}:period:2026-Q2:due:2026-06-30:before-7:in_app:" \
                                      f"user:{executor.id}"
    assert rows[0].payload["period"] == "2026-Q2" and rows[0].payload["due_on"] == "2026-06-30"
    assert rows[0].payload["link"] == f"/assignments/{assignment.id}"
    assert reminders.scan() == 0  # a second scan the same day


def test_the_points_follow_the_policy_and_overdue_is_escalated(work, clock):
    _, executor, head, controller = work
    assert queued(date(2026, 6, 29), clock) == {("2026-Q2", "2026-06-30", "before-1", executor.id)}
    assert queued(date(2026, 6, 30), clock) == {("2026-Q2", "2026-06-30", "due", executor.id)}
    assert queued(date(2026, 7, 1), clock) == {("2026-Q2", "2026-06-30", "after-1", p.id)
                                               for p in (executor, head, controller)}
    assert {n.template for n in reminder_rows() if ":after-1:" in n.idempotency_key} == {"period_overdue"}
    assert queued(date(2026, 7, 2), clock) == set()
    assert queued(date(2026, 7, 8), clock) == {("2026-Q2", "2026-06-30", "after-8", p.id)
                                               for p in (executor, head, controller)}


@pytest.mark.parametrize("state", ["accepted", "submitted"])
def test_a_period_whose_report_was_sent_is_not_reminded(work, clock, state):
    assignment, executor, _, _ = work
    make_report(assignment, state=state, period="2026-Q2", period_due_on=Q2_END, final=False, author=executor)
    assert queued(date(2026, 6, 23), clock) == set()
    assert queued(date(2026, 7, 1), clock) == set()


def test_a_draft_or_a_returned_report_does_not_stop_the_reminders(work, clock):
    assignment, executor, _, _ = work
    returned = make_report(assignment, state="returned", period="2026-Q2", period_due_on=Q2_END, final=False)
    make_report(assignment, state="draft", period="2026-Q2", period_due_on=Q2_END, final=False, version=2,
                previous_id=returned.id)
    assert queued(date(2026, 6, 23), clock) == {("2026-Q2", "2026-06-30", "before-7", executor.id)}


def test_the_final_period_is_reminded_once_as_the_work(work, clock):
    assignment, executor, _, _ = work
    for period, end in (("2026-Q2", Q2_END), ("2026-Q3", date(2026, 9, 30))):
        make_report(assignment, state="accepted", period=period, period_due_on=end, final=False)
    assert queued(date(2026, 12, 24), clock) == set()
    keys = {n.idempotency_key.rsplit(":", 3)[0] for n in reminder_rows()}
    assert keys == {f"assignment:{assignment.id}:due:2026-12-31:before-7"}


@pytest.mark.parametrize("recurrence, period", [("monthly", "2026-06"), ("quarterly", "2026-Q2"),
                                                ("semiannual", "2026-H1"), ("annual", None)])
def test_each_recurrence_has_its_own_period_ends(work, clock, recurrence, period):
    assignment, executor, _, _ = work
    assignment.task.recurrence = recurrence
    db.session.flush()
    expected = {(period, "2026-06-30", "before-7", executor.id)} if period else set()
    assert queued(date(2026, 6, 23), clock) == expected


def test_a_period_before_the_tasks_start_is_not_reminded(work, clock):
    assignment, _, _, _ = work
    assignment.task.period_start = date(2026, 7, 1)
    db.session.flush()
    assert queued(date(2026, 6, 23), clock) == set()
    assert queued(date(2026, 7, 1), clock) == set()


def test_without_a_period_start_the_periods_run_from_the_assignment(work, clock):
    assignment, executor, _, _ = work
    assignment.task.period_start = None
    assignment.created_at = at(date(2026, 7, 2))
    db.session.flush()
    assert queued(date(2026, 6, 23), clock) == set()  # Q2 ended before the work was given
    assignment.created_at = at(date(2026, 5, 4))
    db.session.flush()
    assert queued(date(2026, 6, 29), clock) == {("2026-Q2", "2026-06-30", "before-1", executor.id)}


def test_periods_that_ended_before_the_work_was_assigned_are_not_reminded_of(work, clock):
    """A plan's periods may start years before a body is given the work: it was never late on those."""
    assignment, executor, _, _ = work
    assignment.task.period_start = date(2025, 1, 1)
    assignment.created_at = at(date(2026, 6, 15))
    db.session.flush()
    for day in (date(2026, 6, 15), date(2026, 6, 16), date(2026, 6, 17), date(2026, 6, 18)):
        assert queued(day, clock) == set()  # 2025-Q1 … 2026-Q1 ended before: no weekly overdue series
    assert queued(date(2026, 6, 23), clock) == {("2026-Q2", "2026-06-30", "before-7", executor.id)}
    states = reports.period_states(assignment, date(2026, 7, 1))
    assert [(s.period.label, s.overdue) for s in states][:6] == [
        ("2025-Q1", False), ("2025-Q2", False), ("2025-Q3", False), ("2025-Q4", False), ("2026-Q1", False),
        ("2026-Q2", True)]


@pytest.mark.parametrize("change", ["submitted", "cancelled", "draft act", "one-off"])
def test_work_not_under_way_hears_nothing_of_its_periods(work, clock, change):
    assignment, _, _, _ = work
    if change == "draft act":
        assignment.task.act.state = "draft"
    elif change == "one-off":
        assignment.task.recurrence = "none"
    else:
        assignment.state = change
    db.session.flush()
    assert queued(date(2026, 6, 23), clock) == set()


def test_a_delegated_piece_of_work_hears_nothing_of_periods_it_does_not_report_on(work, clock):
    """Its organization's one report covers it: the organization's responsible person hears, not the sub-unit."""
    assignment, executor, _, _ = work
    unit = make_org("SA-1", parent=assignment.organization)
    worker = make_user("executor", organization=unit)
    sub = make_assignment(assignment.task, unit, state="in_progress", due_on=DUE, responsible=worker,
                          parent_id=assignment.id)
    assert queued(date(2026, 6, 23), clock) == {("2026-Q2", "2026-06-30", "before-7", executor.id)}
    assert not [n for n in reminder_rows() if n.idempotency_key.startswith(f"assignment:{sub.id}:")]


def test_the_reminder_arrives_by_email_and_sms(work, clock, channels, app):
    mailbox, gateway = channels
    assignment, executor, _, _ = work
    clock.at = at(date(2026, 6, 23))
    reminders.scan()
    assert dispatch.dispatch() == (2, 0)
    [(recipients, message)] = mailbox.messages
    assert recipients == ["farid@sa.example"]
    assert message["Subject"] == "Reminder: the report on 1.1 for 2026-Q2 is due on 30 Jun 2026"
    text = message.get_body(("plain",)).get_content()
    assert 'The report of SA on task 1.1 "Hold awareness events" for the period 2026-Q2 is due on 30 Jun 2026.' in text
    assert f"{app.config['BASE_URL']}/assignments/{assignment.id}" in text
    [(_, sms)] = gateway.received
    assert sms["to"] == "+994501112233" and "2026-Q2" in sms["text"] and "30 Jun 2026" in sms["text"]


def test_the_overdue_notice_is_written_in_each_recipients_language(work, clock, channels):
    mailbox, _ = channels
    _, executor, head, controller = work
    controller.locale = "ru"
    head.locale = "az"
    db.session.flush()
    clock.at = at(date(2026, 7, 1))
    reminders.scan()
    dispatch.dispatch()
    subjects = {to[0]: m["Subject"] for to, m in mailbox.messages}
    assert subjects[executor.email] == "Overdue: the report on 1.1 for 2026-Q2 was due on 30 Jun 2026"
    assert subjects[controller.email].startswith("Просрочено") and "2026-Q2" in subjects[controller.email]
    assert subjects[head.email].startswith("Gecikmə") and "2026-Q2" in subjects[head.email]
    text = next(m for to, m in mailbox.messages if to == [executor.email]).get_body(("plain",)).get_content()
    assert "for the period 2026-Q2 was due on 30 Jun 2026 and has not been submitted." in text

