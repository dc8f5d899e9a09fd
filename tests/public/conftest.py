"""Fixtures of the public portal tests: reports and documents made directly, and a stored file."""

import hashlib
import io
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from monitoris.documents.storage import storage
from monitoris.extensions import db
from monitoris.models import Document, Report


def make_report(assignment, *, state="accepted", text="We did the work.", period="final", **overrides):
    submitted = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    due = overrides.pop("period_due_on", date(2026, 7, 1))
    # The demo may have written reports for the same period already: this one is the next version.
    version = 1 + (db.session.scalar(sa.select(sa.func.max(Report.version)).where(
        Report.assignment_id == assignment.id, Report.period == period)) or 0)
    report = Report(assignment=assignment, period=period, period_due_on=due, version=overrides.pop("version", version),
                    final=period == "final", text=text, progress=overrides.pop("progress", 100), state=state,
                    submitted_at=submitted if state != "draft" else None,
                    submitted_on=submitted.date() if state != "draft" else None, **overrides)
    db.session.add(report)
    db.session.flush()
    return report


def make_document(*, report=None, act=None, public=False, filename="evidence.pdf", content=b"%PDF-1.4 evidence"):
    staged = storage().stage(io.BytesIO(content))
    staged.commit()
    doc = Document(report=report, act_id=act.id if act is not None else None, purpose="evidence" if report else "act",
                   filename=filename, media_type="application/pdf", size=len(content),
                   sha256=hashlib.sha256(content).hexdigest(), public=public)
    db.session.add(doc)
    db.session.flush()
    return doc


@pytest.fixture
def public_client(app):
    """A browser that never logged in."""
    return app.test_client()
