"""API clients: the scope every API operation needs (one table, closed to unknown routes), every call audited with
the client, and the administrators' pages that register, rotate and revoke clients, showing a token once."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from adoption.api_auth import hash_token
from adoption.api_scopes import HasScope, Unmapped, required_scope
from adoption.models import ApiClient, ApiScope, AuditEvent, Role
from tests import factories
from tests.api.errors import assert_error_shape

CHILDREN = "/api/v1/children/"
ASF = "/api/v1/asf-applications/"
IMPORTS = "/api/v1/ssda903/imports/"
TOKEN = re.compile(r"raa_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}")


def _auth(token: str) -> dict[str, dict[str, str]]:
    return {"headers": {"Authorization": f"Bearer {token}"}}


def _routes(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


API_ROUTES = sorted({route for route in _routes(get_resolver()) if route.startswith("api/v1/")})
PAGE_ROUTES = sorted({route for route in _routes(get_resolver()) if route.startswith("api-clients/")})


# --- the table ----------------------------------------------------------------------------------------------------


def test_the_walk_finds_the_api_routes():
    assert {"api/v1/children/", "api/v1/children/<int:child_id>/", "api/v1/schema/"} <= set(API_ROUTES)
    assert len(API_ROUTES) >= 10


@pytest.mark.parametrize("route", API_ROUTES)
def test_every_api_route_in_the_urlconf_has_a_scope(route):
    """A new endpoint fails here until adoption.api_scopes.SCOPES says what it needs."""
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            required_scope(route, method)
        except Unmapped:
            pytest.fail(f"{method} {route} has no line in adoption.api_scopes.SCOPES: add one")


R, W, IMP, REP = ApiScope.READ_CHILDREN, ApiScope.WRITE_CHILDREN, ApiScope.IMPORT_903, ApiScope.READ_REPORTS


@pytest.mark.parametrize(
    ("route", "method", "scope"),
    [
        ("api/v1/children/", "GET", R),
        ("api/v1/children/<int:child_id>/", "GET", R),
        ("api/v1/children/<int:child_id>/", "PATCH", W),
        ("api/v1/children/<int:child_id>/placements/", "POST", W),  # a future sub-resource of a child
        ("api/v1/ssda903/imports/", "POST", IMP),
        ("api/v1/ssda903/imports/<uuid:job_id>/", "GET", IMP),
        ("api/v1/panel-items/", "GET", R),
        ("api/v1/panel-items/<int:item_id>/", "GET", R),
        ("api/v1/asf-applications/", "GET", R),
        ("api/v1/asf-applications/", "POST", W),
        ("api/v1/asf-applications/<int:application_id>/submit/", "POST", W),
        ("api/v1/households/", "GET", R),
        ("api/v1/households/<int:household_id>/transitions/", "POST", W),
        ("api/v1/returns/", "GET", REP),
        ("api/v1/scorecards/", "GET", REP),
        ("api/v1/schema/", "GET", None),
    ],
)
def test_the_scope_each_operation_needs(route, method, scope):
    assert required_scope(route, method) == scope


def test_an_unknown_route_is_refused_to_a_client_and_audited(api_client_a):
    """Fail closed: a route the table does not know is refused, whatever the client's scopes."""
    client, _ = api_client_a
    assert set(client.scopes) == set(ApiScope.values)
    with pytest.raises(Unmapped):
        required_scope("api/v1/something-new/", "GET")
    request = SimpleNamespace(
        user=client,
        method="GET",
        path="/api/v1/something-new/",
        resolver_match=SimpleNamespace(route="api/v1/something-new/"),
    )
    permission = HasScope()
    assert permission.has_permission(request, view=None) is False
    assert permission.message == "This operation is not open to API clients."
    event = AuditEvent.objects.get(api_client=client)
    assert (event.action, event.object_id) == ("access_refused", "GET /api/v1/something-new/")


# --- scopes enforced on real calls ---------------------------------------------------------------------------------


