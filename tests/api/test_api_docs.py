"""The API documentation page (``/api/docs/``): the schema rendered for integrators, for signed-in users only."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.urls import reverse

from adoption.models import Role
from adoption.views_api_docs import build_docs
from tests import factories

# The scope each top-level path needs, to read and to write, written out by hand from the README's table.
EXPECTED_SCOPES = {
    "children": ("children:read", "children:write"),
    "sibling-groups": ("children:read", "children:write"),
    "matches": ("children:read", "children:write"),
    "placements": ("children:read", "children:write"),
    "panel-items": ("children:read", "children:write"),
    "asf-applications": ("children:read", "children:write"),
    "households": ("children:read", "children:write"),
    "ssda903": ("ssda903:import", "ssda903:import"),
    "returns": ("reports:read", "reports:read"),
    "scorecards": ("reports:read", "reports:read"),
    "codes": ("none", "none"),
}

SECTION = re.compile(r'<section [^>]*id="(?P<anchor>[^"]+)"[^>]*>(?P<body>.*?)</section>', re.S)
HEADING = re.compile(r'govuk-tag--blue">(?P<method>[A-Z]+)</strong> <code>(?P<path>[^<]+)</code>')
SCOPE = re.compile(r'Scope</dt>\s*<dd class="govuk-summary-list__value"><code>(?P<scope>[^<]+)</code>')


@pytest.fixture
def page(client, social_worker_a):
    client.force_login(social_worker_a)
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def served_schema(client, social_worker_a):
    client.force_login(social_worker_a)
    response = client.get(reverse("api-schema") + "?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def _operations(page: str) -> dict[tuple[str, str], str]:
    """(method, path) -> the section's HTML, for every operation on the page."""
    found = {}
    for section in SECTION.finditer(page):
        heading = HEADING.search(section["body"])
        assert heading, section["anchor"]
        found[(heading["method"], html.unescape(heading["path"]))] = section["body"]
    return found


def test_every_operation_of_the_schema_is_on_the_page_with_its_scope(page, served_schema):
    expected = {}
    for path, item in served_schema["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                top = path.removeprefix("/api/v1/").split("/")[0]
                read, write = EXPECTED_SCOPES[top]
                expected[(method.upper(), path)] = read if method == "get" else write
    assert len(expected) >= 30  # the schema really was read
    shown = _operations(page)
    assert set(shown) == set(expected)
    for operation, scope in expected.items():
        assert SCOPE.search(shown[operation])["scope"] == scope, operation


def test_an_operation_shows_its_summary_parameters_body_and_responses(page):
    section = _operations(page)[("POST", "/api/v1/children/")]
    assert "Record a new child" in section
    # The header parameter, the body's fields (required marked) and the responses by status with their words.
    assert "<code>Idempotency-Key</code>" in section
    assert "<code>first_name</code> (required)" in section
    assert "<code>upn</code>" in section
    assert "string (date), or null" in section
    for status in ("201", "400", "401", "403", "429"):
        assert f'<td class="govuk-table__cell">{status}</td>' in section
    assert "No valid token and not signed in." in section
    query = _operations(page)[("GET", "/api/v1/children/")]
    assert "<code>born_from</code>" in query
    assert "Only children born on or after this date." in query


def test_a_body_of_several_types_shows_each_types_fields(page):
    section = _operations(page)[("POST", "/api/v1/children/{child_id}/events/")]
    for value in ("adm_decision", "adm_decision_reversal", "placement_order", "placement_end"):
        assert f"type: {value} (" in section, value
    assert "<code>decided_on</code> (required)" in section
    assert "The ADM&#x27;s decision that the child should be placed for adoption." in section


def test_the_examples_of_the_schema_are_shown_pretty_printed(page):
    section = _operations(page)[("POST", "/api/v1/children/")]
    blocks = [html.unescape(block) for block in re.findall(r"<pre[^>]*><code>(.*?)</code></pre>", section, re.S)]
    child = next(json.loads(block) for block in blocks if "LA004211" in block)
    assert child["la_child_id"] == "LA004211"
    assert child["stage"] == "placement_order"
    assert '\n  "id": 1803,' in next(block for block in blocks if "LA004211" in block)  # indented
    assert any("Too many requests from this API client" in block for block in blocks)


def test_the_introduction_covers_authentication_scopes_errors_and_conventions(page):
    text = html.unescape(page)
    assert "Authorization: Bearer <token>" in text
    assert '{"message": "...", "extra": {...}}' in text
    for words in ("Idempotency-Key", "If-Match", "ETag", "Retry-After", "/api/v2/", "Sunset", "600/minute"):
        assert words in text, words
    # The scopes table, with the reason written in api_scopes' table.
    assert "The SSDA903 reference code lists are the same for every LA" in text
    assert 'href="/api/v1/schema/"' in page
    assert 'href="#group-children"' in page


def test_the_page_has_no_script_of_its_own_and_no_inline_style(page):
    main = page.split('<main class="govuk-main-wrapper" id="main-content">')[1].split("</main>")[0]
    assert "<script" not in main
    assert "style=" not in page


def test_anonymous_users_are_sent_to_sign_in(client, db):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))
    assert "next=/api/docs/" in response["Location"]


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.PANEL_MEMBER, Role.MANAGER, Role.ADMINISTRATOR])
def test_any_role_may_read_it(client, la_a, role):
    client.force_login(factories.staff(la_a, role, username=f"docs.{role}"))
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    assert "API documentation" in response.content.decode()


def test_build_docs_from_a_small_schema():
    schema = {
        "info": {"title": "T", "version": "9", "description": "Calls `x`."},
        "paths": {
            "/api/v1/codes/{name}/": {
                "get": {
                    "tags": ["codes"],
                    "summary": "A list",
                    "deprecated": True,
                    "parameters": [
                        {"in": "path", "name": "name", "required": True, "schema": {"type": "string"}},
                        {"in": "query", "name": "n", "schema": {"type": "array", "items": {"$ref": "#/c/K"}}},
                    ],
                    "responses": {"200": {"description": "<b>ok</b>"}},
                }
            },
            "/api/v1/nowhere/": {"post": {"tags": ["z"], "responses": {}}},
        },
        "components": {"schemas": {"K": {"enum": ["A", "B", ""]}}},
    }
    docs = build_docs(schema)
    assert docs.operation_count == 2
    codes, nowhere = docs.groups
    op = codes.operations[0]
    assert (op.method, op.path, op.scope, op.deprecated) == ("GET", "/api/v1/codes/{name}/", "none", True)
    assert [(f.name, f.place, f.type, f.required) for f in op.parameters] == [
        ("name", "Path", "string", True),
        ("n", "Query", "array of one of: A, B", False),
    ]
    assert str(op.responses[0].description) == '<p class="govuk-body">&lt;b&gt;ok&lt;/b&gt;</p>'
    assert str(docs.description) == '<p class="govuk-body">Calls <code>x</code>.</p>'
    assert nowhere.operations[0].scope == "unavailable"  # a route the scopes table does not cover
