"""The dashboard and the assignment page follow the live feed (monitoris/static/js/live.js)."""

from flask import url_for

from tests.factories import make_assignment, make_task


def test_the_dashboard_and_the_assignment_page_load_the_live_script(app, login, w):
    assignment = make_assignment(make_task(w.act, "1"), w.sa)
    browser = login(w.exec_sa)
    with app.test_request_context():
        page_url = url_for("assignments.show", assignment_id=assignment.id)
    dashboard = browser.get("/").get_data(as_text=True)
    assert "/static/js/live.js" in dashboard and 'data-live-swap="#dashboard-counts' in dashboard
    page = browser.get(page_url).get_data(as_text=True)
    assert "/static/js/live.js" in page and f'data-live-objects="{assignment.id}"' in page
    script = browser.get("/static/js/live.js")
    assert script.status_code == 200 and "EventSource" in script.get_data(as_text=True)
    script.close()
