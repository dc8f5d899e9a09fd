"""Administration of notifications: the outbox with its dead messages, holidays, webhooks."""

import hashlib
import hmac
import re
from datetime import date

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Event
from monitoris.models.notification import Holiday, Notification, Webhook
from monitoris.notifications import webhooks as webhooks_module
from monitoris.notifications.calendar import WorkingCalendar
from tests.conftest import START
from tests.factories import make_notification
from tests.web.conftest import text

PAGES = ("/admin/outbox", "/admin/holidays", "/admin/webhooks", "/admin/webhooks/new")


def _hook(w, **overrides):
    fields = {"name": "E-gov portal", "url": "https://portal.example/hooks/monitoris", "organization_id": w.sa.id,
              "event_kinds": "assignment.", "secret": "s3cret", **overrides}
    hook = Webhook(**fields)
    db.session.add(hook)
    db.session.flush()
    return hook


def test_the_pages_are_for_admins_only(login, w):
    hook = _hook(w)
    dead = make_notification(w.exec_sa, channel="email", state="dead", attempts=6, error="SMTP down")
    for person in (w.controller, w.observer, w.head_sa, w.exec_sa):
        b = login(person)
        for url in (*PAGES, f"/admin/webhooks/{hook.id}"):
            assert b.get(url).status_code == 403, (person.roles, url)
        assert b.post(f"/admin/outbox/{dead.id}/retry").status_code == 403
        assert b.post("/admin/holidays", data={"day": "2026-06-26", "name": "x"}).status_code == 403
        assert "/admin/outbox" not in text(b.get("/"))
    assert dead.state == "dead" and db.session.get(Holiday, date(2026, 6, 26)) is None
    admin = login(w.admin)
    assert 'href="/admin/outbox"' in text(admin.get("/"))
    for url in PAGES:
        assert admin.get(url).status_code == 200, url


def test_the_outbox_shows_dead_and_retrying_messages_first_with_their_errors(login, w):
    sent = make_notification(w.exec_sa, channel="email", state="sent", attempts=1)
    retrying = make_notification(w.exec_sa, channel="sms", state="pending", attempts=2, error="gateway answered 503")
    dead = make_notification(w.exec_sa, channel="email", state="dead", attempts=6,
                             error="SMTP 127.0.0.1:25: Connection refused")
    html = text(login(w.admin).get("/admin/outbox"))
    positions = [html.index(f'data-notification-id="{n.id}"') for n in (dead, retrying, sent)]
    assert positions == sorted(positions)
    assert "SMTP 127.0.0.1:25: Connection refused" in html and "gateway answered 503" in html
    assert 'data-state="dead">Dead: 1</a>' in html and "Pending, retrying" in html
    assert '<option value="sms">SMS</option>' in html and '<option value="in_app">In Monitoris</option>' in html
    assert re.search(rf'data-notification-id="{dead.id}".*?<td data-label="Channel">Email</td>', html, re.S)

    only_sms = text(login(w.admin).get("/admin/outbox?state=pending&channel=sms"))
    assert f'data-notification-id="{retrying.id}"' in only_sms
    assert f'data-notification-id="{dead.id}"' not in only_sms and f'data-notification-id="{sent.id}"' not in only_sms
    assert '<option value="pending" selected>Pending</option>' in only_sms  # the filter keeps the stored word


def test_the_outbox_and_the_delivery_log_in_russian(login, w):
    hook = _hook(w)
    make_notification(w.exec_sa, channel="sms", state="pending", attempts=2, error="gateway answered 503")
    make_notification(w.exec_sa, channel="email", state="dead", attempts=6, error="SMTP down")
    make_notification(webhook=hook, state="sent", attempts=1, response_status=204,
                      payload={"id": 7, "action": "assignment.submit"})
    w.admin.locale = "ru"
    b = login(w.admin)
    html = text(b.get("/admin/outbox"))
    assert 'data-state="dead">Не доставлено: 1</a>' in html and "В очереди, повторная попытка" in html
    assert '<option value="dead">Не доставлено</option>' in html and "помечается как <em>Не доставлено</em>" in html
    assert '<td data-label="Канал">Вебхук</td>' in html
    for english in ("dead", "pending", "sent", "Dead", "Pending"):
        assert not re.search(rf">\s*{english}\b", html), english
    log = text(b.get(f"/admin/webhooks/{hook.id}"))
    assert ">Отправлено</span>" in log and ">Представлено</span>" in log and 'title="assignment.submit"' in log


