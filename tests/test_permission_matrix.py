"""The tenancy promise, walked over every page and every API operation.

Signed in as LA A's social worker (or calling as LA A's API client), every URL that names a
record is filled with a record of LA B and must answer 404, exactly as if the record did not
exist; every page without a record must not show LA B's child. The URL patterns and the API
operations are read from the project itself, so a new page or endpoint is covered as soon as it
exists, and the walk fails until its parameters are known here or it is exempted with a reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from drf_spectacular.generators import SchemaGenerator

from adoption.models import Job, Role
from children import selectors
from children.models import (
    AdoptivePlacement,
    Disruption,
    EarlyPermanencePlacement,
    LearningAction,
    Link,
    Match,
    SiblingGroup,
    SiblingGroupMember,
)
from tests import factories

# --- the records each URL parameter can name --------------------------------------------------
# Parameter name -> (fixture giving LA A's record, fixture giving LA B's record). LA A's record
# is the control: the same URL with it must work, so a 404 proves scoping, not a broken URL.
OBJECT_PARAMETERS: dict[str, tuple[str, str]] = {
    "child_id": ("child_a_waiting", "child_b_waiting"),
    "group_id": ("sibling_group_a", "sibling_group_b"),
    "placement_id": ("early_permanence_a", "early_permanence_b"),
    "job_id": ("job_a", "job_b"),
    # Households belong to an approving agency, not to an LA: one of LA A and LA B's RAA, and a VAA's.
    "household_id": ("household_raa", "household_other_agency"),
    # Links and matches are seen through their children: LA A's child's, and LA B's.
    "link_id": ("link_a", "link_b"),
    "match_id": ("match_a", "match_b"),
    # A disruption and its learning actions are seen through the child whose placement ended.
    "disruption_id": ("disruption_a", "disruption_b"),
    "action_id": ("learning_action_a", "learning_action_b"),
    # The panel items API names a panel's item about a child (the panel pages walk their item_id below).
    "item_id": ("panel_business_a", "panel_business_b"),
    # An ASF application belongs to the LA whose support spoke made it, for that LA's child.
    "application_id": ("asf_application_a", "asf_application_b"),
}

# Where one parameter name means a different kind of record under some addresses: address prefix (a page's
# route, or an API path) -> parameter -> (LA A's fixture, LA B's fixture). The longest matching prefix wins.
ROUTE_PARAMETERS: dict[str, dict[str, tuple[str, str]]] = {
    "ssda903/imports/": {"job_id": ("import_job_a", "import_job_b")},
    "api/v1/ssda903/imports/": {"job_id": ("import_job_a", "import_job_b")},
    "/api/v1/ssda903/imports/": {"job_id": ("import_job_a", "import_job_b")},
    # An adoptive placement (a child's side of a match), not an early permanence placement.
    "api/v1/placements/": {"placement_id": ("adoptive_placement_a", "adoptive_placement_b")},
    "/api/v1/placements/": {"placement_id": ("adoptive_placement_a", "adoptive_placement_b")},
}


def fixtures_for(address: str, parameter: str) -> tuple[str, str]:
    """LA A's and LA B's fixture for ``parameter`` in the route or API path ``address``."""
    overrides = [prefix for prefix in ROUTE_PARAMETERS if address.startswith(prefix)]
    for prefix in sorted(overrides, key=len, reverse=True):
        if parameter in ROUTE_PARAMETERS[prefix]:
            return ROUTE_PARAMETERS[prefix][parameter]
    return OBJECT_PARAMETERS[parameter]


# Why the households API is not walked as LA A (neither as its social worker below, nor as its API client).
HOUSEHOLDS_API_WALKED_ELSEWHERE = (
    "Households belong to an approving agency (an RAA or a VAA), never to an LA, so LA A's social worker and "
    "API client have no household of their own for the control call. tests/api/test_households_api.py walks "
    "every household operation from the schema as a VAA worker against an RAA household and the reverse (404, "
    "one error shape; the worker's own household is the control), and as LA A's social worker and API client "
    "(an empty list, 404 for every household)."
)

# Why the LA's reports and the code lists over the API are walked elsewhere.
REPORTS_API_WALKED_ELSEWHERE = (
    "An LA's reports and the code lists are not children's records: a social worker is refused the reports (403) "
    "and an LA's client's lists hold returns and scorecard jobs, not children. tests/api/test_reports_api.py walks "
    "every returns, scorecards and codes operation from the schema as LA A's API client (LA A's own record the "
    "control; LA B's and the RAA's returns, and LA B's, the RAA's and a families-counting scorecard, 404 in the one "
    "error shape; a scorecard asked for about LA B 404 and no job). The code lists are reference data, the same for "
    "every LA."
)

# Route prefixes that the walk does not visit as a social worker, and why.
EXEMPT_PREFIXES: dict[str, str] = {
    "admin/": (
        "Django admin is for support staff with is_staff only (checked below), and no model holding "
        "children's or households' data is registered in it, because the admin does not apply tenancy."
    ),
    "api/v1/households/": HOUSEHOLDS_API_WALKED_ELSEWHERE,
    "api/v1/returns/": REPORTS_API_WALKED_ELSEWHERE,
    "api/v1/scorecards/": REPORTS_API_WALKED_ELSEWHERE,
    "api/v1/codes/": REPORTS_API_WALKED_ELSEWHERE,
    "api-clients/": (
        "API clients are managed by an LA's administrators only: LA A's social worker is refused every page (403, "
        "tests/api/test_clients_and_scopes.py::test_other_roles_are_refused), and "
        "test_every_page_hides_another_las_clients walks every api-clients/ route as LA A's administrator against "
        "LA B's client (404 to GET and POST, nothing changed), with LA A's own as the control."
    ),
    "households/": (
        "Household pages belong to an approving agency (an RAA or a VAA), never to an LA: LA A's social worker "
        "is refused every one of them (403), and test_every_household_page_hides_another_agencys_households "
        "walks them as a VAA worker against the RAA's household, with the VAA's own as the control."
    ),
    "panels/": (
        "Panels belong to an RAA, never to an LA: LA A's social worker is refused every list page (403) and "
        "gets 404 for every member and meeting, and test_every_panel_page_hides_another_raas_panels walks them "
        "as the RAA's panel adviser against another RAA's records, with the RAA's own as the control."
    ),
    "api/v1/asf-applications/": (
        "ASF applications belong to an LA's support roles: LA A's social worker holds none, so every application "
        "is 404 for them; test_every_api_operation_hides_another_las_records calls them as LA A's API client, and "
        "test_every_support_page_hides_another_las_support walks the ASF pages as LA A's support worker."
    ),
    "reports/scorecard/": (
        "The scorecard's drill-down takes a figure's code (a1, waiting...), not a record, and is for managers, ADMs "
        "and administrators; tests/reporting/test_scorecard_page.py walks every code as LA A's manager and checks "
        "LA B's children appear in no figure or drill-down, and that other roles get 403."
    ),
    "reports/returns/": (
        "A quarterly return is read by an LA's managers, ADMs and administrators only, so LA A's social worker is "
        "refused LA A's own (403); test_every_return_download_hides_another_las_return walks the downloads as LA "
        "A's manager against LA B's return, with LA A's own as the control."
    ),
    "retention/": (
        "Legal holds and disposals are kept by an LA's managers and administrators: LA A's social worker is refused "
        "them (403, tests/test_role_matrix.py), and test_every_retention_page_hides_another_las_records walks them as "
        "LA A's manager against LA B's hold and disposal request, with LA A's own as the control."
    ),
    "support/": (
        "Adoption support belongs to an LA but only to its support roles: LA A's social worker is refused every "
        "list page (403) and gets 404 for every record, and test_every_support_page_hides_another_las_support "
        "walks them as LA A's support worker against LA B's records, with LA A's own as the control."
    ),
}


@dataclass(frozen=True)
class Route:
    route: str  # the full route, e.g. "children/<int:child_id>/"
    name: str
    parameters: tuple[str, ...]
    is_regex: bool

    def url(self, values: dict[str, object]) -> str:
        def fill(match: re.Match) -> str:
            return str(values[match["name"]])

        return "/" + re.sub(r"<(?:[^>:]+:)?(?P<name>[^>]+)>", fill, self.route)


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "", regex: bool = False) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        is_regex = regex or not hasattr(entry.pattern, "converters")
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), ns, is_regex)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            names = re.findall(r"<(?:[^>:]+:)?([^>]+)>", route) + re.findall(r"\(\?P<([^>]+)>", route)
            yield Route(route, f"{namespace}{entry.name or ''}", tuple(dict.fromkeys(names)), is_regex)


ROUTES = list(_walk(get_resolver()))


def _exemption(route: Route) -> str | None:
    return next((reason for prefix, reason in EXEMPT_PREFIXES.items() if route.route.startswith(prefix)), None)


VISITED = [r for r in ROUTES if _exemption(r) is None]


def test_the_walk_sees_the_project_pages():
    """Guards the walker itself: if it found nothing, every parametrised test below would vanish."""
    routes = {r.route for r in ROUTES}
    assert {"", "children/", "children/<int:child_id>/", "jobs/<uuid:job_id>/", "api/v1/children/"} <= routes
    assert len(VISITED) >= 10


def test_admin_is_only_for_staff_and_holds_no_childrens_data(client, social_worker_a):
    registered_apps = {model._meta.app_label for model in admin.site._registry}
    assert registered_apps.isdisjoint({"children", "adopters", "panels", "support"})
    client.force_login(social_worker_a)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- records of both LAs ------------------------------------------------------------------------


def _waiting_child(la, **names):
    """A child with a decision and no family yet: shown on the home page of anyone who sees them."""
    child = factories.ChildFactory(responsible_la=la, **names)
    factories.PeriodOfCareFactory(child=child, started_on=date(2023, 1, 5))
    factories.AdoptionDecisionFactory(child=child, decided_on=date(2023, 6, 1))
    return child


@pytest.fixture
def child_a_waiting(la_a):
    return _waiting_child(la_a, first_name="Amelia", last_name="Ashdown")


@pytest.fixture
def child_b_waiting(la_b):
    return _waiting_child(la_b, first_name="Bertie", last_name="Brookes")


def _sibling_group(child):
    """``child`` and a younger sister in one sibling group."""
    sister = factories.ChildFactory(
        responsible_la=child.responsible_la,
        first_name="Sister",
        last_name=child.last_name,
        date_of_birth=date(2022, 8, 1),
    )
    group = SiblingGroup.objects.create(responsible_la=child.responsible_la, name=f"{child.last_name} siblings")
    SiblingGroupMember.objects.bulk_create([SiblingGroupMember(group=group, child=c) for c in (child, sister)])
    return group


@pytest.fixture
def sibling_group_a(child_a_waiting):
    return _sibling_group(child_a_waiting)


@pytest.fixture
def sibling_group_b(child_b_waiting):
    return _sibling_group(child_b_waiting)


def _early_permanence(child):
    """An open fostering for adoption placement of ``child`` (a child of :func:`_waiting_child`)."""
    return EarlyPermanencePlacement.objects.create(child=child, kind="ffa", started_on=date(2023, 2, 1))


@pytest.fixture
def early_permanence_a(child_a_waiting):
    return _early_permanence(child_a_waiting)


@pytest.fixture
def early_permanence_b(child_b_waiting):
    return _early_permanence(child_b_waiting)


def _finished_job(la):
    """A finished 903 export of ``la``: a file the LA's social workers may read (who reads which kind of job:
    tests/adoption/test_job_readers.py)."""
    job = Job.objects.create(kind=Job.Kind.SSDA903_EXPORT, organisation=la, status=Job.Status.QUEUED)
    job.file.save(f"903-{la.pk}.zip", ContentFile(b"PK test"), save=False)
    job.status = Job.Status.SUCCEEDED
    job.save()
    return job


@pytest.fixture
def job_a(la_a):
    return _finished_job(la_a)


def _finished_import(la):
    """A finished 903 import preview (no problems, no changes) of ``la``."""
    return Job.objects.create(
        kind=Job.Kind.SSDA903_IMPORT,
        organisation=la,
        status=Job.Status.SUCCEEDED,
        progress=100,
        params={"phase": "preview"},
        result={"problems": [], "changes": [], "summary": None},
    )


@pytest.fixture
def import_job_a(la_a):
    return _finished_import(la_a)


@pytest.fixture
def import_job_b(la_b):
    return _finished_import(la_b)


@pytest.fixture
def job_b(la_b):
    return _finished_job(la_b)


@pytest.fixture
def household_raa(raa):
    return factories.HouseholdFactory(approving_agency=raa, name="Heartlands household")


@pytest.fixture
def household_other_agency(vaa):
    return factories.HouseholdFactory(approving_agency=vaa, name="Voluntary household")


def _link(child, household):
    """An open link of ``child`` (a child of :func:`_waiting_child`) with an approved family."""
    return Link.objects.create(child=child, household=household, origin="agency", started_on=date(2023, 10, 2))


@pytest.fixture
def link_a(child_a_waiting, household_raa):
    return _link(child_a_waiting, household_raa)


@pytest.fixture
def link_b(child_b_waiting, household_raa):
    return _link(child_b_waiting, household_raa)


def _match(child, household):
    """``child`` matched with ``household``: one match, the child's placement in it."""
    match = Match.objects.create(household=household, decided_on=date(2023, 11, 1))
    AdoptivePlacement.objects.create(child=child, household=household, matched_on=date(2023, 11, 1), match=match)
    return match


