"""The OpenAPI schema and the docs page: complete, valid, local assets, under the CSP."""

import json
import re
from typing import Any

from django.contrib.staticfiles import finders
from ninja.utils import normalize_path

from cakap.api import api
from conftest import client_for

# The contract of this part of the API (other apps add their own routers).
ENDPOINTS = {
    ("get", "/api/v1/units"),
    ("get", "/api/v1/units/{unit_id}"),
    ("get", "/api/v1/people"),
    ("post", "/api/v1/people"),
    ("get", "/api/v1/people/{person_id}"),
    ("patch", "/api/v1/people/{person_id}"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/programmes"),
    ("post", "/api/v1/programmes"),
    ("get", "/api/v1/programmes/{programme_id}"),
    ("patch", "/api/v1/programmes/{programme_id}"),
    ("post", "/api/v1/programmes/{programme_id}/groups"),
    ("post", "/api/v1/programmes/{programme_id}/modules"),
    ("patch", "/api/v1/programmes/{programme_id}/modules/{module_id}"),
    ("get", "/api/v1/groups"),
    ("get", "/api/v1/groups/{group_id}"),
    ("get", "/api/v1/enrolments"),
    ("post", "/api/v1/enrolments"),
    ("get", "/api/v1/enrolments/{enrolment_id}"),
    ("post", "/api/v1/enrolments/{enrolment_id}/move"),
    ("post", "/api/v1/enrolments/{enrolment_id}/withdraw"),
    ("get", "/api/v1/sessions"),
    ("post", "/api/v1/sessions"),
    ("get", "/api/v1/sessions/{session_id}"),
    ("patch", "/api/v1/sessions/{session_id}"),
    ("post", "/api/v1/sessions/{session_id}/cancel"),
    ("post", "/api/v1/sessions/{session_id}/move"),
}


def _schema(client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def _routed() -> set[tuple[str, str]]:
    """Every (method, path) the API answers, from its routers rather than its schema."""
    routed = set()
    for bound in api._get_bound_routers():
        for path, view in bound.path_operations.items():
            full = normalize_path("/".join(p for p in ("/api/v1", bound.prefix, path) if p))
            routed |= {
                (method.lower(), full)
                for operation in view.operations
                if operation.include_in_schema
                for method in operation.methods
            }
    return routed


def test_schema_is_valid_json_and_lists_every_endpoint(db):
    schema = _schema(client_for(None))
    assert schema["openapi"].startswith("3.")
    listed = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    assert listed == _routed()
    assert listed >= ENDPOINTS


def test_schema_declares_both_ways_in_on_every_endpoint(db):
    schema = _schema(client_for(None))
    schemes = schema["components"]["securitySchemes"]
    assert schemes["ApiTokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            assert {"ApiTokenAuth": []} in op["security"], (method, path)


def test_schema_documents_errors_and_pagination(db):
    schema = _schema(client_for(None))
    people = schema["paths"]["/api/v1/people"]["get"]
    params = {p["name"] for p in people["parameters"]}
    assert {"q", "unit", "page", "page_size"} <= params
    sessions = schema["paths"]["/api/v1/sessions"]["get"]
    assert {"programme", "group", "from", "to"} <= {p["name"] for p in sessions["parameters"]}
    create = schema["paths"]["/api/v1/people"]["post"]["responses"]
    assert {"201", "400", "401", "403", "409", "422"} <= set(create)


def test_docs_page_renders_with_local_assets_under_the_csp(world):
    response = client_for(world.coach).get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert re.search(r"script-src 'self'( 'nonce-[^']+')?;", policy)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset  # no CDN
        assert finders.find(asset.removeprefix("/static/")), asset
    # No script the CSP would block: the only inline one is JSON data, not code.
    for attrs, _body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
    found = re.search(r'id="swagger-settings">(.*?)</script>', html, re.S)
    assert found is not None
    settings = json.loads(found[1])
    assert settings["url"] == "/api/v1/openapi.json"
    assert settings["validatorUrl"] is None  # else the page calls validator.swagger.io
    # A signed-in user's Try-it-out sends the CSRF token with writes.
    assert 'data-api-csrf="true"' in html
    assert re.search(r'data-csrf-token="[^"]{20,}"', html)