def test_retry_now_puts_a_dead_message_back_in_the_queue(login, w):
    dead = make_notification(w.exec_sa, channel="email", state="dead", attempts=6, error="SMTP down")
    sent = make_notification(w.exec_sa, channel="email", state="sent", attempts=1)
    b = login(w.admin)
    assert f'action="/admin/outbox/{dead.id}/retry"' in text(b.get("/admin/outbox"))
    response = b.post(f"/admin/outbox/{dead.id}/retry", data={"state": "dead"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/outbox?state=dead")
    assert (dead.state, dead.attempts, dead.next_attempt_at) == ("pending", 0, START)
    event = db.session.scalar(sa.select(Event).where(Event.action == "notification.retried"))
    assert event.actor_id == w.admin.id and event.before["error"] == "SMTP down"
    # Only a dead message can be retried.
    assert b.post(f"/admin/outbox/{sent.id}/retry").status_code == 409
    assert b.post("/admin/outbox/999999/retry").status_code == 404


def test_holidays_are_added_listed_by_year_and_removed(login, w, app):
    b = login(w.admin)
    html = text(b.get("/admin/holidays?year=2026"))
    assert "Saturday, Sunday" in html and "No holidays in 2026." in html

    response = b.post("/admin/holidays", data={"day": "2026-06-15", "name": ""})
    assert response.status_code == 422 and "Name the holiday." in text(response)
    response = b.post("/admin/holidays", data={"day": "2026-06-15", "name": "National Salvation Day"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/holidays?year=2026")
    response = b.post("/admin/holidays", data={"day": "2026-06-15", "name": "Again"})
    assert response.status_code == 422 and "This day is a holiday already." in text(response)
    b.post("/admin/holidays", data={"day": "2027-01-01", "name": "New Year"})

    html = text(b.get("/admin/holidays?year=2026"))
    assert 'data-day="2026-06-15"' in html and 'data-day="2027-01-01"' not in html
    assert "National Salvation Day" in html and "15 Jun 2026" in html
    assert not WorkingCalendar.load(date(2026, 6, 15)).is_working_day(date(2026, 6, 15))
    assert db.session.scalar(sa.select(Event).where(Event.action == "holiday.added").order_by(Event.id)).after == {
        "day": "2026-06-15", "name": "National Salvation Day"}

    response = b.post("/admin/holidays/2026-06-15/remove")
    assert response.status_code == 302 and db.session.get(Holiday, date(2026, 6, 15)) is None
    assert b.post("/admin/holidays/2026-06-15/remove").status_code == 404
    assert b.post("/admin/holidays/not-a-day/remove").status_code == 404


def test_a_webhook_is_registered_with_its_secret_shown_once(login, w):
    b = login(w.admin)
    response = b.post("/admin/webhooks/new", data={"name": "Portal", "url": "ftp://portal.example/",
                                                   "organization_id": str(w.sa.id), "event_kinds": ["assignment."]})
    assert response.status_code == 422 and "Give an http:// or https:// address." in text(response)
    response = b.post("/admin/webhooks/new", data={"name": "Portal", "url": "https://portal.example/in",
                                                   "organization_id": str(w.sa.id), "event_kinds": [],
                                                   "active": "y"})
    assert response.status_code == 422 and "Choose at least one kind of event." in text(response)

    response = b.post("/admin/webhooks/new", data={"name": "Portal", "url": "https://portal.example/in",
                                                   "organization_id": str(w.sa.id),
                                                   "event_kinds": ["assignment.submit", "assignment.accept"],
                                                   "active": "y"})
    assert response.status_code == 200
    secret = re.search(r'<code class="token">([^<]+)</code>', text(response)).group(1)
    hook = db.session.scalar(sa.select(Webhook).where(Webhook.name == "Portal"))
    assert hook.secret == secret and hook.event_kinds == "assignment.submit,assignment.accept"
    assert hook.created_by_id == w.admin.id
    # It receives what happens from now on, not the history.
    assert hook.last_event_id == db.session.scalar(sa.select(sa.func.max(Event.id)))
    event = db.session.scalar(sa.select(Event).where(Event.action == "webhook.created"))
    assert secret not in str(event.after) and event.after["url"] == "https://portal.example/in"

    page = text(b.get(f"/admin/webhooks/{hook.id}"))
    assert secret not in page and "Portal" in text(b.get("/admin/webhooks"))

    # The signature a receiver checks is HMAC-SHA256 of the body with the secret.
    body = b'{"event":{}}'
    assert webhooks_module.sign(secret, body) == "sha256=" + hmac.new(secret.encode(), body,
                                                                      hashlib.sha256).hexdigest()


def test_a_webhook_is_edited_deactivated_and_its_secret_rotated(login, w):
    hook = _hook(w)
    queued = make_notification(webhook=hook, state="pending")
    b = login(w.admin)
    data = {"name": "Portal 2", "url": "http://portal.internal/in", "organization_id": str(w.mt.id),
            "event_kinds": ["*"]}
    response = b.post(f"/admin/webhooks/{hook.id}", data=data)  # "active" unticked: deactivate
    assert response.status_code == 302
    assert (hook.name, hook.url, hook.organization_id, hook.event_kinds, hook.active) == (
        "Portal 2", "http://portal.internal/in", w.mt.id, "*", False)
    db.session.refresh(queued)
    assert queued.state == "dead" and queued.error == "The webhook was deactivated."

    response = b.post(f"/admin/webhooks/{hook.id}/secret")
    secret = re.search(r'<code class="token">([^<]+)</code>', text(response)).group(1)
    assert secret != "s3cret" and hook.secret == secret
    assert db.session.scalar(sa.select(Event).where(Event.action == "webhook.secret_rotated")) is not None


def test_the_delivery_log_lists_the_webhooks_outbox_rows(login, w):
    hook = _hook(w)
    other = _hook(w, name="Other")
    delivered = make_notification(webhook=hook, state="sent", attempts=1, response_status=204,
                                  payload={"id": 7, "action": "assignment.submit"})
    failing = make_notification(webhook=hook, state="dead", attempts=6, response_status=500,
                                error="webhook https://portal.example/hooks/monitoris answered 500",
                                payload={"id": 8, "action": "assignment.accept"})
    elsewhere = make_notification(webhook=other, state="sent", payload={"id": 9, "action": "assignment.submit"})
    html = text(login(w.admin).get(f"/admin/webhooks/{hook.id}"))
    assert html.index(f'data-notification-id="{failing.id}"') < html.index(f'data-notification-id="{delivered.id}"')
    assert f'data-notification-id="{elsewhere.id}"' not in html
    assert "answered 500" in html and 'title="assignment.accept">Accepted<' in html and ">204<" in html
    assert ">Dead</span>" in html and ">Sent</span>" in html
    assert db.session.get(Notification, failing.id).attempts == 6


def test_the_webhook_pages_name_the_events_and_keep_a_kind_the_form_does_not_list(login, w):
    # A kind saved through the API that the form's list lacks stays ticked, so saving the form keeps it.
    hook = _hook(w, event_kinds="assignment.submit,report.archived")
    b = login(w.admin)
    listing = text(b.get("/admin/webhooks"))
    assert '<span class="pill" title="assignment.submit">Submitted</span>' in listing
    assert '<span class="pill" title="report.archived">report.archived</span>' in listing
    page = text(b.get(f"/admin/webhooks/{hook.id}"))
    assert re.search(r'<input[^>]*checked[^>]*value="report.archived"|<input[^>]*value="report.archived"[^>]*checked',
                     page)
    assert re.search(r'<input[^>]*value="assignment\.accept"(?![^>]*checked)[^>]*>', page)


def test_the_holiday_calendar_links_only_to_years_it_shows(login, w):
    b = login(w.admin)
    for year, wanted in ((1900, {"1901"}), (2026, {"2025", "2027"}), (2999, {"2998"})):
        html = text(b.get(f"/admin/holidays?year={year}"))
        links = set(re.findall(r'href="/admin/holidays\?year=(\d+)"', html))
        assert links == wanted, year
        for linked in links:
            assert b.get(f"/admin/holidays?year={linked}").status_code == 200
    assert b.get("/admin/holidays?year=3000").status_code == 404
