"""A body hears when its reviewer cancels or reopens its work, or accepts one period's report of a recurring task.

The control body decides over an organization's assignment, the organization's head over the work delegated
from it; either way the work's responsible person (else the body's heads) hears, with the comment typed.
Nobody hears of a draft act's work, and the work the cascade cancels with its parent stays silent.
"""

from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from monitoris.extensions import db
from monitoris.models import Event, Notification, NotificationPreference
from monitoris.notifications import dispatch
from monitoris.notifications.render import render
from monitoris.services import acts, assignments, reports
from tests.factories import make_act, make_assignment, make_task, make_user, make_world

WHY_CANCEL = "The measure was moved to the 2027 plan."
WHY_REOPEN = "The gazette publication is missing from the evidence."
TEMPLATE = {"cancel": "assignment_cancelled", "reopen": "assignment_reopened"}


@pytest.fixture
def w():
    return make_world()


def work_of(w, organization, responsible, number="3.2"):
    task = make_task(w.act, number, controller=w.controller)
    return assignments.assign(w.controller, task, organization, due_on=date(2026, 7, 1), responsible=responsible)


def accepted(w, work, worker):
    assignments.transition(worker, work, "start")
    assignments.transition(worker, work, "submit")
    reviewer = w.controller if work.parent is None else w.head_sa
    assignments.transition(reviewer, work, "accept")
    return work


def rows(template):
    return db.session.scalars(sa.select(Notification).where(Notification.template == template)
                              .order_by(Notification.id)).all()


def recipients(template):
    """{recipient id: {channel, …}} of the outbox rows of ``template``."""
    found = {}
    for row in rows(template):
        found.setdefault(row.recipient_id, set()).add(row.channel)
    return found


def last_event_id():
    return db.session.scalar(sa.select(sa.func.max(Event.id)))


def rendered(template, person):
    [row] = [r for r in rows(template) if r.recipient_id == person.id and r.channel == "email"]
    return render(row)


# -- an organization's assignment: the control body decides -----------------------------------------------


def test_a_cancel_reaches_the_bodys_responsible_person_alone_with_the_reason(w):
    work = work_of(w, w.sa, w.exec_sa)
    work_of(w, w.mt, w.exec_mt, number="3.3")  # another body's work: it hears nothing of SA's
    assignments.transition(w.exec_sa, work, "start")
    assignments.transition(w.controller, work, "cancel", WHY_CANCEL)

    assert recipients("assignment_cancelled") == {w.exec_sa.id: {"email", "in_app"}}
    event = last_event_id()
    assert {r.idempotency_key for r in rows("assignment_cancelled")} == {
        f"assignment:{work.id}:event:{event}:{c}:user:{w.exec_sa.id}" for c in ("email", "in_app")}
    assert {r.kind for r in rows("assignment_cancelled")} == {"review"}
    payload = rows("assignment_cancelled")[0].payload
    assert (payload["action"], payload["comment"], payload["delegated"]) == ("cancel", WHY_CANCEL, False)
    assert payload["link"] == f"/assignments/{work.id}"

    message = rendered("assignment_cancelled", w.exec_sa)
    assert message["subject"] == "Cancelled: 3.2"
    assert f"The control body cancelled the assignment of {w.sa.short_name} on task 3.2" in message["text"]
    assert f"Comment of the control body:\n{WHY_CANCEL}" in message["text"]
    assert WHY_CANCEL in message["html"]


def test_a_reopen_reaches_the_bodys_responsible_person_alone_with_the_reason(w):
    work = accepted(w, work_of(w, w.sa, w.exec_sa), w.exec_sa)
    work_of(w, w.mt, w.exec_mt, number="3.3")
    assignments.transition(w.controller, work, "reopen", WHY_REOPEN)

    assert work.state == "in_progress"
    assert recipients("assignment_reopened") == {w.exec_sa.id: {"email", "in_app"}}
    event = last_event_id()
    assert {r.idempotency_key for r in rows("assignment_reopened")} == {
        f"assignment:{work.id}:event:{event}:{c}:user:{w.exec_sa.id}" for c in ("email", "in_app")}
    assert {r.kind for r in rows("assignment_reopened")} == {"review"}

    message = rendered("assignment_reopened", w.exec_sa)
    assert message["subject"] == "Reopened: 3.2"
    assert "which had been accepted. The task is under control again" in message["text"]
    assert f"Comment of the control body:\n{WHY_REOPEN}" in message["text"]
    assert WHY_REOPEN in message["html"]


