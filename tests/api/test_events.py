"""The audit feed: a list after an id, and the live Server-Sent Events stream."""

import json

import pytest

from monitoris.extensions import db
from monitoris.models import ApiToken
from monitoris.services import assignments as assignment_service
from tests.api.conftest import problem
from tests.factories import make_assignment, make_task


@pytest.fixture
def fast_stream(app, monkeypatch):
    """A stream that polls often and ends by itself within a second, so a test can read it whole."""
    for key, value in {"SSE_POLL_SECONDS": 0.01, "SSE_HEARTBEAT_SECONDS": 60, "SSE_RECHECK_SECONDS": 60,
                       "SSE_MAX_SECONDS": 0.3}.items():
        monkeypatch.setitem(app.config, key, value)


@pytest.fixture
def work(w):
    task = make_task(w.act, "1")
    w.a_sa = make_assignment(task, w.sa)
    w.a_mt = make_assignment(task, w.mt)
    return w


def frames(chunks):
    """Parse SSE text into [(id, data dict)]; comments and retry lines are skipped."""
    result = []
    for block in "".join(chunks).split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":")
                      and ": " in line)
        if "data" in fields and "id" in fields:
            result.append((int(fields["id"]), json.loads(fields["data"])))
    return result


def open_stream(client, url, **headers):
    response = client.get(url, headers=headers, buffered=False)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/event-stream"
    assert response.headers["X-Accel-Buffering"] == "no" and response.headers["Cache-Control"] == "no-cache"
    return response, (chunk.decode() for chunk in response.response)


def test_the_events_list_continues_after_an_id(api, work):
    w, client = work, api(work.exec_sa)
    assignment_service.transition(w.exec_sa, w.a_sa, "start")
    assignment_service.transition(w.exec_mt, w.a_mt, "start")
    first = client.get("/api/v1/events?limit=200").get_json()
    assert [e["action"] for e in first["items"]] == ["assignment.start"]
    assert first["items"][0]["organization_id"] == w.sa.id and "ip" not in first["items"][0]
    again = client.get(f"/api/v1/events?after_id={first['last_id']}").get_json()
    assert again == {"items": [], "last_id": first["last_id"]}
    assignment_service.transition(w.exec_sa, w.a_sa, "submit")
    later = client.get(f"/api/v1/events?after_id={first['last_id']}").get_json()
    assert [e["action"] for e in later["items"]] == ["assignment.submit"]


def test_the_stream_brings_the_own_bodys_events_and_never_anothers(app, api, work, fast_stream):
    w, client = work, api(work.exec_sa)
    response, chunks = open_stream(client, "/api/v1/events/stream")
    received = [next(chunks)]  # connected: from now on
    assert received[0].startswith("retry: ")
    assignment_service.transition(w.exec_mt, w.a_mt, "start")
    assignment_service.transition(w.exec_sa, w.a_sa, "start")
    assignment_service.transition(w.exec_sa, w.a_sa, "submit")
    received.extend(chunks)  # the rest, until the stream's lifetime ends
    response.close()
    events = frames(received)
    assert [e["action"] for _, e in events] == ["assignment.start", "assignment.submit"]
    assert {e["organization_id"] for _, e in events} == {w.sa.id}
    assert [i for i, _ in events] == sorted(i for i, _ in events)


def test_the_stream_resumes_after_last_event_id(api, work, fast_stream):
    w, client = work, api(work.controller)
    assignment_service.transition(w.exec_sa, w.a_sa, "start")
    mark = client.get("/api/v1/events?limit=200").get_json()["last_id"]
    assignment_service.transition(w.exec_mt, w.a_mt, "start")
    assignment_service.transition(w.exec_sa, w.a_sa, "submit")
    response, chunks = open_stream(client, "/api/v1/events/stream", **{"Last-Event-ID": str(mark)})
    events = frames(list(chunks))
    response.close()
    assert [e["action"] for _, e in events] == ["assignment.start", "assignment.submit"]
    assert all(i > mark for i, _ in events)
    response, chunks = open_stream(client, f"/api/v1/events/stream?after_id={mark}")
    assert len(frames(list(chunks))) == 2


def test_the_stream_sends_heartbeats_and_ends_when_the_token_is_revoked(app, api, work, fast_stream, monkeypatch):
    monkeypatch.setitem(app.config, "SSE_HEARTBEAT_SECONDS", 0)
    monkeypatch.setitem(app.config, "SSE_RECHECK_SECONDS", 0.05)
    monkeypatch.setitem(app.config, "SSE_MAX_SECONDS", 5)
    client = api(work.exec_sa)
    response, chunks = open_stream(client, "/api/v1/events/stream")
    next(chunks)
    assert next(chunks) == ": heartbeat\n\n"
    for token in db.session.query(ApiToken).filter_by(user_id=work.exec_sa.id):
        token.revoked_at = token.created_at
    db.session.flush()
    rest = "".join(chunks)  # ends by itself, long before SSE_MAX_SECONDS
    response.close()
    assert "event: end" in rest


def test_the_stream_needs_authentication(app):
    problem(app.test_client().get("/api/v1/events/stream"), 401)


def test_the_browser_session_can_follow_the_stream(login, work, fast_stream):
    browser = login(work.exec_sa)
    response = browser.client.get("/api/v1/events/stream?after_id=0", buffered=False)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    text = "".join(chunk.decode() for chunk in response.response)
    response.close()
    assert all(e["organization_id"] == work.sa.id for _, e in frames([text]))
