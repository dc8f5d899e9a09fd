"""The deadline scan reminds a body of an instruction's response date, on the terms of its assignments' deadlines."""

from datetime import date

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Holiday, Notification
from monitoris.notifications import dispatch, reminders
from monitoris.services import acts, instructions
from tests.factories import make_act, make_assignment, make_org, make_task, make_user
from tests.notifications.scan import at, body_at_work, queued_on

ANSWER_BY = date(2026, 6, 22)  # a Monday; the test clock starts on Monday 2026-06-15
DUE = date(2026, 9, 30)  # the assignment's own due date: far off, its reminders stay out of the way


@pytest.fixture
def work():
    """An active act's task given to SA; a controller (not the task's) asks SA a question, answer by the 22nd."""
    assignment, executor, head, controller, control = body_at_work(DUE)
    return assignment, executor, head, controller, make_user("controller", organization=control)


def ask(issuer, assignment, answer_by=ANSWER_BY, **options):
    instruction = instructions.issue(issuer, assignment, kind="request", text="How many events were held?",
                                     response_due_on=answer_by, **options)
    db.session.execute(sa.delete(Notification))  # "instruction_issued" is not what these tests are about
    return instruction


def rows():
    return db.session.scalars(sa.select(Notification).where(Notification.idempotency_key.like("instruction:%"))
                              .order_by(Notification.id)).all()


def test_seven_days_before_reaches_the_responsible_person_once(work, clock):
    assignment, executor, _, _, issuer = work
    instruction = ask(issuer, assignment)
    assert reminders.scan() == 3
    base = f"instruction:{instruction.id}:due:2026-06-22:before-7"
    assert {n.idempotency_key for n in rows()} == {f"{base}:{c}:user:{executor.id}" for c in ("email", "sms", "in_app")}
    assert {(n.template, n.kind) for n in rows()} == {("instruction_reminder", "reminder")}
    in_app = next(n for n in rows() if n.channel == "in_app")
    assert in_app.payload["link"] == f"/instructions/{instruction.id}"
    assert in_app.payload["response_due_on"] == "2026-06-22" and in_app.payload["task_number"] == "1.1"
    assert reminders.scan() == 0  # a second scan the same day
    clock.at = at(date(2026, 6, 15), hour=17)
    assert reminders.scan() == 0  # and later that day
    assert len(rows()) == 3


def test_an_instruction_to_the_whole_body_reaches_the_responsible_person_of_its_assignment(work, clock):
    assignment, executor, _, _, issuer = work
    instruction = ask(issuer, assignment, whole_organization=True)
    assert instruction.assignment_id is None
    assert queued(date(2026, 6, 15), clock) == {(instruction.id, "before-7", executor.id)}


def test_without_a_responsible_person_in_the_body_its_heads_hear(work, clock):
    assignment, executor, head, _, issuer = work
    instruction = ask(issuer, assignment)
    executor.organization = make_org("MT")  # moved by an admin; still named on SA's assignment
    db.session.flush()
    assert queued(date(2026, 6, 15), clock) == {(instruction.id, "before-7", head.id)}
    assignment.responsible = None
    db.session.flush()
    assert queued(date(2026, 6, 19), clock) == {(instruction.id, "before-1", head.id)}


def test_the_points_between_are_quiet_and_each_goes_out_on_its_day(work, clock):
    assignment, executor, _, _, issuer = work
    instruction = ask(issuer, assignment)
    assert queued(date(2026, 6, 15), clock) == {(instruction.id, "before-7", executor.id)}
    assert queued(date(2026, 6, 16), clock) == set()
    assert queued(date(2026, 6, 18), clock) == set()
    assert queued(ANSWER_BY, clock) == {(instruction.id, "due", executor.id)}


@pytest.mark.parametrize("finish", ["answered", "closed"])
def test_nothing_once_the_instruction_is_answered_or_closed(work, clock, finish):
    assignment, executor, _, _, issuer = work
    instruction = ask(issuer, assignment)
    instructions.acknowledge(executor, instruction)  # acknowledged still awaits the answer
    assert queued(date(2026, 6, 15), clock) == {(instruction.id, "before-7", executor.id)}
    if finish == "answered":
        instructions.respond(executor, instruction, "Twelve events, list attached.")
    else:
        instructions.close(issuer, instruction, "No longer needed.")
    db.session.execute(sa.delete(Notification))
    assert queued(date(2026, 6, 19), clock) == set()
    assert queued(date(2026, 6, 23), clock) == set()  # nor any overdue escalation


