"""A hand-built year where every figure is known (see build_year), and builders for reports etc."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

from monitoris.extensions import db
from monitoris.models import ExtensionRequest, Instruction, Report
from tests.factories import make_assignment, make_task, make_world

D = date


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def make_report(assignment, *, period="final", final=True, period_due_on=None, state="accepted", version=1,
                submitted_on=None, previous=None):
    r = Report(assignment=assignment, period=period, final=final, period_due_on=period_due_on or assignment.due_on,
               state=state, version=version, submitted_on=submitted_on, previous=previous,
               submitted_at=utc(submitted_on.year, submitted_on.month, submitted_on.day, 6) if submitted_on else None)
    db.session.add(r)
    db.session.flush()
    return r


def make_extension(assignment, previous_due_on, proposed_due_on, decision="approved"):
    e = ExtensionRequest(assignment=assignment, previous_due_on=previous_due_on, proposed_due_on=proposed_due_on,
                         days_requested=(proposed_due_on - previous_due_on).days,
                         reason="Waiting for the law to be amended.", decision=decision)
    db.session.add(e)
    db.session.flush()
    return e


def make_instruction(assignment, issued_at, answered_at=None):
    i = Instruction(assignment=assignment, task=assignment.task, organization=assignment.organization,
                    kind="instruction", text="Report on progress.", issued_at=issued_at, answered_at=answered_at,
                    state="answered" if answered_at else "issued")
    db.session.add(i)
    db.session.flush()
    return i


def build_year():
    """Today is 2026-06-15 in Baku (UTC+4).  SA has nine items in 2026, MT two.

    SA: a1 on time; a2 late by the Baku day boundary (submitted 00:30 local on the next day); a3 late by
    10 days per its accepted report (returned once: 2 reviews, 1 return); a4 overdue by 1 day; a5 due
    today (open, not overdue); a6 cancelled (excluded); a7 a delegated sub-assignment of a4, overdue
    (excluded); a8 extended from 31 May to 31 July (open, not due; baseline kept) with one request
    granted (+61 days) and one rejected; a9 due in 2025 (outside the range); a10 a recurring task (open)
    whose 2026-Q1 report was accepted on time and 2026-H1 report is overdue by 5 days (2025-Q4 outside).
    MT: a co-executor of a1's task and a lead of its own task, both accepted on time.
    Instructions to SA: answered after 3 days and after 1 day, one unanswered, one from 2025.
    """
    w = make_world()
    act = w.act
    t = [make_task(act, f"9.{i}", controller_id=w.controller.id) for i in range(1, 12)]
    recurring = make_task(act, "9.20", recurrence="annual", controller_id=w.controller.id)
    y = SimpleNamespace(w=w, sa=w.sa, mt=w.mt)
    y.a1 = make_assignment(t[0], w.sa, state="accepted", due_on=D(2026, 3, 31), submitted_at=utc(2026, 3, 31, 19, 30))
    y.a2 = make_assignment(t[1], w.sa, state="accepted", due_on=D(2026, 3, 31), submitted_at=utc(2026, 3, 31, 20, 30))
    y.a3 = make_assignment(t[2], w.sa, state="accepted", due_on=D(2026, 4, 10), submitted_at=utc(2026, 4, 5, 6))
    v1 = make_report(y.a3, state="returned", submitted_on=D(2026, 4, 5))
    make_report(y.a3, state="accepted", version=2, submitted_on=D(2026, 4, 20), previous=v1)
    y.a4 = make_assignment(t[3], w.sa, state="in_progress", due_on=D(2026, 6, 14))
    y.a5 = make_assignment(t[4], w.sa, state="in_progress", due_on=D(2026, 6, 15))
    y.a6 = make_assignment(t[5], w.sa, state="cancelled", due_on=D(2026, 5, 1))
    y.a7 = make_assignment(t[3], w.sa1, state="in_progress", due_on=D(2026, 6, 1), parent=y.a4)
    y.a8 = make_assignment(t[6], w.sa, state="in_progress", due_on=D(2026, 7, 31), original_due_on=D(2026, 5, 31))
    make_extension(y.a8, D(2026, 5, 31), D(2026, 7, 31), "approved")
    make_extension(y.a8, D(2026, 7, 31), D(2026, 9, 30), "rejected")
    y.a9 = make_assignment(t[7], w.sa, state="in_progress", due_on=D(2025, 12, 31))
    y.a10 = make_assignment(recurring, w.sa, state="in_progress", due_on=D(2026, 12, 31))
    make_report(y.a10, period="2026-Q1", final=False, period_due_on=D(2026, 3, 31), state="accepted",
                submitted_on=D(2026, 3, 30))
    make_report(y.a10, period="2026-H1", final=False, period_due_on=D(2026, 6, 10), state="submitted",
                submitted_on=D(2026, 6, 12))
    make_report(y.a10, period="2025-Q4", final=False, period_due_on=D(2025, 12, 31), state="accepted",
                submitted_on=D(2026, 1, 30))
    y.m1 = make_assignment(t[0], w.mt, role="co_executor", state="accepted", due_on=D(2026, 3, 31),
                           submitted_at=utc(2026, 3, 20, 8))
    y.m2 = make_assignment(t[8], w.mt, state="accepted", due_on=D(2026, 5, 31), submitted_at=utc(2026, 5, 30, 8))
    make_instruction(y.a1, utc(2026, 2, 1, 8), utc(2026, 2, 4, 8))
    make_instruction(y.a4, utc(2026, 3, 1, 8), utc(2026, 3, 2, 8))
    make_instruction(y.a5, utc(2026, 5, 1, 8))
    make_instruction(y.a5, utc(2025, 12, 1, 8), utc(2025, 12, 2, 8))
    return y


SA_FIGURES = {
    "assigned": 9, "accepted": 4, "on_time": 2, "late": 2, "overdue": 2, "open_not_due": 3, "timeliness": 33.3,
    "average_delay": 4.2, "median_delay": 3.0, "reviews": 3, "returns": 1, "return_rate": 33.3,
    "extension_requests": 2, "extensions_granted": 1, "days_added": 61, "instructions_received": 3,
    "instructions_answered": 2, "median_response_days": 2.0,
}
MT_FIGURES = {
    "assigned": 2, "accepted": 2, "on_time": 2, "late": 0, "overdue": 0, "open_not_due": 0, "timeliness": 100.0,
    "average_delay": None, "median_delay": None, "reviews": 0, "returns": 0, "return_rate": None,
    "extension_requests": 0, "extensions_granted": 0, "days_added": 0, "instructions_received": 0,
    "instructions_answered": 0, "median_response_days": None,
}
