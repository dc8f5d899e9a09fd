"""What the API does with a request body it cannot take: JSON it cannot read, a body that is not JSON, and a body
sent to an action that takes none."""

import io

from tests.api.conftest import problem
from tests.factories import PASSWORD, make_assignment, make_notification, make_task

JSON = {"Content-Type": "application/json"}
INVALID_JSON = {"json": ["Invalid JSON body."]}


def test_json_nested_deeper_than_python_recurses_is_invalid_json_not_a_500(api, w):
    deep = '{"email":' + "[" * 1000 + "]" * 1000 + "}"
    body = problem(api().post("/api/v1/auth/tokens", data=deep, headers=JSON), 400)
    assert body["errors"] == INVALID_JSON
    body = problem(api(w.controller).post("/api/v1/acts", data="[" * 100_000, headers=JSON), 400)
    assert body["errors"] == INVALID_JSON


def test_json_the_parser_refuses_for_another_reason_is_invalid_json_too(api, w):
    # Python refuses to read an integer of more than 4,300 digits: a ValueError, not a JSONDecodeError.
    huge = '{"kind": "law", "title": "Law", "number": ' + "9" * 5000 + "}"
    assert problem(api(w.controller).post("/api/v1/acts", data=huge, headers=JSON), 400)["errors"] == INVALID_JSON
    latin1 = '{"kind": "law", "title": "Qanun \xe7"}'.encode("latin-1")
    assert problem(api(w.controller).post("/api/v1/acts", data=latin1, headers=JSON), 400)["errors"] == INVALID_JSON


def test_a_json_body_sent_as_text_or_as_a_form_is_415(api, w):
    client = api(w.controller)
    act = '{"kind": "law", "title": "Law"}'
    body = problem(client.post("/api/v1/acts", data=act, headers={"Content-Type": "text/plain"}), 415)
    assert body["detail"] == "Send the request body as JSON, with Content-Type: application/json."
    assert "errors" not in body
    response = client.post("/api/v1/acts", data={"kind": "law", "title": "Law"})  # a urlencoded form
    assert problem(response, 415)["detail"] == "Send the request body as JSON, with Content-Type: application/json."
    assert response.headers["Accept-Post"] == "application/json"
    response = client.client.post("/api/v1/acts", headers=client.headers(), content_type="multipart/form-data",
                                  data={"kind": "law", "title": "Law", "file": (io.BytesIO(b"x"), "x.txt")})
    problem(response, 415)
    response = client.patch(f"/api/v1/acts/{w.act.id}", data='{"title": "New"}', headers={
        "Content-Type": "text/plain", "If-Match": "*"})
    assert problem(response, 415) and response.headers["Accept-Patch"] == "application/json"
    # Without a login too: the token endpoint takes JSON only.
    response = api().post("/api/v1/auth/tokens", data={"email": w.exec_sa.email, "password": PASSWORD})
    problem(response, 415)
    # A request without a body is still told which fields are missing; JSON with a charset is JSON.
    assert set(problem(client.post("/api/v1/acts"), 422)["errors"]) == {"kind", "title"}
    response = client.post("/api/v1/acts", data=act, headers={"Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 201


def test_uploads_still_take_multipart_form_data(api, w, upload_folder):
    a = make_assignment(make_task(w.act, "1.1"), w.sa, state="in_progress", responsible=w.exec_sa)
    executor = api(w.exec_sa)
    report = executor.post(f"/api/v1/assignments/{a.id}/reports", json={"text": "Drafted."}).get_json()
    response = executor.client.post(f"/api/v1/reports/{report['id']}/documents", headers=executor.headers(),
                                    content_type="multipart/form-data",
                                    data={"files": [(io.BytesIO(b"Some evidence."), "evidence.txt")]})
    assert response.status_code == 201, response.get_data(as_text=True)


def test_an_action_that_takes_no_body_refuses_one(api, w):
    n = make_notification(w.exec_sa)
    client = api(w.exec_sa)
    url = f"/api/v1/notifications/{n.id}/read"
    for data, headers in (("{not json", JSON), ('{"read": false}', JSON), ("please", {"Content-Type": "text/plain"}),
                          ("read=1", {"Content-Type": "application/x-www-form-urlencoded"})):
        body = problem(client.post(url, data=data, headers=headers), 400)
        assert body["detail"] == "This request takes no body; send it without one."
    assert n.read_at is None
    # An empty JSON object says nothing either, and is what some clients always send.
    assert client.post(url, json={}).get_json()["read"] is True
    assert client.post(url).get_json()["read"] is True


def test_acknowledging_an_instruction_takes_no_body(api, w):
    a = make_assignment(make_task(w.act, "1.1"), w.sa, state="in_progress", responsible=w.exec_sa)
    created = api(w.controller).post(f"/api/v1/assignments/{a.id}/instructions",
                                     json={"kind": "request", "text": "Send the statistics."})
    url = f"/api/v1/instructions/{created.get_json()['id']}"
    executor = api(w.exec_sa)
    problem(executor.post(f"{url}/acknowledge", json={"x": 1}), 400)
    assert executor.get(url).get_json()["state"] == "issued"
    assert executor.post(f"{url}/acknowledge").get_json()["state"] == "acknowledged"


def test_a_body_without_a_login_is_still_401_first(api):
    problem(api().post("/api/v1/notifications/1/read", data="{not json", headers=JSON), 401)
