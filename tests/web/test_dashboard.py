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
