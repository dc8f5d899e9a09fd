"""The dispatcher against a real SMTP server and a real HTTP SMS gateway on loopback."""

import re
from email.utils import parseaddr

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Notification
from monitoris.notifications import dispatch, outbox
from monitoris.notifications.channels import SmtpMailer, fit_sms, sms_encoding
from monitoris.services import assignments
from tests.factories import make_act, make_assignment, make_org, make_task, make_user


@pytest.fixture
def people():
    body = make_org("SA", name="State Agency")
    executor = make_user("executor", organization=body, name="Farid Babayev", email="farid@sa.example",
                         phone="+994501112233")
    controller = make_user("controller", organization=make_org("CD", kind="control"))
    task = make_task(make_act(state="active"), "4.1.1", title="Hold awareness events on citizens' rights",
                     controller=controller)
    assignment = make_assignment(task, body, state="in_progress", responsible=executor)
    return executor, controller, assignment


def queue_test(user, channels=("email",), key="k1"):
    outbox.queue([user], kind="assignment", template="test_message", key=key, payload={"link": "/"},
                 channels=channels)


def test_email_arrives_with_subject_recipient_and_link(channels, people, app):
    mailbox, _ = channels
    executor, controller, assignment = people
    assignment.state = "submitted"
    db.session.flush()
    assignments.transition(controller, assignment, "return", "Attach the list of events with dates.")
    sent, failed = dispatch.dispatch()
    assert (sent, failed) == (1, 0)
    [(recipients, message)] = mailbox.messages
    assert recipients == ["farid@sa.example"]
    assert message["Subject"] == "Returned for revision: 4.1.1"
    text = message.get_body(("plain",)).get_content()
    assert "Dear Farid Babayev," in text
    assert "Attach the list of events with dates." in text
    assert f"{app.config['BASE_URL']}/assignments/{assignment.id}" in text
    html = message.get_body(("html",)).get_content()
    assert "Attach the list of events with dates." in html


def test_email_is_written_in_the_recipients_language(channels, people):
    mailbox, _ = channels
    executor, controller, assignment = people
    executor.locale = "az"
    assignment.state = "submitted"
    db.session.flush()
    assignments.transition(controller, assignment, "accept")
    dispatch.dispatch()
    [(_, message)] = mailbox.messages
    assert message["Subject"] == "Qəbul edildi: 4.1.1"
    assert "Hörmətli Farid Babayev," in message.get_body(("plain",)).get_content()


def test_html_part_escapes_what_people_typed(channels, people):
    mailbox, _ = channels
    executor, controller, assignment = people
    assignment.state = "submitted"
    db.session.flush()
    assignments.transition(controller, assignment, "return", "<script>alert(1)</script>")
    dispatch.dispatch()
    [(_, message)] = mailbox.messages
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_sms_goes_to_the_gateway_as_json_with_the_token(channels, people):
    _, gateway = channels
    executor, _, _ = people
    executor.locale = "az"
    queue_test(executor, channels=("sms",))
    assert dispatch.dispatch() == (1, 0)
    [(headers, body)] = gateway.received
    assert headers["Authorization"] == "Bearer gateway-secret"
    assert body["to"] == "+994501112233"
    assert body["text"] == "Monitoris sınaq mesajı: bu kanal işləyir."
    assert body["encoding"] == "ucs2"  # ı is not in the GSM alphabet


def test_a_failure_is_retried_with_backoff_then_delivered(channels, people, clock):
    mailbox, _ = channels
    executor, _, _ = people
    mailbox.refuse = 1
    queue_test(executor)
    assert dispatch.dispatch() == (0, 1)
    row = db.session.scalar(sa.select(Notification))
    assert row.state == "pending" and row.attempts == 1 and "451" in row.error
    assert dispatch.dispatch() == (0, 0)  # not before the backoff
    clock.advance(seconds=61)
    assert dispatch.dispatch() == (1, 0)
    assert len(mailbox.messages) == 1
    db.session.refresh(row)
    assert row.state == "sent" and row.error is None


def test_repeated_failures_end_dead_with_the_error_kept(channels, people, clock, app):
    _, gateway = channels
    executor, _, _ = people
    gateway.fail = 10
    app.config["DISPATCH_MAX_ATTEMPTS"] = 3
    try:
        queue_test(executor, channels=("sms",))
        for _ in range(3):
            dispatch.dispatch()
            clock.advance(hours=1)
        row = db.session.scalar(sa.select(Notification))
        assert row.state == "dead" and row.attempts == 3 and "503" in row.error
        assert dispatch.dispatch() == (0, 0)
    finally:
        app.config["DISPATCH_MAX_ATTEMPTS"] = 6


