"""Delegated work follows the organization's assignment: accepting or cancelling it closes its open
sub-assignments (at any depth), each with its own event, in the same transaction; reopening it does not."""

from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from monitoris import queries, work
from monitoris.analysis import facts, figures
from monitoris.analysis.items import Filters
from monitoris.errors import IllegalTransition
from monitoris.extensions import db
from monitoris.models import OPEN_STATES, Event
from monitoris.models.notification import Notification
from monitoris.services import assignments, audit, reports
from tests.factories import make_assignment, make_task, make_world

TODAY = date(2026, 6, 15)  # the frozen clock's today in Baku
DUE = date(2026, 7, 1)


@pytest.fixture
def w():
    return make_world()


def _events(assignment):
    return db.session.scalars(sa.select(Event).where(Event.object_type == "assignment",
                                                     Event.object_id == assignment.id).order_by(Event.id)).all()


def _messages_about(*subs):
    keys = [Notification.idempotency_key.startswith(f"assignment:{s.id}:") for s in subs]
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(sa.or_(*keys)))


def _delegated_work(w):
    """SA's assignment, in progress, split five ways inside SA (one piece split again), and MT's, split once."""
    task = make_task(w.act, controller_id=w.controller.id)
    parent = make_assignment(task, w.sa, state="in_progress", due_on=DUE, responsible=w.exec_sa)
    d = SimpleNamespace(parent=parent)

    def delegate(to, person, due_on=date(2026, 6, 10), under=parent):
        return assignments.delegate(w.head_sa, under, organization=to, responsible=person, due_on=due_on)

    d.assigned = delegate(w.sa1, w.exec_sa1)                       # overdue: due 10 June
    d.working = delegate(w.sa1, w.exec_sa1, due_on=date(2026, 6, 18))
    assignments.transition(w.exec_sa1, d.working, "start")
    d.nested = delegate(w.sa1, w.exec_sa1, due_on=date(2026, 6, 17), under=d.working)
    assignments.transition(w.exec_sa1, d.nested, "start")
    d.submitted = delegate(w.sa, w.exec_sa)
    assignments.transition(w.exec_sa, d.submitted, "start")
    assignments.transition(w.exec_sa, d.submitted, "submit")
    d.accepted = delegate(w.sa1, w.exec_sa1)
    assignments.transition(w.exec_sa1, d.accepted, "start")
    assignments.transition(w.exec_sa1, d.accepted, "submit")
    assignments.transition(w.head_sa, d.accepted, "accept")
    d.cancelled = delegate(w.sa1, w.exec_sa1)
    assignments.transition(w.head_sa, d.cancelled, "cancel", "Not needed after all.")

    d.other = make_assignment(make_task(w.act), w.mt, state="in_progress", due_on=DUE)
    d.other_sub = assignments.delegate(w.head_mt, d.other, organization=w.mt1, due_on=date(2026, 6, 10))
    d.open_subs = (d.assigned, d.working, d.nested, d.submitted)
    return d


def _history(*assignments_):
    return {a.id: [(e.action, e.before, e.after) for e in _events(a)] for a in assignments_}


def _accept_through_the_report(w, parent):
    report = reports.create(w.exec_sa, parent, text="Every service centre now takes applications online.")
    reports.submit(w.exec_sa, report)
    reports.review(w.controller, report, "accept")
    return report


# -- accepting the organization's assignment ---------------------------------------------------------

def test_accepting_the_report_closes_the_open_delegated_work(w):
    d = _delegated_work(w)
    states = {s.id: (s.state, s.progress) for s in d.open_subs}
    untouched = _history(d.accepted, d.cancelled, d.other, d.other_sub)

    _accept_through_the_report(w, d.parent)

    assert d.parent.state == "accepted"
    note = f"Closed together with assignment #{d.parent.id}, which was accepted: the work delegated from it is over."
    for sub in d.open_subs:
        assert sub.state == "cancelled"
        last = _events(sub)[-1]
        assert (last.action, last.actor_id, last.organization_id) == ("assignment.cancel", w.controller.id,
                                                                      sub.organization_id)
        assert last.before == {"state": states[sub.id][0], "progress": states[sub.id][1]}
        assert last.after == {"state": "cancelled", "progress": states[sub.id][1], "comment": note}
    # Work already reviewed inside the body, and other organizations' work, are left as they were.
    assert (d.accepted.state, d.cancelled.state) == ("accepted", "cancelled")
    assert (d.other.state, d.other_sub.state) == ("in_progress", "assigned")
    assert _history(d.accepted, d.cancelled, d.other, d.other_sub) == untouched
    assert audit.verify_chain().ok


