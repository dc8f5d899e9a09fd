"""Plain factory functions: ``make_task(**overrides)`` returns a flushed object with sensible defaults."""

import io
import itertools
import zipfile
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from monitoris import clock
from monitoris.extensions import db
from monitoris.models import Act, ApiToken, Assignment, Organization, Report, Task, User
from monitoris.models.notification import Notification
from monitoris.services import documents as documents_service
from monitoris.services import tokens as tokens_service
from monitoris.services.passwords import hash_password

PASSWORD = "correct horse battery"
_seq = itertools.count(1)
_hash = {}


def _password_hash():
    # Hashing is the slow part of making a user; one hash serves every test user.
    if "h" not in _hash:
        _hash["h"] = hash_password(PASSWORD)
    return _hash["h"]


def make_org(short_name=None, *, parent=None, kind="central", **overrides):
    n = next(_seq)
    org = Organization(name=overrides.pop("name", f"Organization {n}"), short_name=short_name or f"ORG{n}",
                       kind=kind, parent=parent, path="", **overrides)
    db.session.add(org)
    db.session.flush()
    org.path = (parent.path if parent else "/") + f"{org.id}/"
    db.session.flush()
    return org


def make_user(*roles, organization=None, **overrides):
    n = next(_seq)
    user = User(email=overrides.pop("email", f"user{n}@example.test"), name=overrides.pop("name", f"User {n}"),
                organization=organization or make_org(), password_hash=_password_hash(), **overrides)
    user.roles = roles or ("executor",)
    db.session.add(user)
    db.session.flush()
    return user


def make_act(**overrides):
    n = next(_seq)
    act = Act(kind=overrides.pop("kind", "action_plan"), title=overrides.pop("title", f"Action plan {n}"),
              state=overrides.pop("state", "active"), **overrides)
    db.session.add(act)
    db.session.flush()
    return act


def make_task(act=None, number=None, **overrides):
    act = act or make_act()
    task = Task(act=act, number=number or str(next(_seq)), title=overrides.pop("title", "Hold awareness events"),
                **overrides)
    db.session.add(task)
    db.session.flush()
    return task


def make_assignment(task=None, organization=None, *, state="assigned", due_on=None, **overrides):
    due_on = due_on or date(2026, 7, 1)
    # Given on the test's day (the app's clock), not the machine's: the periods a body owes start then.
    a = Assignment(task=task or make_task(), organization=organization or make_org(), state=state, due_on=due_on,
                   original_due_on=overrides.pop("original_due_on", due_on), role=overrides.pop("role", "lead"),
                   progress=overrides.pop("progress", 0), created_at=overrides.pop("created_at", clock.now()),
                   **overrides)
    db.session.add(a)
    db.session.flush()
    return a


def days(n):
    return timedelta(days=n)


def make_world():
    """A small country: the control body with its people, and two executive bodies with a sub-unit each.

    SA (a state agency) has the sub-unit SA-1; MT (a ministry) has MT-1.  Every person's password
    is ``PASSWORD``.  Returned as a namespace: ``w.cd``, ``w.sa``, ``w.sa1``, ``w.mt``, ``w.mt1`` and
    ``w.admin``, ``w.controller``, ``w.observer``, ``w.head_sa``, ``w.exec_sa``, ``w.exec_sa1``,
    ``w.head_mt``, ``w.exec_mt``, and an active act ``w.act``.
    """
    n = next(_seq)
    w = SimpleNamespace()
    w.cd = make_org(f"CD{n}", kind="control")
    w.sa = make_org(f"SA{n}", name=f"State Agency {n}")
    w.sa1 = make_org(f"SA{n}-1", parent=w.sa, kind="other", name=f"Service Centre {n}")
    w.mt = make_org(f"MT{n}", name=f"Ministry of Digital Development {n}")
    w.mt1 = make_org(f"MT{n}-1", parent=w.mt, kind="other", name=f"E-Government Centre {n}")
    w.admin = make_user("admin", organization=w.cd)
    w.controller = make_user("controller", organization=w.cd)
    w.observer = make_user("observer", organization=w.cd)
    w.head_sa = make_user("org_head", organization=w.sa)
    w.exec_sa = make_user("executor", organization=w.sa)
    w.exec_sa1 = make_user("executor", organization=w.sa1)
    w.head_mt = make_user("org_head", organization=w.mt)
    w.exec_mt = make_user("executor", organization=w.mt)
    w.act = make_act()
    return w


def make_token(user, *, days_valid=30, **overrides):
    """A live personal access token of ``user``; returns the raw token to send as a bearer."""
    start = datetime(2026, 6, 15, 5, 0, tzinfo=UTC)  # the suite's frozen clock (tests/conftest.py START)
    raw = tokens_service.PREFIX + f"test-{next(_seq)}-" + "x" * 20
    token = ApiToken(user=user, name=overrides.pop("name", "test"), token_hash=tokens_service.token_hash(raw),
                     created_at=overrides.pop("created_at", start), expires_at=start + timedelta(days=days_valid),
                     **overrides)
    db.session.add(token)
    db.session.flush()
    return raw


def make_notification(recipient=None, *, channel="in_app", webhook=None, **overrides):
    """An outbox row: by default an unread in-app reminder about a fresh assignment to ``recipient``."""
    n = next(_seq)
    start = datetime(2026, 6, 15, 5, 0, tzinfo=UTC)
    payload = overrides.pop("payload", None)
    if payload is None:
        payload = {"assignment_id": n, "task_number": f"{n}.1", "task_title": "Hold awareness events",
                   "organization": "SA", "due_on": "2026-07-01", "point": "before-3", "link": f"/assignments/{n}"}
    if webhook is not None:
        recipient, channel = None, "webhook"
    notification = Notification(
        recipient=recipient, webhook=webhook, channel=channel, kind=overrides.pop("kind", "reminder"),
        template=overrides.pop("template", "assignment_reminder"), payload=payload,
        idempotency_key=overrides.pop("idempotency_key", f"test:{n}:{channel}"),
        state=overrides.pop("state", "sent" if channel == "in_app" else "pending"),
        created_at=overrides.pop("created_at", start), next_attempt_at=overrides.pop("next_attempt_at", start),
        **overrides)
    db.session.add(notification)
    db.session.flush()
    return notification


# -- reports and documents ---------------------------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def office_bytes(kind="xlsx"):
    """A minimal DOCX or XLSX (a zip with the parts that name it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml" if kind == "xlsx" else "word/document.xml", "<x/>")
    return buffer.getvalue()


def make_report(assignment=None, *, state="draft", author=None, **overrides):
    assignment = assignment or make_assignment(state="in_progress")
    report = Report(assignment=assignment, period=overrides.pop("period", "final"),
                    period_due_on=overrides.pop("period_due_on", assignment.due_on), final=overrides.pop("final", True),
                    version=overrides.pop("version", 1), text=overrides.pop("text", "Work done."), state=state,
                    progress=overrides.pop("progress", 50), created_by_id=author.id if author else None, **overrides)
    db.session.add(report)
    db.session.flush()
    return report


def make_document(owner, actor, content=PDF_BYTES, filename="evidence.pdf"):
    """A document attached through the service (so it is really stored)."""
    return documents_service.attach(actor, owner, io.BytesIO(content), filename)