@pytest.fixture
def match_a(child_a_waiting, household_raa):
    return _match(child_a_waiting, household_raa)


@pytest.fixture
def match_b(child_b_waiting, household_raa):
    return _match(child_b_waiting, household_raa)


@pytest.fixture
def adoptive_placement_a(match_a):
    return match_a.placements.get()


@pytest.fixture
def adoptive_placement_b(match_b):
    return match_b.placements.get()


def _disruption(child, household):
    """``child``'s placement with ``household`` that ended before an adoption order, and its disruption."""
    placement = AdoptivePlacement.objects.create(
        child=child,
        household=household,
        matched_on=date(2023, 7, 3),
        placed_on=date(2023, 8, 1),
        ended_on=date(2023, 10, 2),
    )
    return Disruption.objects.create(placement=placement, reason=Disruption.Reason.ATTACHMENT)


@pytest.fixture
def disruption_a(child_a_waiting, household_raa):
    return _disruption(child_a_waiting, household_raa)


@pytest.fixture
def disruption_b(child_b_waiting, household_raa):
    return _disruption(child_b_waiting, household_raa)


def _learning_action(disruption):
    owner = factories.UserFactory()
    return LearningAction.objects.create(
        disruption=disruption, action="Share the full health history", owner=owner, due_on=date(2024, 1, 31)
    )