def _client_with(la, *scopes: ApiScope) -> tuple[ApiClient, str]:
    return factories.api_client_with_token(la, name="Limited system", scopes=[s.value for s in scopes])


def test_a_client_with_only_children_read_reads_but_cannot_write(client, la_a, child_a):
    _, token = _client_with(la_a, ApiScope.READ_CHILDREN)
    response = client.get(CHILDREN, **_auth(token))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [child_a.pk]

    response = client.post(ASF, {"child_id": child_a.pk, "therapy": "theraplay"}, **_auth(token))
    body = assert_error_shape(response, 403)
    assert "children:write" in body["message"]
    assert child_a.last_name not in response.content.decode()


def test_a_client_without_children_read_cannot_read_children(client, la_a, child_a):
    _, token = _client_with(la_a, ApiScope.WRITE_CHILDREN, ApiScope.IMPORT_903)
    for url in (CHILDREN, f"{CHILDREN}{child_a.pk}/", "/api/v1/panel-items/", ASF):
        response = client.get(url, **_auth(token))
        body = assert_error_shape(response, 403)
        assert body["message"] == "This API client does not have the children:read scope this operation needs."
        assert child_a.last_name not in response.content.decode()


def test_the_903_import_needs_its_own_scope(client, la_a):
    _, token = _client_with(la_a, ApiScope.READ_CHILDREN, ApiScope.WRITE_CHILDREN, ApiScope.READ_REPORTS)
    body = assert_error_shape(client.post(IMPORTS, {}, **_auth(token)), 403)
    assert "ssda903:import" in body["message"]
    body = assert_error_shape(client.get(f"{IMPORTS}{uuid.uuid4()}/", **_auth(token)), 403)
    assert "ssda903:import" in body["message"]

    # With the scope, the same calls get past it: an upload without files is a field error, an unknown job 404.
    _, token = _client_with(la_a, ApiScope.IMPORT_903)
    body = assert_error_shape(client.post(IMPORTS, {}, **_auth(token)), 400)
    assert "files" in body["extra"]["fields"]
    assert_error_shape(client.get(f"{IMPORTS}{uuid.uuid4()}/", **_auth(token)), 404)


def test_a_write_with_the_scope_reaches_the_operation(client, la_a):
    _, token = _client_with(la_a, ApiScope.WRITE_CHILDREN)
    response = client.post(ASF, {}, content_type="application/json", **_auth(token))
    assert response.status_code != 403  # refused by the operation's own rules, not by the scope


def test_staff_signed_in_are_not_limited_by_scopes(client, social_worker_a, child_a):
    client.force_login(social_worker_a)
    response = client.get(CHILDREN)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [child_a.pk]
    assert not AuditEvent.objects.filter(object_type="api_call").exists()


# --- every call audited with the client --------------------------------------------------------------------------


def test_every_call_is_audited_with_the_client(client, la_a, child_a):
    api_client, token = _client_with(la_a, ApiScope.READ_CHILDREN)
    client.get(f"{CHILDREN}?la_child_id={child_a.la_child_id}", **_auth(token))
    client.post(ASF, {"child_id": child_a.pk}, **_auth(token))
    calls = list(
        AuditEvent.objects.filter(api_client=api_client, object_type="api_call")
        .order_by("id")
        .values_list("action", "object_id", "organisation_id", "actor_label")
    )
    label = f"api:{api_client.token_prefix}"
    assert calls == [
        ("read", "GET /api/v1/children/", la_a.pk, label),  # never the query string
        ("access_refused", "POST /api/v1/asf-applications/", la_a.pk, label),
    ]


# --- tokens: revoked and expired ---------------------------------------------------------------------------------


