"""Assignment pages: scoping (404, lists, search), the timeline, transitions, editing, delegation."""

import re
from datetime import date

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Assignment, Stage
from monitoris.services import assignments as service
from tests.factories import days, make_assignment, make_task
from tests.web.conftest import text

TODAY = date(2026, 6, 15)


def _row_ids(html, list_id="assignments-list"):
    section = html.split(f'id="{list_id}"', 1)[1].split("</table>", 1)[0]
    return [int(i) for i in re.findall(r'data-assignment-id="(\d+)"', section)]


# -- who sees what ------------------------------------------------------------------------------

def test_another_bodys_assignment_is_not_found_and_never_shown(login, w):
    secret = make_assignment(make_task(w.act, title="Ministry confidential measure"), w.mt,
                             due_on=TODAY - days(1), note="ministry internal note")
    mine = make_assignment(make_task(w.act, title="Agency measure"), w.sa)
    b = login(w.exec_sa)

    response = b.get(f"/assignments/{secret.id}")
    assert response.status_code == 404
    assert "Ministry confidential measure" not in text(response) and "ministry internal note" not in text(response)
    for url in (f"/assignments/{secret.id}/edit", f"/assignments/{secret.id}/delegate"):
        assert b.get(url).status_code == 404
    assert b.post(f"/assignments/{secret.id}/transition", data={"action": "start"}).status_code == 404

    for url in ("/assignments", "/assignments?q=confidential", "/assignments?q=" + w.mt.short_name,
                f"/assignments?organization_id={w.mt.id}", "/assignments?overdue=yes", "/"):
        html = text(b.get(url))
        assert "Ministry confidential measure" not in html, url
        assert f"/assignments/{secret.id}\"" not in html, url
    assert _row_ids(text(b.get("/assignments"))) == [mine.id]


def test_sub_unit_people_see_their_sub_assignment_but_not_the_parent(login, w):
    parent = make_assignment(make_task(w.act), w.sa, state="in_progress")
    sub = service.delegate(w.head_sa, parent, organization=w.sa1, responsible=w.exec_sa1, due_on=date(2026, 6, 25))
    b = login(w.exec_sa1)
    assert b.get(f"/assignments/{sub.id}").status_code == 200
    assert b.get(f"/assignments/{parent.id}").status_code == 404


def test_observer_reads_everything_but_has_no_buttons(login, w):
    a = make_assignment(make_task(w.act), w.mt, state="submitted")
    html = text(login(w.observer).get(f"/assignments/{a.id}"))
    assert 'name="action"' not in html and "Edit</a>" not in html


# -- the list --------------------------------------------------------------------------------------

def test_list_filters_and_paginates(login, w):
    other_act_task = make_task(title="Elsewhere")
    for i in range(27):
        make_assignment(make_task(w.act, title=f"Measure number {i}"), w.sa if i % 2 else w.mt,
                        due_on=TODAY + days(i - 5), state="in_progress" if i % 3 == 0 else "assigned")
    make_assignment(other_act_task, w.sa)
    b = login(w.controller)

    first = text(b.get("/assignments"))
    assert "28 assignments" in first and "Page 1 of 2" in first and len(_row_ids(first)) == 25
    second = text(b.get("/assignments?page=2"))
    assert len(_row_ids(second)) == 3

    overdue = text(b.get("/assignments?overdue=yes"))
    assert len(_row_ids(overdue)) == 5 and "5 assignments" in overdue
    assert len(_row_ids(text(b.get(f"/assignments?act_id={w.act.id}&state=in_progress")))) == 9
    assert len(_row_ids(text(b.get(f"/assignments?organization_id={w.sa.id}")))) == 14
    searched = text(b.get("/assignments?q=number 2"))
    assert "Measure number 2<" in searched and "Measure number 3<" not in searched
    assert 'value="number 2"' in searched  # the filter form keeps the search


def test_list_survives_nonsense_filters(login, w):
    b = login(w.controller)
    assert b.get("/assignments?organization_id=abc&act_id=&state=bogus&overdue=maybe&page=x").status_code == 200


# -- the assignment page and its timeline ----------------------------------------------------------

