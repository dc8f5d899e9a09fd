"""The dashboard: open work of the person's scope, overdue first, counts by state."""

import re
from datetime import date

from tests.factories import days, make_assignment, make_task
from tests.web.conftest import text

TODAY = date(2026, 6, 15)  # the frozen clock's today in Baku


def _ids_in(html, list_id):
    section = html.split(f'id="{list_id}"', 1)[1].split("</table>", 1)[0]
    return [int(i) for i in re.findall(r'data-assignment-id="(\d+)"', section)]


def test_controller_sees_the_whole_country_overdue_first(login, w):
    late_sa = make_assignment(make_task(w.act, title="Late agency work"), w.sa, state="in_progress",
                              due_on=TODAY - days(10))
    later_mt = make_assignment(make_task(w.act, title="Late ministry work"), w.mt, due_on=TODAY - days(2))
    soon = make_assignment(make_task(w.act, title="Soon work"), w.mt, due_on=TODAY + days(3))
    far = make_assignment(make_task(w.act, title="Far work"), w.mt, due_on=TODAY + days(30))
    make_assignment(make_task(w.act, title="Done work"), w.sa, state="accepted", due_on=TODAY - days(20))

    html = text(login(w.controller).get("/"))
    assert _ids_in(html, "dashboard-overdue") == [late_sa.id, later_mt.id]
    assert _ids_in(html, "dashboard-due-soon") == [soon.id]
    assert far.task.title not in html and "Done work" not in html
    assert "10 days overdue" in html
    assert re.search(r'data-count="overdue">2<', html)
    assert re.search(r'data-count="accepted">1<', html)
    assert re.search(r'data-count="assigned">3<', html)


def test_executor_sees_only_their_body(login, w):
    mine = make_assignment(make_task(w.act, title="Agency work"), w.sa, due_on=TODAY - days(1))
    make_assignment(make_task(w.act, title="Ministry secret work"), w.mt, due_on=TODAY - days(1))

    html = text(login(w.exec_sa).get("/"))
    assert _ids_in(html, "dashboard-overdue") == [mine.id]
    assert "Ministry secret work" not in html
    assert re.search(r'data-count="overdue">1<', html)


def test_each_list_shows_its_twenty_most_urgent_with_the_total_and_a_link_to_all(login, w):
    # Made in an order that is not the page's, so that the order on the page is the query's.
    overdue = [make_assignment(make_task(w.act), w.sa, state="in_progress", due_on=TODAY - days(2 + (i * 7) % 25))
               for i in range(25)]
    soon = [make_assignment(make_task(w.act), w.mt, due_on=TODAY + days((i * 3) % 8)) for i in range(27)]
    by_urgency = sorted(overdue, key=lambda a: (a.due_on, a.id)), sorted(soon, key=lambda a: (a.due_on, a.id))

    html = text(login(w.controller).get("/"))
    assert _ids_in(html, "dashboard-overdue") == [a.id for a in by_urgency[0][:20]]
    assert _ids_in(html, "dashboard-due-soon") == [a.id for a in by_urgency[1][:20]]
    assert re.search(r'data-count="overdue-list">25<', html) and re.search(r'data-count="due-soon-list">27<', html)
    assert '<a href="/assignments?overdue=yes" id="dashboard-overdue-all">See all 25</a>' in html
    assert '<a href="/due-soon" id="dashboard-due-soon-all">See all 27</a>' in html
    assert "The 20 most overdue of 25." in html and "The 20 soonest due of 27." in html

    # The links lead to the whole of each list, in the same order.
    listed = text(login(w.controller).get("/assignments?overdue=yes"))
    assert "25 assignments" in listed
    assert _ids_in(listed, "assignments-list") == [a.id for a in by_urgency[0][:25]]
    first = text(login(w.controller).get("/due-soon"))
    assert "27 assignments" in first and "Page 1 of 2" in first
    assert _ids_in(first, "due-soon-list") == [a.id for a in by_urgency[1][:25]]
    second = text(login(w.controller).get("/due-soon?page=2"))
    assert _ids_in(second, "due-soon-list") == [a.id for a in by_urgency[1][25:]]


def test_a_short_list_is_shown_whole_and_the_live_script_refreshes_both_panels(login, w):
    late = make_assignment(make_task(w.act), w.sa, due_on=TODAY - days(1))

    html = text(login(w.exec_sa).get("/"))
    assert _ids_in(html, "dashboard-overdue") == [late.id]
    assert "See all 1" in html and "most overdue of" not in html
    assert "Nothing falls due in the next 7 days." in html and 'id="dashboard-due-soon-all"' not in html
    assert 'data-live-swap="#dashboard-counts, #dashboard-overdue-panel, #dashboard-due-soon-panel"' in html


def test_the_due_soon_page_keeps_to_the_persons_scope(login, w):
    mine = make_assignment(make_task(w.act, title="Agency work due"), w.sa, due_on=TODAY + days(2))
    make_assignment(make_task(w.act, title="Ministry work due"), w.mt, due_on=TODAY + days(2))

    html = text(login(w.exec_sa).get("/due-soon"))
    assert _ids_in(html, "due-soon-list") == [mine.id]
    assert "Ministry work due" not in html