def test_an_expired_or_revoked_token_is_401(client, la_a, child_a):
    _, expired = factories.api_client_with_token(la_a, expires_at=timezone.now() - timedelta(seconds=1))
    body = assert_error_shape(client.get(CHILDREN, **_auth(expired)), 401)
    assert body["message"] == "The API token has expired."
    _, revoked = factories.api_client_with_token(la_a, revoked_at=timezone.now())
    body = assert_error_shape(client.get(CHILDREN, **_auth(revoked)), 401)
    assert body["message"] == "The API token has been revoked."


# --- the administrators' pages -----------------------------------------------------------------------------------


@pytest.fixture
def admin_a(la_a):
    return factories.staff(la_a, Role.ADMINISTRATOR, username="admin.a")


@pytest.fixture
def admin_b(la_b):
    return factories.staff(la_b, Role.ADMINISTRATOR, username="admin.b")


@pytest.fixture
def admin_raa(raa):
    return factories.staff(raa, Role.ADMINISTRATOR, username="admin.raa")


def _register(client, la, **fields):
    data = {"name": "Ashby Mosaic", "la": la.pk, "scopes": ["children:read"], "days": "30", **fields}
    return client.post("/api-clients/new/", data)


def test_registering_shows_the_token_once_and_it_works_for_what_was_chosen(client, admin_a, la_a, child_a):
    client.force_login(admin_a)
    before = timezone.now()
    response = _register(client, la_a, scopes=["children:read", "reports:read"])
    assert response.status_code == 200  # the token is in this page's body only, never in a URL
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "It will not be shown again" in body
    (token,) = set(TOKEN.findall(body))

    api_client = ApiClient.objects.get()
    assert (api_client.name, api_client.organisation, api_client.scopes) == (
        "Ashby Mosaic",
        la_a,
        ["children:read", "reports:read"],
    )
    assert api_client.token_hash == hash_token(token) and token not in api_client.token_hash
    assert timedelta(days=30) <= api_client.expires_at - before <= timedelta(days=30, minutes=1)
    assert AuditEvent.objects.filter(actor=admin_a, action="create", object_id=str(api_client.pk)).count() == 1

    # Neither the list nor the client's page shows it again.
    for url in ("/api-clients/", f"/api-clients/{api_client.pk}/"):
        page = client.get(url).content.decode()
        assert "Ashby Mosaic" in page
        assert token not in page
    listing = client.get("/api-clients/").content.decode()
    assert "Read children" in listing and "Read reports" in listing and "Write children" not in listing
    assert "Active" in listing and "Never" in listing

    client.logout()
    assert client.get(CHILDREN, **_auth(token)).status_code == 200
    assert client.post(ASF, {}, **_auth(token)).status_code == 403


def test_form_errors_keep_what_was_typed(client, admin_a, la_a):
    client.force_login(admin_a)
    response = _register(client, la_a, name="Ashby Mosaic", scopes=[], days="999")
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Select at least one thing the client may do" in body
    assert "Enter a number of days from 1 to 366" in body
    assert 'value="Ashby Mosaic"' in body
    assert 'value="999"' in body
    assert f'<option value="{la_a.pk}" selected>' in body
    assert body.count('type="checkbox"') == len(ApiScope.values)
    assert not ApiClient.objects.exists()
    assert not TOKEN.search(body)

    response = _register(client, la_a, name="", days="ten")
    body = response.content.decode()
    assert "Enter the name" in body and "Enter a number of days from 1 to 366" in body
    assert not ApiClient.objects.exists()


def test_another_la_is_not_a_choice(client, admin_a, la_a, la_b):
    client.force_login(admin_a)
    page = client.get("/api-clients/new/").content.decode()
    assert la_a.name in page and la_b.name not in page
    response = _register(client, la_b)
    assert response.status_code == 200
    assert "Choose the local authority" in response.content.decode()
    assert not ApiClient.objects.exists()