def test_nothing_for_a_draft_acts_instruction_until_the_act_is_in_force(work, clock):
    _, executor, _, controller, issuer = work
    admin = make_user("admin", organization=controller.organization)
    draft = make_act(state="draft")
    assignment = make_assignment(make_task(draft, "2.1", controller=controller), executor.organization,
                                 state="in_progress", due_on=DUE, responsible=executor)
    later = ask(issuer, assignment)
    ask(issuer, assignment, answer_by=date(2026, 6, 16))
    assert queued(date(2026, 6, 15), clock) == set()
    assert queued(date(2026, 6, 17), clock) == set()  # overdue, but of a draft act: no head, no issuer hears
    acts.update_act(admin, draft, state="active")
    db.session.execute(sa.delete(Notification))  # what the act's coming into force tells the body
    assert queued(date(2026, 6, 19), clock) == {(later.id, "before-1", executor.id)}


def test_overdue_is_escalated_to_the_heads_and_whoever_issued_it(work, clock):
    assignment, executor, head, controller, issuer = work
    instruction = ask(issuer, assignment)
    assert queued(ANSWER_BY, clock) == {(instruction.id, "due", executor.id)}
    # The day after: the body's heads and the issuer, not the task's controller (who did not ask).
    assert queued(date(2026, 6, 23), clock) == {(instruction.id, "after-1", p)
                                                   for p in (executor.id, head.id, issuer.id)}
    overdue = [n for n in rows() if ":after-1:" in n.idempotency_key]
    assert {(n.template, n.kind) for n in overdue} == {("instruction_overdue", "overdue")}
    assert {n.channel for n in overdue if n.recipient_id == issuer.id} == {"email", "in_app"}
    assert controller.id not in {n.recipient_id for n in rows()}
    # Then weekly while unanswered, each escalated.
    assert queued(date(2026, 6, 26), clock) == set()
    assert queued(date(2026, 6, 30), clock) == {(instruction.id, "after-8", p)
                                                   for p in (executor.id, head.id, issuer.id)}


def test_an_issuer_no_longer_active_is_not_escalated_to_the_tasks_controller_is(work, clock):
    assignment, executor, head, controller, issuer = work
    instruction = ask(issuer, assignment)
    issuer.active = False
    db.session.flush()
    assert queued(date(2026, 6, 23), clock) == {(instruction.id, "after-1", p)
                                                   for p in (executor.id, head.id, controller.id)}


def test_an_issuer_now_an_observer_is_not_escalated_to(work, clock):
    assignment, executor, head, controller, issuer = work
    instruction = ask(issuer, assignment)
    issuer.roles = {"observer"}
    assignment.task.controller_id = None
    db.session.flush()
    assert queued(date(2026, 6, 23), clock) == {(instruction.id, "after-1", p) for p in (executor.id, head.id)}


def test_no_reminder_of_an_instruction_on_work_that_was_closed(work, clock):
    assignment, executor, head, controller, issuer = work
    instruction = ask(issuer, assignment)
    assignment.state = "cancelled"  # closed before instructions were closed with their work
    db.session.flush()
    assert queued(date(2026, 6, 21), clock) == set()
    assert queued(date(2026, 6, 23), clock) == set()
    assert instruction.state == "issued"


# -- working days, as for assignments ------------------------------------------------------------

def test_a_reminder_due_on_a_sunday_goes_out_on_friday(work, clock):
    # before-3 is Friday 19th, before-1 would be Sunday 21st: both go out on Friday, as the latest one.
    assignment, executor, _, _, issuer = work
    instruction = ask(issuer, assignment)
    assert queued(date(2026, 6, 19), clock) == {(instruction.id, "before-1", executor.id)}
    assert queued(date(2026, 6, 21), clock) == set()


def test_a_holiday_moves_the_reminder_to_the_working_day_before(work, clock):
    assignment, executor, _, _, issuer = work
    instruction = ask(issuer, assignment)
    db.session.add(Holiday(day=date(2026, 6, 19), name="National Salvation Day"))
    db.session.flush()
    assert queued(date(2026, 6, 19), clock) == set()
    assert queued(date(2026, 6, 18), clock) == {(instruction.id, "before-1", executor.id)}


def test_an_overdue_reminder_for_a_saturday_goes_out_on_monday_never_before(work, clock):
    assignment, executor, head, _, issuer = work
    instruction = ask(issuer, assignment, answer_by=date(2026, 6, 19))  # a Friday: the day after is Saturday
    assert queued(date(2026, 6, 19), clock) == {(instruction.id, "due", executor.id)}
    assert queued(date(2026, 6, 20), clock) == set()
    assert queued(date(2026, 6, 22), clock) == {(instruction.id, "after-1", p)
                                                   for p in (executor.id, head.id, issuer.id)}


def test_a_missed_day_is_caught_up_with_only_the_latest_reminder(work, clock):
    assignment, executor, head, _, issuer = work
    instruction = ask(issuer, assignment)
    assert queued(date(2026, 6, 15), clock) == {(instruction.id, "before-7", executor.id)}
    # The scheduler was down from Tuesday to the day of the answer; the next morning only the overdue notice goes.
    assert queued(date(2026, 6, 23), clock) == {(instruction.id, "after-1", p)
                                                   for p in (executor.id, head.id, issuer.id)}


