"""``flask demo load``: everything the demonstration promises, into an empty database only."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from monitoris import clock as clock_module
from monitoris import demo, permissions, queries
from monitoris.extensions import db
from monitoris.models import STATES, Act, Assignment, Event, Organization, Task, User
from monitoris.services import audit, auth

FEATURED = {
    # email -> (roles, organization short name)
    "admin@monitoris.example": ({"admin"}, "CD"),
    "controller@monitoris.example": ({"controller"}, "CD"),
    "observer@monitoris.example": ({"observer"}, "CD"),
    "head.sa@monitoris.example": ({"org_head"}, "SA"),
    "executor.sa@monitoris.example": ({"executor"}, "SA"),
    "head.mt@monitoris.example": ({"org_head"}, "MT"),
    "executor.mt@monitoris.example": ({"executor"}, "MT"),
}


# One load costs about a second, so each test checks a whole area of the promise.
@pytest.fixture
def loaded(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result


def _user(email):
    return db.session.scalar(sa.select(User).where(User.email == email))


def _org(short):
    return db.session.scalar(sa.select(Organization).where(Organization.short_name == short))


def test_every_featured_account_logs_in_with_the_demo_password(app, loaded, browser):
    for email, (roles, short) in FEATURED.items():
        user = auth.authenticate(email, "monitoris-demo")
        assert (user.roles, user.organization.short_name) == (roles, short), email
    browser.login("executor.sa@monitoris.example", "monitoris-demo")
    assert browser.get("/").status_code == 200
    assert "Demo data loaded" in loaded.output
    result = app.test_cli_runner().invoke(args=["demo", "accounts"])
    assert result.exit_code == 0
    assert result.output.startswith("Monitoris demo at http://127.0.0.1:5000 — every account's password is: "
                                    f"{demo.PASSWORD}")
    assert demo.PASSWORD == "monitoris-demo"
    for email in FEATURED:
        assert email in result.output


def test_a_national_action_plan_its_bodies_and_work_in_every_state(loaded):
    _check_plan()
    _check_bodies()
    _check_work()
    report = audit.verify_chain()
    assert report.ok and report.checked > 50


def _check_plan():
    plan = db.session.scalar(sa.select(Act).where(Act.kind == "action_plan"))
    assert plan.state == "active"
    tasks = queries.task_tree(plan)
    sections = [t for t in tasks if t.children]
    measures = [t for t in tasks if not t.children]
    assert len([s for s in sections if s.parent is None]) >= 4
    assert len(measures) >= 15
    numbers = {t.number for t in measures}
    assert {"1.1", "2.3", "4.1.1"} <= numbers
    assert [t.number for t in tasks] == sorted((t.number for t in tasks),
                                               key=lambda n: [int(p) for p in n.split(".")])
    for m in measures:
        assert m.title and m.indicator, m.number
        assert m.period_label, m.number
    labels = {m.period_label for m in measures}
    year = clock_module.today().year
    assert f"{year}-{year + 2}" in labels
    assert "Regular" in labels


def _check_bodies():
    orgs = db.session.scalars(sa.select(Organization)).all()
    assert any(o.kind == "control" for o in orgs)
    executive = [o for o in orgs if o.kind != "control"]
    assert len(executive) >= 8
    assert {"central", "local"} <= {o.kind for o in executive}
    assert _org("SA") is not None and _org("MT") is not None


def _check_work():
    today = clock_module.today()
    work = db.session.scalars(sa.select(Assignment)).unique().all()
    assert {a.state for a in work} == set(STATES)
    assert any(a.is_overdue(today) for a in work)
    assert any(a.state in ("assigned", "in_progress", "submitted") and today <= a.due_on <= today + timedelta(7)
               for a in work)
    delegated = [a for a in work if a.is_delegated]
    assert delegated and delegated[0].parent.organization.short_name == "SA"
    for short in ("SA", "MT"):
        own = [a for a in work if a.organization.short_name == short and a.parent_id is None]
        assert len(own) >= 3, short
    # The history is real: accepted work went through submission.
    accepted = [a for a in work if a.state == "accepted"]
    assert all(a.submitted_at and a.accepted_at and a.submitted_at <= a.accepted_at for a in accepted)
    assert any(a.submitted_at.astimezone(clock_module.zone()).date() > a.due_on for a in accepted)  # a late one


def test_executor_of_sa_sees_nothing_of_mt(loaded):
    today = clock_module.today()
    executor = _user("executor.sa@monitoris.example")
    mt = _org("MT")
    mt_ids = {o.id for o in db.session.scalars(sa.select(Organization).where(Organization.path.startswith(mt.path)))}
    mt_work = db.session.scalars(sa.select(Assignment).where(Assignment.organization_id.in_(mt_ids))).unique().all()
    assert len(mt_work) >= 3
    assert not any(permissions.can_view_assignment(executor, a) for a in mt_work)
    visible = db.session.scalars(queries.assignments(executor, today=today)).unique().all()
    assert visible and {a.organization.short_name for a in visible} <= {"SA", "SA-ASAN1"}
    for a in mt_work:
        found = db.session.scalars(queries.assignments(executor, today=today, q=a.task.title)).unique().all()
        assert not any(v.organization_id in mt_ids for v in found), a.task.title
    assert db.session.scalars(queries.assignments(executor, today=today, q="MT")).unique().all() == []
    events = db.session.scalars(permissions.scope_events(executor, sa.select(Event))).unique().all()
    assert events and not any(e.organization_id in mt_ids for e in events)


def test_demo_goes_only_into_an_empty_database(app, clock):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert _user("admin@monitoris.example") is not None
    assert app.extensions["monitoris.clock"] is clock  # the history was written on a borrowed clock
    tasks_before = db.session.scalar(sa.select(sa.func.count()).select_from(Task))

    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "The database is not empty" in result.output
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0
    assert "demo data not loaded" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == tasks_before
