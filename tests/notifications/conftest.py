"""Real local servers for the channels: an SMTP server (aiosmtpd) and an HTTP SMS gateway."""

import json
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    def __init__(self):
        self.messages = []
        self.refuse = 0  # answer the next N messages with a temporary failure

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return "451 Try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def texts(self):
        return [m.get_body(("plain",)).get_content() for _, m in self.messages]


@pytest.fixture(scope="session")
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


class SmsGateway:
    def __init__(self):
        self.received = []
        self.fail = 0

    def handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if gateway.fail:
                    gateway.fail -= 1
                    self.send_response(503)
                    self.end_headers()
                    self.wfile.write(b"busy")
                    return
                gateway.received.append((dict(self.headers), json.loads(body)))
                self.send_response(202)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"status": "queued"}')

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture(scope="session")
def sms_server():
    gateway = SmsGateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), gateway.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sms", gateway
    server.shutdown()


@pytest.fixture
def channels(app, smtp_server, sms_server):
    """Point the app at the local SMTP server and SMS gateway; empty both; restore afterwards."""
    controller, mailbox = smtp_server
    url, gateway = sms_server
    mailbox.messages.clear()
    mailbox.refuse = 0
    gateway.received.clear()
    gateway.fail = 0
    saved = {k: app.config[k] for k in ("MAIL_HOST", "MAIL_PORT", "SMS_GATEWAY", "SMS_URL", "SMS_TOKEN")}
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=controller.port, SMS_GATEWAY="http", SMS_URL=url,
                      SMS_TOKEN="gateway-secret")
    yield mailbox, gateway
    app.config.update(saved)
