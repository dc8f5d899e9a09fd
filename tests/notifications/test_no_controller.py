"""What waits for the task's controller reaches the control body even when the task has no controller that can act.

A task's controller is optional (a plan imported without one), and a person named may since have been
deactivated or have lost the controller role: then the control body's active controllers hear instead.
"""

from datetime import date

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Event, Notification
from monitoris.notifications import dispatch, outbox
from monitoris.services import assignments, extensions, instructions
from tests.factories import make_org, make_task, make_user, make_world


@pytest.fixture
def w():
    """make_world's control body (admin, controller, observer), plus a second controller in it, one in a
    sub-unit of it, a deactivated one, one in a deactivated control body and one (wrongly) in an executive body:
    only the first three are the control body's active controllers."""
    w = make_world()
    w.controller2 = make_user("controller", organization=w.cd)
    w.cd1 = make_org(f"{w.cd.short_name}-1", parent=w.cd, kind="other")
    w.controller_cd1 = make_user("controller", organization=w.cd1)
    w.retired = make_user("controller", organization=w.cd, active=False)
    w.old_cd = make_org(kind="control", active=False)
    w.controller_old_cd = make_user("controller", organization=w.old_cd)
    w.controller_sa = make_user("controller", organization=w.sa)
    w.control_body = {w.controller.id, w.controller2.id, w.controller_cd1.id}
    return w


def task_and_work(w, controller=None):
    task = make_task(w.act, "3.2", controller=controller)
    work = assignments.assign(w.controller, task, w.sa, due_on=date(2026, 7, 1), responsible=w.exec_sa)
    assignments.transition(w.exec_sa, work, "start")
    return work


def submit(w, work):
    assignments.transition(w.exec_sa, work, "submit")
    return "assignment_submitted", f"assignment:{work.id}:event:"


def request_extension(w, work):
    request = extensions.request(w.exec_sa, work, proposed_due_on=date(2026, 8, 1), reason="The tender failed.")
    return "extension_requested", f"extension:{request.id}:event:"


def issue(work, issuer):
    return instructions.issue(issuer, work, kind="request", text="Send the list of events.")


def recipients(template):
    """{recipient id: {channel, …}} of the outbox rows of ``template``."""
    found = {}
    for person, channel in db.session.execute(sa.select(Notification.recipient_id, Notification.channel)
                                              .where(Notification.template == template)):
        found.setdefault(person, set()).add(channel)
    return found


def keys(template):
    return {k for k in db.session.scalars(sa.select(Notification.idempotency_key)
                                          .where(Notification.template == template))}


def last_event_id():
    return db.session.scalar(sa.select(sa.func.max(Event.id)))


OCCASIONS = [submit, request_extension]


@pytest.mark.parametrize("occasion", OCCASIONS)
def test_a_named_controller_alone_hears(w, occasion):
    work = task_and_work(w, controller=w.controller2)
    template, key = occasion(w, work)
    assert recipients(template) == {w.controller2.id: {"email", "in_app"}}
    # The key scheme is the occasion's, as before: one row per channel and person.
    assert keys(template) == {f"{key}{last_event_id()}:{c}:user:{w.controller2.id}" for c in ("email", "in_app")}


@pytest.mark.parametrize("occasion", OCCASIONS)
def test_an_admin_named_controller_still_hears(w, occasion):
    # services.tasks accepts an admin as a task's controller: they are not "missing".
    work = task_and_work(w, controller=w.admin)
    template, _ = occasion(w, work)
    assert set(recipients(template)) == {w.admin.id}


@pytest.mark.parametrize("occasion", OCCASIONS)
def test_without_a_controller_the_control_bodys_active_controllers_hear(w, occasion):
    work = task_and_work(w, controller=None)
    template, key = occasion(w, work)
    assert set(recipients(template)) == w.control_body
    event = last_event_id()
    assert keys(template) == {f"{key}{event}:{c}:user:{person}"
                              for c in ("email", "in_app") for person in w.control_body}


@pytest.mark.parametrize("occasion", OCCASIONS)
def test_a_deactivated_controller_is_replaced_by_the_control_body(w, occasion):
    work = task_and_work(w, controller=w.controller2)
    w.controller2.active = False
    db.session.flush()
    template, _ = occasion(w, work)
    assert set(recipients(template)) == w.control_body - {w.controller2.id}


