"""What the administration pages, the error pages and the emails show in Azerbaijani and Russian: security
events by name, "never", weekdays, refusals and missing pages, and the dates of the emails (the stored values
and the filters' values stay)."""

import re
from datetime import date

from monitoris.extensions import db
from monitoris.models import Holiday
from monitoris.notifications.render import render
from monitoris.services import audit
from tests.factories import make_notification, make_user
from tests.web.conftest import text


def test_security_events_are_named_in_azerbaijani_and_filtered_by_their_stored_name(login, w):
    audit.record(None, "auth.login_failed", "user", w.exec_sa.id, after={"ip": "203.0.113.9", "reason": "locked"})
    w.admin.locale = "az"
    b = login(w.admin)
    html = text(b.get("/admin/security/events?action=auth.login_failed"))
    row = re.search(r"<tr data-event-id=.*?</tr>", html, re.S).group(0)
    assert "Giriş alınmadı" in row and "<code>auth.login_failed</code>" in row
    assert '<option value="auth.login_failed" selected>Giriş alınmadı</option>' in html


def test_a_person_who_never_logged_in_reads_never_in_russian(login, w):
    newcomer = make_user(name="Newcomer Person")
    w.admin.locale = "ru"
    html = text(login(w.admin).get("/admin/users?q=Newcomer"))
    row = re.search(rf'<tr data-user-id="{newcomer.id}".*?</tr>', html, re.S).group(0)
    assert ">никогда</td>" in row and "never" not in row


def test_holidays_name_the_weekdays_in_russian(login, w):
    db.session.add(Holiday(day=date(2026, 6, 15), name="День национального спасения"))
    db.session.flush()
    w.admin.locale = "ru"
    b = login(w.admin)
    html = text(b.get("/admin/holidays?year=2026"))
    assert "суббота, воскресенье" in html and ">Понедельник</td>" in html and "Monday" not in html
    response = b.post("/admin/holidays/2026-06-15/remove")
    assert response.status_code == 302
    assert "15 июн. 2026 больше не праздничный день." in text(b.get(response.headers["Location"]))


def test_an_email_gives_the_due_date_in_the_recipients_language(w):
    for locale, due in (("en", "01 Jul 2026"), ("az", "01 iyl 2026"), ("ru", "01 июл. 2026")):
        w.exec_sa.locale = locale
        parts = render(make_notification(w.exec_sa, channel="email"))  # payload: due on 2026-07-01
        assert due in parts["subject"] and due in parts["text"] and due in parts["sms"], (locale, parts)
        assert "2026-07-01" not in parts["text"]


def _error_page(response):
    html = text(response)
    return re.search(r"<h1>(.*?)</h1>\s*<p>(.*?)</p>", html[html.index("error-page"):], re.S).groups()


def test_refusals_and_missing_pages_are_told_in_the_readers_language(login, w, client):
    w.exec_sa.locale = "ru"
    b = login(w.exec_sa)
    response = b.get("/admin/users")
    assert response.status_code == 403
    assert _error_page(response) == ("Доступ запрещён", "У вас нет права на это действие.")
    assert "<title>Доступ запрещён · Monitoris</title>" in text(response)
    response = b.client.post("/profile/channels", data={})  # no CSRF token
    assert response.status_code == 400 and _error_page(response) == (
        "Неверный запрос", "Форма отправлена не с этой страницы или устарела. Обновите страницу и попробуйте ещё раз.")
    response = client.get("/no-such-page", headers={"Accept-Language": "az"})
    assert response.status_code == 404
    assert _error_page(response) == ("Tapılmadı", "Bu səhifə mövcud deyil və ya ona giriş hüququnuz yoxdur.")
    response = client.get("/no-such-page")
    assert _error_page(response) == ("Not found", "This page does not exist or you do not have access to it.")
