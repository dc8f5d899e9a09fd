"""/api/v1/acts: an act's own reminder policy is created, read, changed and cleared through the API."""

from tests.api.conftest import problem

FORMAT = ("Write whole days from -30 to 30 separated by commas, for example “7,3,1,0,-1”: days before the due date, "
          "0 on it, negative days after it. Leave empty for the installation's policy.")


def test_a_controller_sets_an_acts_reminder_policy_and_clears_it(api, w):
    client = api(w.controller)
    created = client.post("/api/v1/acts", json={"kind": "decree", "title": "Decree", "reminder_policy": "7, 3, 0, -2"})
    assert created.status_code == 201 and created.get_json()["reminder_policy"] == "7,3,0,-2"
    url = created.headers["Location"]
    read = client.get(url)
    assert read.get_json()["reminder_policy"] == "7,3,0,-2"

    changed = client.patch(url, json={"reminder_policy": "2,0"}, headers={"If-Match": read.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["reminder_policy"] == "2,0"
    cleared = client.patch(url, json={"reminder_policy": None}, headers={"If-Match": changed.headers["ETag"]})
    assert cleared.status_code == 200 and cleared.get_json()["reminder_policy"] is None
    assert client.get(url).get_json()["reminder_policy"] is None


def test_an_act_without_a_policy_follows_the_installations(api, w):
    assert api(w.controller).get(f"/api/v1/acts/{w.act.id}").get_json()["reminder_policy"] is None


def test_a_policy_in_another_format_is_a_field_error(api, w):
    client = api(w.controller)
    body = problem(client.post("/api/v1/acts", json={"kind": "decree", "title": "Decree",
                                                     "reminder_policy": "every week"}), 422)
    assert body["errors"] == {"reminder_policy": [FORMAT]}
    etag = client.get(f"/api/v1/acts/{w.act.id}").headers["ETag"]
    body = problem(client.patch(f"/api/v1/acts/{w.act.id}", json={"reminder_policy": "7,3,-45"},
                                headers={"If-Match": etag}), 422)
    assert body["errors"] == {"reminder_policy": [FORMAT]}
    assert client.get(f"/api/v1/acts/{w.act.id}").get_json()["reminder_policy"] is None


def test_only_a_controller_sets_it(api, w):
    client = api(w.exec_sa)
    etag = client.get(f"/api/v1/acts/{w.act.id}").headers["ETag"]
    problem(client.patch(f"/api/v1/acts/{w.act.id}", json={"reminder_policy": "1"}, headers={"If-Match": etag}), 403)