def test_accepting_without_a_report_closes_the_delegated_work_too(w):
    d = _delegated_work(w)
    assignments.transition(w.exec_sa, d.parent, "submit")
    assignments.transition(w.controller, d.parent, "accept")
    assert [s.state for s in d.open_subs] == ["cancelled"] * 4
    assert d.accepted.state == "accepted"


def test_the_cascade_follows_the_parents_event_depth_first_in_one_go(w):
    d = _delegated_work(w)
    first = db.session.scalar(sa.select(sa.func.max(Event.id)))
    assignments.transition(w.controller, d.parent, "cancel", "The measure was dropped from the plan.")
    written = db.session.execute(sa.select(Event.action, Event.object_id).where(Event.id > first)
                                 .order_by(Event.id)).all()
    assert written == [("assignment.cancel", d.parent.id), ("assignment.cancel", d.assigned.id),
                       ("assignment.cancel", d.working.id), ("assignment.cancel", d.nested.id),
                       ("assignment.cancel", d.submitted.id)]


def test_the_cascade_queues_no_messages_for_the_delegated_work(w):
    d = _delegated_work(w)
    before = _messages_about(*d.open_subs)
    _accept_through_the_report(w, d.parent)
    assert _messages_about(*d.open_subs) == before
    # The organization hears of the acceptance as before.
    assert _messages_about(d.parent) >= 1


def test_accepting_a_periods_report_or_returning_leaves_the_delegated_work_open(w):
    task = make_task(w.act, recurrence="quarterly", period_start=date(2026, 1, 1))
    parent = make_assignment(task, w.sa, state="in_progress", due_on=date(2026, 12, 31))
    sub = assignments.delegate(w.head_sa, parent, organization=w.sa1, responsible=w.exec_sa1,
                               due_on=date(2026, 9, 30))
    q1 = reports.create(w.exec_sa, parent, text="Q1 events held.")
    reports.submit(w.exec_sa, q1)
    reports.review(w.controller, q1, "accept")
    q2 = reports.create(w.exec_sa, parent, text="Q2 events held.")
    reports.submit(w.exec_sa, q2)
    reports.review(w.controller, q2, "return", "Say how many people came.")
    assert parent.state == "in_progress" and sub.state == "assigned"
    assert [e.action for e in _events(sub)] == ["assignment.created"]


# -- cancelling ----------------------------------------------------------------------------------------

def test_cancelling_the_organizations_assignment_cancels_its_open_delegated_work(w):
    d = _delegated_work(w)
    untouched = _history(d.accepted, d.cancelled, d.other_sub)

    assignments.transition(w.controller, d.parent, "cancel", "The measure was dropped from the plan.")

    for sub in d.open_subs:
        assert sub.state == "cancelled"
        assert _events(sub)[-1].after["comment"] == f"Cancelled together with assignment #{d.parent.id}."
    assert _history(d.accepted, d.cancelled, d.other_sub) == untouched
    assert d.accepted.state == "accepted"  # accepted work is never cancelled


def test_a_head_closing_a_piece_of_delegated_work_closes_what_was_split_from_it(w):
    d = _delegated_work(w)
    assignments.transition(w.exec_sa1, d.working, "submit")
    assignments.transition(w.head_sa, d.working, "accept")
    assert d.nested.state == "cancelled"
    assert _events(d.nested)[-1].actor_id == w.head_sa.id
    # The organization's work goes on, with the accepted piece rolled up into it.
    assert d.parent.state == "in_progress" and d.assigned.state == "assigned"
    assert d.parent.progress == 50  # assigned 0, working 100, submitted 0, accepted 100


def test_open_work_left_under_closed_delegated_work_is_closed_as_well(w):
    # Data from before the rule: a piece accepted inside the body with work still open under it.
    parent = make_assignment(make_task(w.act), w.sa, state="in_progress", due_on=DUE)
    piece = make_assignment(parent.task, w.sa1, state="accepted", due_on=DUE, parent=parent)
    left_open = make_assignment(parent.task, w.sa1, state="in_progress", due_on=DUE, parent=piece)
    assignments.transition(w.controller, parent, "cancel", "Dropped.")
    assert (piece.state, left_open.state) == ("accepted", "cancelled")
    assert _events(piece) == []


