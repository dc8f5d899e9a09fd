"""Property-based testing of the whole API against its OpenAPI document (schemathesis).

Every operation gets a bounded number of generated requests, authenticated as an admin (who may
call everything); no answer may be a server error or break the document.

(schemathesis' own pytest plugin does not run under pytest 9 yet, so the operations are walked here.)
"""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import make_assignment, make_task, make_token, make_world

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
EXAMPLES_PER_OPERATION = 15
SETTINGS = settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


def test_the_api_keeps_its_openapi_promises(app):
    w = make_world()
    make_assignment(make_task(w.act, "1"), w.sa)  # something to find behind small ids
    headers = {"Authorization": f"Bearer {make_token(w.admin, days_valid=3650)}"}
    # The stream never ends within one request; tests/api/test_events.py covers it.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).exclude(path="/api/v1/events/stream")
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @SETTINGS
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # noqa: BLE001 - gather every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
    assert operations >= 25
    assert not failures, "\n\n".join(failures)
