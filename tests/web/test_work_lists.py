"""My work in parts of twenty with the way to the rest, and the review queue's submitted assignments that
have no report."""

import re
from datetime import date

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Notification
from monitoris.services import reports
from tests.factories import days, make_assignment, make_task
from tests.web.conftest import text


def _section(html, section_id):
    return html.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]


def _assignment_links(html):
    return [int(i) for i in re.findall(r'href="/assignments/(\d+)"', html)]


def test_my_work_shows_twenty_of_a_section_and_links_to_the_whole_of_it(login, w):
    work = [make_assignment(make_task(w.act), w.sa, due_on=date(2026, 7, 1) + days((i * 5) % 23)) for i in range(23)]
    work.sort(key=lambda a: (a.due_on, a.id))
    head = login(w.head_sa)

    html = text(head.get("/my-work"))
    assert _assignment_links(_section(html, "to-report")) == [a.id for a in work[:20]]
    assert re.search(r'data-count="to-report">23<', html)
    assert '<a href="/my-work?section=to_report" id="to-report-all">See all 23</a>' in html
    assert 'id="returned"' in html and 'id="returned-all"' not in html  # short sections have no link

    whole = text(head.get("/my-work?section=to_report"))
    assert _assignment_links(_section(whole, "to-report")) == [a.id for a in work]
    assert 'id="returned"' not in whole and 'id="to-report-all"' not in whole
    assert '<a href="/my-work">My work</a>' in whole


def test_an_unknown_section_shows_all_of_my_work(login, w):
    html = text(login(w.head_sa).get("/my-work?section=nope&page=x"))
    for section_id in ("to-report", "returned", "drafts", "open-instructions", "pending-extensions"):
        assert f'id="{section_id}"' in html


def test_an_assignment_submitted_without_a_report_waits_in_the_review_queue(login, w):
    task = make_task(w.act, "7.1", title="Publish the registry of services", controller_id=w.controller.id)
    a = make_assignment(task, w.mt, state="in_progress")
    assert login(w.head_mt).post(f"/assignments/{a.id}/transition", {"action": "submit"}).status_code == 302

    controller = login(w.controller)
    section = _section(text(controller.get("/review")), "submitted-assignments")
    assert f'<a href="/assignments/{a.id}#workflow">7.1 · {w.mt.short_name} · Publish the registry of services</a>' \
        in section
    assert "Accept or return each one on its page." in section
    # The task's controller is told, and decides on the assignment's page.
    told = db.session.scalars(sa.select(Notification.recipient_id).where(
        Notification.template == "assignment_submitted", Notification.payload["assignment_id"].as_integer() == a.id))
    assert w.controller.id in set(told)
    page = text(controller.get(f"/assignments/{a.id}"))
    assert 'name="action" value="accept"' in page and 'name="action" value="return"' in page
    assert controller.post(f"/assignments/{a.id}/transition", {"action": "accept"}).status_code == 302

    section = _section(text(controller.get("/review")), "submitted-assignments")
    assert f"/assignments/{a.id}" not in section
    assert "No assignments were submitted without a report." in section


def test_submitted_reports_and_delegated_work_are_not_listed_as_assignments_without_a_report(login, w):
    reported = make_assignment(make_task(w.act), w.sa, state="in_progress")
    report = reports.create(w.exec_sa, reported, text="Done.")
    reports.submit(w.exec_sa, report)
    parent = make_assignment(make_task(w.act), w.mt, state="in_progress")
    sub = make_assignment(parent.task, w.mt1, parent=parent, state="submitted")

    html = text(login(w.controller).get("/review"))
    section = _section(html, "submitted-assignments")
    assert f"/reports/{report.id}" in _section(html, "submitted-reports")
    assert f"/assignments/{reported.id}" not in section and f"/assignments/{sub.id}" not in section


def test_the_review_queue_shows_twenty_of_a_section_and_pages_the_whole_of_it(login, w, clock):
    submitted = []
    for i in range(53):
        submitted.append(make_assignment(make_task(w.act), w.sa, state="submitted",
                                         submitted_at=clock.now() - days(60 - i)))
    controller = login(w.controller)

    html = text(controller.get("/review"))
    ids = [int(i) for i in re.findall(r'href="/assignments/(\d+)#workflow"', _section(html, "submitted-assignments"))]
    assert ids == [a.id for a in submitted[:20]]
    assert re.search(r'data-count="submitted-assignments">53<', html)
    assert '<a href="/review?section=assignments" id="submitted-assignments-all">See all 53</a>' in html
    assert 'id="submitted-reports-all"' not in html  # an empty section has no link

    second = text(controller.get("/review?section=assignments&page=2"))
    ids = [int(i) for i in re.findall(r'href="/assignments/(\d+)#workflow"', second)]
    assert ids == [a.id for a in submitted[50:]]  # pages of fifty: the fifty-first on
    assert '<ol class="work-list" start="51">' in second
    assert 'id="submitted-reports"' not in second and '<a href="/review">Review queue</a>' in second
    assert "Page 2 of 2" in second


def test_a_page_number_past_the_end_shows_the_last_page(login, w, clock):
    """A link kept from a longer list, or a number typed: the end of the list, never an empty page nor an error."""
    make_assignment(make_task(w.act), w.sa)
    for i in range(53):
        make_assignment(make_task(w.act), w.sa, state="submitted", submitted_at=clock.now() - days(60 - i))
    controller = login(w.controller)
    for url in ("/assignments?page=100000000000000000000000", "/assignments?page=7",
                "/review?section=assignments&page=100000000000000000000000", "/review?section=assignments&page=3",
                "/acts/?page=99999999999999999999", "/due-soon?page=40", "/notifications?page=9"):
        html = text(controller.get(url))
        assert "Page 1000000" not in html and "No assignments" not in html, url
    last = text(controller.get("/review?section=assignments&page=3"))
    assert "Page 2 of 2" in last and '<ol class="work-list" start="51">' in last
    assert len(re.findall(r'href="/assignments/(\d+)#workflow"', last)) == 3
    listed = text(controller.get("/assignments?page=100000000000000000000000"))
    assert "Page 3 of 3" in listed and len(set(re.findall(r'data-assignment-id="(\d+)"', listed))) == 54 - 50