def test_an_raa_administrator_manages_every_la_of_the_raa(client, admin_raa, la_a, la_b, la_other):
    factories.api_client_with_token(la_a, name="Ashby system")
    factories.api_client_with_token(la_b, name="Brookfield system")
    factories.api_client_with_token(la_other, name="Coastal system")
    client.force_login(admin_raa)
    body = client.get("/api-clients/").content.decode()
    assert "Ashby system" in body and "Brookfield system" in body
    assert "Coastal system" not in body
    assert _register(client, la_b, name="New Brookfield").status_code == 200
    assert ApiClient.objects.filter(name="New Brookfield", organisation=la_b).exists()


def test_the_list_shows_only_the_administrators_las_and_each_status(client, admin_a, la_a, la_b):
    factories.api_client_with_token(la_a, name="Ashby live")
    factories.api_client_with_token(la_a, name="Ashby old", expires_at=timezone.now() - timedelta(days=1))
    factories.api_client_with_token(la_a, name="Ashby cut off", revoked_at=timezone.now())
    factories.api_client_with_token(la_b, name="Brookfield system")
    client.force_login(admin_a)
    body = client.get("/api-clients/").content.decode()
    assert "Brookfield system" not in body
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, re.S)
    status = {name: tag for row in rows[1:] for name, tag in [(re.search(r">([^<]+)</a>", row)[1], row)]}
    assert "Active" in status["Ashby live"]
    assert "Expired" in status["Ashby old"]
    assert "Revoked" in status["Ashby cut off"]


def test_no_clients_yet(client, admin_a):
    client.force_login(admin_a)
    assert "No API clients yet." in client.get("/api-clients/").content.decode()