@pytest.fixture
def learning_action_a(disruption_a):
    return _learning_action(disruption_a)


@pytest.fixture
def learning_action_b(disruption_b):
    return _learning_action(disruption_b)


def _panel_business(child):
    """The plan for relinquished ``child`` on the agenda of its LA's RAA's panel (LA A and LA B share one)."""
    from panels.models import AgendaItem, PanelMeeting

    meeting, _ = PanelMeeting.objects.get_or_create(
        raa=child.responsible_la.raa, held_on=date(2025, 6, 17), starts_at=time(10), place="Ashby Guildhall"
    )
    position = meeting.items.count() + 1
    return AgendaItem.objects.create(
        meeting=meeting, position=position, kind=AgendaItem.Kind.RELINQUISHED, child=child, starts_at=time(9 + position)
    )


@pytest.fixture
def panel_business_a(child_a_waiting):
    return _panel_business(child_a_waiting)


@pytest.fixture
def panel_business_b(child_b_waiting):
    return _panel_business(child_b_waiting)


def _secrets_of(child) -> list[str]:
    return [child.first_name, child.last_name, child.la_child_id, child.child_903_id]


# --- pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", VISITED, ids=[r.route or "/" for r in VISITED])
def test_every_page_hides_another_las_records(
    route, client, social_worker_a, child_a_waiting, child_b_waiting, request
):
    assert not route.is_regex, f"{route.route}: a regex route cannot be filled in; add it to EXEMPT_PREFIXES or here"
    unknown = [p for p in route.parameters if p not in OBJECT_PARAMETERS]
    assert not unknown, (
        f"{route.route} takes {unknown}: add LA A and LA B records for it to OBJECT_PARAMETERS "
        "or exempt the route with a reason in EXEMPT_PREFIXES"
    )
    client.force_login(social_worker_a)

    if not route.parameters:
        response = client.get(route.url({}))
        assert response.status_code < 500, f"{route.route} answered {response.status_code}"
        body = response.content.decode()
        for secret in _secrets_of(child_b_waiting):
            assert secret not in body, f"{route.route} shows LA B's child ({secret!r})"
        return

    own = {p: request.getfixturevalue(fixtures_for(route.route, p)[0]).pk for p in route.parameters}
    other = {p: request.getfixturevalue(fixtures_for(route.route, p)[1]).pk for p in route.parameters}
    own_url, other_url = route.url(own), route.url(other)
    assert resolve(other_url).route == route.route

    control = client.get(own_url)
    assert control.status_code == 200, f"{own_url} with LA A's own record answered {control.status_code}"

    response = client.get(other_url)
    assert response.status_code == 404, f"{other_url} (LA B's record) answered {response.status_code}"
    for secret in _secrets_of(child_b_waiting):
        assert secret not in response.content.decode()
    # A write to someone else's record is refused too (405 says nothing about the record).
    assert client.post(other_url).status_code in {404, 405}


