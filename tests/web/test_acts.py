"""Acts: the list, the act page with its task tree, and the act forms."""

import re
from datetime import date

from monitoris.extensions import db
from monitoris.models import Act
from tests.factories import days, make_act, make_assignment, make_task
from tests.web.conftest import text

TODAY = date(2026, 6, 15)


def test_act_page_shows_the_tree_in_number_order_with_overdue_highlighted(login, w):
    act = w.act
    period = {"period_start": date(2026, 1, 1), "period_end": date(2027, 12, 31)}
    tasks = {n: make_task(act, n, title=f"Event {n}", **period) for n in ("2", "1")}
    for number in ("1.10", "1.2", "1.1"):
        tasks[number] = make_task(act, number, parent=tasks["1"], title=f"Event {number}",
                                  indicator=f"Indicator {number}", **period)
    late = make_assignment(tasks["1.2"], w.sa, state="in_progress", due_on=TODAY - days(3))
    make_assignment(tasks["1.10"], w.mt, due_on=TODAY + days(10))

    html = text(login(w.controller).get(f"/acts/{act.id}"))
    positions = [html.index(f'data-number="{n}"') for n in ("1", "1.1", "1.2", "1.10", "2")]
    assert positions == sorted(positions)
    # "1" has measures under it: a section heading, not a row with bodies.
    section_row = html.split('data-number="1"', 1)[0].rsplit("<tr", 1)[1]
    assert 'class="section' in section_row
    row_12 = html.split('data-number="1.2"', 1)[0].rsplit("<tr", 1)[1]
    assert "is-overdue" in row_12
    row_110 = html.split('data-number="1.10"', 1)[0].rsplit("<tr", 1)[1]
    assert "is-overdue" not in row_110
    assert "3 days overdue" in html
    assert "Indicator 1.2" in html and "2026-2027" in html
    assert f'/assignments/{late.id}"' in html


def test_a_long_plan_is_shown_fifty_measures_at_a_time_with_their_bodies(login, w):
    chapters = [make_task(w.act, str(s), title=f"Chapter {s}") for s in (1, 2)]
    measures = []
    for i in range(1, 54):
        chapter = chapters[0] if i <= 30 else chapters[1]
        measures.append(make_task(w.act, f"{chapter.number}.{i}", parent=chapter, title=f"Measure {i}"))
    last = make_assignment(measures[-1], w.sa, state="in_progress", due_on=TODAY - days(2))
    controller = login(w.controller)

    first = text(controller.get(f"/acts/{w.act.id}"))
    rows = [int(i) for i in re.findall(r'<tr class="measure[^"]*" id="task-\d+" data-task-id="(\d+)"', first)]
    assert rows == [t.id for t in measures[:50]]
    assert "Measures 1–50 of 53" in first and f'href="/acts/{w.act.id}?page=2"' in first
    assert f'data-assignment-id="{last.id}"' not in first

    second = text(controller.get(f"/acts/{w.act.id}?page=2"))
    rows = [int(i) for i in re.findall(r'<tr class="measure[^"]*" id="task-\d+" data-task-id="(\d+)"', second)]
    assert rows == [t.id for t in measures[50:]]
    assert "Chapter 2" in second and "Chapter 1" not in second
    assert f'data-assignment-id="{last.id}"' in second and "Measures 51–53 of 53" in second
    assert "Measures 51–53 of 53" in text(controller.get(f"/acts/{w.act.id}?page=9"))  # past the end: the last


def test_executor_sees_only_their_bodies_in_the_tree(login, w):
    task = make_task(w.act, "1", title="Shared measure")
    mine = make_assignment(task, w.sa)
    theirs = make_assignment(task, w.mt)
    html = text(login(w.exec_sa).get(f"/acts/{w.act.id}"))
    assert f"/assignments/{mine.id}\"" in html
    assert f"/assignments/{theirs.id}\"" not in html
    assert w.mt.short_name not in html


def test_draft_acts_are_hidden_from_executive_bodies(login, w):
    draft = make_act(state="draft", title="Secret draft decree")
    b = login(w.exec_sa)
    assert b.get(f"/acts/{draft.id}").status_code == 404
    assert "Secret draft decree" not in text(b.get("/acts/"))
    assert "Secret draft decree" in text(login(w.controller).get("/acts/"))


