"""Webhooks: signed deliveries of the events the owner may see, through the outbox, to a real HTTP server."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Notification, Webhook
from monitoris.notifications import dispatch, webhooks
from monitoris.services import assignments
from tests.factories import make_act, make_assignment, make_org, make_task, make_user


class Receiver:
    """An integration's endpoint: keeps what it got, and whether each signature held."""

    def __init__(self, secret):
        self.secret = secret
        self.deliveries = []
        self.fail = 0

    def handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = "sha256=" + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
                valid = hmac.compare_digest(expected, self.headers.get("X-Monitoris-Signature", ""))
                if receiver.fail:
                    receiver.fail -= 1
                    self.send_response(500)
                else:
                    receiver.deliveries.append((valid, json.loads(body)))
                    self.send_response(204 if valid else 401)
                self.end_headers()

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def receiver():
    r = Receiver("integration-secret")
    server = ThreadingHTTPServer(("127.0.0.1", 0), r.handler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    r.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield r
    server.shutdown()


@pytest.fixture
def two_bodies():
    sa_org, mt_org = make_org("SA"), make_org("MT")
    controller = make_user("controller", organization=make_org("CD", kind="control"))
    act = make_act(state="active")
    a_sa = make_assignment(make_task(act, "1.1"), sa_org, state="in_progress")
    a_mt = make_assignment(make_task(act, "1.2"), mt_org, state="in_progress")
    return sa_org, mt_org, controller, a_sa, a_mt


def register(organization, url, kinds="*", secret="integration-secret"):
    hook = Webhook(name="Portal", url=url, secret=secret, organization=organization, event_kinds=kinds)
    db.session.add(hook)
    db.session.flush()
    return hook


def test_signed_events_reach_the_integration(receiver, two_bodies, channels):
    sa_org, _, _, a_sa, _ = two_bodies
    register(sa_org, receiver.url)
    executor = make_user("executor", organization=sa_org)
    assignments.transition(executor, a_sa, "submit")
    assert webhooks.fan_out() == 1
    assert webhooks.fan_out() == 0  # the cursor moved
    dispatch.dispatch()
    [(valid, body)] = receiver.deliveries
    assert valid
    assert body["event"]["action"] == "assignment.submit"
    assert body["event"]["object_id"] == a_sa.id
    row = db.session.scalar(sa.select(Notification).where(Notification.channel == "webhook"))
    assert row.state == "sent" and row.response_status == 204


def test_a_webhook_never_receives_another_bodys_events(receiver, two_bodies, channels):
    sa_org, mt_org, controller, a_sa, a_mt = two_bodies
    register(sa_org, receiver.url)
    assignments.transition(make_user("executor", organization=mt_org), a_mt, "submit")
    assignments.transition(make_user("executor", organization=sa_org), a_sa, "submit")
    webhooks.fan_out()
    dispatch.dispatch()
    assert [b["event"]["object_id"] for _, b in receiver.deliveries] == [a_sa.id]


def test_the_control_body_sees_all_and_kinds_filter(receiver, two_bodies, channels):
    sa_org, mt_org, controller, a_sa, a_mt = two_bodies
    register(controller.organization, receiver.url, kinds="assignment.accept")
    for a, org in ((a_sa, sa_org), (a_mt, mt_org)):
        assignments.transition(make_user("executor", organization=org), a, "submit")
        assignments.transition(controller, a, "accept")
    webhooks.fan_out()
    dispatch.dispatch()
    assert sorted(b["event"]["object_id"] for _, b in receiver.deliveries) == sorted([a_sa.id, a_mt.id])
    assert {b["event"]["action"] for _, b in receiver.deliveries} == {"assignment.accept"}


def test_a_failed_delivery_is_retried_and_logged(receiver, two_bodies, channels, clock):
    sa_org, _, _, a_sa, _ = two_bodies
    register(sa_org, receiver.url)
    receiver.fail = 1
    assignments.transition(make_user("executor", organization=sa_org), a_sa, "submit")
    webhooks.fan_out()
    assert dispatch.dispatch() == (1, 1)  # the control body hears of the submission by email; the webhook fails
    row = db.session.scalar(sa.select(Notification).where(Notification.channel == "webhook"))
    assert row.state == "pending" and row.response_status == 500 and "500" in row.error
    clock.advance(minutes=2)
    assert dispatch.dispatch() == (1, 0)
    assert len(receiver.deliveries) == 1


def test_a_wrong_secret_is_refused_by_the_receiver(receiver, two_bodies, channels):
    sa_org, _, _, a_sa, _ = two_bodies
    register(sa_org, receiver.url, secret="not-the-shared-secret")
    assignments.transition(make_user("executor", organization=sa_org), a_sa, "submit")
    webhooks.fan_out()
    assert dispatch.dispatch() == (1, 1)  # the control body hears of the submission by email; the webhook fails
    assert receiver.deliveries[0][0] is False