def test_own_children_are_shown_on_the_pages_that_hide_la_bs(client, social_worker_a, child_a_waiting, child_b_waiting):
    """The control for the parameterless pages: the home page and the list do show children."""
    client.force_login(social_worker_a)
    for url in ("/", "/children/"):
        body = client.get(url).content.decode()
        assert child_a_waiting.full_name in body
        assert child_b_waiting.full_name not in body


def test_la_filter_cannot_reach_another_la(client, social_worker_a, child_a_waiting, child_b_waiting):
    client.force_login(social_worker_a)
    response = client.get("/children/", {"la": child_b_waiting.responsible_la_id, "q": "Brookes"})
    assert response.status_code == 200
    assert "Bertie Brookes" not in response.content.decode()


def test_search_cannot_reach_another_la(client, social_worker_a, child_a_waiting, child_b_waiting):
    """The search page (walked above without a query) asked for each of LA B's child's names and ids finds nothing;
    the same search for LA A's child is the control."""
    client.force_login(social_worker_a)
    for secret in _secrets_of(child_b_waiting):
        response = client.get("/search/", {"q": secret})
        assert response.status_code == 200
        assert f"/children/{child_b_waiting.pk}/" not in response.content.decode(), secret
    for secret in _secrets_of(child_a_waiting):
        assert f"/children/{child_a_waiting.pk}/" in client.get("/search/", {"q": secret}).content.decode(), secret


def test_a_report_cannot_be_asked_for_about_another_la(client, manager_a, la_a, la_b):
    client.force_login(manager_a)
    period = {"period_end_day": "31", "period_end_month": "3", "period_end_year": "2025"}
    response = client.post("/reports/a1/", {"la": la_b.pk, **period})
    assert response.status_code == 400
    assert "Choose a local authority" in response.content.decode()
    assert not Job.objects.filter(organisation=la_b).exists()
    # Control: the same request about the manager's own LA is accepted.
    response = client.post("/reports/a1/", {"la": la_a.pk, **period})
    assert response.status_code == 302
    assert Job.objects.filter(organisation=la_a).count() == 1


# --- API operations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    parameters: tuple[str, ...]
    query: tuple[str, ...]

    def url(self, values: dict[str, object]) -> str:
        return re.sub(r"\{([^}]+)\}", lambda m: str(values[m[1]]), self.path)


def _operations() -> list[Operation]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            params = operation.get("parameters", [])
            found.append(
                Operation(
                    path,
                    method,
                    tuple(p["name"] for p in params if p["in"] == "path"),
                    tuple(p["name"] for p in params if p["in"] == "query"),
                )
            )
    return found


OPERATIONS = _operations()

# API path prefixes whose operations the walk below does not call as LA A's API client, and why. The
# walk's control is a record of LA A's own; where an LA's client can have none, another walk covers them.
EXEMPT_OPERATIONS: dict[str, str] = {
    "/api/v1/households/": HOUSEHOLDS_API_WALKED_ELSEWHERE,
    "/api/v1/returns/": REPORTS_API_WALKED_ELSEWHERE,
    "/api/v1/scorecards/": REPORTS_API_WALKED_ELSEWHERE,
    "/api/v1/codes/": REPORTS_API_WALKED_ELSEWHERE,
}


def _operation_exemption(operation: Operation) -> str | None:
    return next((reason for prefix, reason in EXEMPT_OPERATIONS.items() if operation.path.startswith(prefix)), None)


WALKED_OPERATIONS = [o for o in OPERATIONS if _operation_exemption(o) is None]


def test_every_api_exemption_is_in_use_and_the_rest_are_walked():
    """An exemption matching no operation is stale; one must not swallow the operations the walk is for."""
    for prefix, reason in EXEMPT_OPERATIONS.items():
        assert reason.strip(), f"{prefix} is exempted without a reason"
        assert any(o.path.startswith(prefix) for o in OPERATIONS), f"{prefix} exempts no API operation"
    assert {("/api/v1/children/", "get"), ("/api/v1/children/{child_id}/", "get")} <= {
        (o.path, o.method) for o in WALKED_OPERATIONS
    }


# API writes with no record in their path, and the request that names LA B: each must answer 404
# (as if LA B did not exist) and create nothing.
WRITES_ABOUT_AN_LA = {
    ("/api/v1/ssda903/imports/", "post"): lambda la: {
        "la": la.ons_code,
        "files": [SimpleUploadedFile("header.csv", b"CHILD,SEX,DOB\n", content_type="text/csv")],
    },
    ("/api/v1/asf-applications/", "post"): lambda la: {"la": la.ons_code, "child_id": "1", "therapy": "theraplay"},
    ("/api/v1/children/", "post"): lambda la: {"responsible_la": la.ons_code, "first_name": "Walk", "last_name": "Er"},
}


# API lists whose rows are not children: the records LA A's and LA B's rows are made from, and the children a row names.
LISTS_OF_OTHER_RECORDS = {
    "/api/v1/panel-items/": (("panel_business_a", "panel_business_b"), lambda row: {c["id"] for c in row["children"]}),
    "/api/v1/asf-applications/": (("asf_application_a", "asf_application_b"), lambda row: {row["child_id"]}),
    "/api/v1/sibling-groups/": (("sibling_group_a", "sibling_group_b"), lambda row: {c["id"] for c in row["children"]}),
    "/api/v1/matches/": (("match_a", "match_b"), lambda row: {c["id"] for c in row["children"]}),
    "/api/v1/placements/": (("match_a", "match_b"), lambda row: {row["child"]["id"]}),
}


def test_the_schema_lists_the_children_operations():
    assert {(o.path, o.method) for o in OPERATIONS} >= {
        ("/api/v1/children/", "get"),
        ("/api/v1/children/{child_id}/", "get"),
    }


