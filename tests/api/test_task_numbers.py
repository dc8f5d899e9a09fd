"""Task numbers through /api/v1: ASCII digits only, one task per number whatever its leading zeros, and the
tree in number order whatever the length of a part."""

from tests.api.conftest import problem


def _add(client, act, number, **fields):
    return client.post(f"/api/v1/acts/{act.id}/tasks", json={"number": number, "title": f"Measure {number}"} | fields)


def _numbers(client, act):
    listed = client.get(f"/api/v1/acts/{act.id}/tasks?page_size=100").get_json()["items"]
    return [t["number"] for t in listed]


def test_look_alike_digits_are_not_a_task_number(w, api):
    controller = api(w.controller)
    for look_alike in ("١٢", "۱۲", "１２", "1.٢"):  # Arabic-Indic, Persian, full-width
        body = problem(_add(controller, w.act, look_alike), 422)
        assert body["errors"]["number"] == ["Write the number as digits separated by dots, like 4 or 4.1.1."]
    assert _add(controller, w.act, "12").status_code == 201
    assert _numbers(controller, w.act) == ["12"]


def test_leading_zeros_do_not_make_another_number(w, api):
    controller = api(w.controller)
    section = _add(controller, w.act, "1").get_json()
    r = _add(controller, w.act, "1.01")
    assert r.status_code == 201
    assert (r.get_json()["number"], r.get_json()["parent_id"]) == ("1.1", section["id"])
    body = problem(_add(controller, w.act, "1.1"), 422)
    assert body["errors"]["number"] == ["This act already has a task 1.1."]
    body = problem(_add(controller, w.act, "001.0001."), 422)
    assert body["errors"]["number"] == ["This act already has a task 1.1."]
    assert _numbers(controller, w.act) == ["1", "1.1"]


def test_the_tree_is_in_number_order_whatever_the_length_of_a_part(w, api):
    controller = api(w.controller)
    for number in ("100000", "99999", "1", "1.10", "1.2", "1.1", "1.1.1", "2", "10", "0"):
        assert _add(controller, w.act, number).status_code == 201, number
    assert _numbers(controller, w.act) == ["0", "1", "1.1", "1.1.1", "1.2", "1.10", "2", "10", "99999", "100000"]
