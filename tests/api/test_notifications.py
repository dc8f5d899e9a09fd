"""/api/v1/notifications: your in-app notifications and marking them read."""

from datetime import timedelta

from tests.api.conftest import problem
from tests.conftest import START, csrf_token
from tests.factories import make_notification

URL = "/api/v1/notifications"


def test_the_list_is_yours_newest_first_in_your_language(api, w):
    w.exec_sa.locale = "ru"
    old = make_notification(w.exec_sa, created_at=START - timedelta(days=1), read_at=START)
    new = make_notification(w.exec_sa, payload={"task_number": "4.2.1", "task_title": "Hold events",
                                                "organization": "SA", "due_on": "2026-07-01", "point": "before-3",
                                                "link": "/assignments/7"})
    make_notification(w.exec_sa, channel="email", state="sent")  # not in-app
    make_notification(w.exec_mt)  # someone else's
    response = api(w.exec_sa).get(URL)
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["pages"] == 1
    first, second = body["items"]
    assert (first["id"], second["id"]) == (new.id, old.id)
    assert first["read"] is False and first["read_at"] is None and second["read"] is True
    assert first["kind"] == "reminder" and first["template"] == "assignment_reminder"
    assert first["link"] == "/assignments/7" and first["payload"]["task_number"] == "4.2.1"
    assert "4.2.1" in first["subject"] and "Напоминание" in first["subject"]
    assert first["text"]


def test_the_unread_filter_and_pages(api, w):
    for i in range(5):
        make_notification(w.exec_sa, created_at=START - timedelta(minutes=i))
    make_notification(w.exec_sa, read_at=START)
    client = api(w.exec_sa)
    unread = client.get(f"{URL}?unread=true&page_size=2&page=3").get_json()
    assert unread["total"] == 5 and unread["pages"] == 3 and len(unread["items"]) == 1
    assert client.get(f"{URL}?unread=false").get_json()["total"] == 1
    problem(client.get(f"{URL}?unread=maybe"), 422)
    assert "unred" in problem(client.get(f"{URL}?unred=true"), 422)["errors"]


def test_marking_read_answers_the_notification_and_is_idempotent(api, w, clock):
    n = make_notification(w.exec_sa)
    client = api(w.exec_sa)
    response = client.post(f"{URL}/{n.id}/read")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == n.id and body["read"] is True and body["read_at"].startswith("2026-06-15T05:00")
    clock.at = START + timedelta(hours=1)
    assert client.post(f"{URL}/{n.id}/read").get_json()["read_at"] == body["read_at"]
    assert client.get(f"{URL}?unread=true").get_json()["total"] == 0


def test_someone_elses_notification_is_404(api, w):
    theirs = make_notification(w.exec_mt)
    email = make_notification(w.exec_sa, channel="email", state="sent")
    client = api(w.exec_sa)
    for target in (theirs.id, email.id, 2**31 - 1):
        problem(client.post(f"{URL}/{target}/read"), 404)
    assert theirs.read_at is None


def test_without_credentials_it_is_401(api):
    problem(api().get(URL), 401)
    problem(api().post(f"{URL}/1/read"), 401)


def test_a_browser_session_marks_read_with_its_csrf_token(login, w):
    n = make_notification(w.exec_sa)
    b = login(w.exec_sa)
    problem(b.client.post(f"{URL}/{n.id}/read", headers={"Accept": "application/json"}), 400)
    token = csrf_token(b.client, "/notifications")
    response = b.client.post(f"{URL}/{n.id}/read", headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json()["read"] is True
