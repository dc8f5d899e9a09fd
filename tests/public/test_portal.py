"""The public portal: no login, only what is published, filters, the overview, reports and documents."""

import re
from datetime import UTC, date, datetime

import pytest

from monitoris import public as public_data
from tests.factories import make_act, make_assignment, make_org, make_task, make_world
from tests.public.conftest import make_document, make_report

TODAY = date(2026, 6, 15)  # the suite's frozen clock


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def plan():
    """An active plan: a section with measures in every public state, and things that must stay hidden."""
    w = make_world()
    act = w.act
    section = make_task(act, "1", title="Better public e-services", published=True)
    measures = {
        "done_on_time": make_task(act, "1.1", parent=section, title="Open the e-services portal", published=True,
                                  indicator="Portal launched"),
        "done_late": make_task(act, "1.2", parent=section, title="Publish service standards", published=True),
        "overdue": make_task(act, "1.3", parent=section, title="Train service staff", published=True),
        "in_progress": make_task(act, "1.4", parent=section, title="Measure user satisfaction", published=True),
        "not_started": make_task(act, "1.5", parent=section, title="Translate the portal", published=True),
        "not_assigned": make_task(act, "1.6", parent=section, title="Survey the regions", published=True),
    }
    on_time = datetime(2026, 5, 30, 6, 0, tzinfo=UTC)
    late = datetime(2026, 6, 12, 6, 0, tzinfo=UTC)
    make_assignment(measures["done_on_time"], w.sa, state="accepted", due_on=date(2026, 6, 1), progress=100,
                    submitted_at=on_time, accepted_at=on_time)
    make_assignment(measures["done_on_time"], w.mt, state="accepted", due_on=date(2026, 6, 1), progress=100,
                    role="co_executor", submitted_at=on_time, accepted_at=on_time)
    make_assignment(measures["done_late"], w.sa, state="accepted", due_on=date(2026, 6, 1), progress=100,
                    submitted_at=late, accepted_at=late)
    make_assignment(measures["overdue"], w.mt, state="in_progress", due_on=date(2026, 6, 10), progress=40)
    make_assignment(measures["overdue"], w.sa, state="submitted", due_on=date(2026, 7, 10), progress=90,
                    role="co_executor")
    make_assignment(measures["in_progress"], w.sa, state="in_progress", due_on=date(2026, 9, 1), progress=50,
                    original_due_on=date(2026, 8, 1))
    make_assignment(measures["in_progress"], w.mt, state="cancelled", due_on=date(2026, 5, 1), role="co_executor")
    make_assignment(measures["not_started"], w.mt, state="assigned", due_on=date(2026, 12, 1))
    make_assignment(measures["not_assigned"], w.mt, state="cancelled", due_on=date(2026, 5, 1))
    hidden = make_task(act, "1.7", parent=section, title="Quietly merge the agencies", published=False)
    make_assignment(hidden, w.sa, state="in_progress", due_on=date(2026, 6, 1))
    draft = make_act(state="draft", title="Draft decree on the archives")
    draft_task = make_task(draft, "1", title="Prepare the archive regulation", published=True)
    w.section, w.measures, w.hidden, w.draft, w.draft_task = section, measures, hidden, draft, draft_task
    return w


def test_the_public_pages_need_no_login(plan, public_client):
    for url in ("/public/", f"/public/acts/{plan.act.id}", f"/public/tasks/{plan.measures['overdue'].id}"):
        response = public_client.get(url)
        assert response.status_code == 200, url
        assert "Monitoris — public portal" in text(response)
        assert "Log out" not in text(response)
    assert public_client.get("/api/v1/public/tasks").status_code == 200
    assert public_client.get("/api/v1/public/tasks?format=csv").status_code == 200


def test_the_login_page_links_to_the_portal(public_client):
    assert 'href="/public/"' in text(public_client.get("/login"))


def test_unpublished_draft_and_unknown_things_are_404(plan, public_client):
    for url in (f"/public/tasks/{plan.hidden.id}", f"/public/tasks/{plan.draft_task.id}",
                f"/public/acts/{plan.draft.id}", "/public/tasks/999999", "/public/acts/999999",
                "/public/documents/999999"):
        response = public_client.get(url)
        assert response.status_code == 404, url
        assert "public portal" in text(response)
    page = text(public_client.get(f"/public/acts/{plan.act.id}"))
    assert "Quietly merge the agencies" not in page
    assert "Draft decree" not in text(public_client.get("/public/"))


