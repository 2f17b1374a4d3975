"""The load scenario is sound without the load: its addresses are real pages and API operations, its logins are the
demo's, and the forms it fills in are read and submitted as the pages expect (with their CSRF tokens checked).

The scenario's addresses, logins and answers are plain data (``loadtest.routes``, ``loadtest.personas``,
``loadtest.answers``) and its form reader uses the standard library only, so none of this needs locust.
"""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import resolve, reverse
from drf_spectacular.generators import SchemaGenerator

from adoption import demo
from adoption.models import Role
from children.journey import Stage
from children.models import AdoptionDecision, Child, FamilyFindingStatus
from children.selectors.lists import WaitingView
from loadtest import answers, personas, routes
from loadtest.forms import page_form
from reporting.api import RETURN_FILES
from tests import factories

LOCUSTFILE = Path(__file__).resolve().parent.parent / "loadtest" / "locustfile.py"
ROUTE_NAMES = {name for name in vars(routes) if isinstance(getattr(routes, name), routes.Route)}


def _example_path(route: routes.Route) -> str:
    return route.path(**{name: routes.EXAMPLE_PARAMETERS[name] for name in route.parameters})


@pytest.mark.parametrize("route", routes.ROUTES, ids=lambda route: route.template)
def test_every_route_is_the_page_or_operation_it_names(route):
    path = _example_path(route)
    assert resolve(path).view_name == route.url_name
    assert reverse(route.url_name, kwargs={name: routes.EXAMPLE_PARAMETERS[name] for name in route.parameters}) == path
    assert path.startswith("/api/v1/") == route.api


def test_every_api_call_is_an_operation_of_the_schema():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    api_routes = [route for route in routes.ROUTES if route.api]
    assert api_routes
    for route in api_routes:
        assert route.template in paths, f"{route.template} is not in the API schema"
        for method in route.methods:
            assert method.lower() in paths[route.template], f"{method} {route.template} is not an operation"
        documented = {p["name"] for op in paths[route.template].values() for p in op.get("parameters", [])}
        assert set(route.parameters) <= documented


def test_the_return_files_pulled_are_the_apis():
    assert set(routes.RETURN_FILES) == set(RETURN_FILES)


def _locustfile_tree() -> ast.Module:
    return ast.parse(LOCUSTFILE.read_text(encoding="utf-8"))


def test_the_scenario_asks_only_for_the_routes_and_uses_them_all():
    tree = _locustfile_tree()
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    written_addresses = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith("/")
        and id(node) not in docstrings
    ]
    assert written_addresses == []
    used = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "routes"
    }
    assert {name for name in used if name.isupper()} - set(vars(routes)) == set()
    assert ROUTE_NAMES - used == set(), "routes the scenario never asks for"


def test_the_scenarios_logins_are_the_demos_with_their_roles():
    staff = {plan.username: plan.role for plan in demo.STAFF}
    assert personas.DEMO_PASSWORD == demo.DEMO_PASSWORD
    for role, usernames in personas.ROLES.items():
        assert usernames
        for username in usernames:
            assert staff.get(username) == Role(role), f"{username} is not a demo {role}"


@pytest.fixture
def browser():
    """A browser session that checks CSRF as the server does."""
    return Client(enforce_csrf_checks=True)


def test_signing_in_through_the_sign_in_form(browser, la_a):
    factories.staff(la_a, Role.SOCIAL_WORKER, username="sw.load", password="a long enough password")
    path = routes.SIGN_IN.path()
    form = page_form(browser.get(path).content.decode(), path)
    response = browser.post(path, form.data(username="sw.load", password="a long enough password"))
    assert response.status_code == 302
    assert response["Location"] == routes.HOME.path()
    assert "Sign out" in browser.get(routes.HOME.path()).content.decode()


