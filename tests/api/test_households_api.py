"""The households API: staff of an RAA or a VAA see their agencies' households and move them on only
through the services' transition table, refused in the service's own words in the one error shape.
LA staff and LA API clients see no households at all."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from adopters import services, workflow
from adopters.models import Applicant, Check, Household, Pause
from adopters.timeliness import add_months
from adoption.models import AuditEvent
from tests import factories
from tests.api.errors import assert_error_shape as _assert_error_shape

LIST = "/api/v1/households/"
S = Household.Status
R = Household.Route
TODAY = timezone.localdate()
# Far enough back for a whole journey with every step dated today or earlier.
BASE = TODAY - timedelta(days=200)


def _day(days: int) -> str:
    return (BASE + timedelta(days=days)).isoformat()


def _url(household: Household, rest: str = "") -> str:
    return f"{LIST}{household.pk}/{rest}"


def _household(agency, name: str, status: str = S.STAGE_1, route: str = R.STANDARD) -> Household:
    """A household of ``agency``, registered (or in stage 1 since day 10), with one applicant."""
    assert status in (S.REGISTERED, S.STAGE_1)
    started = {"stage1_started_on": BASE + timedelta(days=10)} if status == S.STAGE_1 else {}
    household = factories.HouseholdFactory(
        approving_agency=agency,
        name=name,
        status=status,
        route=route,
        enquired_on=BASE,
        registered_on=BASE + timedelta(days=5),
        approved_on=None,
        **started,
    )
    Applicant.objects.create(household=household, first_name="Sam", last_name=f"{name.split()[0]}son")
    return household


def _snapshot(household: Household) -> dict[str, Any]:
    """Everything stored about the household and its records, to show that a refused call changed nothing."""
    return {
        "household": Household.objects.filter(pk=household.pk).values().get(),
        "checks": list(Check.objects.filter(applicant__household=household).values()),
        "pauses": list(Pause.objects.filter(household=household).values()),
        "writes": AuditEvent.objects.filter(object_type="adopters.household", object_id=str(household.pk))
        .exclude(action=AuditEvent.Action.READ)
        .count(),
    }


def _reads_of(household: Household) -> int:
    return AuditEvent.objects.filter(
        object_type="adopters.household", object_id=str(household.pk), action=AuditEvent.Action.READ
    ).count()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def raa_household(raa):
    return _household(raa, "Ashworth household")


@pytest.fixture
def vaa_household(vaa):
    return _household(vaa, "Vale household")


# --- lists and detail -------------------------------------------------------------------------------------


def test_raa_staff_list_their_households_paginated(api, assessing_social_worker, raa, raa_household, vaa_household):
    other = _household(raa, "Brennan household", status=S.REGISTERED)
    api.force_login(assessing_social_worker)
    response = api.get(LIST, {"page_size": 1})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 2
    assert "page=2" in data["next"]
    [row] = data["results"]
    assert (row["id"], row["name"], row["status"], row["status_label"], row["route"]) == (
        raa_household.pk,
        "Ashworth household",
        "stage_1",
        "Stage 1",
        "standard",
    )
    assert row["approving_agency"] == "Heartlands Adoption"
    assert [a["last_name"] for a in row["applicants"]] == ["Ashworthson"]
    second = api.get(LIST, {"page_size": 1, "page": 2})
    assert [r["id"] for r in second.json()["results"]] == [other.pk]
    for body in (response, second):
        assert "Vale" not in body.content.decode()


def test_the_list_filters_and_orders(api, assessing_social_worker, raa, raa_household):
    fast = _household(raa, "Abbott household", status=S.REGISTERED, route=R.FAST_TRACK)
    api.force_login(assessing_social_worker)

    def ids(**query: str) -> list[int]:
        response = api.get(LIST, query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(q="ashworthson") == [raa_household.pk]  # an applicant's name, any case
    assert ids(q=fast.reference) == [fast.pk]
    assert ids(status="registered") == [fast.pk]
    assert ids(route="fast_track") == [fast.pk]
    # Stage 1 began 190 days ago: long past its two months.
    assert ids(overdue="true") == [raa_household.pk]
    assert ids() == ids(ordering="name") == [fast.pk, raa_household.pk]
    assert ids(ordering="due") == [raa_household.pk, fast.pk]
    row = api.get(LIST, {"overdue": "true"}).json()["results"][0]
    assert row["overdue"] is True
    assert row["stage_due_on"] == add_months(raa_household.stage1_started_on, 2).isoformat()


def test_an_invalid_filter_is_400_with_field_errors(api, assessing_social_worker):
    api.force_login(assessing_social_worker)
    body = _assert_error_shape(api.get(LIST, {"status": "waiting", "ordering": "age"}), 400)
    assert body["message"] == "The request has invalid fields."
    assert set(body["extra"]["fields"]) == {"status", "ordering"}


def test_not_signed_in_is_401_with_the_error_shape(api, raa_household):
    for url in (LIST, _url(raa_household)):
        body = _assert_error_shape(api.get(url), 401)
        assert "Ashworth" not in str(body)


def test_the_detail_of_a_household_and_its_read_is_audited(api, assessing_social_worker, raa_household):
    api.force_login(assessing_social_worker)
    reads = _reads_of(raa_household)
    response = api.get(_url(raa_household))
    assert response.status_code == 200
    data = response.json()
    assert (data["id"], data["reference"], data["status"]) == (raa_household.pk, raa_household.reference, "stage_1")
    assert [(a["first_name"], a["last_name"]) for a in data["applicants"]] == [("Sam", "Ashworthson")]
    assert data["approval"] is None
    # Stage 1 started on day 10 and is due two months later; it is still running, so overdue.
    stage1, between, stage2 = data["timeliness"]
    assert (stage1["name"], stage1["state"], stage1["state_label"]) == ("Stage 1", "overdue", "Overdue")
    assert stage1["started_on"] == _day(10)
    assert stage1["due_on"] == add_months(raa_household.stage1_started_on, 2).isoformat()
    assert stage1["calendar_days"] == 190
    assert (between["state"], stage2["state"]) == ("not_started", "not_started")
    # The steps open from stage 1, as the transition table has them; an assessing social worker may take both.
    open_steps = workflow.available(S.STAGE_1, R.STANDARD)
    assert [a["action"] for a in data["next_actions"]] == [t.action.value for t in open_steps]
    assert data["next_actions"][0] == {
        "action": "complete-stage-1",
        "label": "Complete stage 1",
        "permitted": True,
        "details": ["training_attended_on"],
    }
    assert _reads_of(raa_household) == reads + 1
    event = AuditEvent.objects.filter(object_id=str(raa_household.pk), action=AuditEvent.Action.READ).first()
    assert event.actor == assessing_social_worker
    assert event.organisation_id == raa_household.approving_agency_id


def test_the_next_steps_say_which_the_actor_may_take(api, panel_adviser, raa_household):
    api.force_login(panel_adviser)
    steps = api.get(_url(raa_household)).json()["next_actions"]
    assert {s["action"]: s["permitted"] for s in steps} == {"complete-stage-1": False, "leave": False}


# --- who sees which households -------------------------------------------------------------------------------


def test_a_vaa_worker_sees_only_the_vaas_households(api, vaa_worker, raa_household, vaa_household):
    api.force_login(vaa_worker)
    data = api.get(LIST).json()
    assert [row["id"] for row in data["results"]] == [vaa_household.pk]
    assert api.get(_url(vaa_household)).status_code == 200
    response = api.get(_url(raa_household))
    _assert_error_shape(response, 404)
    assert "Ashworth" not in response.content.decode()


def test_raa_staff_do_not_see_a_vaas_household(api, assessing_social_worker, raa_household, vaa_household):
    api.force_login(assessing_social_worker)
    assert [row["id"] for row in api.get(LIST).json()["results"]] == [raa_household.pk]
    response = api.get(_url(vaa_household))
    _assert_error_shape(response, 404)
    assert "Vale" not in response.content.decode()


def test_another_agencys_household_looks_the_same_as_a_missing_one(api, vaa_worker, raa_household):
    api.force_login(vaa_worker)
    other = api.get(_url(raa_household)).json()
    missing = api.get(f"{LIST}{raa_household.pk + 1000}/").json()
    assert other == missing == {"message": "Not found.", "extra": {}}


def test_la_staff_and_la_api_clients_see_no_households(api, social_worker_a, api_client_a, raa_household):
    reads = _reads_of(raa_household)
    _, token = api_client_a
    for login in ("session", "token"):
        client = APIClient()
        if login == "session":
            client.force_login(social_worker_a)
        else:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert client.get(LIST).json() == {"count": 0, "next": None, "previous": None, "results": []}
        assert client.get(LIST, {"q": "Ashworth"}).json()["results"] == []
        _assert_error_shape(client.get(_url(raa_household)), 404)
    assert _reads_of(raa_household) == reads


# --- transitions -------------------------------------------------------------------------------------------------


ILLEGAL = {
    "a decision at stage 1": (
        S.STAGE_1,
        R.STANDARD,
        {"action": "record-decision", "decision": "approve", "approved_children_max": 1, "approved_age_max": 4},
    ),
    "stage 1 on the fast track": (S.REGISTERED, R.FAST_TRACK, {"action": "start-stage-1"}),
    "completing stage 1 with the checks missing": (S.STAGE_1, R.STANDARD, {"action": "complete-stage-1"}),
}


@pytest.mark.parametrize("case", ILLEGAL)
def test_an_illegal_move_is_400_in_the_services_words_and_changes_nothing(api, assessing_social_worker, raa, case):
    status, route, move = ILLEGAL[case]
    household = _household(raa, "Ashworth household", status=status, route=route)
    before = _snapshot(household)
    api.force_login(assessing_social_worker)

    response = api.post(_url(household, "transitions/"), {**move, "on": _day(60)}, format="json")

    body = _assert_error_shape(response, 400)
    details = {k: v for k, v in move.items() if k != "action"}
    with pytest.raises(ValidationError) as refused:
        services.household_transition(
            actor=assessing_social_worker,
            household_id=household.pk,
            action=move["action"],
            on=BASE + timedelta(days=60),
            **details,
        )
    said = refused.value.message_dict["__all__"]
    assert body["extra"] == {"fields": {"non_field_errors": said}}
    if len(said) == 1:
        assert body["message"] == said[0]
    else:
        assert body["message"] == f"{said[0]} {'; '.join(said[1:])}"
    if move["action"] != "complete-stage-1":
        assert body["message"] == workflow.refusal(status, route, move["action"])
    assert _snapshot(household) == before


def test_the_refusals_read_as_the_page_says_them(api, assessing_social_worker, raa):
    household = _household(raa, "Ashworth household")
    api.force_login(assessing_social_worker)
    url = _url(household, "transitions/")
    body = api.post(url, {"action": "record-decision", "on": _day(60), "decision": "approve"}, format="json").json()
    assert body["message"] == (
        "Record the agency decision is not possible: the household's stage is stage 1. "
        "From here you can: complete stage 1; record that they left the process."
    )
    body = api.post(url, {"action": "complete-stage-1", "on": _day(60)}, format="json").json()
    assert body["message"] == (
        "The checks are not complete: DBS (enhanced) check for Sam Ashworthson not received; "
        "Medical (agency medical adviser) for Sam Ashworthson not received; "
        "Local authority check for Sam Ashworthson not received; "
        "Personal reference for Sam Ashworthson not received"
    )


def test_a_step_the_role_cannot_take_is_403_with_the_services_message(api, panel_adviser, raa_household):
    before = _snapshot(raa_household)
    api.force_login(panel_adviser)
    response = api.post(
        _url(raa_household, "transitions/"),
        {"action": "leave", "on": _day(60), "leaving_reason": "withdrew"},
        format="json",
    )
    body = _assert_error_shape(response, 403)
    assert body["message"] == "Your role cannot record that they left the process."
    assert _snapshot(raa_household) == before


def test_bad_transition_input_is_400_with_field_errors(api, assessing_social_worker, raa_household):
    before = _snapshot(raa_household)
    api.force_login(assessing_social_worker)
    url = _url(raa_household, "transitions/")
    body = _assert_error_shape(api.post(url, {}, format="json"), 400)
    assert set(body["extra"]["fields"]) == {"action", "on"}
    body = _assert_error_shape(api.post(url, {"action": "adopt", "on": _day(60)}, format="json"), 400)
    assert set(body["extra"]["fields"]) == {"action"}
    # A detail the step does not take is refused, not ignored.
    move = {"action": "complete-stage-1", "on": _day(60), "panel_recommendation": "suitable"}
    body = _assert_error_shape(api.post(url, move, format="json"), 400)
    assert body["extra"]["fields"] == {"panel_recommendation": ["Complete stage 1 does not take this."]}
    # A date in the future is the service's field error.
    move = {"action": "leave", "on": (TODAY + timedelta(days=1)).isoformat(), "leaving_reason": "withdrew"}
    body = _assert_error_shape(api.post(url, move, format="json"), 400)
    assert body["message"] == "The request has invalid fields."
    assert body["extra"]["fields"] == {"on": ["The date must be today or in the past"]}
    assert _snapshot(raa_household) == before


def test_from_enquiry_to_approval_through_the_api(api, assessing_social_worker, panel_adviser, adm, raa):
    household = services.household_create(
        actor=assessing_social_worker,
        approving_agency_id=raa.pk,
        name="Okafor household",
        enquired_on=BASE,
        applicants=[{"first_name": "Ada", "last_name": "Okafor"}, {"first_name": "Ben", "last_name": "Okafor"}],
    )
    applicants = list(household.applicants.all())

    def step(actor, action: str, days: int, expected: str, **details: Any) -> dict:
        api.force_login(actor)
        response = api.post(
            _url(household, "transitions/"), {"action": action, "on": _day(days), **details}, format="json"
        )
        assert response.status_code == 200, response.json()
        data = response.json()
        assert data["status"] == expected
        return data

    asw = assessing_social_worker
    step(asw, "accept-registration", 5, "registered", assessing_worker_id=asw.pk)
    data = step(asw, "start-stage-1", 10, "stage_1")
    assert data["assessing_worker"] == asw.get_full_name()
    assert data["stage1_started_on"] == _day(10)

    for applicant in applicants:
        for kind in services.REQUIRED_CHECKS:
            response = api.post(
                _url(household, "checks/"),
                {"applicant_id": applicant.pk, "kind": kind, "requested_on": _day(12)},
                format="json",
            )
            assert response.status_code == 201, response.json()
            assert response.json()["due_on"] == services.check_due_on(kind, BASE + timedelta(days=12)).isoformat()
    checks = api.get(_url(household, "checks/")).json()
    assert len(checks) == 8
    assert {c["applicant"] for c in checks} == {"Ada Okafor", "Ben Okafor"}
    assert api.get(_url(household)).json()["checks_outstanding"] == 8
    for check in checks:
        services.check_receive(
            actor=asw, check_id=check["id"], received_on=BASE + timedelta(days=20), outcome="satisfactory"
        )

    step(asw, "complete-stage-1", 40, "between_stages", training_attended_on=_day(30))
    step(asw, "start-stage-2", 50, "stage_2")
    services.par_status_record(actor=asw, household_id=household.pk, status=Household.ParStatus.COMPLETED)
    step(asw, "complete-stage-2", 120, "awaiting_panel")
    step(panel_adviser, "record-panel", 140, "awaiting_decision", panel_recommendation="suitable")
    data = step(
        adm,
        "record-decision",
        150,
        "approved",
        decision="approve",
        approved_children_min=1,
        approved_children_max=2,
        approved_age_min=0,
        approved_age_max=5,
        approved_for_siblings=True,
    )

    assert data["approval"] == {
        "approved_on": _day(150),
        "approved_children_min": 1,
        "approved_children_max": 2,
        "approved_age_min": 0,
        "approved_age_max": 5,
        "approved_for_siblings": True,
        "disability_openness": "",
        "early_permanence_approved": False,
    }
    assert data["availability"] == "available"
    assert data["waiting_since"] == _day(150)
    assert data["checks_outstanding"] == 0
    assert [s["state"] for s in data["timeliness"]] == ["on_time", "on_time", "on_time"]
    assert [a["action"] for a in data["next_actions"]] == ["deregister"]
    household.refresh_from_db()
    assert (household.status, household.approved_on, household.panel_on) == (
        S.APPROVED,
        BASE + timedelta(days=150),
        BASE + timedelta(days=140),
    )


def test_a_fast_track_household_goes_straight_to_stage_2(api, assessing_social_worker, raa):
    household = _household(raa, "Abbott household", status=S.REGISTERED, route=R.FAST_TRACK)
    api.force_login(assessing_social_worker)
    assert [a["action"] for a in api.get(_url(household)).json()["next_actions"]] == ["start-stage-2", "leave"]
    response = api.post(_url(household, "transitions/"), {"action": "start-stage-2", "on": _day(20)}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "stage_2"


# --- checks and pauses ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("whose", "day", "field", "said"),
    [
        ("another household's", 12, "applicant_id", "Choose one of the household's applicants."),
        ("the household's own", 1, "requested_on", "Checks are requested once interest is registered"),
    ],
    ids=["another household's applicant", "before registration"],
)
def test_a_refused_check_request_says_why_and_saves_nothing(
    api, assessing_social_worker, raa, raa_household, whose, day, field, said
):
    other = _household(raa, "Brennan household")
    applicant = (other if whose.startswith("another") else raa_household).applicants.get()
    api.force_login(assessing_social_worker)
    response = api.post(
        _url(raa_household, "checks/"),
        {"applicant_id": applicant.pk, "kind": "dbs", "requested_on": _day(day)},
        format="json",
    )
    body = _assert_error_shape(response, 400)
    assert list(body["extra"]["fields"]) == [field]
    assert body["extra"]["fields"][field][0].startswith(said)
    assert not Check.objects.exists()


def test_reading_the_checks_is_audited(api, assessing_social_worker, raa_household):
    applicant = raa_household.applicants.get()
    services.check_request(
        actor=assessing_social_worker, applicant_id=applicant.pk, kind="medical", requested_on=BASE + timedelta(days=12)
    )
    api.force_login(assessing_social_worker)
    reads = _reads_of(raa_household)
    [check] = api.get(_url(raa_household, "checks/")).json()
    assert (check["applicant_id"], check["kind"], check["received_on"], check["outcome"]) == (
        applicant.pk,
        "medical",
        None,
        "",
    )
    assert _reads_of(raa_household) == reads + 1


def test_pausing_and_resuming_an_assessment(api, assessing_social_worker, raa_household):
    api.force_login(assessing_social_worker)
    pauses, end = _url(raa_household, "pauses/"), _url(raa_household, "pauses/end/")
    body = _assert_error_shape(api.post(end, {"ended_on": _day(30)}, format="json"), 400)
    assert body["message"] == "The assessment is not paused"

    response = api.post(pauses, {"started_on": _day(20), "reason": "Bereavement"}, format="json")
    assert response.status_code == 201
    assert response.json() | {"id": 0} == {
        "id": 0,
        "stage": 1,
        "started_on": _day(20),
        "ended_on": None,
        "reason": "Bereavement",
    }
    body = _assert_error_shape(api.post(pauses, {"started_on": _day(21), "reason": "Again"}, format="json"), 400)
    assert body["message"] == "The assessment is already paused"
    # While paused, no step but leaving can be recorded.
    move = {"action": "complete-stage-1", "on": _day(40)}
    body = _assert_error_shape(api.post(_url(raa_household, "transitions/"), move, format="json"), 400)
    started = BASE + timedelta(days=20)
    assert body["message"] == (
        f"The assessment is paused (since {started.day} {started:%B %Y}): record when it resumed first"
    )

    response = api.post(end, {"ended_on": _day(30)}, format="json")
    assert response.status_code == 200
    assert response.json()["ended_on"] == _day(30)
    stage1 = api.get(_url(raa_household)).json()["timeliness"][0]
    assert stage1["paused_days"] == 10
    assert stage1["working_days"] == stage1["calendar_days"] - 10


# --- every household operation, walked as another agency's worker and as an LA ---------------------------------


def _household_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method)
        for path, item in schema["paths"].items()
        if path.startswith(LIST)
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


OPERATIONS = _household_operations()


def _body(operation: tuple[str, str], household: Household) -> dict[str, Any]:
    """A request that would be accepted for a household in scope: the walk shows scope alone refuses it."""
    bodies = {
        (f"{LIST}{{household_id}}/transitions/", "post"): {
            "action": "leave",
            "on": _day(60),
            "leaving_reason": "withdrew",
        },
        (f"{LIST}{{household_id}}/checks/", "post"): {
            "applicant_id": household.applicants.get().pk,
            "kind": "dbs",
            "requested_on": _day(12),
        },
        (f"{LIST}{{household_id}}/pauses/", "post"): {"started_on": _day(20), "reason": "Moving house"},
        (f"{LIST}{{household_id}}/pauses/end/", "post"): {"ended_on": _day(30)},
    }
    assert operation in bodies, f"{operation}: say here what an accepted request to it looks like"
    return bodies[operation]


def test_the_schema_lists_the_household_operations():
    assert set(OPERATIONS) == {
        (LIST, "get"),
        (f"{LIST}{{household_id}}/", "get"),
        (f"{LIST}{{household_id}}/transitions/", "post"),
        (f"{LIST}{{household_id}}/checks/", "get"),
        (f"{LIST}{{household_id}}/checks/", "post"),
        (f"{LIST}{{household_id}}/pauses/", "post"),
        (f"{LIST}{{household_id}}/pauses/end/", "post"),
    }


def _call(client: APIClient, operation: tuple[str, str], household: Household, body: dict | None = None):
    path, method = operation
    url = path.replace("{household_id}", str(household.pk))
    return client.get(url) if method == "get" else getattr(client, method)(url, body or {}, format="json")


WALKERS = {
    "a VAA worker, an RAA household": ("vaa_worker", "vaa_household", "raa_household"),
    "an RAA worker, a VAA household": ("assessing_social_worker", "raa_household", "vaa_household"),
}


@pytest.mark.parametrize("walker", WALKERS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_every_household_operation_hides_another_agencys_households(operation, walker, api, request):
    actor, own, other = (request.getfixturevalue(name) for name in WALKERS[walker])
    api.force_login(actor)
    path, method = operation
    if "{household_id}" not in path:
        assert method == "get", f"{method} {path}: say here what it must do with another agency's data"
        ids = [row["id"] for row in api.get(path).json()["results"]]
        assert own.pk in ids
        assert other.pk not in ids
        assert api.get(path, {"q": other.reference}).json()["results"] == []
        return

    # The control: with the worker's own household the same address works (a POST without a body reaches
    # the validation, so a 404 below is the scope speaking, not a broken address).
    control = _call(api, operation, own)
    assert control.status_code == (200 if method == "get" else 400), control.content

    before, reads = _snapshot(other), _reads_of(other)
    response = _call(api, operation, other, _body(operation, other) if method != "get" else None)
    body = _assert_error_shape(response, 404)
    assert body == {"message": "Not found.", "extra": {}}
    assert other.name not in response.content.decode()
    assert _snapshot(other) == before
    assert _reads_of(other) == reads


@pytest.mark.parametrize("persona", ["social_worker_a", "api_client_a"])
@pytest.mark.parametrize("operation", OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_every_household_operation_shows_an_la_nothing(operation, persona, raa_household, request):
    client = APIClient()
    if persona == "api_client_a":
        _, token = request.getfixturevalue(persona)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    else:
        client.force_login(request.getfixturevalue(persona))
    path, method = operation
    if "{household_id}" not in path:
        assert client.get(path).json() == {"count": 0, "next": None, "previous": None, "results": []}
        return
    before = _snapshot(raa_household)
    body = _body(operation, raa_household) if method != "get" else None
    _assert_error_shape(_call(client, operation, raa_household, body), 404)
    assert _snapshot(raa_household) == before


# --- the schema -------------------------------------------------------------------------------------------------


def test_the_schema_documents_the_household_operations_and_their_errors(client, db):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    expected = {
        (LIST, "get"): {"200", "400", "401"},  # a page past the end is a 400 on `page`
        (f"{LIST}{{household_id}}/", "get"): {"200", "401", "404"},
        (f"{LIST}{{household_id}}/checks/", "get"): {"200", "401", "404"},
        (f"{LIST}{{household_id}}/transitions/", "post"): {"200", "400", "401", "403", "404"},
        (f"{LIST}{{household_id}}/checks/", "post"): {"201", "400", "401", "403", "404"},
        (f"{LIST}{{household_id}}/pauses/", "post"): {"201", "400", "401", "403", "404"},
        (f"{LIST}{{household_id}}/pauses/end/", "post"): {"200", "400", "401", "403", "404"},
    }
    for (path, method), codes in expected.items():
        operation = paths[path][method]
        # Beside each operation's own answers, the API's conventions' (adoption.api_conventions).
        assert set(operation["responses"]) - {"409", "412", "422", "428", "429"} == codes, f"{method} {path}"
        for code in codes - {"200", "201"}:
            content = operation["responses"][code]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Error"}, f"{method} {path} {code}"
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"message", "extra"}
    listing = paths[LIST]["get"]
    assert {"q", "status", "route", "overdue", "ordering", "page", "page_size"} <= {
        p["name"] for p in listing["parameters"]
    }
    transition = paths[f"{LIST}{{household_id}}/transitions/"]["post"]
    refused = transition["responses"]["400"]["content"]["application/json"]["examples"]
    assert any(
        e["value"]["message"] == workflow.refusal(S.STAGE_1, R.STANDARD, "record-decision") for e in refused.values()
    )
