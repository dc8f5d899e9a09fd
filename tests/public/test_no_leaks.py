"""Nothing unpublished, internal or personal ever reaches the public portal or the open data.

The demo is loaded, topped up with what it lacks (an unpublished measure, instructions, extension
requests, reports in every state, public and private documents), then every public page and every
page of the open data is read logged out and searched for each secret, taken from the database.
"""

import csv
import html
import io
import re
from collections import deque
from datetime import timedelta

import pytest
import sqlalchemy as sa

from monitoris import clock, demo
from monitoris import public as public_data
from monitoris.extensions import db
from monitoris.models import (
    Act,
    Assignment,
    Document,
    Event,
    EvidenceRequirement,
    ExtensionRequest,
    Instruction,
    Organization,
    Report,
    Task,
    User,
)
from tests.factories import make_task
from tests.public.conftest import make_document, make_report

MIN_SECRET = 6  # shorter strings ("SA", "1") would match innocent text


@pytest.fixture
def world(app):
    demo.load()
    plan = db.session.scalar(sa.select(Act).where(Act.state == "active"))
    section = db.session.scalar(sa.select(Task).where(Task.act_id == plan.id, Task.number == "1"))
    make_task(plan, "1.9", parent=section, title="Merge the service centres without telling anyone", published=False)
    work = db.session.scalars(sa.select(Assignment).join(Task).where(Task.act_id == plan.id,
                                                                     Assignment.parent_id.is_(None))).unique().all()
    accepted = next(a for a in work if a.state == "accepted")
    open_one = next(a for a in work if a.state == "in_progress")
    today = clock.today()
    db.session.add(Instruction(assignment=open_one, task_id=open_one.task_id, organization_id=open_one.organization_id,
                               text="Instruction: report the delay to the head of administration personally",
                               response_text="Response: the contractor failed twice",
                               closing_comment="Closing: noted in the personal file"))
    db.session.add(ExtensionRequest(assignment=open_one, previous_due_on=open_one.due_on,
                                    proposed_due_on=open_one.due_on + timedelta(days=30),
                                    days_requested=30,
                                    reason="Extension reason: the budget line was frozen by the ministry",
                                    decision="rejected", decision_comment="Decision: no more delays"))
    report = make_report(accepted, text="Information on completed works: the rules were published.",
                         reviewer_comment="Reviewer: the gazette copy is blurry, fine anyway")
    make_report(open_one, state="returned", text="Returned text: half done, see attachment",
                reviewer_comment="Return comment: attach the signed minutes")
    make_report(open_one, state="submitted", period="2026", text="Submitted text: awaiting review of the minutes",
                period_due_on=today)
    make_document(report=report, public=True, filename="published-rules.pdf", content=b"%PDF public rules")
    make_document(report=report, public=False, filename="internal-correspondence.pdf", content=b"%PDF internal")
    make_document(act=db.session.get(Act, plan.id + 1) or plan, public=False, filename="act-draft-notes.pdf",
                  content=b"%PDF act notes")
    db.session.flush()
    return plan


def secrets():
    """Every string the public must never see, read from the database."""
    found = set()

    def add(values):
        found.update(v.strip() for v in values if isinstance(v, str) and len(v.strip()) >= MIN_SECRET)

    hidden_tasks = sa.select(Task.title).join(Act).where(sa.or_(Task.published.is_(False), Act.state == "draft"))
    add(db.session.scalars(hidden_tasks))
    add(db.session.scalars(sa.select(Act.title).where(Act.state == "draft")))
    for column in (User.email, User.phone, User.name, Organization.email, Organization.phone):
        add(db.session.scalars(sa.select(column)))
    for column in (Instruction.text, Instruction.response_text, Instruction.closing_comment,
                   ExtensionRequest.reason, ExtensionRequest.decision_comment, Report.reviewer_comment,
                   Assignment.note, EvidenceRequirement.text):
        add(db.session.scalars(sa.select(column)))
    # An earlier version's text that the accepted version repeats is public through the accepted one.
    accepted = db.session.scalars(sa.select(Report.text).where(Report.state == "accepted")).all()
    add(t for t in db.session.scalars(sa.select(Report.text).where(Report.state != "accepted"))
        if not any(t and t.strip() in a for a in accepted))
    add(db.session.scalars(sa.select(Document.filename).where(Document.public.is_(False))))
    add((e.after or {}).get("comment") for e in db.session.scalars(sa.select(Event)))
    assert len(found) > 30  # the check below checks something
    return found


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def crawl(client):
    """{url: the text a reader gets} of every public page and the whole open data, logged out."""
    texts, seen = {}, set()
    queue = deque(["/public/"])
    for body in public_data.bodies():
        queue.append(f"/public/?q={body.short_name}")
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if url.startswith("/public/documents/"):
            assert response.status_code in (200, 404), url
            texts[url] = response.headers.get("Content-Disposition", "") + response.get_data(as_text=True)
            continue
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        texts[url] = html.unescape(page)
        for href in re.findall(r'href="(/public/[^"#]*)"', page):
            queue.append(html.unescape(href))
        if url.startswith("/public/acts/") and "?" not in url:
            for value in re.findall(r'<option value="([^"]+)"', page):
                key = "state" if value in public_data.TASK_STATES else "organization_id"
                queue.append(f"{url}?{key}={value}")
    page, pages = 1, 1
    while page <= pages:
        body = client.get(f"/api/v1/public/tasks?page={page}&page_size=200").get_json()
        texts[f"json page {page}"] = "\n".join(_strings(body))
        pages, page = body["pages"], page + 1
    rows = csv.reader(io.StringIO(client.get("/api/v1/public/tasks?format=csv").get_data(as_text=True)))
    texts["csv"] = "\n".join(cell for row in rows for cell in row)
    return texts


def leaks(client, texts=None):
    texts = texts if texts is not None else crawl(client)
    return sorted({(secret, url) for secret in secrets() for url, text in texts.items() if secret in text})


def test_the_public_sees_nothing_it_should_not(world, app):
    client = app.test_client()
    texts = crawl(client)
    assert leaks(client, texts) == []
    everything = "\n".join(texts.values())
    # ...and does see what is public.
    assert world.title in everything
    assert "Information on completed works: the rules were published." in everything
    assert "published-rules.pdf" in everything
    assert any(url.startswith("/public/tasks/") for url in texts)


def test_every_document_not_public_is_404(world, app):
    client = app.test_client()
    for doc in db.session.scalars(sa.select(Document)):
        status = client.get(f"/public/documents/{doc.id}").status_code
        assert status == (200 if doc.public else 404), doc.filename


def test_the_check_catches_a_draft_act_leaking(world, app, monkeypatch):
    monkeypatch.setattr(public_data, "PUBLIC_ACT_STATES", ("draft", "active", "closed"))
    found = leaks(app.test_client())
    assert any("digital archive" in secret.lower() or "archive" in secret.lower() for secret, _ in found)


def test_the_check_catches_an_email_on_a_page(world, app, monkeypatch):
    email = db.session.scalar(sa.select(User.email).where(User.email.like("executor.sa@%")))
    real = public_data.PublicBody
    monkeypatch.setattr(public_data, "PublicBody", lambda id, name, short: real(id, f"{name} ({email})", short))
    found = leaks(app.test_client())
    assert (email, "csv") not in found  # the CSV carries short names only
    assert any(secret == email for secret, _ in found)