def test_nobody_outside_the_body_hears_nor_the_controller_who_decided(w):
    work = accepted(w, work_of(w, w.sa, w.exec_sa), w.exec_sa)
    assignments.transition(w.controller, work, "reopen", WHY_REOPEN)
    assignments.transition(w.controller, work, "cancel", WHY_CANCEL)
    heard = {row.recipient_id for template in ("assignment_reopened", "assignment_cancelled")
             for row in rows(template)}
    assert heard == {w.exec_sa.id}


@pytest.mark.parametrize("action", ["cancel", "reopen"])
def test_without_a_responsible_person_the_bodys_heads_hear(w, action):
    second_head = make_user("org_head", organization=w.sa)
    work = work_of(w, w.sa, None)
    if action == "reopen":
        accepted(w, work, w.exec_sa)
    assignments.transition(w.controller, work, action, "Say why.")
    assert set(recipients(TEMPLATE[action])) == {w.head_sa.id, second_head.id}


def test_a_responsible_person_moved_to_another_body_no_longer_hears(w):
    work = work_of(w, w.sa, w.exec_sa)
    w.exec_sa.organization = w.mt
    db.session.flush()
    assignments.transition(w.controller, work, "cancel", WHY_CANCEL)
    assert set(recipients("assignment_cancelled")) == {w.head_sa.id}


def test_the_persons_channel_choice_for_reviews_governs(w):
    db.session.add(NotificationPreference(user_id=w.exec_sa.id, kind="review", channel="email", enabled=False))
    db.session.add(NotificationPreference(user_id=w.exec_sa.id, kind="review", channel="sms", enabled=True))
    w.exec_sa.phone = "+994501112233"
    db.session.flush()
    work = work_of(w, w.sa, w.exec_sa)
    assignments.transition(w.controller, work, "cancel", WHY_CANCEL)
    assert recipients("assignment_cancelled") == {w.exec_sa.id: {"sms", "in_app"}}
    [sms] = [r for r in rows("assignment_cancelled") if r.channel == "sms"]
    assert render(sms)["sms"] == "Cancelled: 3.2"


# -- a draft act: the body hears nothing of its work ------------------------------------------------------


@pytest.mark.parametrize(("state", "action", "template"), [
    ("submitted", "cancel", "assignment_cancelled"),
    ("accepted", "reopen", "assignment_reopened"),
    ("submitted", "return", "assignment_returned"),
    ("submitted", "accept", "assignment_accepted"),
])
def test_nothing_is_heard_of_a_draft_acts_work(w, state, action, template):
    draft = make_act(state="draft")
    work = make_assignment(make_task(draft, "1.1", controller=w.controller), w.sa, state=state,
                           responsible=w.exec_sa)
    assignments.transition(w.controller, work, action, "Say why.")
    assert recipients(template) == {}


def test_a_draft_acts_cancelled_work_is_never_heard_of_its_reopened_work_is_when_the_act_comes_into_force(w):
    draft = make_act(state="draft")
    dropped = make_assignment(make_task(draft, "1.1", controller=w.controller), w.sa, state="in_progress",
                              responsible=w.exec_sa)
    again = make_assignment(make_task(draft, "1.2", controller=w.controller), w.sa, state="accepted",
                            responsible=w.exec_sa)
    assignments.transition(w.controller, dropped, "cancel", WHY_CANCEL)
    assignments.transition(w.controller, again, "reopen", WHY_REOPEN)
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0
    acts.update_act(w.controller, draft, state="active")
    assert {(r.recipient_id, r.payload["task_number"]) for r in rows("assignment_new")} == {(w.exec_sa.id, "1.2")}
    assert rows("assignment_cancelled") == [] and rows("assignment_reopened") == []


# -- delegated work: the organization's head decides ------------------------------------------------------


def test_the_head_cancelling_delegated_work_tells_its_responsible_person(w):
    work = work_of(w, w.sa, w.exec_sa)
    sub = assignments.delegate(w.head_sa, work, organization=w.sa1, responsible=w.exec_sa1)
    assignments.transition(w.exec_sa1, sub, "start")
    assignments.transition(w.head_sa, sub, "cancel", WHY_CANCEL)

    assert recipients("assignment_cancelled") == {w.exec_sa1.id: {"email", "in_app"}}
    assert {r.idempotency_key for r in rows("assignment_cancelled")} == {
        f"assignment:{sub.id}:event:{last_event_id()}:{c}:user:{w.exec_sa1.id}" for c in ("email", "in_app")}
    assert work.state == "assigned"  # the organization's own assignment goes on; nobody heard of it
    message = rendered("assignment_cancelled", w.exec_sa1)
    assert f"The work on task 3.2 \"Hold awareness events\" delegated to {w.sa1.short_name} was cancelled." \
        in message["text"]
    assert f"Comment of the head of the organization:\n{WHY_CANCEL}" in message["text"]
    assert "control body" not in message["text"]


