"""The stored items of the analysis follow every change of what they are made from, in the same transaction."""

from datetime import date

import pytest
import sqlalchemy as sa

from monitoris.analysis import facts
from monitoris.extensions import db
from monitoris.models import AnalysisItem, Assignment
from monitoris.services import assignments, extensions, reports
from tests.analysis.dataset import build_year
from tests.factories import make_assignment, make_task, make_world

pytestmark = pytest.mark.usefixtures("upload_folder")


def _items(assignment):
    rows = db.session.scalars(sa.select(AnalysisItem).where(AnalysisItem.assignment_id == assignment.id)
                              .order_by(AnalysisItem.period)).all()
    return [(r.period, r.due_on, r.accepted, r.accepted_on, r.reviews, r.returns, r.extension_requests,
             r.extensions_granted, r.days_added) for r in rows]


def _in_step():
    db.session.flush()
    return facts.differences(db.session.connection()) == []


@pytest.fixture
def w():
    return make_world()


def test_the_life_of_an_assignment_through_the_services(w, clock):
    task = make_task(w.act, "1.1", controller_id=w.controller.id)
    a = assignments.assign(w.controller, task, w.sa, due_on=date(2026, 7, 1))
    assert _items(a) == [("", date(2026, 7, 1), False, None, 0, 0, 0, 0, 0)]

    asked = extensions.request(w.exec_sa, a, proposed_due_on=date(2026, 7, 11), reason="The Cabinet meets later.")
    assert _items(a)[0][6:] == (1, 0, 0)
    extensions.decide(w.controller, asked, "approved")
    assert _items(a) == [("", date(2026, 7, 11), False, None, 0, 0, 1, 1, 10)]

    first = reports.create(w.exec_sa, a, text="Drafted.", progress=50)
    reports.submit(w.exec_sa, first)
    reports.review(w.controller, first, "return", "Attach the order.")
    second = reports.create(w.exec_sa, a)
    reports.submit(w.exec_sa, second)
    reports.review(w.controller, second, "accept")
    assert _items(a) == [("", date(2026, 7, 11), True, date(2026, 6, 15), 2, 1, 1, 1, 10)]
    assert _in_step()


def test_a_delegated_sub_assignment_and_a_cancelled_assignment_have_no_item(w):
    task = make_task(w.act, "1.2", controller_id=w.controller.id)
    a = make_assignment(task, w.sa, state="in_progress")
    sub = assignments.delegate(w.head_sa, a, organization=w.sa1)
    assert _items(sub) == [] and len(_items(a)) == 1
    assignments.transition(w.controller, a, "cancel", "The measure was dropped from the plan.")
    assert _items(a) == []
    assert _in_step()


def test_each_period_of_a_recurring_task_is_an_item_of_its_own():
    year = build_year()
    recurring = [r for r in db.session.scalars(sa.select(AnalysisItem).where(AnalysisItem.period != "")).all()
                 if r.organization_id == year.sa.id]
    assert sorted(r.period for r in recurring) == ["2025-Q4", "2026-H1", "2026-Q1"]
    assert _in_step()


def test_deleting_an_assignment_deletes_its_items(w):
    a = make_assignment(make_task(w.act, "1.3"), w.mt)
    assert len(_items(a)) == 1
    db.session.delete(a)
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalysisItem)
                             .where(AnalysisItem.assignment_id == a.id)) == 0


def test_a_change_around_the_orm_is_found_by_the_check_and_mended_by_rebuild(w):
    a = make_assignment(make_task(w.act, "1.4"), w.mt, state="in_progress")
    assert _in_step()
    # A bulk UPDATE goes around the flush: the stored item is now stale, and the check says so.
    db.session.execute(sa.update(Assignment).where(Assignment.id == a.id).values(due_on=date(2026, 12, 1)))
    wrong = facts.differences(db.session.connection())
    assert {where for where, _ in wrong} == {"computed, not stored", "stored, not computed"}
    assert all(row[0] == a.id for _, row in wrong)
    facts.rebuild(db.session.connection())
    assert facts.differences(db.session.connection()) == []
    assert _items(a)[0][1] == date(2026, 12, 1)


def test_the_cli_checks_and_rebuilds(app, w):
    a = make_assignment(make_task(w.act, "1.5"), w.mt, state="in_progress")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["analysis", "check"])
    assert result.exit_code == 0 and "OK" in result.output
    db.session.execute(sa.delete(AnalysisItem).where(AnalysisItem.assignment_id == a.id))
    result = runner.invoke(args=["analysis", "check"])
    assert result.exit_code == 1 and f"computed, not stored: ({a.id}, ''" in result.output
    result = runner.invoke(args=["analysis", "rebuild"])
    assert result.exit_code == 0 and "items written" in result.output
    assert runner.invoke(args=["analysis", "check"]).exit_code == 0