def test_a_dispatcher_killed_after_its_claim_leaves_the_row_to_be_retried(channels, people, clock):
    mailbox, _ = channels
    executor, _, _ = people
    queue_test(executor)
    claimed = dispatch.claim(10)  # ... and then the process dies before sending
    assert len(claimed) == 1
    assert dispatch.dispatch() == (0, 0)  # the lease still holds
    clock.advance(seconds=121)
    assert dispatch.dispatch() == (1, 0)
    assert len(mailbox.messages) == 1


def test_a_message_sent_again_keeps_its_message_id(channels, people, app):
    """A dispatcher that dies after sending and before recording sends the row again: the repeat carries the same
    Message-ID, so a mail store that knows it keeps one copy.  Different rows, and other installations, differ."""
    mailbox, _ = channels
    executor, _, _ = people
    queue_test(executor, key="k1")
    queue_test(executor, key="k2")
    assert dispatch.dispatch() == (2, 0)
    first, second = (message["Message-ID"] for _, message in mailbox.messages)
    domain = parseaddr(app.config["MAIL_FROM"])[1].rpartition("@")[2]
    assert re.fullmatch(rf"<[0-9a-f]{{40}}@{re.escape(domain)}>", first), first
    assert first != second
    row = db.session.scalar(sa.select(Notification).where(Notification.idempotency_key.like("%k1%")))
    row.state, row.sent_at = "pending", None  # as if the send had not been recorded
    db.session.flush()
    assert dispatch.dispatch() == (1, 0)
    assert mailbox.messages[2][1]["Message-ID"] == first
    elsewhere = SmtpMailer.from_config({**app.config, "SECRET_KEY": "another installation"})
    assert elsewhere.message_id(row.idempotency_key) != first


def test_in_app_messages_are_not_dispatched(channels, people):
    mailbox, gateway = channels
    executor, _, _ = people
    queue_test(executor, channels=("in_app",))
    assert dispatch.dispatch() == (0, 0)
    assert not mailbox.messages and not gateway.received


def test_the_same_occasion_is_queued_once(people):
    executor, _, _ = people
    queue_test(executor)
    queue_test(executor)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1


def test_an_inactive_person_gets_nothing(people):
    executor, _, _ = people
    executor.active = False
    queue_test(executor)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_people_choose_their_channels(people):
    executor, controller, assignment = people
    db.session.add_all([outbox.NotificationPreference(user_id=executor.id, kind="review", channel="email",
                                                      enabled=False)])
    assignment.state = "submitted"
    db.session.flush()
    assignments.transition(controller, assignment, "accept")
    channels = {n.channel for n in db.session.scalars(sa.select(Notification)
                                                      .where(Notification.recipient_id == executor.id))}
    assert channels == {"in_app"}


def test_submitting_tells_the_tasks_controller(people):
    executor, controller, assignment = people
    assignments.transition(executor, assignment, "submit")
    rows = db.session.scalars(sa.select(Notification).where(Notification.recipient_id == controller.id)).all()
    assert {(n.template, n.channel) for n in rows} == {("assignment_submitted", "email"),
                                                      ("assignment_submitted", "in_app")}


def test_gsm7_and_unicode_sms_are_cut_at_a_word_boundary():
    assert sms_encoding("Task 1.1 is due on 2026-06-22") == "gsm7"
    assert sms_encoding("Tapşırıq 1.1") == "ucs2"
    long_latin = "word " * 200
    text, encoding = fit_sms(long_latin)
    assert encoding == "gsm7" and len(text) <= 153 * 3 and text.endswith("word...")
    long_az = "tapşırıq " * 100
    text, encoding = fit_sms(long_az)
    assert encoding == "ucs2" and len(text) <= 67 * 3 and text.endswith("tapşırıq…")
    assert fit_sms("short") == ("short", "gsm7")


def test_lease_and_backoff_are_configurable(app, channels, people, clock):
    mailbox, _ = channels
    executor, _, _ = people
    app.config["DISPATCH_LEASE_SECONDS"] = 5
    try:
        queue_test(executor)
        dispatch.claim(10)
        clock.advance(seconds=6)
        assert dispatch.dispatch() == (1, 0)
    finally:
        app.config["DISPATCH_LEASE_SECONDS"] = 120