def test_the_head_reopening_delegated_work_tells_its_responsible_person(w):
    work = work_of(w, w.sa, w.exec_sa)
    assignments.transition(w.exec_sa, work, "start")
    sub = accepted(w, assignments.delegate(w.head_sa, work, organization=w.sa1, responsible=w.exec_sa1), w.exec_sa1)
    assignments.transition(w.head_sa, sub, "reopen", WHY_REOPEN)

    assert sub.state == "in_progress"
    assert recipients("assignment_reopened") == {w.exec_sa1.id: {"email", "in_app"}}
    message = rendered("assignment_reopened", w.exec_sa1)
    assert f"The work on task 3.2 \"Hold awareness events\" delegated to {w.sa1.short_name}, which had been " \
           f"accepted, was reopened." in message["text"]
    assert f"Comment of the head of the organization:\n{WHY_REOPEN}" in message["text"]
    assert "control body" not in message["text"]


def test_delegated_work_without_a_responsible_person_reaches_the_sub_units_heads_not_the_deciding_head(w):
    head_sa1 = make_user("org_head", organization=w.sa1)
    work = work_of(w, w.sa, w.exec_sa)
    sub = assignments.delegate(w.head_sa, work, organization=w.sa1)
    assignments.transition(w.head_sa, sub, "cancel", WHY_CANCEL)
    assert set(recipients("assignment_cancelled")) == {head_sa1.id}


def test_work_cancelled_with_the_assignment_it_was_delegated_from_is_silent(w):
    work = work_of(w, w.sa, w.exec_sa)
    exec_sa1b = make_user("executor", organization=w.sa1)
    colleague = make_user("executor", organization=w.sa)
    sub = assignments.delegate(w.head_sa, work, organization=w.sa1, responsible=w.exec_sa1)
    deeper = assignments.delegate(w.head_sa, sub, organization=w.sa1, responsible=exec_sa1b)
    inside = assignments.delegate(w.head_sa, work, organization=w.sa, responsible=colleague)
    assignments.transition(w.controller, work, "cancel", WHY_CANCEL)

    assert (sub.state, deeper.state, inside.state) == ("cancelled", "cancelled", "cancelled")
    # One decision, one message: to the organization's own assignment's responsible person.
    assert recipients("assignment_cancelled") == {w.exec_sa.id: {"email", "in_app"}}
    assert {r.payload["assignment_id"] for r in rows("assignment_cancelled")} == {work.id}


def test_reopening_the_organizations_assignment_does_not_bring_back_nor_announce_its_delegated_work(w):
    work = work_of(w, w.sa, w.exec_sa)
    assignments.transition(w.exec_sa, work, "start")
    sub = assignments.delegate(w.head_sa, work, organization=w.sa1, responsible=w.exec_sa1)
    assignments.transition(w.exec_sa, work, "submit")
    assignments.transition(w.controller, work, "accept")  # the open delegated work is cancelled, silently
    assert rows("assignment_cancelled") == []
    assignments.transition(w.controller, work, "reopen", WHY_REOPEN)

    assert sub.state == "cancelled"
    assert set(recipients("assignment_accepted")) == set(recipients("assignment_reopened")) == {w.exec_sa.id}
    heard_since_delegation = {(r.recipient_id, r.template) for r in db.session.scalars(sa.select(Notification))}
    assert {template for person, template in heard_since_delegation if person == w.exec_sa1.id} == {
        "assignment_new"}


# -- a recurring task: one period's report accepted --------------------------------------------------------


