"""The task page and its forms: tasks, stages (control points) and evidence requirements."""

from datetime import date

from monitoris.extensions import db
from monitoris.models import EvidenceRequirement, Stage, Task
from tests.factories import make_assignment, make_report, make_task
from tests.web.conftest import text


def test_task_page_shows_assignments_stages_and_requirements(login, w):
    task = make_task(w.act, "3", title="Train civil servants", indicator="Number trained")
    mine = make_assignment(task, w.sa)
    theirs = make_assignment(task, w.mt)
    db.session.add(Stage(task=task, title="Curriculum approved", due_on=date(2026, 6, 1)))
    db.session.add(EvidenceRequirement(task=task, text="Attendance lists", position=1))
    db.session.flush()

    html = text(login(w.exec_sa).get(f"/tasks/{task.id}"))
    assert "Train civil servants" in html and "Number trained" in html
    assert "Curriculum approved" in html and "Attendance lists" in html
    assert f"/assignments/{mine.id}\"" in html and f"/assignments/{theirs.id}\"" not in html
    assert "Add control point" not in html  # executors read, controllers edit


def test_task_form_with_bad_input_keeps_what_was_typed(login, w):
    b = login(w.controller)
    response = b.post(f"/acts/{w.act.id}/tasks/new", data={
        "number": "4.x", "title": "Publish the plan", "indicator": "Plan published", "recurrence": "none",
        "priority": "high", "controller_id": str(w.controller.id)})
    assert response.status_code == 422
    html = text(response)
    assert "Write the number as digits separated by dots" in html
    assert 'value="4.x"' in html and "Publish the plan" in html and "Plan published" in html

    response = b.post(f"/acts/{w.act.id}/tasks/new", data={
        "number": "9.1", "title": "Orphan measure", "recurrence": "none", "priority": "normal"})
    assert response.status_code == 422
    assert "Create 9 first." in text(response)


def test_controller_adds_a_task_and_edits_it(login, w):
    b = login(w.controller)
    response = b.post(f"/acts/{w.act.id}/tasks/new", data={
        "number": "5", "title": "Open data", "recurrence": "annual", "priority": "normal",
        "period_start": "2026-01-01", "period_end": "2028-12-31", "published": "y"})
    assert response.status_code == 302
    task = db.session.scalar(db.select(Task).where(Task.act_id == w.act.id, Task.number == "5"))
    assert task.published and task.period_label == "2026-2028, regular"

    response = b.post(f"/tasks/{task.id}/edit", data={"number": "5", "title": "Open data portal",
                                                      "recurrence": "none", "priority": "high"})
    assert response.status_code == 302
    db.session.refresh(task)
    assert task.title == "Open data portal" and task.priority == "high" and not task.published


def test_stages_and_requirements_are_edited_by_the_controller(login, w):
    task = make_task(w.act, "6")
    b = login(w.controller)
    response = b.post(f"/tasks/{task.id}/stages", data={"title": "", "due_on": "2026-09-01"})
    assert response.status_code == 422
    assert "A title is required." in text(response) and 'value="2026-09-01"' in text(response)

    assert b.post(f"/tasks/{task.id}/stages", data={"title": "Law adopted", "due_on": "2026-09-01"}).status_code == 302
    stage = db.session.scalar(db.select(Stage).where(Stage.task_id == task.id))
    assert b.post(f"/stages/{stage.id}/edit", data={"title": "Law adopted", "due_on": "2026-09-01",
                                                    "done_on": "2026-06-10"}).status_code == 302
    db.session.refresh(stage)
    assert stage.done_on == date(2026, 6, 10)

    assert b.post(f"/tasks/{task.id}/requirements", data={"text": "The law as published",
                                                          "document_kinds": "pdf"}).status_code == 302
    requirement = db.session.scalar(db.select(EvidenceRequirement).where(EvidenceRequirement.task_id == task.id))
    html = text(b.get(f"/tasks/{task.id}"))
    assert "The law as published" in html and "10 Jun 2026" in html

    assert b.post(f"/requirements/{requirement.id}/remove").status_code == 302
    assert b.post(f"/stages/{stage.id}/remove").status_code == 302
    assert db.session.get(Stage, stage.id) is None
    assert db.session.get(EvidenceRequirement, requirement.id) is None


def test_executors_cannot_change_a_task(login, w):
    task = make_task(w.act, "7")
    stage = Stage(task=task, title="Kick-off")
    db.session.add(stage)
    db.session.flush()
    b = login(w.exec_sa)
    assert b.get(f"/tasks/{task.id}/edit").status_code == 403
    assert b.post(f"/tasks/{task.id}/stages", data={"title": "Mine"}).status_code == 403
    assert b.post(f"/stages/{stage.id}/remove").status_code == 403
    assert b.get(f"/tasks/{task.id}/assign").status_code == 403


def test_tasks_of_a_draft_act_are_not_found_for_executive_bodies(login, w):
    w.act.state = "draft"
    task = make_task(w.act, "1")
    db.session.flush()
    assert login(w.exec_sa).get(f"/tasks/{task.id}").status_code == 404


def test_the_edit_form_keeps_the_periods_once_reports_were_filed_and_says_why(login, w):
    task = make_task(w.act, "8", recurrence="quarterly", period_start=date(2026, 1, 1))
    make_report(make_assignment(task, w.sa, state="in_progress", due_on=date(2026, 12, 31)), period="2026-Q1",
                period_due_on=date(2026, 3, 31), final=False)
    response = login(w.controller).post(f"/tasks/{task.id}/edit", data={
        "number": "8", "title": "Publish the statistics", "recurrence": "annual", "priority": "normal",
        "period_start": "2026-01-01"})
    assert response.status_code == 422
    assert "Reports were written for this task&#39;s reporting periods: they can no longer change." in text(response)
    assert "Publish the statistics" in text(response)  # what was typed is not lost
    db.session.refresh(task)
    assert task.recurrence == "quarterly"
