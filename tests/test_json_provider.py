"""The app's JSON writer (orjson) gives a client what Flask's own writer gave."""

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from flask.json.provider import DefaultJSONProvider
from marshmallow import fields


def test_the_answer_reads_as_flasks_own(app):
    value = {"b": [1, 2.5, None, True], "a": "Ҹəлил — Ж", "when": datetime(2026, 11, 29, 9, 30, tzinfo=UTC),
             "day": date(2026, 11, 29), "amount": Decimal("1.50"), "id": uuid.UUID(int=7)}
    flask_own = DefaultJSONProvider(app)
    with app.test_request_context():
        body = app.json.response(value).get_data()
        expected = flask_own.response(value).get_data()
    assert json.loads(body) == json.loads(expected)
    assert json.loads(body)["when"] == "Sun, 29 Nov 2026 09:30:00 GMT"  # Flask's HTTP date, as before
    assert list(json.loads(body)) == ["a", "amount", "b", "day", "id", "when"]  # keys sorted
    assert b"\n" not in body.rstrip(b"\n")  # compact outside debug
    assert json.loads(app.json.dumps(value)) == json.loads(flask_own.dumps(value))


def test_debug_answers_are_indented(app):
    app.debug = True
    try:
        with app.test_request_context():
            body = app.json.response({"a": [1]}).get_data(as_text=True)
    finally:
        app.debug = False
    assert body == '{\n  "a": [\n    1\n  ]\n}\n'


def test_the_standard_librarys_options_still_work(app):
    assert app.json.dumps({"b": 1, "a": 2}, indent=None, sort_keys=False) == '{"b": 1, "a": 2}'


def test_iso_answers_write_dates_as_the_api_schemas_do(app):
    when, day = datetime(2026, 11, 29, 9, 30, 0, 120000, tzinfo=UTC), date(2026, 11, 29)
    with app.test_request_context():
        body = json.loads(app.json.iso_response({"when": when, "day": day, "sharp": when.replace(microsecond=0)})
                          .get_data())
    assert body == {"when": fields.DateTime()._serialize(when, "when", None),
                    "sharp": fields.DateTime()._serialize(when.replace(microsecond=0), "sharp", None),
                    "day": fields.Date()._serialize(day, "day", None)}
    assert body["sharp"] == "2026-11-29T09:30:00+00:00"