def test_a_closed_act_stays_public_as_history(plan, public_client):
    plan.act.state = "closed"
    assert public_client.get(f"/public/acts/{plan.act.id}").status_code == 200
    assert "Completed" in text(public_client.get("/public/"))


def test_the_overview_counts_the_published_measures(plan, public_client):
    o = public_data.act(plan.act.id, TODAY).overview
    counts = (o.total, o.done, o.done_on_time, o.overdue, o.in_progress, o.not_started, o.not_assigned)
    assert counts == (6, 2, 1, 1, 1, 1, 1)
    page = text(public_client.get("/public/"))
    assert re.search(r"<dt>Measures</dt><dd class=\"n\">6</dd>", page)
    assert "1 on time" in page


def test_on_time_is_judged_by_the_day_in_bakus_time_zone(public_client):
    """Due on 1 June: submitted at 01:30 on 1 June in Baku (31 May in UTC) is on time; at 00:30 on 2 June in
    Baku (still 1 June in UTC) is late.  The overview and each measure agree."""
    w = make_world()
    due = date(2026, 6, 1)
    early = make_task(w.act, "1", title="Early in the day", published=True)
    make_assignment(early, w.sa, state="accepted", due_on=due, progress=100,
                    submitted_at=datetime(2026, 5, 31, 21, 30, tzinfo=UTC))
    late = make_task(w.act, "2", title="Just after midnight", published=True)
    make_assignment(late, w.sa, state="accepted", due_on=due, progress=100,
                    submitted_at=datetime(2026, 6, 1, 20, 30, tzinfo=UTC))
    overview = public_data.act(w.act.id, TODAY).overview
    assert (overview.done, overview.done_on_time) == (2, 1)
    tree = {t.number: t for t in public_data.task_tree(w.act.id, TODAY).items}
    assert tree["1"].on_time is True and tree["2"].on_time is False


def test_each_measure_has_its_derived_state_and_bodies(plan):
    tree = {t.number: t for t in public_data.task_tree(plan.act.id, TODAY).items}
    assert tree["1"].is_section and tree["1"].state == "section"
    states = {number: t.state for number, t in tree.items() if not t.is_section}
    assert states == {"1.1": "done", "1.2": "done", "1.3": "overdue", "1.4": "in_progress", "1.5": "not_started",
                      "1.6": "not_assigned"}
    assert tree["1.1"].on_time is True and tree["1.2"].on_time is False
    assert tree["1.3"].progress == 65 and tree["1.3"].next_due_on == date(2026, 6, 10)
    extended = tree["1.4"].assignments[0]
    assert extended.extended and extended.original_due_on == date(2026, 8, 1)
    assert "1.7" not in tree


def test_filters_by_body_state_and_text(plan, public_client):
    url = f"/public/acts/{plan.act.id}"
    by_body = text(public_client.get(url, query_string={"organization_id": plan.mt.id}))
    assert "Train service staff" in by_body and "Publish service standards" not in by_body
    assert "Better public e-services" in by_body  # the section above a match stays as its heading
    overdue = text(public_client.get(url, query_string={"state": "overdue"}))
    assert "Train service staff" in overdue and "Open the e-services portal" not in overdue
    found = text(public_client.get(url, query_string={"q": "satisfaction"}))
    assert "Measure user satisfaction" in found and "Train service staff" not in found
    nothing = text(public_client.get(url, query_string={"q": "no such measure"}))
    assert "No published measure matches these filters." in nothing
    # Nonsense filters are ignored, not errors.
    assert public_client.get(url, query_string={"state": "bogus", "organization_id": "x"}).status_code == 200