def test_the_instructions_act_policy_applies(work, clock):
    assignment, executor, _, _, issuer = work
    instruction = ask(issuer, assignment)
    assignment.task.act.reminder_policy = "2"
    db.session.flush()
    assert queued(date(2026, 6, 15), clock) == set()  # no 7-day reminder under this act
    assert queued(date(2026, 6, 19), clock) == {(instruction.id, "before-2", executor.id)}  # 20th is Saturday


def test_a_new_response_date_starts_a_new_series(work, clock):
    assignment, executor, _, _, issuer = work
    instruction = ask(issuer, assignment)
    assert queued(date(2026, 6, 15), clock) == {(instruction.id, "before-7", executor.id)}
    instruction.response_due_on = date(2026, 6, 18)
    db.session.flush()
    assert queued(date(2026, 6, 17), clock) == {(instruction.id, "before-1", executor.id)}
    assert any(":due:2026-06-18:before-1:" in n.idempotency_key for n in rows())


def test_an_instruction_without_a_response_date_is_never_reminded(work, clock):
    assignment, _, _, _, issuer = work
    ask(issuer, assignment, answer_by=None)
    for day in (date(2026, 6, 15), date(2026, 6, 22), date(2026, 6, 23)):
        assert queued(day, clock) == set()


# -- cost ----------------------------------------------------------------------------------------

def test_the_scan_costs_the_same_statements_for_one_instruction_or_many(work, clock):
    """People, heads and preferences are loaded in bulk, and instructions selected by their response dates."""
    assignment, _, _, controller, issuer = work

    def statements_of_scan(day):
        seen = []

        def record(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        db.session.expire_all()  # both scans start from the database
        engine = db.session.get_bind()
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            clock.at = at(day)
            reminders.scan()
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        return seen

    ask(issuer, assignment)
    one = statements_of_scan(date(2026, 6, 23))
    for n in range(8):
        body = make_org(f"B{n}")
        make_user("org_head", organization=body)
        other = make_assignment(assignment.task, body, state="in_progress", due_on=DUE,
                                responsible=make_user("executor", organization=body))
        ask(issuer, other, answer_by=date(2026, 6, 23))
    many = statements_of_scan(date(2026, 6, 24))
    assert len({n.idempotency_key.split(":")[1] for n in rows() if ":after-1:" in n.idempotency_key}) == 8
    assert len(many) == len(one), many
    [select] = [s for s in many if "FROM instructions" in s]
    assert "response_due_on IN" in select


# -- the message, in the recipient's language ----------------------------------------------------

def test_the_reminder_arrives_by_email_and_sms(work, clock, channels, app):
    mailbox, gateway = channels
    assignment, executor, _, _, issuer = work
    instruction = ask(issuer, assignment)
    reminders.scan()
    assert dispatch.dispatch() == (2, 0)
    [(recipients, message)] = mailbox.messages
    assert recipients == ["farid@sa.example"]
    assert message["Subject"] == "Reminder: the answer to the instruction on 1.1 is due on 22 Jun 2026"
    text = message.get_body(("plain",)).get_content()
    assert "Dear Farid Babayev," in text
    assert 'The answer of SA to the instruction on task 1.1 "Hold awareness events" is due on 22 Jun 2026.' in text
    assert "How many events were held?" in text
    assert f"{app.config['BASE_URL']}/instructions/{instruction.id}" in text
    [(_, sms)] = gateway.received
    assert sms["to"] == "+994501112233" and "22 Jun 2026" in sms["text"]


def test_the_overdue_notice_is_written_in_each_recipients_language(work, clock, channels):
    mailbox, _ = channels
    assignment, executor, head, _, issuer = work
    ask(issuer, assignment)
    issuer.locale = "ru"
    db.session.flush()
    clock.at = at(date(2026, 6, 23))
    reminders.scan()
    dispatch.dispatch()
    subjects = {to[0]: m["Subject"] for to, m in mailbox.messages}
    assert subjects[executor.email] == "Overdue: the answer to the instruction on 1.1 was due on 22 Jun 2026"
    assert subjects[head.email] == subjects[executor.email]
    assert "июн" in subjects[issuer.email]  # the date at least is the reader's, whatever the catalogue holds
    text = next(m for to, m in mailbox.messages if to == [executor.email]).get_body(("plain",)).get_content()
    assert "was due on 22 Jun 2026 and has not been given." in text


def queued(day, clock):
    """The (instruction id, point, recipient id) of every instruction reminder the scan at 09:00 on ``day`` queued."""
    return queued_on(day, clock, prefix="instruction:")
