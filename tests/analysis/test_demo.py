"""The demonstration: the controller sees SA and MT with different grades, and SA's overdue figure
opens exactly SA's overdue work."""

import re

import sqlalchemy as sa

from monitoris import clock, demo
from monitoris.analysis import tables
from monitoris.extensions import db
from monitoris.models import Assignment, Organization, User
from tests.conftest import Browser


def _get(model, **where):
    return db.session.scalar(sa.select(model).filter_by(**where))


def test_the_controller_sees_sa_and_mt_graded_differently_and_sas_overdue_list(app):
    demo.load()
    db.session.flush()
    controller = _get(User, email="controller@monitoris.example")
    sa_org = _get(Organization, short_name="SA")
    rows = {r["name"]: r for r in tables.organizations(controller, tables.make_filters(controller, scoped=False))}
    assert (rows["SA"]["grade"], rows["MT"]["grade"]) == ("satisfactory", "unsatisfactory")

    browser = Browser(app.test_client())
    browser.login("controller@monitoris.example", password=demo.PASSWORD)
    html = browser.get("/analysis").get_data(as_text=True)
    row = re.search(rf'<tr data-organization-id="{sa_org.id}".*?</tr>', html, re.S).group(0)
    assert "grade-satisfactory" in row
    link = re.search(r'<a href="([^"]+)" data-figure="overdue">(\d+)</a>', row)
    listing = browser.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    listed = sorted(int(i) for i in re.findall(r'<tr data-assignment-id="(\d+)"', listing))
    today = clock.today()
    own = db.session.scalars(sa.select(Assignment).where(Assignment.organization_id == sa_org.id,
                                                         Assignment.parent_id.is_(None))).all()
    overdue = sorted(a.id for a in own if a.is_overdue(today) and a.due_on.year == today.year)
    assert int(link.group(2)) == len(listed) == rows["SA"]["overdue"] > 0 and listed == overdue