def test_recording_a_family_finding_status_through_its_form(browser, social_worker_a, child_a):
    browser.force_login(social_worker_a)
    path = routes.FAMILY_FINDING_STATUS.path(child_id=child_a.pk)
    form = page_form(browser.get(path).content.decode(), path)
    assert set(answers.FAMILY_FINDING_STATUSES) <= set(form.options["status"])
    today = date.today()
    response = browser.post(path, form.data(**answers.family_finding(status="on_hold", on=today)))
    assert response.status_code == 302
    assert response["Location"] == routes.CHILD_DETAIL.path(child_id=child_a.pk)
    recorded = FamilyFindingStatus.objects.get(child=child_a)
    assert (recorded.status, recorded.status_from, recorded.note) == ("on_hold", today, answers.FAMILY_FINDING_NOTE)


def test_saving_a_childs_details_unchanged_through_their_form(browser, social_worker_a, child_a):
    browser.force_login(social_worker_a)
    before = Child.objects.values().get(pk=child_a.pk)
    path = routes.CHILD_UPDATE.path(child_id=child_a.pk)
    form = page_form(browser.get(path).content.decode(), path)
    response = browser.post(path, form.data())
    assert response.status_code == 302
    assert response["Location"] == routes.CHILD_DETAIL.path(child_id=child_a.pk)
    after = Child.objects.values().get(pk=child_a.pk)
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }


def test_the_stages_decided_on_are_the_journeys():
    assert set(answers.DECIDABLE_STAGES) <= set(Stage.values)


def test_the_lists_filters_chosen_are_the_pages():
    stages = {query["stage"] for query in answers.CHILD_LIST_QUERIES if "stage" in query}
    assert stages and stages <= set(Stage.values)
    views = {query["view"] for query in answers.WAITING_QUERIES if "view" in query}
    assert views and views <= {value for value, _label in WaitingView.CHOICES}


def test_an_la_systems_decisions_and_reversals_on_a_child_in_care(client, api_client_a, child_a):
    """The cycle the LA systems record, each event chosen from the children list as the scenario chooses it: a
    decision, its reversal, a decision again, all on one day, each with its own Idempotency-Key."""
    _client, token = api_client_a
    factories.PeriodOfCareFactory(child=child_a, started_on=date(2022, 1, 10))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    recorded = []
    for number in range(3):
        listed = client.get(routes.API_CHILDREN.path(), {"ordering": "id", "page_size": 200}, **auth)
        row = next(row for row in listed.json()["results"] if row["id"] == child_a.pk)
        body = answers.next_decision_event(row, on=date.today())
        assert body is not None, row["stage"]
        response = client.post(
            routes.API_CHILD_EVENTS.path(child_id=child_a.pk),
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"event-{number}",
            **auth,
        )
        assert response.status_code == 201, response.content
        recorded.append(response.json()["type"])
    assert recorded == ["adm_decision", "adm_decision_reversal", "adm_decision"]
    decisions = AdoptionDecision.objects.filter(child=child_a).order_by("pk")
    assert [d.reversed_on is not None for d in decisions] == [True, False]


def test_no_decision_is_recorded_on_a_child_with_a_placement_order(client, api_client_a, child_a):
    """The journey's rules refuse a decision today once a placement order was made (it must come first), so the
    scenario never asks for one."""
    _client, token = api_client_a
    factories.PeriodOfCareFactory(child=child_a, started_on=date(2022, 1, 10))
    factories.AdoptionDecisionFactory(
        child=child_a, decided_on=date(2022, 6, 1), reversed_on=date(2023, 1, 5), reversal_reason="RD2"
    )
    factories.PlacementOrderFactory(child=child_a, made_on=date(2022, 9, 1))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listed = client.get(routes.API_CHILDREN.path(), {"ordering": "id"}, **auth)
    row = next(row for row in listed.json()["results"] if row["id"] == child_a.pk)
    assert row["placement_order_on"] == "2022-09-01"
    assert answers.next_decision_event(row, on=date.today()) is None
    refused = client.post(
        routes.API_CHILD_EVENTS.path(child_id=child_a.pk),
        {"type": "adm_decision", "decided_on": date.today().isoformat()},
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 400
    assert "903 rule 554" in refused.json()["message"]