@pytest.mark.usefixtures("upload_folder")
def test_an_accepted_periods_report_tells_the_body_which_period_and_the_comment(w):
    task = make_task(w.act, "2.1", recurrence="quarterly", period_start=date(2026, 1, 1), controller=w.controller)
    work = assignments.assign(w.controller, task, w.sa, due_on=date(2026, 12, 31), responsible=w.exec_sa)
    work_of(w, w.mt, w.exec_mt, number="2.2")
    q1 = reports.create(w.exec_sa, work, period="2026-Q1", text="Q1 events held.")
    reports.submit(w.exec_sa, q1)
    reports.review(w.controller, q1, "accept", "Good; add the attendance lists next time.")

    assert work.state == "in_progress"
    assert recipients("assignment_period_accepted") == {w.exec_sa.id: {"email", "in_app"}}
    assert {r.idempotency_key for r in rows("assignment_period_accepted")} == {
        f"assignment:{work.id}:event:{last_event_id()}:{c}:user:{w.exec_sa.id}" for c in ("email", "in_app")}
    payload = rows("assignment_period_accepted")[0].payload
    assert (payload["action"], payload["period"]) == ("accept_period", "2026-Q1")
    message = rendered("assignment_period_accepted", w.exec_sa)
    assert message["subject"] == "Period report accepted: 2.1, 2026-Q1"
    assert "for the period 2026-Q1 was accepted. The work on the task goes on" in message["text"]
    assert "Comment of the control body:\nGood; add the attendance lists next time." in message["text"]


@pytest.mark.usefixtures("upload_folder")
def test_an_accepted_periods_report_without_a_comment_says_no_comment(w):
    task = make_task(w.act, "2.1", recurrence="quarterly", period_start=date(2026, 1, 1), controller=w.controller)
    work = assignments.assign(w.controller, task, w.sa, due_on=date(2026, 12, 31), responsible=w.exec_sa)
    q1 = reports.create(w.exec_sa, work, period="2026-Q1", text="Q1 events held.")
    reports.submit(w.exec_sa, q1)
    reports.review(w.controller, q1, "accept")
    text = rendered("assignment_period_accepted", w.exec_sa)["text"]
    assert "Comment" not in text and "None" not in text


# -- through the real mail server, and in the reader's language ------------------------------------------


def test_the_cancel_arrives_by_email_with_the_reason_escaped_in_html(w, channels, app):
    mailbox, _ = channels
    work = work_of(w, w.sa, w.exec_sa)
    db.session.execute(sa.delete(Notification))
    assignments.transition(w.controller, work, "cancel", "Moved to the <2027> plan.")
    assert dispatch.dispatch() == (1, 0)
    [(to, message)] = mailbox.messages
    assert to == [w.exec_sa.email]
    assert message["Subject"] == "Cancelled: 3.2"
    text = message.get_body(("plain",)).get_content()
    assert "Moved to the <2027> plan." in text
    assert f"{app.config['BASE_URL']}/assignments/{work.id}" in text
    html = message.get_body(("html",)).get_content()
    assert "&lt;2027&gt;" in html and "<2027>" not in html


@pytest.mark.parametrize(("locale", "greeting"), [("ru", "Здравствуйте"), ("az", "Hörmətli")])
@pytest.mark.parametrize(("action", "subject"), [("cancel", "Cancelled: %(number)s"),
                                                  ("reopen", "Reopened: %(number)s")])
def test_the_reader_gets_their_own_language(w, locale, greeting, action, subject):
    with force_locale(locale):
        assert gettext(subject) != subject, f"{subject!r} is not in the {locale} catalogue"
        translated = gettext(subject, number="3.2")
    w.exec_sa.locale = locale
    work = work_of(w, w.sa, w.exec_sa)
    if action == "reopen":
        accepted(w, work, w.exec_sa)
    assignments.transition(w.controller, work, action, WHY_CANCEL)
    message = rendered(TEMPLATE[action], w.exec_sa)
    assert message["subject"] == translated
    assert message["text"].startswith(greeting)
    assert WHY_CANCEL in message["text"]
    assert "The control body" not in message["text"]


def test_the_heads_return_and_accept_of_delegated_work_speak_of_the_head_not_of_the_control_body(w):
    work = work_of(w, w.sa, w.exec_sa)
    sub = assignments.delegate(w.head_sa, work, organization=w.sa1, responsible=w.exec_sa1)
    assignments.transition(w.exec_sa1, sub, "start")
    assignments.transition(w.exec_sa1, sub, "submit")
    assignments.transition(w.head_sa, sub, "return", "Add the regional figures.")
    returned = rendered("assignment_returned", w.exec_sa1)["text"]
    assert "Comment of the head of the organization:\nAdd the regional figures." in returned
    assert "control body" not in returned
    assignments.transition(w.exec_sa1, sub, "submit")
    assignments.transition(w.head_sa, sub, "accept")
    message = rendered("assignment_accepted", w.exec_sa1)["text"]
    assert (f"The work on task 3.2 \"Hold awareness events\" delegated to {w.sa1.short_name} was accepted by the "
            "head of the organization.") in message
    assert "removed from control" not in message