def test_accepted_reports_and_public_documents_only(plan, public_client):
    accepted_assignment = plan.measures["done_on_time"].assignments.first()
    other = plan.measures["overdue"].assignments.first()
    accepted = make_report(accepted_assignment, text="The portal is live with 40 services.",
                           reviewer_comment="Good work; internal note for the file.")
    make_report(other, state="returned", text="Half of the staff trained so far.",
                reviewer_comment="Attach the attendance lists.")
    public_doc = make_document(report=accepted, public=True, filename="portal-launch.pdf")
    private_doc = make_document(report=accepted, public=False, filename="internal-memo.pdf", content=b"%PDF memo")
    page = text(public_client.get(f"/public/tasks/{plan.measures['done_on_time'].id}"))
    assert "The portal is live with 40 services." in page
    assert "internal note" not in page
    assert "portal-launch.pdf" in page and "internal-memo.pdf" not in page
    other_page = text(public_client.get(f"/public/tasks/{plan.measures['overdue'].id}"))
    assert "Half of the staff trained" not in other_page and "attendance lists" not in other_page

    download = public_client.get(f"/public/documents/{public_doc.id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 evidence"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert public_client.get(f"/public/documents/{private_doc.id}").status_code == 404

    # Checked on every request: unpublishing the task takes the document down at once.
    plan.measures["done_on_time"].published = False
    assert public_client.get(f"/public/documents/{public_doc.id}").status_code == 404


def test_a_public_document_of_a_report_not_accepted_is_not_served(plan, public_client):
    report = make_report(plan.measures["overdue"].assignments.first(), state="submitted")
    doc = make_document(report=report, public=True, filename="draft-evidence.pdf", content=b"%PDF draft")
    assert public_client.get(f"/public/documents/{doc.id}").status_code == 404


def test_a_public_document_of_an_act(plan, public_client):
    doc = make_document(act=plan.act, public=True, filename="plan-text.pdf", content=b"%PDF plan")
    hidden = make_document(act=plan.draft, public=True, filename="draft-text.pdf", content=b"%PDF draft act")
    assert "plan-text.pdf" in text(public_client.get(f"/public/acts/{plan.act.id}"))
    assert public_client.get(f"/public/documents/{doc.id}").status_code == 200
    assert public_client.get(f"/public/documents/{hidden.id}").status_code == 404


def test_delegated_sub_assignments_stay_inside(plan, public_client):
    parent = plan.measures["in_progress"].assignments.filter_by(organization_id=plan.sa.id).one()
    make_assignment(plan.measures["in_progress"], plan.sa1, parent=parent, state="in_progress",
                    due_on=date(2026, 8, 20))
    page = text(public_client.get(f"/public/tasks/{plan.measures['in_progress'].id}"))
    assert plan.sa1.short_name not in page and plan.sa.short_name in page


def test_a_measure_under_an_unpublished_section_shows_without_it(public_client):
    act = make_act()
    hidden = make_task(act, "1", title="Secret section heading", published=False)
    task = make_task(act, "1.1", parent=hidden, title="A public measure", published=True)
    make_assignment(task, make_org())
    page = text(public_client.get(f"/public/acts/{act.id}"))
    assert "A public measure" in page and "Secret section heading" not in page
    assert "Secret section heading" not in text(public_client.get(f"/public/tasks/{task.id}"))


def test_an_act_with_many_measures_is_shown_fifty_at_a_time_under_their_sections(public_client):
    w = make_world()
    sections = [make_task(w.act, str(s), title=f"Chapter {s}", published=True) for s in (1, 2)]
    measures = []
    for i in range(1, 54):
        section = sections[0] if i <= 30 else sections[1]
        task = make_task(w.act, f"{section.number}.{i}", parent=section, title=f"Measure {i}", published=True)
        make_assignment(task, w.sa, state="in_progress", due_on=date(2026, 9, 1))
        measures.append(task)

    first = text(public_client.get(f"/public/acts/{w.act.id}"))
    shown = [int(i) for i in re.findall(r'data-task-id="(\d+)"', first)]
    assert shown == [t.id for t in measures[:50]]
    assert "Chapter 1" in first and "Chapter 2" in first
    assert "Measures 1–50 of 53" in first and "Page 1 of 2" in first
    assert f'href="/public/acts/{w.act.id}?page=2"' in first

    second = text(public_client.get(f"/public/acts/{w.act.id}?page=2"))
    assert [int(i) for i in re.findall(r'data-task-id="(\d+)"', second)] == [t.id for t in measures[50:]]
    assert "Chapter 2" in second and "Chapter 1" not in second  # only the sections above the page's measures
    assert "Measures 51–53 of 53" in second
    past = text(public_client.get(f"/public/acts/{w.act.id}?page=9"))  # past the end: the last page
    assert re.findall(r'data-task-id="(\d+)"', past) == re.findall(r'data-task-id="(\d+)"', second)
    assert "Measures 51–53 of 53" in past and "Page 2 of 2" in past

    # A filter counts only what it keeps: one page, no pager.
    one = text(public_client.get(f"/public/acts/{w.act.id}?q=Measure+42"))
    assert [int(i) for i in re.findall(r'data-task-id="(\d+)"', one)] == [measures[41].id]
    assert "Page 1 of" not in one and "Chapter 2" in one