def test_the_roll_up_still_leaves_a_closed_parent_alone(w):
    # Data from before the rule: open delegated work under a cancelled assignment.
    parent = make_assignment(make_task(w.act), w.sa, state="cancelled", due_on=DUE)
    sub = make_assignment(parent.task, w.sa1, state="in_progress", due_on=DUE, parent=parent)
    assignments.update(w.exec_sa1, sub, progress=50)
    assert parent.progress == 0


# -- reopening -------------------------------------------------------------------------------------------

def test_reopening_does_not_bring_back_the_closed_delegated_work(w):
    d = _delegated_work(w)
    _accept_through_the_report(w, d.parent)
    assignments.transition(w.controller, d.parent, "reopen", "The portal went offline again.")
    assert d.parent.state == "in_progress"
    assert [s.state for s in d.open_subs] == ["cancelled"] * 4
    # The head gives the remaining work out again, with a fresh personal due date.
    again = assignments.delegate(w.head_sa, d.parent, organization=w.sa1, responsible=w.exec_sa1,
                                 due_on=date(2026, 6, 25))
    assert again.state == "assigned"


def test_delegated_work_is_not_reopened_under_a_closed_assignment(w):
    d = _delegated_work(w)
    _accept_through_the_report(w, d.parent)
    with pytest.raises(IllegalTransition) as exc:
        assignments.transition(w.head_sa, d.accepted, "reopen", "One more centre to open.")
    assert exc.value.message == ("The assignment this work was delegated from is accepted, so this one cannot "
                                 "be reopened.")
    assert d.accepted.state == "accepted"
    # Once the organization's assignment is open again, so may its pieces be.
    assignments.transition(w.controller, d.parent, "reopen", "The portal went offline again.")
    assignments.transition(w.head_sa, d.accepted, "reopen", "One more centre to open.")
    assert d.accepted.state == "in_progress"


# -- what the sub-unit sees, and what the analysis counts ---------------------------------------------

def test_the_sub_units_work_lists_no_longer_hold_the_closed_work(w):
    d = _delegated_work(w)
    open_work = queries.open_work_heads(w.exec_sa1, today=TODAY)
    assert [a.id for a in open_work.overdue.items] == [d.assigned.id]
    assert [a.id for a in open_work.due_soon.items] == [d.nested.id, d.working.id]

    _accept_through_the_report(w, d.parent)

    open_work = queries.open_work_heads(w.exec_sa1, today=TODAY)
    assert (open_work.overdue.total, open_work.due_soon.total) == (0, 0)
    counts = queries.state_counts(w.exec_sa1, today=TODAY)
    assert counts["overdue"] == 0 and sum(counts[s] for s in OPEN_STATES) == 0
    page = queries.assignment_page(w.exec_sa1, today=TODAY, state=list(OPEN_STATES))
    assert page.total == 0
    # The ministry's delegated work is still open on its own people's lists.
    assert [a.id for a in queries.open_work_heads(w.head_mt, today=TODAY).overdue.items] == [d.other_sub.id]


def test_the_closing_shows_in_both_timelines_to_the_body_only(w):
    d = _delegated_work(w)
    _accept_through_the_report(w, d.parent)
    for who, assignment in ((w.exec_sa1, d.assigned), (w.head_sa, d.parent)):
        closing = [e for e in work.timeline(who, assignment)
                   if e.object_id == d.assigned.id and e.action == "assignment.cancel"]
        assert len(closing) == 1
    assert work.timeline(w.head_mt, d.assigned) == []


def test_the_analysis_counts_the_organizations_assignment_only(w, dialect):
    d = _delegated_work(w)
    _accept_through_the_report(w, d.parent)
    db.session.flush()
    assert facts.differences(db.session.connection()) == []
    f = Filters(date_from=date(2026, 1, 1), date_to=date(2026, 12, 31), today=TODAY, timezone="Asia/Baku",
                dialect=dialect, act_id=w.act.id)
    rows = {r["key"]: r for r in figures.compute(db.session, f, "organization")}
    assert w.sa1.id not in rows and w.mt1.id not in rows
    assert (rows[w.sa.id]["assigned"], rows[w.sa.id]["accepted"], rows[w.sa.id]["overdue"]) == (1, 1, 0)
