"""The OpenAPI document: served, committed, and the same; the interactive docs page needs no CDN."""

import json
from pathlib import Path

import monitoris.api
from monitoris.extensions import api as smorest_api
from monitoris.services import passwords

COMMITTED = Path(monitoris.api.__file__).parent / monitoris.api.OPENAPI_FILE
REGENERATE = "flask --app monitoris openapi write monitoris/api/openapi.json"


def test_the_committed_openapi_document_is_the_generated_one(client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.mimetype == "application/json"
    generated = smorest_api.spec.to_dict()
    assert served.get_json() == json.loads(json.dumps(generated))
    committed = json.loads(COMMITTED.read_text())
    assert committed == json.loads(json.dumps(generated)), f"monitoris/api/openapi.json is stale: run {REGENERATE}"


def test_the_document_gives_the_password_rule_the_server_applies(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    description = schemas["UserCreate"]["properties"]["password"]["description"]
    assert description.startswith(f"At least {passwords.MIN_LENGTH} characters;")


def test_the_document_names_every_path_of_the_resource_map(client):
    paths = set(client.get("/api/v1/openapi.json").get_json()["paths"])
    for path in ("/api/v1/auth/tokens", "/api/v1/organizations", "/api/v1/organizations/{object_id}",
                 "/api/v1/users", "/api/v1/users/{object_id}", "/api/v1/acts", "/api/v1/acts/{object_id}",
                 "/api/v1/acts/{object_id}/tasks", "/api/v1/tasks/{object_id}",
                 "/api/v1/tasks/{object_id}/assignments", "/api/v1/assignments", "/api/v1/assignments/{object_id}",
                 "/api/v1/assignments/{object_id}/transitions", "/api/v1/events", "/api/v1/events/stream"):
        assert path in paths


def test_the_docs_page_loads_its_scripts_from_this_server(client):
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-spec-url="/api/v1/openapi.json"' in html
    assert "http://" not in html and "https://" not in html and "<script>" not in html
    for asset in ("/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/vendor/swagger-ui/swagger-ui.css",
                  "/static/js/api-docs.js"):
        assert asset in html
        response = client.get(asset)
        assert response.status_code == 200
        response.close()
