"""The LA API's writes to children and their journeys, and its reads of sibling groups, matches and placements.

An LA's API client creates and changes its own LA's children and records journey events through the same services
as the pages (the same rules and words); another LA's child, group, match or placement is 404 on every operation.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from drf_spectacular.generators import SchemaGenerator

from adoption.models import ApiScope, AuditEvent, Role
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    Match,
    PermanenceOutcome,
    PlacementOrder,
    SiblingGroup,
    SiblingGroupMember,
)
from tests import factories
from tests.api.errors import assert_error_shape

CHILDREN = "/api/v1/children/"


def _auth(token: str) -> dict[str, dict[str, str]]:
    return {"headers": {"Authorization": f"Bearer {token}"}}


def _post(client, url, data, token, **headers):
    return client.post(
        url, data, content_type="application/json", headers={"Authorization": f"Bearer {token}", **headers}
    )


def _patch(client, url, data, token, **headers):
    return client.patch(
        url, data, content_type="application/json", headers={"Authorization": f"Bearer {token}", **headers}
    )


def _waiting(la, **names):
    """In care from 5 January 2023, with a decision on 1 June 2023: waiting for a family."""
    child = factories.ChildFactory(responsible_la=la, **names)
    factories.PeriodOfCareFactory(child=child, started_on=date(2023, 1, 5))
    factories.AdoptionDecisionFactory(child=child, decided_on=date(2023, 6, 1))
    return child


@pytest.fixture
def waiting_a(la_a):
    return _waiting(la_a, first_name="Amelia", last_name="Ashdown")


@pytest.fixture
def waiting_b(la_b):
    return _waiting(la_b, first_name="Bertie", last_name="Brookes")


def _group(child):
    group = SiblingGroup.objects.create(responsible_la=child.responsible_la, name=f"{child.last_name} siblings")
    sister = factories.ChildFactory(responsible_la=child.responsible_la, last_name=child.last_name)
    SiblingGroupMember.objects.create(group=group, child=child)
    SiblingGroupMember.objects.create(group=group, child=sister)
    return group


def _match(child, household, decided_on=date(2023, 11, 1), placed_on=None):
    match = Match.objects.create(household=household, decided_on=decided_on)
    AdoptivePlacement.objects.create(
        child=child, household=household, matched_on=decided_on, placed_on=placed_on, match=match
    )
    return match


@pytest.fixture
def household(raa):
    return factories.HouseholdFactory(approving_agency=raa)


@pytest.fixture
def group_a(waiting_a):
    return _group(waiting_a)


@pytest.fixture
def group_b(waiting_b):
    return _group(waiting_b)


@pytest.fixture
def match_a(waiting_a, household):
    return _match(waiting_a, household)


@pytest.fixture
def match_b(waiting_b, household):
    return _match(waiting_b, household)


@pytest.fixture
def placement_a(match_a):
    return match_a.placements.get()


@pytest.fixture
def placement_b(match_b):
    return match_b.placements.get()


# --- creating and changing a child ---------------------------------------------------------------------------


NEW_CHILD = {
    "la_child_id": "NEW-001",
    "child_903_id": "N0000001",
    "first_name": "Nova",
    "last_name": "Newcombe",
    "date_of_birth": "2022-03-14",
    "sex": "F",
}


def test_a_client_creates_a_child_of_its_own_la(client, api_client_a, la_a):
    response = _post(client, CHILDREN, NEW_CHILD, api_client_a[1])
    assert response.status_code == 201
    body = response.json()
    child = Child.objects.get(la_child_id="NEW-001")
    assert child.responsible_la == la_a
    assert (child.first_name, child.last_name, child.date_of_birth, child.sex) == (
        "Nova",
        "Newcombe",
        date(2022, 3, 14),
        "F",
    )
    assert body["id"] == child.pk and body["responsible_la"] == la_a.ons_code
    assert response["Location"] == f"{CHILDREN}{child.pk}/"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_id=str(child.pk)).count() == 1


def test_creating_a_child_of_another_la_is_404_and_makes_nothing(client, api_client_a, la_b):
    response = _post(client, CHILDREN, {**NEW_CHILD, "responsible_la": la_b.ons_code}, api_client_a[1])
    assert_error_shape(response, 404)
    assert not Child.objects.exists()


def test_a_taken_la_child_id_is_refused_with_the_pages_words(client, api_client_a, child_a):
    response = _post(client, CHILDREN, {**NEW_CHILD, "la_child_id": child_a.la_child_id}, api_client_a[1])
    body = assert_error_shape(response, 400)
    words = "A child with this LA child ID is already recorded for this local authority"
    assert body["extra"]["fields"] == {"la_child_id": [words]}
    assert body["message"] == words
    assert Child.objects.count() == 1


def test_bad_input_names_its_field(client, api_client_a):
    response = _post(client, CHILDREN, {**NEW_CHILD, "date_of_birth": "14/03/2022", "first_name": ""}, api_client_a[1])
    body = assert_error_shape(response, 400)
    assert set(body["extra"]["fields"]) == {"date_of_birth", "first_name"}
    assert not Child.objects.exists()


def test_a_retry_with_the_same_idempotency_key_creates_nothing(client, api_client_a):
    first = _post(client, CHILDREN, NEW_CHILD, api_client_a[1], **{"Idempotency-Key": "k-1"})
    again = _post(client, CHILDREN, NEW_CHILD, api_client_a[1], **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Child.objects.count() == 1


def test_a_client_without_the_write_scope_is_refused(client, la_a):
    _, token = factories.api_client_with_token(la_a, scopes=[ApiScope.READ_CHILDREN.value])
    assert client.get(CHILDREN, **_auth(token)).status_code == 200
    assert_error_shape(_post(client, CHILDREN, NEW_CHILD, token), 403)
    assert not Child.objects.exists()


def test_staff_whose_role_cannot_write_are_refused(client, la_a):
    client.force_login(factories.staff(la_a, Role.SUPPORT_SOCIAL_WORKER, username="ssw.a"))
    response = client.post(CHILDREN, {**NEW_CHILD, "responsible_la": la_a.ons_code}, content_type="application/json")
    body = assert_error_shape(response, 403)
    assert body["message"] == "Your role cannot change children's records."
    assert not Child.objects.exists()


def test_a_change_needs_the_etag_of_the_last_read(client, api_client_a, child_a):
    token = api_client_a[1]
    url = f"{CHILDREN}{child_a.pk}/"
    assert_error_shape(_patch(client, url, {"first_name": "Amy"}, token), 428)
    assert_error_shape(_patch(client, url, {"first_name": "Amy"}, token, **{"If-Match": '"stale"'}), 412)
    child_a.refresh_from_db()
    assert child_a.first_name == "Amelia"

    etag = client.get(url, **_auth(token))["ETag"]
    response = _patch(client, url, {"first_name": "Amy"}, token, **{"If-Match": etag})
    assert response.status_code == 200
    assert response.json()["first_name"] == "Amy"
    child_a.refresh_from_db()
    assert (child_a.first_name, child_a.last_name) == ("Amy", "Ashdown")
    # The old ETag is spent: the record changed.
    assert_error_shape(_patch(client, url, {"first_name": "Ann"}, token, **{"If-Match": etag}), 412)
    assert response["ETag"] == client.get(url, **_auth(token))["ETag"]


def test_a_change_the_rules_refuse_answers_400_with_the_services_words(client, api_client_a, child_a):
    url = f"{CHILDREN}{child_a.pk}/"
    etag = client.get(url, **_auth(api_client_a[1]))["ETag"]
    response = _patch(client, url, {"date_of_birth": "2999-01-01"}, api_client_a[1], **{"If-Match": etag})
    body = assert_error_shape(response, 400)
    assert list(body["extra"]["fields"]) == ["date_of_birth"]
    child_a.refresh_from_db()
    assert child_a.date_of_birth == date(2021, 5, 1)


def test_changing_another_las_child_is_404_with_or_without_if_match(client, api_client_a, child_b):
    url = f"{CHILDREN}{child_b.pk}/"
    assert_error_shape(_patch(client, url, {"first_name": "X"}, api_client_a[1]), 404)
    assert_error_shape(_patch(client, url, {"first_name": "X"}, api_client_a[1], **{"If-Match": "*"}), 404)
    child_b.refresh_from_db()
    assert child_b.first_name == "Bertie"


def test_the_list_filters_waiting_children_and_orders(client, api_client_a, la_a, waiting_a):
    adopted = factories.adopted_child(la_a, entered_care=date(2022, 1, 10), moved_in=date(2023, 3, 1))
    not_yet = factories.ChildFactory(responsible_la=la_a, la_child_id="ZZ-1")
    waiting = client.get(CHILDREN, {"waiting": "true"}, **_auth(api_client_a[1])).json()
    assert {row["id"] for row in waiting["results"]} == {waiting_a.pk}
    others = client.get(CHILDREN, {"waiting": "false"}, **_auth(api_client_a[1])).json()
    assert waiting_a.pk not in {row["id"] for row in others["results"]}
    assert not_yet.pk in {row["id"] for row in others["results"]}
    assert adopted.pk in {row["id"] for row in others["results"]}
    ordered = client.get(CHILDREN, {"ordering": "-la_child_id"}, **_auth(api_client_a[1])).json()
    ids = [row["la_child_id"] for row in ordered["results"]]
    assert ids == sorted(ids, reverse=True)
    decided = client.get(
        CHILDREN, {"decision_from": "2023-06-01", "decision_to": "2023-06-01"}, **_auth(api_client_a[1])
    )
    assert [row["id"] for row in decided.json()["results"]] == [waiting_a.pk]


# --- journey events --------------------------------------------------------------------------------------------


def test_a_childs_events_are_listed_in_date_order(client, api_client_a, waiting_a, household):
    PlacementOrder.objects.create(child=waiting_a, made_on=date(2023, 8, 2), court="Ashby Family Court")
    placement = AdoptivePlacement.objects.create(
        child=waiting_a, household=household, matched_on=date(2023, 11, 1), placed_on=date(2023, 12, 4)
    )
    response = client.get(f"{CHILDREN}{waiting_a.pk}/events/", **_auth(api_client_a[1]))
    assert response.status_code == 200
    events = response.json()["events"]
    assert [(e["type"], e["date"]) for e in events] == [
        ("period_of_care_start", "2023-01-05"),
        ("adm_decision", "2023-06-01"),
        ("placement_order", "2023-08-02"),
        ("match", "2023-11-01"),
        ("placement", "2023-12-04"),
    ]
    assert events[2]["fields"]["court"] == "Ashby Family Court"
    assert events[4]["id"] == placement.pk and events[4]["fields"]["household_id"] == household.pk


def test_events_are_recorded_through_the_services(client, api_client_a, waiting_a, household):
    token, url = api_client_a[1], f"{CHILDREN}{waiting_a.pk}/events/"
    response = _post(client, url, {"type": "placement_order", "made_on": "2023-08-02", "court": "Ashby"}, token)
    assert response.status_code == 201
    order = PlacementOrder.objects.get(child=waiting_a)
    assert response.json() == {
        "type": "placement_order",
        "date": "2023-08-02",
        "id": order.pk,
        "fields": {"order_type": "E1", "court": "Ashby", "made_before_records": False},
    }
    AdoptivePlacement.objects.create(
        child=waiting_a, household=household, matched_on=date(2023, 11, 1), placed_on=date(2023, 12, 4)
    )
    response = _post(client, url, {"type": "placement_end", "ended_on": "2024-02-10"}, token)
    assert response.status_code == 201
    assert AdoptivePlacement.objects.get(child=waiting_a).ended_on == date(2024, 2, 10)
    response = _post(
        client, url, {"type": "adm_decision_reversal", "reversed_on": "2024-03-01", "reason": "RD1"}, token
    )
    assert response.status_code == 201
    decision = AdoptionDecision.objects.get(child=waiting_a)
    assert (decision.reversed_on, decision.reversal_reason) == (date(2024, 3, 1), "RD1")
    types = [e["type"] for e in client.get(url, **_auth(token)).json()["events"]]
    assert types == [
        "period_of_care_start",
        "adm_decision",
        "placement_order",
        "match",
        "placement",
        "placement_end",
        "adm_decision_reversal",
    ]


def test_an_event_the_rules_refuse_answers_400_with_the_services_words(client, api_client_a, waiting_a):
    url = f"{CHILDREN}{waiting_a.pk}/events/"
    response = _post(client, url, {"type": "adm_decision", "decided_on": "2023-07-01"}, api_client_a[1])
    body = assert_error_shape(response, 400)
    words = "The child already has a decision that they should be placed for adoption"
    assert body["extra"]["fields"] == {"decided_on": [words]}
    assert body["message"] == words
    assert AdoptionDecision.objects.filter(child=waiting_a).count() == 1


def test_an_adoption_order_needs_its_court(client, api_client_a, waiting_a):
    url = f"{CHILDREN}{waiting_a.pk}/events/"
    data = {"type": "permanence_outcome", "kind": "adoption_order", "made_on": "2024-05-01", "court": " "}
    body = assert_error_shape(_post(client, url, data, api_client_a[1]), 400)
    assert body["extra"]["fields"] == {"court": ["Enter the court that made the adoption order"]}
    assert not PermanenceOutcome.objects.exists()


def test_an_unknown_event_type_is_refused(client, api_client_a, waiting_a):
    url = f"{CHILDREN}{waiting_a.pk}/events/"
    body = assert_error_shape(_post(client, url, {"type": "teleport", "made_on": "2023-01-01"}, api_client_a[1]), 400)
    assert list(body["extra"]["fields"]) == ["type"]
    body = assert_error_shape(_post(client, url, {"type": "adm_decision"}, api_client_a[1]), 400)
    assert list(body["extra"]["fields"]) == ["decided_on"]


def test_a_first_decision_is_recorded(client, api_client_a, la_a):
    child = factories.ChildFactory(responsible_la=la_a)
    factories.PeriodOfCareFactory(child=child, started_on=date(2023, 1, 5))
    url = f"{CHILDREN}{child.pk}/events/"
    response = _post(client, url, {"type": "adm_decision", "decided_on": "2023-06-01"}, api_client_a[1])
    assert response.status_code == 201
    decision = AdoptionDecision.objects.get(child=child)
    assert response.json() == {"type": "adm_decision", "date": "2023-06-01", "id": decision.pk, "fields": {}}
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_id=str(child.pk), organisation_id=la_a.pk
    ).exists()


def test_signed_in_staff_write_by_their_role_and_their_las(client, social_worker_a, waiting_a, waiting_b):
    client.force_login(social_worker_a)
    data = {"type": "placement_order", "made_on": "2023-08-02"}
    response = client.post(f"{CHILDREN}{waiting_a.pk}/events/", data, content_type="application/json")
    assert response.status_code == 201
    response = client.post(f"{CHILDREN}{waiting_b.pk}/events/", data, content_type="application/json")
    assert_error_shape(response, 404)
    assert list(PlacementOrder.objects.values_list("child_id", flat=True)) == [waiting_a.pk]


def test_a_retried_event_is_recorded_once(client, api_client_a, waiting_a):
    url = f"{CHILDREN}{waiting_a.pk}/events/"
    data = {"type": "placement_order", "made_on": "2023-08-02"}
    first = _post(client, url, data, api_client_a[1], **{"Idempotency-Key": "order-1"})
    again = _post(client, url, data, api_client_a[1], **{"Idempotency-Key": "order-1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert PlacementOrder.objects.filter(child=waiting_a).count() == 1


def test_another_las_childs_events_are_404_and_nothing_is_recorded(client, api_client_a, waiting_b):
    url = f"{CHILDREN}{waiting_b.pk}/events/"
    assert_error_shape(client.get(url, **_auth(api_client_a[1])), 404)
    response = _post(client, url, {"type": "placement_order", "made_on": "2023-08-02"}, api_client_a[1])
    assert_error_shape(response, 404)
    assert not PlacementOrder.objects.exists()


# --- sibling groups, matches, placements -----------------------------------------------------------------------


def test_sibling_groups_of_the_la_only(client, api_client_a, group_a, group_b, waiting_a):
    body = client.get("/api/v1/sibling-groups/", **_auth(api_client_a[1])).json()
    assert [row["id"] for row in body["results"]] == [group_a.pk]
    members = set(SiblingGroupMember.objects.filter(group=group_a).values_list("child_id", flat=True))
    assert {c["id"] for c in body["results"][0]["children"]} == members
    assert "Brookes" not in str(body)
    detail = client.get(f"/api/v1/sibling-groups/{group_a.pk}/", **_auth(api_client_a[1]))
    assert detail.status_code == 200 and detail.has_header("ETag")
    assert detail.json()["name"] == "Ashdown siblings"


def test_matches_of_the_la_only_and_by_date(client, api_client_a, match_a, match_b, waiting_a, household, la_a):
    later = factories.ChildFactory(responsible_la=la_a)
    factories.PeriodOfCareFactory(child=later, started_on=date(2023, 1, 5))
    factories.AdoptionDecisionFactory(child=later, decided_on=date(2023, 6, 1))
    match_later = _match(later, household, decided_on=date(2024, 2, 1))
    body = client.get("/api/v1/matches/", **_auth(api_client_a[1])).json()
    assert {row["id"] for row in body["results"]} == {match_a.pk, match_later.pk}
    found = client.get("/api/v1/matches/", {"matched_from": "2024-01-01"}, **_auth(api_client_a[1])).json()
    assert [row["id"] for row in found["results"]] == [match_later.pk]
    found = client.get("/api/v1/matches/", {"matched_to": "2023-12-31"}, **_auth(api_client_a[1])).json()
    assert [row["id"] for row in found["results"]] == [match_a.pk]
    detail = client.get(f"/api/v1/matches/{match_a.pk}/", **_auth(api_client_a[1])).json()
    assert detail["decided_on"] == "2023-11-01"
    assert [c["id"] for c in detail["children"]] == [waiting_a.pk]
    bad = client.get("/api/v1/matches/", {"matched_from": "next week"}, **_auth(api_client_a[1]))
    assert list(assert_error_shape(bad, 400)["extra"]["fields"]) == ["matched_from"]


def test_placements_of_the_la_only(client, api_client_a, placement_a, placement_b, waiting_a):
    body = client.get("/api/v1/placements/", **_auth(api_client_a[1])).json()
    assert [row["id"] for row in body["results"]] == [placement_a.pk]
    detail = client.get(f"/api/v1/placements/{placement_a.pk}/", **_auth(api_client_a[1])).json()
    assert detail["child"] == {"id": waiting_a.pk, "la_child_id": waiting_a.la_child_id}
    assert detail["matched_on"] == "2023-11-01" and detail["placed_on"] is None and detail["disrupted"] is False
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.READ, object_id=str(placement_a.pk), organisation_id=waiting_a.responsible_la_id
    ).exists()


def test_a_client_without_children_read_cannot_read_them(client, la_a, match_a):
    _, token = factories.api_client_with_token(la_a, scopes=[ApiScope.READ_REPORTS.value])
    for url in ("/api/v1/sibling-groups/", "/api/v1/matches/", "/api/v1/placements/"):
        assert_error_shape(client.get(url, **_auth(token)), 403)


# --- the walk: every operation of these APIs hides LA B's records ----------------------------------------------

MINE = ("/api/v1/children/", "/api/v1/sibling-groups/", "/api/v1/matches/", "/api/v1/placements/")
RECORDS = {
    "child_id": ("waiting_a", "waiting_b"),
    "group_id": ("group_a", "group_b"),
    "match_id": ("match_a", "match_b"),
    "placement_id": ("placement_a", "placement_b"),
}


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, item in schema["paths"].items():
        if not path.startswith(MINE):
            continue
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                params = tuple(p["name"] for p in item[method].get("parameters", []) if p["in"] == "path")
                found.append((path, method, params))
    return found


OPERATIONS = _operations()


def test_the_walk_covers_the_new_operations():
    assert {(p, m) for p, m, _ in OPERATIONS} >= {
        ("/api/v1/children/", "post"),
        ("/api/v1/children/{child_id}/", "patch"),
        ("/api/v1/children/{child_id}/events/", "get"),
        ("/api/v1/children/{child_id}/events/", "post"),
        ("/api/v1/sibling-groups/{group_id}/", "get"),
        ("/api/v1/matches/{match_id}/", "get"),
        ("/api/v1/placements/{placement_id}/", "get"),
    }


@pytest.mark.parametrize("operation", [o for o in OPERATIONS if o[2]], ids=lambda o: f"{o[1]} {o[0]}")
def test_every_operation_hides_another_las_records(operation, client, api_client_a, request):
    path, method, params = operation
    assert set(params) <= set(RECORDS), f"{path}: add LA A and LA B records for {params}"
    own = {p: request.getfixturevalue(RECORDS[p][0]).pk for p in params}
    other = {p: request.getfixturevalue(RECORDS[p][1]).pk for p in params}

    def url(values):
        return re.sub(r"\{([^}]+)\}", lambda m: str(values[m[1]]), path)

    token = api_client_a[1]
    if method == "get":
        assert client.get(url(own), **_auth(token)).status_code == 200
    before = (Child.objects.count(), PlacementOrder.objects.count(), AdoptionDecision.objects.count())
    response = client.generic(
        method.upper(),
        url(other),
        '{"type": "placement_order", "made_on": "2023-08-02", "first_name": "X"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert_error_shape(response, 404)
    assert "Brookes" not in response.content.decode()
    assert (Child.objects.count(), PlacementOrder.objects.count(), AdoptionDecision.objects.count()) == before
