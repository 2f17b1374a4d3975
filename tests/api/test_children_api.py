"""The LA API: bearer tokens scoped to one LA, paginated lists, one error shape, a clean schema."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone

from adoption.models import ApiClient
from tests import factories
from tests.api.errors import assert_error_shape as _assert_error_shape

LIST = "/api/v1/children/"


def _auth(token: str) -> dict[str, dict[str, str]]:
    return {"headers": {"Authorization": f"Bearer {token}"}}


# --- authentication ------------------------------------------------------------------------------------


def test_no_token_is_401_with_the_error_shape(client, child_a):
    response = client.get(LIST)
    body = _assert_error_shape(response, 401)
    assert body["message"] == "Authentication credentials were not provided."
    assert response["WWW-Authenticate"] == "Bearer"
    assert child_a.last_name not in response.content.decode()


@pytest.mark.parametrize(
    "token",
    [
        "raa_00000000_" + "A" * 43,  # well-formed, no such client
        "not-a-token",
        "raa_only-two-parts",
        "",
    ],
    ids=["unknown", "garbage", "malformed", "empty"],
)
def test_a_bad_token_is_401(client, child_a, token):
    response = client.get(LIST, **_auth(token))
    _assert_error_shape(response, 401)
    assert child_a.last_name not in response.content.decode()


def test_a_token_with_the_wrong_secret_is_401(client, api_client_a, child_a):
    api_client, _ = api_client_a
    forged = f"raa_{api_client.token_prefix}_{'x' * 43}"
    body = _assert_error_shape(client.get(LIST, **_auth(forged)), 401)
    assert body["message"] == "The API token is not valid."


def test_an_expired_token_is_401(client, la_a, child_a):
    _, token = factories.api_client_with_token(la_a, expires_at=timezone.now() - timedelta(minutes=1))
    body = _assert_error_shape(client.get(LIST, **_auth(token)), 401)
    assert body["message"] == "The API token has expired."


def test_a_revoked_token_is_401(client, api_client_a, child_a):
    api_client, token = api_client_a
    assert client.get(LIST, **_auth(token)).status_code == 200
    ApiClient.objects.filter(pk=api_client.pk).update(revoked_at=timezone.now())
    body = _assert_error_shape(client.get(LIST, **_auth(token)), 401)
    assert body["message"] == "The API token has been revoked."


def test_tokens_containing_underscores_work(client, la_a, child_a):
    """The random part is URL-safe base64, so about half of all issued tokens contain "_"."""
    for attempt in range(20):
        _, token = factories.api_client_with_token(la_a, name=f"client {attempt}")
        if token.count("_") > 2:
            break
    else:
        pytest.fail("no token with an underscore in 20 tries")
    assert client.get(LIST, **_auth(token)).status_code == 200


def test_a_used_token_records_when(client, api_client_a):
    api_client, token = api_client_a
    assert api_client.last_used_at is None
    client.get(LIST, **_auth(token))
    api_client.refresh_from_db()
    assert api_client.last_used_at is not None


def test_the_token_is_stored_only_as_a_hash(api_client_a):
    api_client, token = api_client_a
    stored = ApiClient.objects.filter(pk=api_client.pk).values().get()
    assert all(token not in str(value) for value in stored.values())
    secret = token.split("_", 2)[2]
    assert all(secret not in str(value) for value in stored.values())


# --- lists and detail ------------------------------------------------------------------------------------


def test_la_as_client_lists_only_la_as_children(client, api_client_a, child_a, child_b, la_a):
    others = factories.ChildFactory.create_batch(2, responsible_la=la_a)
    response = client.get(LIST, **_auth(api_client_a[1]))
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 3
    assert data["next"] is None and data["previous"] is None
    assert {row["id"] for row in data["results"]} == {child_a.pk, *(c.pk for c in others)}
    assert {row["responsible_la"] for row in data["results"]} == {la_a.ons_code}


def test_the_list_is_paginated(client, api_client_a, la_a):
    factories.ChildFactory.create_batch(5, responsible_la=la_a)
    first = client.get(LIST, {"page_size": 2}, **_auth(api_client_a[1])).json()
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert "page=2" in first["next"]
    last = client.get(LIST, {"page_size": 2, "page": 3}, **_auth(api_client_a[1])).json()
    assert len(last["results"]) == 1
    assert last["next"] is None
    ids = {r["id"] for r in first["results"]} | {r["id"] for r in last["results"]}
    assert len(ids) == 3


def test_a_page_past_the_end_is_400_on_the_page_with_the_error_shape(client, api_client_a, child_a):
    body = _assert_error_shape(client.get(LIST, {"page": 9}, **_auth(api_client_a[1])), 400)
    assert body["extra"]["fields"] == {"page": ["Invalid page."]}


def test_la_bs_child_is_404_with_the_error_shape(client, api_client_a, child_b):
    response = client.get(f"{LIST}{child_b.pk}/", **_auth(api_client_a[1]))
    body = _assert_error_shape(response, 404)
    assert body["extra"] == {}
    assert child_b.last_name not in response.content.decode()


def test_a_missing_child_looks_the_same_as_another_las(client, api_client_a, child_b):
    other = client.get(f"{LIST}{child_b.pk}/", **_auth(api_client_a[1])).json()
    missing = client.get(f"{LIST}{child_b.pk + 1000}/", **_auth(api_client_a[1])).json()
    assert other == missing


def test_the_detail_of_an_own_child(client, api_client_a, child_a, la_a):
    factories.PeriodOfCareFactory(child=child_a)
    factories.AdoptionDecisionFactory(child=child_a)
    response = client.get(f"{LIST}{child_a.pk}/", **_auth(api_client_a[1]))
    assert response.status_code == 200
    data = response.json()
    assert (data["id"], data["first_name"], data["last_name"]) == (child_a.pk, "Amelia", "Ashdown")
    assert data["responsible_la"] == la_a.ons_code
    assert data["entered_care_on"] == "2022-01-01"
    assert data["decision_on"] == "2022-06-01"
    assert data["stage"] == "decision"


def test_filter_by_la_child_id(client, api_client_a, child_a, la_a, child_b):
    factories.ChildFactory(responsible_la=la_a)
    data = client.get(LIST, {"la_child_id": child_a.la_child_id}, **_auth(api_client_a[1])).json()
    assert [row["id"] for row in data["results"]] == [child_a.pk]
    assert data["count"] == 1
    # LA B's child's own id finds nothing for LA A.
    data = client.get(LIST, {"la_child_id": child_b.la_child_id}, **_auth(api_client_a[1])).json()
    assert data == {"count": 0, "next": None, "previous": None, "results": []}


def test_an_invalid_filter_is_400_with_field_errors(client, api_client_a):
    body = _assert_error_shape(client.get(LIST, {"updated_since": "yesterday"}, **_auth(api_client_a[1])), 400)
    assert "updated_since" in body["extra"]["fields"]


def test_a_signed_in_member_of_staff_uses_the_api_within_their_scope(client, social_worker_a, child_a, child_b):
    client.force_login(social_worker_a)
    data = client.get(LIST).json()
    assert [row["id"] for row in data["results"]] == [child_a.pk]
    assert client.get(f"{LIST}{child_b.pk}/").status_code == 404


# --- the schema ------------------------------------------------------------------------------------------


def test_the_schema_is_an_openapi_3_document(client, db):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3")
    assert "/api/v1/children/" in schema["paths"]
    assert "/api/v1/children/{child_id}/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    children_list = schema["paths"]["/api/v1/children/"]["get"]
    assert {"bearerAuth": []} in children_list["security"]
    assert {"200", "401"} <= set(children_list["responses"])


def test_the_schema_generates_without_warnings_and_validates(tmp_path: Path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3")
    assert {"/api/v1/children/", "/api/v1/children/{child_id}/"} <= set(schema["paths"])
    # Every path is under the versioned prefix and every operation says how it fails.
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                assert "401" in operation["responses"], f"{method.upper()} {path} does not document 401"