@pytest.mark.parametrize("occasion", OCCASIONS)
def test_a_controller_who_lost_the_role_is_replaced_by_the_control_body(w, occasion):
    work = task_and_work(w, controller=w.controller2)
    w.controller2.roles = {"observer"}
    db.session.flush()
    template, _ = occasion(w, work)
    assert set(recipients(template)) == w.control_body - {w.controller2.id}


@pytest.mark.parametrize("occasion", OCCASIONS)
def test_with_no_controller_anywhere_nobody_hears_and_nothing_breaks(w, occasion):
    work = task_and_work(w, controller=None)
    for person in (w.controller, w.controller2, w.controller_cd1):
        person.active = False
    db.session.flush()
    template, _ = occasion(w, work)
    assert recipients(template) == {}
    assert work.state == ("submitted" if occasion is submit else "in_progress")


def test_delegated_work_is_still_reviewed_by_the_parent_bodys_heads(w):
    work = task_and_work(w, controller=None)
    sub = assignments.delegate(w.head_sa, work, organization=w.sa1, responsible=w.exec_sa1)
    assignments.transition(w.exec_sa1, sub, "start")
    assignments.transition(w.exec_sa1, sub, "submit")
    assert set(recipients("assignment_submitted")) == {w.head_sa.id}


def test_an_answer_reaches_its_issuer(w):
    work = task_and_work(w, controller=w.controller2)
    instruction = issue(work, w.controller)
    instructions.respond(w.exec_sa, instruction, "The list is attached.")
    assert recipients("instruction_answered") == {w.controller.id: {"email", "in_app"}}
    assert keys("instruction_answered") == {
        f"instruction:{instruction.id}:event:{last_event_id()}:{c}:user:{w.controller.id}" for c in ("email", "in_app")}


@pytest.mark.parametrize("issuer_gone", ["deactivated", "no longer a controller", "deleted"])
def test_an_answer_whose_issuer_is_gone_reaches_the_tasks_controller(w, issuer_gone):
    work = task_and_work(w, controller=w.controller2)
    instruction = issue(work, w.controller)
    if issuer_gone == "deactivated":
        w.controller.active = False
    elif issuer_gone == "no longer a controller":
        w.controller.roles = {"observer"}
    else:
        instruction.issued_by_id = None
    db.session.flush()
    instructions.respond(w.exec_sa, instruction, "The list is attached.")
    assert set(recipients("instruction_answered")) == {w.controller2.id}


def test_an_answer_with_neither_issuer_nor_controller_reaches_the_control_body(w):
    work = task_and_work(w, controller=None)
    instruction = issue(work, w.admin)
    w.admin.active = False
    db.session.flush()
    instructions.respond(w.exec_sa, instruction, "The list is attached.")
    assert set(recipients("instruction_answered")) == w.control_body


def test_an_answer_with_nobody_left_in_the_control_body_reaches_nobody(w):
    work = task_and_work(w, controller=None)
    instruction = issue(work, w.controller)
    for person in (w.controller, w.controller2, w.controller_cd1):
        person.active = False
    db.session.flush()
    instructions.respond(w.exec_sa, instruction, "The list is attached.")
    assert recipients("instruction_answered") == {}
    assert instruction.state == "answered"


def test_the_control_body_reads_the_waiting_report_in_its_mail(w, channels):
    mailbox, _ = channels
    work = task_and_work(w, controller=None)
    db.session.execute(sa.delete(Notification))
    submit(w, work)
    dispatch.dispatch()
    addressed = {to for recipients_, message in mailbox.messages for to in recipients_
                 if message["Subject"].startswith("Report submitted: 3.2")}
    assert addressed == {w.controller.email, w.controller2.email, w.controller_cd1.email}


def test_a_scan_can_load_the_control_body_once_and_apply_the_same_rule(w):
    # The deadline scan asks for many tasks at once: it passes the control body it loaded.
    control_body = outbox.control_body_controllers()
    assert [p.id for p in control_body] == sorted(w.control_body)
    assert outbox.controller_or_control_body(w.controller2, control_body) == [w.controller2]
    assert outbox.controller_or_control_body(None, control_body) == control_body
    assert outbox.controller_or_control_body(w.retired, control_body) == control_body
    assert outbox.controller_or_control_body(w.controller_sa, []) == [w.controller_sa]
    assert outbox.controller_or_control_body(w.observer, []) == []
