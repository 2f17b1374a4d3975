"""Nobody sees anything without signing in, except the few pages that are public on purpose.

Every URL pattern of the project (read from the URLconf, as the permission matrix does, so a new page is
covered the day it is added) is requested and posted to without signing in. A page sends the visitor to
sign in (the admin to its own sign-in) and shows none of its content; an API operation answers 401 in the
API's one error shape. Only the routes in ``PUBLIC`` are reached, each for the reason it gives.
"""

from __future__ import annotations

import re

import pytest

from tests.test_permission_matrix import OPERATIONS, ROUTES, Operation, Route

# Route -> why anyone may reach it without signing in.
PUBLIC: dict[str, str] = {
    "sign-in/": "Where everyone signs in.",
    "sign-out/": "Signing out (a POST) ends whatever session there is, and then shows the sign-in page.",
    "accessibility/": "The accessibility statement must be reachable by anyone (Public Sector Bodies Accessibility "
    "Regulations 2018).",
    "health/": "The load balancer's health check: it says whether the service is up and shows no records.",
    "favicon.ico": "The browser's icon, sent on to the static file.",
    "api/v1/schema/": "The OpenAPI schema describes the operations (and the scopes they need) for integrators; "
    "it holds no records.",
    "admin/login/": "The admin's own sign-in page.",
    "admin/logout/": "Signing out of the admin, then back to its sign-in.",
    "panels/feedback/<str:token>/": "Adopters open the attendee feedback form from a one-off link without an "
    "account: the unguessable token is the key and an unknown one is 404 (tests/panels/test_feedback.py).",
    "panels/feedback/": "The feedback form the one-off link leads to: it shows a form only to the session that opened "
    "a link, and 404 to anyone else (tests/panels/test_feedback.py).",
}

# A value for each kind of URL parameter: anonymous requests must be refused before any record is looked up.
SAMPLES = {"int": "1", "uuid": "00000000-0000-0000-0000-000000000001", "slug": "a1", "str": "x", "path": "1"}
# A value for the named groups of regex routes (the admin's app index and its catch-all).
REGEX_SAMPLES = {"app_label": "adoption", "url": "anything/"}
REGEX_GROUP = re.compile(r"\(\?P<([^>]+)>[^)]*\)")


def url_of(route: Route) -> str:
    """The route filled with sample values (a regex route's named groups too)."""
    path = route.route
    if REGEX_GROUP.search(path):
        path = REGEX_GROUP.sub(lambda m: REGEX_SAMPLES[m[1]], path).replace("^", "").replace("$", "")
    return "/" + re.sub(r"<(?:([^>:]+):)?([^>]+)>", lambda m: SAMPLES[m[1] or "str"], path)


PRIVATE = [r for r in ROUTES if r.route not in PUBLIC]
# An API path as the schema writes it ("/api/v1/children/{child_id}/") -> its route, to fill it with typed samples.
ROUTE_OF_OPERATION = {"/" + re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"{\1}", r.route): r for r in ROUTES}


def test_the_walk_sees_every_part_of_the_project():
    routes = {r.route for r in ROUTES}
    assert set(PUBLIC) <= routes, f"stale public routes: {set(PUBLIC) - routes}"
    for prefix in ("children/", "households/", "panels/", "support/", "reports/", "ssda903/", "api/v1/", "admin/"):
        assert any(r.route.startswith(prefix) for r in PRIVATE), prefix
    regex_routes = [r for r in ROUTES if REGEX_GROUP.search(r.route)]
    assert regex_routes, "the admin's regex routes are walked too"
    assert {url_of(r) for r in regex_routes} == {"/admin/adoption/", "/admin/anything/"}


def _refused(response, url: str, *, api: bool, admin: bool) -> None:
    if api:
        assert response.status_code == 401, f"{url} answered {response.status_code} without signing in"
        assert set(response.json()) == {"message", "extra"}
        return
    if response.status_code in {403, 404}:
        return
    assert response.status_code == 302, f"{url} answered {response.status_code} without signing in"
    assert response.content == b"", f"{url} sent some of its content with the redirect"
    sign_in = "/admin/login/" if admin else "/sign-in/"
    assert response["Location"].startswith(sign_in), f"{url} sent an anonymous visitor to {response['Location']}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", PRIVATE, ids=[r.route or "/" for r in PRIVATE])
def test_every_page_refuses_anonymous_visitors(route, client):
    url = url_of(route)
    api, admin = route.route.startswith("api/v1/"), route.route.startswith("admin/")
    for response in (client.get(url), client.post(url)):
        if response.status_code == 405:  # this method is not the page's; the other one is checked
            continue
        _refused(response, url, api=api, admin=admin)
    # A GET that goes anywhere but sign-in must not be the page: at least one of the two was refused.
    assert client.get(url).status_code != 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "operation",
    [o for o in OPERATIONS if not o.path.startswith("/api/v1/schema/")],
    ids=[f"{o.method} {o.path}" for o in OPERATIONS if not o.path.startswith("/api/v1/schema/")],
)
def test_every_api_operation_answers_401_without_a_token_or_session(operation: Operation, client):
    url = url_of(ROUTE_OF_OPERATION[operation.path])
    response = client.generic(operation.method.upper(), url, "{}", content_type="application/json")
    assert response.status_code == 401, f"{operation.method} {url} answered {response.status_code}"
    assert set(response.json()) == {"message", "extra"}
    assert response["WWW-Authenticate"]


@pytest.mark.django_db
@pytest.mark.parametrize("route", list(PUBLIC), ids=list(PUBLIC))
def test_the_public_pages_are_public(route, client):
    """The control: each public route answers without signing in (the feedback form only to its token)."""
    found = next(r for r in ROUTES if r.route == route)
    url = url_of(found)
    response = client.post(url) if route == "sign-out/" else client.get(url)
    if route.startswith("panels/feedback/"):
        assert response.status_code == 404  # an unknown token, or no link opened
        return
    assert response.status_code in {200, 301, 302}, f"{url} answered {response.status_code}"
    if response.status_code in {301, 302}:
        assert not response["Location"].startswith("/sign-in/?next=")
