"""What the people of a sub-unit see once the organization's assignment they worked on is accepted or cancelled:
the delegated work leaves their open work, and its page says why it closed."""

import re
from datetime import date

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Assignment
from monitoris.services import assignments as service
from monitoris.services import reports
from tests.api.conftest import api  # noqa: F401 - the API client fixture
from tests.factories import make_assignment, make_task
from tests.web.conftest import text

TODAY = date(2026, 6, 15)


def _ids_in(html, list_id):
    section = html.split(f'id="{list_id}"', 1)[1].split("</table>", 1)[0]
    return [int(i) for i in re.findall(r'data-assignment-id="(\d+)"', section)]


def _timeline(html):
    return html.split('id="assignment-timeline"', 1)[1].split("</ol>", 1)[0]


def _reload(assignment):
    db.session.expire_all()
    return db.session.get(Assignment, assignment.id)


def _split(w):
    """SA's assignment with two pieces for SA-1 (one overdue, one due this week), and the ministry's, split once."""
    parent = make_assignment(make_task(w.act, title="Open service centres in every region"), w.sa,
                             state="in_progress", due_on=date(2026, 7, 1))
    late = service.delegate(w.head_sa, parent, organization=w.sa1, responsible=w.exec_sa1, due_on=date(2026, 6, 10))
    soon = service.delegate(w.head_sa, parent, organization=w.sa1, responsible=w.exec_sa1, due_on=date(2026, 6, 18))
    service.transition(w.exec_sa1, soon, "start")
    other = make_assignment(make_task(w.act), w.mt, state="in_progress", due_on=date(2026, 7, 1))
    other_sub = service.delegate(w.head_mt, other, organization=w.mt1, due_on=date(2026, 6, 10))
    db.session.flush()
    return parent, late, soon, other_sub


def test_accepted_on_the_assignment_page_the_delegated_work_leaves_the_sub_units_dashboard(login, w):
    parent, late, soon, other_sub = _split(w)
    worker = login(w.exec_sa1)
    html = text(worker.get("/"))
    assert _ids_in(html, "dashboard-overdue") == [late.id] and _ids_in(html, "dashboard-due-soon") == [soon.id]

    service.transition(w.exec_sa, parent, "submit")
    response = login(w.controller).post(f"/assignments/{parent.id}/transition", data={"action": "accept"})
    assert response.status_code == 302

    html = text(worker.get("/"))
    assert _ids_in(html, "dashboard-overdue") == [] and _ids_in(html, "dashboard-due-soon") == []
    assert re.search(r'data-count="overdue">0<', html) and re.search(r'data-count="cancelled">2<', html)
    assert late.id not in _ids_in(text(worker.get("/assignments?overdue=yes")), "assignments-list")
    assert _ids_in(text(worker.get("/assignments?state=in_progress")), "assignments-list") == []

    page = text(worker.get(f"/assignments/{late.id}"))
    assert 'data-state="cancelled"' in page
    timeline = _timeline(page)
    assert "Cancelled" in timeline and w.controller.name in timeline
    assert (f"Closed together with assignment #{parent.id}, which was accepted: the work delegated from it is over."
            in timeline)
    # Nothing left to do on it.
    assert 'name="action"' not in page

    # The ministry's delegated work is still on its people's dashboard.
    assert _ids_in(text(login(w.exec_mt).get("/")), "dashboard-overdue") == [other_sub.id]


def test_accepted_through_the_report_the_head_sees_the_closing_in_the_organizations_timeline(login, w):
    parent, late, soon, _other = _split(w)
    report = reports.create(w.exec_sa, parent, text="Every region has a service centre.")
    reports.submit(w.exec_sa, report)
    db.session.flush()
    response = login(w.controller).post(f"/reports/{report.id}/review", {"decision": "accept"})
    assert response.status_code == 302

    assert (_reload(late).state, _reload(soon).state) == ("cancelled", "cancelled")
    timeline = _timeline(text(login(w.head_sa).get(f"/assignments/{parent.id}")))
    assert timeline.count(f"sub-assignment · {w.sa1.short_name}") >= 2
    assert timeline.count(f"Closed together with assignment #{parent.id}") == 2


def test_cancelled_on_the_assignment_page_the_delegated_work_is_cancelled_too(login, w):
    parent, late, soon, other_sub = _split(w)
    response = login(w.controller).post(f"/assignments/{parent.id}/transition", data={
        "action": "cancel", "comment": "The measure was dropped from the plan."})
    assert response.status_code == 302

    worker = login(w.exec_sa1)
    assert _ids_in(text(worker.get("/")), "dashboard-overdue") == []
    page = text(worker.get(f"/assignments/{soon.id}"))
    assert 'data-state="cancelled"' in page
    assert f"Cancelled together with assignment #{parent.id}." in _timeline(page)
    assert db.session.scalar(sa.select(Assignment.state).where(Assignment.id == other_sub.id)) == "assigned"


def test_a_piece_accepted_before_cannot_be_reopened_while_the_organizations_work_is_accepted(login, w):
    parent, late, soon, _other = _split(w)
    service.transition(w.exec_sa1, soon, "submit")
    service.transition(w.head_sa, soon, "accept")
    service.transition(w.exec_sa, parent, "submit")
    service.transition(w.controller, parent, "accept")
    db.session.flush()
    response = login(w.head_sa).post(f"/assignments/{soon.id}/transition", data={
        "action": "reopen", "comment": "One more centre."})
    assert response.status_code == 409
    assert ("The assignment this work was delegated from is accepted, so this one cannot be reopened."
            in text(response))
    assert _reload(soon).state == "accepted"


def test_no_reopen_is_offered_for_a_piece_whose_organizations_work_is_closed(login, w, api):  # noqa: F811
    parent, late, soon, _other = _split(w)
    service.transition(w.exec_sa1, soon, "submit")
    service.transition(w.head_sa, soon, "accept")
    head = login(w.head_sa)
    assert 'name="action" value="reopen"' in text(head.get(f"/assignments/{soon.id}"))  # while SA's work is open
    service.transition(w.exec_sa, parent, "submit")
    service.transition(w.controller, parent, "accept")
    db.session.flush()
    assert 'name="action" value="reopen"' not in text(head.get(f"/assignments/{soon.id}"))
    listed = api(w.head_sa).get(f"/api/v1/assignments?organization_id={w.sa1.id}").get_json()["items"]
    assert {a["id"]: a["allowed_actions"] for a in listed}[soon.id] == []
    assert api(w.head_sa).get(f"/api/v1/assignments/{soon.id}").get_json()["allowed_actions"] == []
