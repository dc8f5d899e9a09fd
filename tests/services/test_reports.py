"""Execution reports: the life of a report with its versions, submission freezing it, the review."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from monitoris import periods
from monitoris.errors import Conflict, Forbidden, IllegalTransition, ValidationError
from monitoris.extensions import db
from monitoris.models import Assignment, Event, EvidenceRequirement, Notification, Report
from monitoris.services import assignments, documents, reports
from tests.factories import PDF_BYTES, make_assignment, make_document, make_report, make_task, make_world, office_bytes

pytestmark = pytest.mark.usefixtures("upload_folder")


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def a(w):
    task = make_task(w.act, "1.1", controller_id=w.controller.id)
    db.session.add(EvidenceRequirement(task=task, text="Copy of the adopted amendments"))
    db.session.flush()
    return make_assignment(task, w.sa, state="in_progress", responsible=w.exec_sa)


def test_the_whole_life_with_a_returned_version(w, a, clock):
    draft = reports.create(w.exec_sa, a, text="Amendments drafted.", progress=60)
    assert (draft.period, draft.version, draft.state, draft.final) == ("final", 1, "draft", True)
    make_document(draft, w.exec_sa, PDF_BYTES, "amendments.pdf")
    make_document(draft, w.exec_sa, office_bytes("xlsx"), "stats.xlsx")
    reports.submit(w.exec_sa, draft)
    assert (draft.state, a.state, a.progress) == ("submitted", "submitted", 60)
    assert draft.submitted_on == date(2026, 6, 15) and draft.on_time

    clock.advance(days=1)
    reports.review(w.controller, draft, "return", "Attach the publication in the gazette.")
    assert (draft.state, a.state) == ("returned", "in_progress")
    notes = db.session.scalars(sa.select(Notification).where(Notification.template == "assignment_returned")).all()
    assert {n.recipient_id for n in notes} == {w.exec_sa.id}
    assert notes[0].payload["comment"] == "Attach the publication in the gazette."

    second = reports.create(w.exec_sa, a)
    assert (second.version, second.previous_id, second.text) == (2, draft.id, "Amendments drafted.")
    assert [d.filename for d in second.documents] == ["amendments.pdf", "stats.xlsx"]  # carried forward
    reports.update(w.exec_sa, second, text="Amendments adopted and published.", progress=100)
    reports.submit(w.exec_sa, second)
    req = a.task.evidence_requirements[0]
    reports.review(w.controller, second, "accept", checked=[req.id])
    assert (second.state, a.state, a.progress) == ("accepted", "accepted", 100)
    assert draft.text == "Amendments drafted." and draft.state == "returned"  # the old version stays readable
    assert reports.versions(second) == [draft, second]

    actions = db.session.scalars(sa.select(Event.action).where(Event.organization_id == w.sa.id)
                                 .order_by(Event.id)).all()
    assert [x for x in actions if x.startswith(("report.", "assignment."))] == [
        "report.created", "assignment.updated", "report.submitted", "assignment.submit",
        "report.returned", "assignment.return", "report.created", "report.updated", "assignment.updated",
        "report.submitted", "assignment.submit", "report.accepted", "assignment.accept",
    ]


def test_a_submitted_report_and_its_documents_are_frozen(w, a):
    report = reports.create(w.exec_sa, a, text="Done.")
    doc = make_document(report, w.exec_sa)
    reports.submit(w.exec_sa, report)
    with pytest.raises(IllegalTransition):
        reports.update(w.exec_sa, report, text="Changed afterwards")
    with pytest.raises(IllegalTransition):
        make_document(report, w.exec_sa)
    with pytest.raises(Forbidden):
        documents.remove(w.exec_sa, doc)
    with pytest.raises(IllegalTransition):
        reports.submit(w.exec_sa, report)


def test_one_report_per_period_until_returned(w, a):
    reports.create(w.exec_sa, a, text="x")
    with pytest.raises(Conflict):
        reports.create(w.exec_sa, a)


def test_return_needs_a_comment_and_final_accept_needs_every_requirement(w, a):
    report = reports.create(w.exec_sa, a, text="Done.")
    reports.submit(w.exec_sa, report)
    with pytest.raises(ValidationError) as exc:
        reports.review(w.controller, report, "return", "  ")
    assert "comment" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        reports.review(w.controller, report, "accept", checked=[])
    assert "checked" in exc.value.errors
    assert report.state == "submitted"


@pytest.mark.parametrize("who", ["exec_sa", "head_sa", "observer", "exec_mt"])
def test_only_the_control_body_reviews(w, a, who):
    report = reports.create(w.exec_sa, a, text="Done.")
    reports.submit(w.exec_sa, report)
    with pytest.raises(Forbidden):
        reports.review(getattr(w, who), report, "return", "No.")


@pytest.mark.parametrize("who", ["controller", "observer", "exec_mt", "exec_sa1"])
def test_only_the_bodys_people_write_reports(w, a, who):
    with pytest.raises(Forbidden):
        reports.create(getattr(w, who), a, text="x")


def test_submitting_an_assigned_assignment_starts_it(w, a):
    a.state = "assigned"
    report = reports.create(w.head_sa, a, text="Done.")
    reports.submit(w.head_sa, report)
    assert a.state == "submitted"


def test_empty_report_cannot_be_submitted(w, a):
    report = reports.create(w.exec_sa, a)
    with pytest.raises(ValidationError):
        reports.submit(w.exec_sa, report)


def test_direct_transitions_are_refused_once_there_are_reports(w, a):
    reports.create(w.exec_sa, a, text="x")
    with pytest.raises(IllegalTransition):
        assignments.transition(w.exec_sa, a, "submit")


def test_accept_period_only_through_a_report(w, a):
    a.state = "submitted"
    with pytest.raises(IllegalTransition):
        assignments.transition(w.controller, a, "accept_period")


def test_a_recurring_task_has_one_report_per_period(w):
    task = make_task(w.act, "2.1", recurrence="quarterly", period_start=date(2026, 1, 1))
    a = make_assignment(task, w.sa, state="in_progress", due_on=date(2026, 12, 31),
                        created_at=datetime(2026, 1, 5, 6, tzinfo=UTC))  # given in January: Q1 is owed
    plan = periods.of(a)
    assert [(p.label, p.due_on, p.final) for p in plan] == [
        ("2026-Q1", date(2026, 3, 31), False), ("2026-Q2", date(2026, 6, 30), False),
        ("2026-Q3", date(2026, 9, 30), False), ("2026-Q4", date(2026, 12, 31), True)]
    q1 = reports.create(w.exec_sa, a, text="Q1 events held.")
    assert q1.period == "2026-Q1"
    reports.submit(w.exec_sa, q1)
    assert q1.on_time is False  # due 31 March, submitted 15 June
    reports.review(w.controller, q1, "accept")
    assert a.state == "in_progress"  # the work goes on: an earlier period's acceptance
    q2 = reports.create(w.exec_sa, a, text="Q2")
    assert (q2.period, q2.final) == ("2026-Q2", False)
    with pytest.raises(ValidationError):
        reports.create(w.exec_sa, a, period="2027-Q1")


def test_one_off_period_is_final_and_due_with_the_assignment():
    plan = periods.of(make_assignment(due_on=date(2026, 9, 1)))
    assert [(p.label, p.due_on, p.final) for p in plan] == [("final", date(2026, 9, 1), True)]


def test_returns_per_review_and_on_time_are_derivable_in_sql(w, a):
    report = reports.create(w.exec_sa, a, text="x")
    reports.submit(w.exec_sa, report)
    reports.review(w.controller, report, "return", "More.")
    second = reports.create(w.exec_sa, a)
    reports.submit(w.exec_sa, second)
    reports.review(w.controller, second, "accept", checked=[r.id for r in a.task.evidence_requirements])
    reviewed = Report.state.in_(("accepted", "returned"))
    row = db.session.execute(
        sa.select(sa.func.sum(sa.case((Report.state == "returned", 1), else_=0)),
                  sa.func.sum(sa.case((reviewed, 1), else_=0)),
                  sa.func.sum(sa.case((sa.and_(Report.state == "accepted", Report.submitted_on <= Assignment.due_on),
                                       1), else_=0)))
        .join(Assignment, Report.assignment_id == Assignment.id).where(Assignment.id == a.id)).one()
    assert tuple(row) == (1, 2, 1)


def _on(clock, day):
    """09:00 in Baku on ``day``."""
    clock.at = datetime(day.year, day.month, day.day, 5, tzinfo=UTC)


def test_a_reopened_assignment_is_reported_again_and_accepted_again(w, a, clock):
    a.due_on = a.original_due_on = date(2026, 3, 31)
    req = a.task.evidence_requirements[0]
    _on(clock, date(2026, 3, 1))
    first = reports.create(w.exec_sa, a, text="Amendments adopted.", progress=100)
    make_document(first, w.exec_sa, PDF_BYTES, "amendments.pdf")
    reports.submit(w.exec_sa, first)
    _on(clock, date(2026, 3, 2))
    reports.review(w.controller, first, "accept", checked=[req.id])
    _on(clock, date(2026, 3, 3))
    assignments.transition(w.controller, a, "reopen", "The amendments were never published.")
    assert a.state == "in_progress"
    assert reports.open_period(a).label == "final"

    second = reports.create(w.exec_sa, a)  # as after a return: the next version, from the accepted one
    assert (second.period, second.version, second.previous_id, second.final, second.state) == (
        "final", 2, first.id, True, "draft")
    assert second.text == "Amendments adopted." and [d.filename for d in second.documents] == ["amendments.pdf"]
    assert first.state == "accepted" and first.text == "Amendments adopted."  # the accepted version stays readable
    with pytest.raises(Conflict):  # one draft at a time
        reports.create(w.exec_sa, a, period="final")

    reports.update(w.exec_sa, second, text="Amendments adopted and published in the gazette.")
    _on(clock, date(2026, 3, 10))
    reports.submit(w.exec_sa, second)
    assert a.state == "submitted"
    reports.review(w.controller, second, "accept", checked=[req.id])
    assert (second.state, a.state) == ("accepted", "accepted")
    assert reports.versions(second) == [first, second]
    assert reports.open_period(a) is None
    with pytest.raises(Forbidden):  # accepted again: nothing more to write until the next reopen
        reports.create(w.exec_sa, a)


def test_reopening_a_recurring_assignment_reopens_its_final_period_only(w):
    task = make_task(w.act, "2.2", recurrence="quarterly", period_start=date(2026, 1, 1))
    a = make_assignment(task, w.sa, state="in_progress", due_on=date(2026, 6, 30),
                        created_at=datetime(2026, 1, 5, 6, tzinfo=UTC))
    q1 = reports.create(w.exec_sa, a, text="Q1 events held.")
    reports.submit(w.exec_sa, q1)
    reports.review(w.controller, q1, "accept")
    q2 = reports.create(w.exec_sa, a, text="Q2 events held.")
    assert (q2.period, q2.final) == ("2026-Q2", True)
    reports.submit(w.exec_sa, q2)
    reports.review(w.controller, q2, "accept")
    assert a.state == "accepted"
    assignments.transition(w.controller, a, "reopen", "The Q2 figures do not add up.")

    assert reports.open_period(a).label == "2026-Q2"
    with pytest.raises(Conflict):  # an earlier period's acceptance stands
        reports.create(w.exec_sa, a, period="2026-Q1")
    again = reports.create(w.exec_sa, a, text="Q2 events held; figures corrected.")
    assert (again.period, again.version, again.previous_id, again.final) == ("2026-Q2", 2, q2.id, True)
    reports.submit(w.exec_sa, again)
    reports.review(w.controller, again, "accept")
    assert a.state == "accepted" and q1.state == q2.state == "accepted"


def test_a_periods_state_is_that_of_its_newest_version_whatever_order_the_reports_come_in(w):
    task = make_task(w.act, "2.3", recurrence="quarterly", period_start=date(2026, 1, 1))
    a = make_assignment(task, w.sa, state="submitted", due_on=date(2026, 12, 31),
                        created_at=datetime(2026, 1, 5, 6, tzinfo=UTC))
    first = make_report(a, state="returned", period="2026-Q1", period_due_on=date(2026, 3, 31), final=False)
    second = make_report(a, state="submitted", period="2026-Q1", period_due_on=date(2026, 3, 31), final=False,
                         version=2, previous_id=first.id)
    for given in (None, [first, second], [second, first]):
        [q1, *_] = reports.period_states(a, date(2026, 6, 15), given)
        assert (q1.period.label, q1.report, q1.overdue) == ("2026-Q1", second, True)


def test_the_period_to_report_on_now_is_the_first_the_body_owes(w):
    """A plan's periods may start years before the work was given: the report form and My work start at the first
    period that ended on or after that day; the older ones can still be chosen."""
    task = make_task(w.act, "2.4", recurrence="annual", period_start=date(2016, 1, 1))
    a = make_assignment(task, w.sa, state="in_progress", due_on=date(2027, 12, 31),
                        created_at=datetime(2026, 3, 1, 6, tzinfo=UTC))
    assert reports.open_period(a).label == "2026"
    assert reports.create(w.exec_sa, a, text="This year's work.").period == "2026"
    assert reports.create(w.exec_sa, a, period="2016", text="An old year, reported all the same.").period == "2016"