def _call(client, operation: Operation, url: str, token: str, **query):
    return client.generic(
        operation.method.upper(),
        url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""),
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.parametrize("operation", WALKED_OPERATIONS, ids=[f"{o.method} {o.path}" for o in WALKED_OPERATIONS])
def test_every_api_operation_hides_another_las_records(
    operation, client, api_client_a, child_a_waiting, child_b_waiting, request
):
    _, token = api_client_a
    unknown = [p for p in operation.parameters if p not in OBJECT_PARAMETERS]
    assert not unknown, f"{operation.path} takes {unknown}: add LA A and LA B records for it to OBJECT_PARAMETERS"

    if operation.parameters:
        own = {p: request.getfixturevalue(fixtures_for(operation.path, p)[0]).pk for p in operation.parameters}
        other = {p: request.getfixturevalue(fixtures_for(operation.path, p)[1]).pk for p in operation.parameters}
        if operation.method == "get":
            assert _call(client, operation, operation.url(own), token).status_code == 200
        response = _call(client, operation, operation.url(other), token)
        assert response.status_code == 404, f"{operation.method} {operation.url(other)}: {response.status_code}"
        assert set(response.json()) == {"message", "extra"}
        for secret in _secrets_of(child_b_waiting):
            assert secret not in response.content.decode()
        return

    if (operation.path, operation.method) in WRITES_ABOUT_AN_LA:
        la_b = child_b_waiting.responsible_la
        data = WRITES_ABOUT_AN_LA[(operation.path, operation.method)](la_b)
        # The 903 upload takes files (multipart); every other body is JSON.
        multipart = any(isinstance(value, list) for value in data.values())
        response = client.generic(
            operation.method.upper(),
            operation.path,
            encode_multipart(BOUNDARY, data) if multipart else json.dumps(data),
            content_type=MULTIPART_CONTENT if multipart else "application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 404, f"{operation.method} {operation.path} about LA B: {response.status_code}"
        assert set(response.json()) == {"message", "extra"}
        assert not Job.objects.filter(organisation=la_b).exists()
        return

    assert operation.method == "get", (
        f"{operation.method} {operation.path} has no record in its path: add a case here saying what "
        "calling it with LA B's data must do"
    )
    records, children_of_row = LISTS_OF_OTHER_RECORDS.get(operation.path, ((), lambda row: {row["id"]}))
    for fixture in records:
        request.getfixturevalue(fixture)
    response = _call(client, operation, operation.path, token)
    assert response.status_code == 200
    data = response.json()
    ids = set().union(*(children_of_row(row) for row in data["results"]))
    assert child_a_waiting.pk in ids
    assert child_b_waiting.pk not in ids
    # Asking by LA B's child's own identifiers finds nothing either.
    for name in operation.query:
        value = getattr(child_b_waiting, name, None)
        if isinstance(value, str) and value:
            response = _call(client, operation, operation.path, token, **{name: value})
            assert response.status_code == 200
            assert response.json()["results"] == [], f"?{name}={value} revealed LA B's child"


# --- whole-RAA and VAA roles -----------------------------------------------------------------------


@pytest.fixture
def child_other(la_other):
    return factories.ChildFactory(responsible_la=la_other, first_name="Oscar", last_name="Otherton")


def test_a_vaa_worker_sees_no_children(client, vaa_worker, child_a_waiting, child_b_waiting, child_other):
    assert not selectors.child_list(actor=vaa_worker).exists()
    client.force_login(vaa_worker)
    body = client.get("/children/").content.decode()
    assert "There are no children to show for your organisation." in body
    for child in (child_a_waiting, child_b_waiting, child_other):
        assert child.full_name not in body
        assert client.get(f"/children/{child.pk}/").status_code == 404
    assert "Children waiting" not in client.get("/").content.decode()


def test_an_raa_family_finder_sees_both_member_las_but_no_other(
    client, family_finder, child_a_waiting, child_b_waiting, child_other
):
    assert set(selectors.child_list(actor=family_finder)) == {child_a_waiting, child_b_waiting}
    client.force_login(family_finder)
    body = client.get("/children/").content.decode()
    assert child_a_waiting.full_name in body
    assert child_b_waiting.full_name in body
    assert child_other.full_name not in body
    assert client.get(f"/children/{child_a_waiting.pk}/").status_code == 200
    assert client.get(f"/children/{child_b_waiting.pk}/").status_code == 200
    assert client.get(f"/children/{child_other.pk}/").status_code == 404


# --- household pages: walked as a VAA worker ----------------------------------------------------------------

HOUSEHOLD_ROUTES = [r for r in ROUTES if r.route.startswith("households/")]
# Parameter -> (the VAA's own record, the RAA's record): the VAA worker must get 404 for the second.
HOUSEHOLD_PARAMETERS: dict[str, tuple[str, str]] = {
    "household_id": ("household_other_agency", "household_raa"),
    "applicant_id": ("applicant_vaa", "applicant_raa"),
    "check_id": ("check_vaa", "check_raa"),
}


def _applicant_of(household):
    from adopters.models import Applicant

    return Applicant.objects.create(household=household, first_name="Pat", last_name=f"{household.name} applicant")


@pytest.fixture
def applicant_vaa(household_other_agency):
    return _applicant_of(household_other_agency)


@pytest.fixture
def applicant_raa(household_raa):
    return _applicant_of(household_raa)


def _check_of(applicant):
    from adopters.models import Check

    return Check.objects.create(applicant=applicant, kind="dbs", requested_on=date(2025, 1, 6), due_on=date(2025, 2, 3))


@pytest.fixture
def check_vaa(applicant_vaa):
    return _check_of(applicant_vaa)


@pytest.fixture
def check_raa(applicant_raa):
    return _check_of(applicant_raa)


def test_the_household_walk_sees_the_household_pages():
    assert {"households/", "households/all/", "households/<int:household_id>/"} <= {r.route for r in HOUSEHOLD_ROUTES}


@pytest.mark.parametrize("route", HOUSEHOLD_ROUTES, ids=[r.route for r in HOUSEHOLD_ROUTES])
def test_every_household_page_hides_another_agencys_households(
    route, client, vaa_worker, social_worker_a, household_raa, household_other_agency, request
):
    unknown = [p for p in route.parameters if p not in HOUSEHOLD_PARAMETERS]
    assert not unknown, f"{route.route} takes {unknown}: add the VAA's and the RAA's records to HOUSEHOLD_PARAMETERS"
    own = {p: request.getfixturevalue(HOUSEHOLD_PARAMETERS[p][0]).pk for p in route.parameters}
    other = {p: request.getfixturevalue(HOUSEHOLD_PARAMETERS[p][1]).pk for p in route.parameters}

    # LA staff work with children: every household page is refused to them.
    client.force_login(social_worker_a)
    assert client.get(route.url(own)).status_code in {403, 404}
    assert client.get(route.url(other)).status_code in {403, 404}

    # The VAA's worker also advises its panel, so every step's page (the panel's and the decision's too) is theirs.
    factories.MembershipFactory(
        user=vaa_worker, organisation=household_other_agency.approving_agency, role=Role.PANEL_ADVISER
    )
    client.force_login(vaa_worker)
    control = client.get(route.url(own))
    assert control.status_code == 200, f"{route.url(own)} with the VAA's own household answered {control.status_code}"
    if not route.parameters:
        assert household_raa.name not in control.content.decode(), f"{route.route} shows the RAA's household"
        return
    response = client.get(route.url(other))
    assert response.status_code == 404, f"{route.url(other)} (the RAA's household) answered {response.status_code}"
    assert household_raa.name not in response.content.decode()
    assert client.post(route.url(other)).status_code in {404, 405}


# --- panel pages: walked as an RAA's panel adviser --------------------------------------------------------------

# Parameter -> (the RAA's own record, another RAA's record): the RAA's panel adviser must get 404 for the second.
PANEL_PARAMETERS: dict[str, tuple[str, str]] = {
    "member_id": ("panel_member_raa", "panel_member_other_raa"),
    "meeting_id": ("panel_meeting_raa", "panel_meeting_other_raa"),
    "item_id": ("panel_item_raa", "panel_item_other_raa"),
    "paper_id": ("panel_paper_raa", "panel_paper_other_raa"),
}
# Panel pages reached without signing in, and why the walk leaves them out.
PUBLIC_PANEL_ROUTES: dict[str, str] = {
    "panels/feedback/<str:token>/": (
        "The attendee feedback form is opened from a one-off link by adopters, who have no account: the "
        "unguessable token is the key, it shows no names, and tests/panels/test_feedback.py checks an unknown "
        "token gets 404 and a used or expired one no form."
    ),
    "panels/feedback/": (
        "The feedback form the one-off link leads to: the link's token, kept in the session that opened it, is the "
        "key; without one it is 404 (tests/panels/test_feedback.py)."
    ),
}
PANEL_ROUTES = [r for r in ROUTES if r.route.startswith("panels/") and r.route not in PUBLIC_PANEL_ROUTES]


def _panel_member(raa, name):
    from panels.models import PanelMember

    return PanelMember.objects.create(raa=raa, name=name, roles=["chair"], on_list_from=date(2024, 1, 1))


def _panel_meeting(raa, member, place):
    from panels.models import PanelAttendance, PanelMeeting

    meeting = PanelMeeting.objects.create(raa=raa, held_on=date(2025, 6, 10), starts_at=time(10), place=place)
    PanelAttendance.objects.create(meeting=meeting, member=member)
    return meeting


@pytest.fixture
def panel_member_raa(raa):
    return _panel_member(raa, "Heartlands Chair")


@pytest.fixture
def panel_member_other_raa(la_other):
    return _panel_member(la_other.raa, "Coastal Chair")


@pytest.fixture
def panel_meeting_raa(raa, panel_member_raa):
    return _panel_meeting(raa, panel_member_raa, "Heartlands Town Hall")


@pytest.fixture
def panel_meeting_other_raa(la_other, panel_member_other_raa):
    return _panel_meeting(la_other.raa, panel_member_other_raa, "Coastal Civic Centre")


def _panel_item(meeting, name):
    from adopters.models import Household
    from panels.models import AgendaItem

    household = factories.HouseholdFactory(
        approving_agency=meeting.raa, name=name, status=Household.Status.AWAITING_PANEL, approved_on=None
    )
    return AgendaItem.objects.create(
        meeting=meeting, position=1, kind=AgendaItem.Kind.APPROVAL, household=household, starts_at=time(10)
    )


def _panel_paper(item, uploaded_by):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from panels.models import AgendaPaper

    paper = AgendaPaper(
        item=item,
        kind="par",
        title="PAR",
        original_name="par.pdf",
        pages=1,
        size=8,
        received_at=timezone.now(),
        uploaded_by=uploaded_by,
    )
    paper.file.save("par.pdf", ContentFile(b"%PDF-1.4"), save=True)
    return paper


@pytest.fixture
def panel_item_raa(panel_meeting_raa):
    return _panel_item(panel_meeting_raa, "Heartlands household")


@pytest.fixture
def panel_item_other_raa(panel_meeting_other_raa):
    return _panel_item(panel_meeting_other_raa, "Coastal household")


@pytest.fixture
def panel_paper_raa(panel_item_raa, panel_adviser):
    return _panel_paper(panel_item_raa, panel_adviser)


@pytest.fixture
def panel_paper_other_raa(panel_item_other_raa, panel_adviser_other):
    return _panel_paper(panel_item_other_raa, panel_adviser_other)


def test_the_panel_walk_sees_the_panel_pages():
    routes = {r.route for r in PANEL_ROUTES}
    assert {"panels/", "panels/members/<int:member_id>/", "panels/meetings/<int:meeting_id>/"} <= routes


@pytest.mark.parametrize("route", PANEL_ROUTES, ids=[r.route for r in PANEL_ROUTES])
def test_every_panel_page_hides_another_raas_panels(
    route, client, panel_adviser, social_worker_a, panel_meeting_raa, panel_meeting_other_raa, request
):
    unknown = [p for p in route.parameters if p not in PANEL_PARAMETERS]
    assert not unknown, f"{route.route} takes {unknown}: add the RAA's and another RAA's records to PANEL_PARAMETERS"
    own = {p: request.getfixturevalue(PANEL_PARAMETERS[p][0]).pk for p in route.parameters}
    other = {p: request.getfixturevalue(PANEL_PARAMETERS[p][1]).pk for p in route.parameters}
    secrets = ("Coastal Chair", "Coastal Civic Centre")

    # LA staff: the lists are refused (403); a member or meeting does not exist for them (404).
    client.force_login(social_worker_a)
    expected = 404 if route.parameters else 403
    assert client.get(route.url(own)).status_code == expected
    assert client.get(route.url(other)).status_code == expected

    client.force_login(panel_adviser)
    control = client.get(route.url(own))
    if control.status_code == 405:  # a button that only posts (confirm, move, build the pack): post to its own record
        control = client.post(route.url(own))
    if control.status_code == 302:  # done, and back to a page (a pack not built yet goes to its page)
        assert "/sign-in" not in control["Location"] and "login" not in control["Location"]
    else:
        assert control.status_code == 200, f"{route.url(own)} with the RAA's own record answered {control.status_code}"
    if not route.parameters:
        for secret in secrets:
            assert secret not in control.content.decode(), f"{route.route} shows another RAA's panel ({secret!r})"
        return
    response = client.get(route.url(other))
    assert response.status_code == 404, f"{route.url(other)} (another RAA's record) answered {response.status_code}"
    for secret in secrets:
        assert secret not in response.content.decode()
    assert client.post(route.url(other)).status_code in {404, 405}


# --- adoption support pages: walked as LA A's spoke support worker ------------------------------------------------

SUPPORT_ROUTES = [r for r in ROUTES if r.route.startswith("support/")]
# Parameter -> (LA A's record, LA B's record): LA A's support worker must get 404 for the second.
SUPPORT_PARAMETERS: dict[str, tuple[str, str]] = {
    "child_id": ("child_a_waiting", "child_b_waiting"),
    "request_id": ("support_request_a", "support_request_b"),
    "assessment_id": ("assessment_a", "assessment_b"),
    "plan_id": ("support_plan_a", "support_plan_b"),
    "application_id": ("asf_application_a", "asf_application_b"),
    "work_id": ("life_story_work_a", "life_story_work_b"),
}


def _life_story_work(child):
    from support.models import LifeStoryWork

    return LifeStoryWork.objects.create(child=child, kind="life_story_book", due_on=date(2025, 9, 1))


@pytest.fixture
def life_story_work_a(child_a_waiting):
    return _life_story_work(child_a_waiting)


@pytest.fixture
def life_story_work_b(child_b_waiting):
    return _life_story_work(child_b_waiting)


def _support_request(child):
    from support.models import SupportRequest

    return SupportRequest.objects.create(
        la=child.responsible_la,
        family_name=f"The {child.last_name} family",
        child=child,
        requested_by="A parent",
        requester=SupportRequest.Requester.ADOPTIVE_PARENT,
        received_on=date(2025, 5, 1),
        topic="settling",
    )


def _assessment(request):
    from support.models import AssessmentOfNeed

    return AssessmentOfNeed.objects.create(
        request=request, started_on=date(2025, 5, 10), completed_on=date(2025, 6, 1), outcome="support_plan"
    )


def _support_plan(assessment):
    from support.models import SupportPlan

    return SupportPlan.objects.create(
        assessment=assessment, agreed_on=date(2025, 6, 2), services="Therapeutic parenting", review_on=date(2025, 12, 1)
    )


def _asf_application(child):
    from decimal import Decimal

    from support.models import AsfApplication

    return AsfApplication.objects.create(
        la=child.responsible_la,
        child=child,
        therapy="theraplay",
        provider="Family Futures Therapy",
        sessions=10,
        cost=Decimal("1500"),
        work_starts_on=date(2025, 5, 6),
        work_ends_on=date(2025, 12, 16),
        financial_year=2025,
        created_by=factories.UserFactory(),
    )


@pytest.fixture
def asf_application_a(child_a_waiting):
    return _asf_application(child_a_waiting)


@pytest.fixture
def asf_application_b(child_b_waiting):
    return _asf_application(child_b_waiting)


@pytest.fixture
def support_request_a(child_a_waiting):
    return _support_request(child_a_waiting)


@pytest.fixture
def support_request_b(child_b_waiting):
    return _support_request(child_b_waiting)


@pytest.fixture
def assessment_a(support_request_a):
    return _assessment(support_request_a)


@pytest.fixture
def assessment_b(support_request_b):
    return _assessment(support_request_b)


@pytest.fixture
def support_plan_a(assessment_a):
    return _support_plan(assessment_a)


@pytest.fixture
def support_plan_b(assessment_b):
    return _support_plan(assessment_b)


def test_the_support_walk_sees_the_support_pages():
    assert {"support/", "support/requests/<int:request_id>/"} <= {r.route for r in SUPPORT_ROUTES}


@pytest.mark.parametrize("route", SUPPORT_ROUTES, ids=[r.route for r in SUPPORT_ROUTES])
def test_every_support_page_hides_another_las_support(route, client, la_a, social_worker_a, request):
    unknown = [p for p in route.parameters if p not in SUPPORT_PARAMETERS]
    assert not unknown, f"{route.route} takes {unknown}: add LA A's and LA B's records to SUPPORT_PARAMETERS"
    # Every record of both LAs exists, so a list page that leaked LA B's would show it.
    records = {name: request.getfixturevalue(name) for pair in SUPPORT_PARAMETERS.values() for name in pair}
    own = {p: records[SUPPORT_PARAMETERS[p][0]].pk for p in route.parameters}
    other = {p: records[SUPPORT_PARAMETERS[p][1]].pk for p in route.parameters}
    secrets = ("Brookes", "Bertie")  # LA B's child and family

    # LA staff with no support role: the lists are refused (403); a record does not exist for them (404).
    client.force_login(social_worker_a)
    expected = 404 if route.parameters else 403
    assert client.get(route.url(own)).status_code == expected
    assert client.get(route.url(other)).status_code == expected

    client.force_login(factories.staff(la_a, Role.SUPPORT_SOCIAL_WORKER, username="support.spoke.a"))
    control = client.get(route.url(own))
    if control.status_code == 405:  # a button that only posts: post to LA A's own record
        control = client.post(route.url(own))
    if control.status_code == 302:
        assert "/sign-in" not in control["Location"]
    else:
        assert control.status_code == 200, f"{route.url(own)} with LA A's own record answered {control.status_code}"
    if not route.parameters:
        for secret in secrets:
            assert secret not in control.content.decode(), f"{route.route} shows LA B's support ({secret!r})"
        return
    response = client.get(route.url(other))
    assert response.status_code == 404, f"{route.url(other)} (LA B's record) answered {response.status_code}"
    for secret in secrets:
        assert secret not in response.content.decode()
    assert client.post(route.url(other)).status_code in {404, 405}


# --- quarterly returns: walked as LA A's manager ------------------------------------------------------------------

RETURN_ROUTES = [r for r in ROUTES if r.route.startswith("reports/returns/") and "return_id" in r.parameters]


def _quarterly_return(la):
    from reporting.models import QuarterlyReturn

    made = QuarterlyReturn(
        organisation=la, period_start=date(2025, 4, 1), period_end=date(2025, 6, 30), version=1, summary={}
    )
    for field in ("xlsx", "children_csv", "families_csv", "summary_pdf"):
        getattr(made, field).save(f"{la.name}-{field}", ContentFile(f"{la.name} return".encode()), save=False)
    made.save()
    return made


def test_the_return_walk_sees_the_downloads():
    assert len(RETURN_ROUTES) >= 4


@pytest.mark.parametrize("route", RETURN_ROUTES, ids=[r.route for r in RETURN_ROUTES])
def test_every_return_download_hides_another_las_return(route, client, la_a, la_b, manager_a, social_worker_a):
    own, other = _quarterly_return(la_a), _quarterly_return(la_b)
    client.force_login(social_worker_a)
    assert client.get(route.url({"return_id": own.pk})).status_code == 403
    client.force_login(manager_a)
    control = client.get(route.url({"return_id": own.pk}))
    assert control.status_code == 200, f"{route.route} with LA A's own return answered {control.status_code}"
    response = client.get(route.url({"return_id": other.pk}))
    assert response.status_code == 404, f"{route.route} with LA B's return answered {response.status_code}"
    assert la_b.name.encode() not in response.content


# --- retention: walked as LA A's manager ---------------------------------------------------------------------------

RETENTION_ROUTES = [r for r in ROUTES if r.route.startswith("retention/")]
# Parameter -> (LA A's record, LA B's record): LA A's manager must get 404 for the second.
RETENTION_PARAMETERS: dict[str, tuple[str, str]] = {
    "hold_id": ("legal_hold_a", "legal_hold_b"),
    "request_id": ("disposal_request_a", "disposal_request_b"),
}


def _legal_hold(child):
    from adoption.models import LegalHold

    return LegalHold.objects.create(
        table_name="children_child",
        object_id=child.pk,
        organisation=child.responsible_la,
        reason="An inquiry asked for the record",
        placed_by=factories.UserFactory(),
    )


def _disposal_request(child):
    from adoption.models import DisposalRequest

    return DisposalRequest.objects.create(
        table_name="children_child",
        object_id=child.pk,
        organisation=child.responsible_la,
        reason="Past its retention date",
        requested_by=factories.UserFactory(),
    )


@pytest.fixture
def legal_hold_a(child_a_waiting):
    return _legal_hold(child_a_waiting)


@pytest.fixture
def legal_hold_b(child_b_waiting):
    return _legal_hold(child_b_waiting)


@pytest.fixture
def disposal_request_a(la_a):
    return _disposal_request(factories.ChildFactory(responsible_la=la_a, first_name="Amelia", last_name="Ashdown"))


@pytest.fixture
def disposal_request_b(la_b):
    return _disposal_request(factories.ChildFactory(responsible_la=la_b, first_name="Bertie", last_name="Brookes"))


def test_the_retention_walk_sees_the_retention_pages():
    assert {"retention/", "retention/holds/<int:hold_id>/release/"} <= {r.route for r in RETENTION_ROUTES}


@pytest.mark.parametrize("route", RETENTION_ROUTES, ids=[r.route for r in RETENTION_ROUTES])
def test_every_retention_page_hides_another_las_records(route, client, manager_a, request):
    unknown = [p for p in route.parameters if p not in RETENTION_PARAMETERS]
    assert not unknown, f"{route.route} takes {unknown}: add LA A's and LA B's records to RETENTION_PARAMETERS"
    records = {name: request.getfixturevalue(name) for pair in RETENTION_PARAMETERS.values() for name in pair}
    own = {p: records[RETENTION_PARAMETERS[p][0]].pk for p in route.parameters}
    other = {p: records[RETENTION_PARAMETERS[p][1]].pk for p in route.parameters}
    client.force_login(manager_a)
    control = client.get(route.url(own))
    assert control.status_code == 200, f"{route.url(own)} with LA A's own record answered {control.status_code}"
    if not route.parameters:
        assert "Brookes" not in control.content.decode(), f"{route.route} shows LA B's records"
        return
    response = client.get(route.url(other))
    assert response.status_code == 404, f"{route.url(other)} (LA B's record) answered {response.status_code}"
    assert client.post(route.url(other)).status_code in {404, 405}