def test_timeline_shows_events_in_order_readably_in_local_time(login, w, clock):
    a = make_assignment(make_task(w.act, title="Portal launch"), w.sa, due_on=date(2026, 6, 30))
    service.transition(w.exec_sa, a, "start")
    clock.advance(hours=2)
    service.update(w.exec_sa, a, progress=40)
    clock.advance(days=1)
    service.transition(w.exec_sa, a, "submit")
    clock.advance(hours=1)
    service.transition(w.controller, a, "return", "Attach the statistics by region.")
    db.session.flush()

    html = text(login(w.controller).get(f"/assignments/{a.id}"))
    timeline = html.split('id="assignment-timeline"', 1)[1].split("</ol>", 1)[0]
    labels = re.findall(r'<strong class="event-label">([^<]+)</strong>', timeline)
    assert labels == ["Started work", "Changed", "Submitted", "Returned for revision"]
    # 05:00 UTC is 09:00 in Baku, the configured zone.
    assert "15 Jun 2026, 09:00" in timeline and "16 Jun 2026, 12:00" in timeline
    assert w.exec_sa.name in timeline and w.controller.name in timeline
    assert "Assigned</span> <span aria-label=\"changed to\">→</span> <span class=\"new\">In progress" in timeline
    assert "40%" in timeline
    assert "Attach the statistics by region." in timeline
    assert 'data-event-id="' in timeline


def test_timeline_includes_the_sub_assignments(login, w):
    parent = make_assignment(make_task(w.act), w.sa, state="in_progress")
    sub = service.delegate(w.head_sa, parent, organization=w.sa1, responsible=w.exec_sa1, due_on=date(2026, 6, 25))
    service.transition(w.exec_sa1, sub, "start")
    db.session.flush()
    html = text(login(w.head_sa).get(f"/assignments/{parent.id}"))
    timeline = html.split('id="assignment-timeline"', 1)[1].split("</ol>", 1)[0]
    assert "Delegated" in timeline and "Started work" in timeline
    assert f"sub-assignment · {w.sa1.short_name}" in timeline
    assert w.exec_sa1.name in timeline


# -- transitions ------------------------------------------------------------------------------------

def test_a_transition_button_works(login, w):
    a = make_assignment(make_task(w.act), w.sa)
    b = login(w.exec_sa)
    html = text(b.get(f"/assignments/{a.id}"))
    assert 'name="action" value="start"' in html
    assert 'value="accept"' not in html  # executors do not accept their own work

    response = b.post(f"/assignments/{a.id}/transition", data={"action": "start", "comment": ""})
    assert response.status_code == 302
    db.session.refresh(a)
    assert a.state == "in_progress"
    html = text(b.get(response.headers["Location"]))
    assert "The assignment is now in progress." in html and "Started work" in html


def test_an_illegal_transition_gives_the_message(login, w):
    a = make_assignment(make_task(w.act), w.sa)
    response = login(w.controller).post(f"/assignments/{a.id}/transition", data={"action": "accept"})
    assert response.status_code == 409
    assert "You cannot accept an assignment that is assigned." in text(response)
    db.session.refresh(a)
    assert a.state == "assigned"


def test_a_return_needs_a_comment(login, w):
    a = make_assignment(make_task(w.act), w.sa, state="submitted")
    b = login(w.controller)
    response = b.post(f"/assignments/{a.id}/transition", data={"action": "return", "comment": "  "})
    assert response.status_code == 422
    assert "A comment is required to return." in text(response)
    response = b.post(f"/assignments/{a.id}/transition", data={"action": "return", "comment": "Add the lists."})
    assert response.status_code == 302
    db.session.refresh(a)
    assert a.state == "in_progress"


def test_a_transition_the_person_may_not_do_is_refused(login, w):
    a = make_assignment(make_task(w.act), w.sa, state="submitted")
    response = login(w.exec_sa).post(f"/assignments/{a.id}/transition", data={"action": "accept"})
    assert response.status_code == 403
    db.session.refresh(a)
    assert a.state == "submitted"


def test_a_transition_without_the_csrf_token_is_refused(login, w):
    a = make_assignment(make_task(w.act), w.sa)
    b = login(w.exec_sa)
    response = b.client.post(f"/assignments/{a.id}/transition", data={"action": "start"})
    assert response.status_code == 400
    db.session.refresh(a)
    assert a.state == "assigned"


# -- assigning, editing, delegating -----------------------------------------------------------------

def test_controller_assigns_a_task(login, w):
    task = make_task(w.act, "8", due_on=date(2026, 9, 1))
    b = login(w.controller)
    assert 'value="2026-09-01"' in text(b.get(f"/tasks/{task.id}/assign"))
    response = b.post(f"/tasks/{task.id}/assign", data={"organization_id": str(w.sa.id), "role": "lead",
                                                        "due_on": "2026-09-01", "responsible_id": str(w.exec_sa.id)})
    assert response.status_code == 302
    a = db.session.scalar(sa.select(Assignment).where(Assignment.task_id == task.id))
    assert a.organization_id == w.sa.id and a.responsible_id == w.exec_sa.id

    response = b.post(f"/tasks/{task.id}/assign", data={"organization_id": str(w.sa.id), "role": "co_executor",
                                                        "due_on": "2026-09-02", "note": "second try"})
    assert response.status_code == 422
    html = text(response)
    assert f"{w.sa.short_name} already has this task." in html
    assert 'value="2026-09-02"' in html and "second try" in html

    response = b.post(f"/tasks/{task.id}/assign", data={"organization_id": str(w.mt.id), "role": "lead",
                                                        "due_on": "2026-09-01", "responsible_id": str(w.exec_sa.id)})
    assert response.status_code == 422
    assert "The responsible person must work in" in text(response)