def test_rotating_replaces_the_token_at_once(client, admin_a, la_a, child_a):
    api_client, old = factories.api_client_with_token(la_a, name="Ashby system")
    client.force_login(admin_a)
    assert (
        "stops working as soon as you replace it"
        in client.get(f"/api-clients/{api_client.pk}/rotate/").content.decode()
    )
    response = client.post(f"/api-clients/{api_client.pk}/rotate/", {"days": "10"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    (new,) = set(TOKEN.findall(response.content.decode()))
    assert new != old
    assert AuditEvent.objects.filter(actor=admin_a, action="update", object_id=str(api_client.pk)).count() == 1
    api_client.refresh_from_db()
    assert api_client.expires_at - timezone.now() <= timedelta(days=10)
    assert new not in client.get(f"/api-clients/{api_client.pk}/").content.decode()

    client.logout()
    assert_error_shape(client.get(CHILDREN, **_auth(old)), 401)
    assert client.get(CHILDREN, **_auth(new)).status_code == 200


def test_an_expired_client_gets_a_working_token_by_rotating(client, admin_a, la_a, child_a):
    api_client, old = factories.api_client_with_token(la_a, expires_at=timezone.now() - timedelta(days=1))
    client.force_login(admin_a)
    assert "Expired" in client.get(f"/api-clients/{api_client.pk}/").content.decode()
    (new,) = set(TOKEN.findall(client.post(f"/api-clients/{api_client.pk}/rotate/", {"days": "90"}).content.decode()))
    assert "Active" in client.get(f"/api-clients/{api_client.pk}/").content.decode()
    client.logout()
    assert client.get(CHILDREN, **_auth(new)).status_code == 200
    assert_error_shape(client.get(CHILDREN, **_auth(old)), 401)


def test_rotating_checks_the_days(client, admin_a, la_a):
    api_client, old = factories.api_client_with_token(la_a)
    client.force_login(admin_a)
    response = client.post(f"/api-clients/{api_client.pk}/rotate/", {"days": "0"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a number of days from 1 to 366" in body and 'value="0"' in body
    api_client.refresh_from_db()
    assert api_client.token_hash == hash_token(old)


def test_revoking_asks_first_then_the_token_is_401(client, admin_a, la_a, child_a):
    api_client, token = factories.api_client_with_token(la_a, name="Ashby system")
    client.force_login(admin_a)
    page = client.get(f"/api-clients/{api_client.pk}/revoke/").content.decode()
    assert "This cannot be undone" in page and "Revoke the client" in page
    api_client.refresh_from_db()
    assert api_client.revoked_at is None  # looking at the question changes nothing

    response = client.post(f"/api-clients/{api_client.pk}/revoke/")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "has been revoked" in page and "Revoked" in page and "Replace the token" not in page
    assert AuditEvent.objects.filter(actor=admin_a, action="update", object_id=str(api_client.pk)).count() == 1
    # A revoked client's token cannot be brought back by rotating it.
    assert client.post(f"/api-clients/{api_client.pk}/rotate/", {"days": "30"}).status_code == 302
    api_client.refresh_from_db()
    assert api_client.token_hash == hash_token(token)

    client.logout()
    body = assert_error_shape(client.get(CHILDREN, **_auth(token)), 401)
    assert body["message"] == "The API token has been revoked."


@pytest.mark.parametrize("route", PAGE_ROUTES)
def test_every_page_hides_another_las_clients(route, client, admin_a, la_a, la_b):
    """The walk the permission matrix leaves to this file: as LA A's administrator, LA A's client is the control
    (200) and LA B's answers 404 to GET and POST, and nothing about it changes."""
    own, _ = factories.api_client_with_token(la_a, name="Ashby system")
    other, other_token = factories.api_client_with_token(la_b, name="Brookfield system")
    client.force_login(admin_a)
    if "<int:client_id>" not in route:
        response = client.get("/" + route)
        assert response.status_code == 200
        assert "Brookfield system" not in response.content.decode()
        return
    assert client.get("/" + route.replace("<int:client_id>", str(own.pk))).status_code == 200
    url = "/" + route.replace("<int:client_id>", str(other.pk))
    assert client.get(url).status_code == 404
    assert client.post(url, {"days": "30"}).status_code in {404, 405}
    other.refresh_from_db()
    assert other.revoked_at is None and other.token_hash == hash_token(other_token)


def test_administrators_of_la_b_cannot_reach_la_as_clients(client, admin_b, la_a, child_a):
    api_client, token = factories.api_client_with_token(la_a, name="Ashby system")
    client.force_login(admin_b)
    assert "Ashby system" not in client.get("/api-clients/").content.decode()
    for suffix in ("", "rotate/", "revoke/"):
        assert client.get(f"/api-clients/{api_client.pk}/{suffix}").status_code == 404
    assert client.post(f"/api-clients/{api_client.pk}/revoke/").status_code == 404
    client.logout()
    assert client.get(CHILDREN, **_auth(token)).status_code == 200


@pytest.mark.parametrize("persona", ["social_worker_a", "manager_a", "family_finder", "vaa_worker"])
def test_other_roles_are_refused(persona, client, la_a, request):
    api_client, _ = factories.api_client_with_token(la_a, name="Ashby system")
    client.force_login(request.getfixturevalue(persona))
    for url in (
        "/api-clients/",
        "/api-clients/new/",
        f"/api-clients/{api_client.pk}/",
        f"/api-clients/{api_client.pk}/revoke/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/api-clients/{api_client.pk}/revoke/").status_code == 403
    assert _register(client, la_a).status_code == 403
    api_client.refresh_from_db()
    assert api_client.revoked_at is None
    assert ApiClient.objects.count() == 1


def test_signed_out_users_are_sent_to_sign_in(client):
    response = client.get("/api-clients/")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_the_command_line_registers_a_client_with_every_scope(la_a, capsys):
    call_command("create_api_client", la_a.ons_code, "--name", "Ashby batch", "--days", "7")
    (token,) = TOKEN.findall(capsys.readouterr().out)
    api_client = ApiClient.objects.get()
    assert api_client.scopes == ["children:read", "children:write", "ssda903:import", "reports:read"]
    assert api_client.token_hash == hash_token(token)
    assert AuditEvent.objects.filter(action="create", object_id=str(api_client.pk), actor=None).count() == 1
