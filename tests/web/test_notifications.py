"""The in-app inbox: the unread count in the header, the list, marking as read, following a link."""

import re
from datetime import timedelta

import pytest

from monitoris.extensions import db
from monitoris.models.notification import Notification
from tests.conftest import START
from tests.factories import make_notification
from tests.web.conftest import text


def unread_badge(html):
    match = re.search(r'id="unread-count">(\d+)<', html)
    return int(match.group(1)) if match else 0


def test_the_header_counts_the_persons_unread_in_app_notifications_only(login, w):
    make_notification(w.exec_sa)
    make_notification(w.exec_sa)
    make_notification(w.exec_sa, read_at=START)
    make_notification(w.exec_sa, channel="email", state="pending")  # not in-app
    make_notification(w.exec_mt)  # someone else's
    html = text(login(w.exec_sa).get("/"))
    assert unread_badge(html) == 2
    assert 'href="/notifications"' in html and 'href="/profile"' in html
    assert unread_badge(text(login(w.head_sa).get("/"))) == 0


def test_the_list_is_newest_first_in_the_persons_language_with_unread_highlighted(login, w):
    w.exec_sa.locale = "az"
    old = make_notification(w.exec_sa, created_at=START - timedelta(days=2), read_at=START,
                            payload={"task_number": "1.1.1", "task_title": "Old", "organization": "SA",
                                     "due_on": "2026-06-20", "link": "/assignments/1"})
    new = make_notification(w.exec_sa, payload={"task_number": "4.2.1", "task_title": "New", "organization": "SA",
                                                "due_on": "2026-07-01", "link": "/assignments/2"})
    other = make_notification(w.exec_mt)
    html = text(login(w.exec_sa).get("/notifications"))
    assert html.index(f'data-notification-id="{new.id}"') < html.index(f'data-notification-id="{old.id}"')
    assert f'data-notification-id="{other.id}"' not in html
    item = re.search(rf'<li class="inbox-item is-unread" data-notification-id="{new.id}">.*?</li>', html, re.S)
    assert item, "the unread item is highlighted"
    assert "4.2.1" in item.group(0) and "Xatırlatma" in item.group(0)  # the Azerbaijani subject
    assert f'href="/notifications/{new.id}/open"' in item.group(0)
    assert f'<li class="inbox-item" data-notification-id="{old.id}">' in html

    unread_only = text(login(w.exec_sa).get("/notifications?unread=1"))
    assert f'data-notification-id="{new.id}"' in unread_only and f'data-notification-id="{old.id}"' not in unread_only


def test_the_list_is_paginated(login, w):
    for i in range(30):
        make_notification(w.exec_sa, created_at=START - timedelta(minutes=i))
    b = login(w.exec_sa)
    first, second = text(b.get("/notifications")), text(b.get("/notifications?page=2"))
    assert first.count('class="inbox-item') == 25 and second.count('class="inbox-item') == 5
    assert "Page 1 of 2" in first


def test_mark_one_and_all_as_read(login, w):
    a, b_, c = (make_notification(w.exec_sa) for _ in range(3))
    b = login(w.exec_sa)
    response = b.post(f"/notifications/{a.id}/read", data={"page": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/notifications")
    assert a.read_at is not None and b_.read_at is None
    assert unread_badge(text(b.get("/notifications"))) == 2

    response = b.post("/notifications/read-all", follow_redirects=True)
    assert "2 notifications marked as read." in text(response)
    db.session.expire_all()
    assert all(n.read_at is not None for n in (a, b_, c))
    assert unread_badge(text(b.get("/"))) == 0


def test_marking_as_read_needs_the_csrf_token(login, w):
    n = make_notification(w.exec_sa)
    b = login(w.exec_sa)
    assert b.client.post(f"/notifications/{n.id}/read").status_code == 400
    assert b.client.post("/notifications/read-all").status_code == 400
    assert n.read_at is None


def test_opening_marks_read_and_follows_the_link(login, w):
    n = make_notification(w.exec_sa)
    response = login(w.exec_sa).get(f"/notifications/{n.id}/open")
    assert response.status_code == 302 and response.headers["Location"] == n.payload["link"]
    assert n.read_at == START


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/x", None])
def test_a_link_never_leads_off_the_site(login, w, link):
    n = make_notification(w.exec_sa, payload={"task_number": "1", "task_title": "t", "organization": "SA",
                                              "due_on": "2026-07-01", "link": link})
    response = login(w.exec_sa).get(f"/notifications/{n.id}/open")
    assert response.headers["Location"] == "/notifications"


def test_someone_elses_notification_is_not_found(login, w):
    theirs = make_notification(w.exec_mt)
    email = make_notification(w.exec_sa, channel="email", state="sent")
    b = login(w.exec_sa)
    for target in (theirs, email):
        assert b.get(f"/notifications/{target.id}/open").status_code == 404
        assert b.post(f"/notifications/{target.id}/read").status_code == 404
    assert b.post("/notifications/999999/read").status_code == 404
    assert db.session.get(Notification, theirs.id).read_at is None


def test_the_inbox_needs_a_login(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_message_queued_by_an_older_release_without_todays_fields_still_shows(login, w):
    """An upgrade may teach a template a field that older messages never had: the inbox shows them without it."""
    make_notification(w.exec_sa, payload={"assignment_id": 1, "link": "/assignments/1"})
    make_notification(w.exec_sa, payload={"assignment_id": 2, "task_number": "2.1", "due_on": 20261201})
    response = login(w.exec_sa).get("/notifications")
    assert response.status_code == 200
    assert "Reminder:" in text(response) and 'href="/notifications/' in text(response)