def test_executor_edits_only_the_progress(login, w):
    a = make_assignment(make_task(w.act), w.sa, state="in_progress")
    b = login(w.exec_sa)
    html = text(b.get(f"/assignments/{a.id}/edit"))
    assert 'name="progress"' in html and 'name="due_on"' not in html and 'name="role"' not in html

    response = b.post(f"/assignments/{a.id}/edit", data={"progress": "150"})
    assert response.status_code == 422
    assert "A whole number from 0 to 100." in text(response) and 'value="150"' in text(response)
    response = b.post(f"/assignments/{a.id}/edit", data={"progress": "half"})
    assert response.status_code == 422
    assert re.findall(r'<p class="error" id="progress-err">([^<]+)</p>', text(response)) == [
        "Not a valid integer value."]

    response = b.post(f"/assignments/{a.id}/edit", data={"progress": "55", "due_on": "2030-01-01"})
    assert response.status_code == 302
    db.session.refresh(a)
    assert a.progress == 55 and a.due_on == date(2026, 7, 1)  # a field not offered is ignored


def test_controller_moves_the_due_date(login, w):
    a = make_assignment(make_task(w.act), w.sa, state="in_progress")
    b = login(w.controller)
    html = text(b.get(f"/assignments/{a.id}/edit"))
    assert 'name="due_on"' in html and 'name="progress"' not in html
    response = b.post(f"/assignments/{a.id}/edit", data={"due_on": "2026-08-01", "role": "lead",
                                                         "responsible_id": "", "note": "Extended by decision 5"})
    assert response.status_code == 302
    db.session.refresh(a)
    assert a.due_on == date(2026, 8, 1) and a.original_due_on == date(2026, 7, 1)
    assert "originally 01 Jul 2026" in text(b.get(f"/assignments/{a.id}"))


def test_org_head_delegates_within_the_due_date(login, w):
    a = make_assignment(make_task(w.act), w.sa, state="in_progress", due_on=date(2026, 7, 1))
    b = login(w.head_sa)
    assert "Delegate</a>" in text(b.get(f"/assignments/{a.id}"))
    response = b.post(f"/assignments/{a.id}/delegate", data={
        "organization_id": str(w.sa1.id), "responsible_id": str(w.exec_sa1.id), "due_on": "2026-07-10",
        "note": "Weekly reports please"})
    assert response.status_code == 422
    html = text(response)
    assert "cannot be later than the assignment" in html and "Weekly reports please" in html

    response = b.post(f"/assignments/{a.id}/delegate", data={
        "organization_id": str(w.sa1.id), "responsible_id": str(w.exec_sa1.id), "due_on": "2026-06-25"})
    assert response.status_code == 302
    html = text(b.get(f"/assignments/{a.id}"))
    assert 'id="sub-assignments"' in html and w.sa1.short_name in html


def test_executors_cannot_delegate(login, w):
    a = make_assignment(make_task(w.act), w.sa, state="in_progress")
    assert login(w.exec_sa).get(f"/assignments/{a.id}/delegate").status_code == 403


# -- stages -------------------------------------------------------------------------------------

def test_an_overdue_stage_says_so_in_words_not_only_in_colour(login, w):
    task = make_task(w.act, title="Launch the portal")
    late = Stage(task=task, title="Portal service launched in test", due_on=TODAY - days(2))
    done_late = Stage(task=task, title="Requirements agreed", due_on=TODAY - days(9), done_on=TODAY - days(8))
    ahead = Stage(task=task, title="Portal open to the public", due_on=TODAY + days(20))
    db.session.add_all([late, done_late, ahead])
    db.session.flush()
    a = make_assignment(task, w.sa, state="in_progress")

    html = text(login(w.exec_sa).get(f"/assignments/{a.id}"))
    stages = {title: item for item, title in re.findall(
        r'(<li class="[^"]*">\s*<span class="dot"[^>]*></span><span class="stage-title">([^<]+)</span>.*?</li>)',
        html, re.S)}
    assert 'class="is-overdue"' in stages[late.title]
    assert '<small class="due-text is-overdue">overdue</small>' in stages[late.title]
    assert "overdue" not in stages[done_late.title] and "overdue" not in stages[ahead.title]
    # The same word as the task page gives the same stage.
    assert '<small class="due-text is-overdue">overdue</small>' in text(login(w.controller).get(f"/tasks/{task.id}"))