def test_act_form_with_bad_input_keeps_what_was_typed(login, w):
    b = login(w.controller)
    response = b.post("/acts/new", data={"kind": "decree", "number": "77-XI", "title": "",
                                         "summary": "A long summary", "state": "draft"})
    assert response.status_code == 422
    html = text(response)
    assert "A title is required." in html
    assert 'value="77-XI"' in html and "A long summary" in html

    response = b.post("/acts/new", data={"kind": "decree", "number": "77-XI", "title": "Decree on archives",
                                         "signed_on": "2027-01-01", "state": "draft"})
    assert response.status_code == 422
    assert "The signing date cannot be in the future." in text(response)
    assert 'value="Decree on archives"' in text(response)


def test_controller_creates_and_edits_an_act(login, w):
    b = login(w.controller)
    response = b.post("/acts/new", data={"kind": "decree", "number": "12", "title": "Decree on archives",
                                         "signed_on": "2026-05-01", "state": "draft"})
    assert response.status_code == 302
    act = db.session.scalar(db.select(Act).where(Act.title == "Decree on archives"))
    assert response.headers["Location"].endswith(f"/acts/{act.id}")
    assert "has been created" in text(b.get(response.headers["Location"]))

    response = b.post(f"/acts/{act.id}/edit", data={"kind": "decree", "number": "12", "title": "Decree on archives",
                                                     "signed_on": "2026-05-01", "state": "active"})
    assert response.status_code == 302
    db.session.refresh(act)
    assert act.state == "active"


def test_executors_cannot_open_the_act_forms(login, w):
    b = login(w.exec_sa)
    assert b.get("/acts/new").status_code == 403
    assert b.post("/acts/new", data={"kind": "law", "title": "X", "state": "draft"}).status_code == 403
    assert b.get(f"/acts/{w.act.id}/edit").status_code == 403


def test_the_act_page_says_which_reminder_policy_the_act_follows(login, w):
    html = text(login(w.exec_sa).get(f"/acts/{w.act.id}"))
    assert ("Deadline reminders: 7,3,1,0,-1 days before the due date (negative: after it), then weekly while overdue. "
            "The installation's policy.") in " ".join(html.split())
    w.act.reminder_policy = "2,0"
    db.session.flush()
    html = text(login(w.exec_sa).get(f"/acts/{w.act.id}"))
    assert ("Deadline reminders: 2,0 days before the due date (negative: after it), then weekly while overdue. "
            "This act's own policy.") in " ".join(html.split())


def test_controller_sets_and_clears_the_acts_reminder_policy(login, w):
    b = login(w.controller)
    form = text(b.get(f"/acts/{w.act.id}/edit"))
    assert 'name="reminder_policy"' in form and "the installation's policy, 7,3,1,0,-1." in form
    data = {"kind": w.act.kind, "title": w.act.title, "state": "active", "reminder_policy": "7, 3, 0, -2"}
    response = b.post(f"/acts/{w.act.id}/edit", data=data)
    assert response.status_code == 302
    assert w.act.reminder_policy == "7,3,0,-2"
    assert 'value="7,3,0,-2"' in text(b.get(f"/acts/{w.act.id}/edit"))
    assert "This act's own policy." in text(b.get(f"/acts/{w.act.id}"))

    assert b.post(f"/acts/{w.act.id}/edit", data=data | {"reminder_policy": ""}).status_code == 302
    assert w.act.reminder_policy is None


def test_a_reminder_policy_in_another_format_is_refused_and_kept_as_typed(login, w):
    b = login(w.controller)
    response = b.post(f"/acts/{w.act.id}/edit", data={"kind": w.act.kind, "title": w.act.title, "state": "active",
                                                     "reminder_policy": "7,3,1,0,-45"})
    assert response.status_code == 422
    html = text(response)
    assert "Write whole days from -30 to 30 separated by commas" in html and 'value="7,3,1,0,-45"' in html
    db.session.refresh(w.act)
    assert w.act.reminder_policy is None
    response = b.post("/acts/new", data={"kind": "decree", "title": "Decree on archives", "state": "draft",
                                         "reminder_policy": "weekly"})
    assert response.status_code == 422 and 'value="weekly"' in text(response)
