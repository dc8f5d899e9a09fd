"""Dispatch rate: the outbox sent to a real SMTP server on loopback, against bare smtplib.

Prints ``dispatch rate: N messages/s`` (claim, render in the recipient's language, send over SMTP,
record the outcome with one commit per message — what the scheduler's dispatcher does) next to
``dispatch bare smtp rate: N messages/s`` (the same number of prebuilt messages sent with plain
smtplib over one connection: the ceiling the SMTP server and the loopback allow).
"""

import smtplib
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.message import EmailMessage

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from bench.common import bench_database, figure, make_app
from monitoris.extensions import db
from monitoris.models import LOCALES, Organization, User
from monitoris.models.notification import Notification
from monitoris.notifications import dispatch, outbox

AT = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
MESSAGES = 2000
USERS = 200
BATCH = 200


class Drop:
    """Accepts every message and keeps none: the server should cost as little as possible."""

    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _queue(messages):
    org = Organization(name="State Agency", short_name="SA", kind="central", path="")
    db.session.add(org)
    db.session.flush()
    org.path = f"/{org.id}/"
    users = [User(email=f"person{i}@bench.example", name=f"Person {i}", organization=org, password_hash="x",
                  locale=LOCALES[i % len(LOCALES)]) for i in range(USERS)]
    db.session.add_all(users)
    db.session.flush()
    rows = []
    for i in range(messages):
        user = users[i % USERS]
        payload = {"assignment_id": i + 1, "task_number": f"{i // 10}.{i % 10}", "task_title": "Hold awareness events",
                   "organization": "SA", "due_on": "2026-12-04", "point": "before-3", "link": f"/assignments/{i + 1}"}
        rows += outbox.rows_for(user, kind="reminder", template="assignment_reminder", channels=("email",),
                                key=f"assignment:{i + 1}:due:2026-12-04:before-3", payload=payload)
    created = outbox.insert_ignoring_duplicates(rows)
    db.session.commit()
    return created


def _bare_smtp(port, messages):
    prebuilt = []
    for i in range(messages):
        message = EmailMessage()
        message["From"] = "Monitoris <monitoris@localhost>"
        message["To"] = f"Person {i % USERS} <person{i % USERS}@bench.example>"
        message["Subject"] = f"Reminder: {i // 10}.{i % 10} is due on 2026-12-04"
        message.set_content("Dear Person,\n\nTask is due on 2026-12-04.\nPlease submit your report on time.\n")
        message.add_alternative("<p>Dear Person,</p><p>Task is due on 2026-12-04.</p>", subtype="html")
        prebuilt.append(message)
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for message in prebuilt:
            smtp.send_message(message)
    return messages / (time.perf_counter() - start)


def main(messages=MESSAGES):
    handler = Drop()
    port = _free_port()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        with bench_database() as url, tempfile.TemporaryDirectory() as instance:
            app = make_app(url, instance, clock_at=AT, MAIL_HOST="127.0.0.1", MAIL_PORT=port)
            with app.app_context():
                queued = _queue(messages)
                dispatch.dispatch(limit=1)  # warm: templates compiled, catalogues loaded, connection open
                sent_total, failed_total = 1, 0
                start = time.perf_counter()
                while True:
                    sent, failed = dispatch.dispatch(limit=BATCH)
                    sent_total, failed_total = sent_total + sent, failed_total + failed
                    if not sent and not failed:
                        break
                elapsed = time.perf_counter() - start
                left = db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                                         .where(Notification.state != "sent"))
                db.engine.dispose()
            bare = _bare_smtp(port, messages)
    finally:
        server.stop()
    if failed_total or left or sent_total != queued:
        print(f"warning: {failed_total} failed, {left} not sent of {queued}", file=sys.stderr)
    figure("dispatch rate", (sent_total - 1) / elapsed, "messages/s")
    figure("dispatch bare smtp rate", bare, "messages/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else MESSAGES)
