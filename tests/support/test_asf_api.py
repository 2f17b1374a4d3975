"""The ASF applications API: an LA's client reads and submits its own LA's applications only, a refusal answers
400 in the one error shape with the reasons on their fields, and drafts are made by staff."""

from __future__ import annotations

from datetime import date

import pytest

from adoption.models import AuditEvent, Role
from support.models import AsfApplication
from tests import factories
from tests.api.errors import assert_error_shape
from tests.support import test_asf
from tests.support.test_asf import S, application

# The ASF pages' fixtures: LA A's and LA B's adopted children (the frozen day and the workers are in conftest).
amelia, bertie = test_asf.amelia, test_asf.bertie

pytestmark = pytest.mark.django_db

LIST = "/api/v1/asf-applications/"
OVER_THE_LIMIT = (
    "£1,000 is left for Amelia in 2025-26 and this application asks the fund for £1,500: the limit is £3,000 a year, "
    "specialist assessments included (from April 2025)"
)


def _auth(token: str) -> dict[str, dict[str, str]]:
    return {"headers": {"Authorization": f"Bearer {token}"}}


def _new_draft(child) -> dict[str, object]:
    return {
        "child_id": child.pk,
        "therapy": "theraplay",
        "provider": "Calm Minds Therapy",
        "sessions": 12,
        "cost": "1500.00",
        "work_starts_on": "2025-07-07",
        "work_ends_on": "2026-01-30",
    }


def test_the_las_client_lists_its_own_applications_only(
    client, frozen_today, api_client_a, amelia, bertie, support_a, support_b
):
    _, token = api_client_a
    ours = application(amelia, support_a, status=S.APPROVED, cost="2000")
    application(bertie, support_b, status=S.APPROVED)
    response = client.get(LIST, **_auth(token))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["id"], row["child_id"], row["child"]["la_child_id"]) == (ours.pk, amelia.pk, amelia.la_child_id)
    assert (row["status"], row["cost"], row["financial_year"], row["la"]) == (
        "approved",
        "2000.00",
        "2025-26",
        amelia.responsible_la.ons_code,
    )
    # LA B's child's own identifiers find nothing.
    assert client.get(LIST, {"la_child_id": bertie.la_child_id}, **_auth(token)).json()["results"] == []
    assert [
        r["id"] for r in client.get(LIST, {"la_child_id": amelia.la_child_id}, **_auth(token)).json()["results"]
    ] == [ours.pk]
    assert client.get(LIST, {"child": bertie.pk}, **_auth(token)).json()["results"] == []


def test_the_list_filters(client, frozen_today, api_client_a, amelia, support_a):
    _, token = api_client_a
    application(amelia, support_a, status=S.APPROVED, provider="This year")
    application(amelia, support_a, status=S.PAID, provider="Last year", starts=date(2025, 3, 3), ends=date(2025, 9, 1))
    found = client.get(LIST, {"financial_year": 2024}, **_auth(token)).json()["results"]
    assert [row["provider"] for row in found] == ["Last year"]
    found = client.get(LIST, {"status": "approved"}, **_auth(token)).json()["results"]
    assert [row["provider"] for row in found] == ["This year"]
    body = assert_error_shape(client.get(LIST, {"status": "lost"}, **_auth(token)), 400)
    assert "status" in body["extra"]["fields"]


def test_one_application_with_what_is_left_and_another_las_is_404(
    client, frozen_today, api_client_a, amelia, bertie, support_a, support_b
):
    _, token = api_client_a
    application(amelia, support_a, status=S.APPROVED, cost="2000")
    ours = application(amelia, support_a, status=S.DRAFT, cost="1500", starts=date(2025, 7, 7))
    theirs = application(bertie, support_b)

    body = client.get(f"{LIST}{ours.pk}/", **_auth(token)).json()
    assert body["eligibility"] == {"eligible": True, "basis": "adopted", "reasons": []}
    assert body["limit"]["fair_access_limit"] == "3000.00" and body["limit"]["specialist_assessment_limit"] is None
    assert body["left_before"] == {"therapy": "1000.00", "assessment": None, "total": "1000.00"}
    assert body["refusals"] == {"cost": [OVER_THE_LIMIT]}
    assert body["must_end_on"] == "2025-12-16"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.READ, object_id=str(ours.pk)).exists()

    response = client.get(f"{LIST}{theirs.pk}/", **_auth(token))
    assert_error_shape(response, 404)
    assert "Bertie" not in response.content.decode()


def test_an_over_the_limit_submit_is_400_with_the_reason_and_changes_nothing(
    client, frozen_today, api_client_a, amelia, support_a
):
    _, token = api_client_a
    application(amelia, support_a, status=S.APPROVED, cost="2000")
    draft = application(amelia, support_a, status=S.DRAFT, cost="1500", starts=date(2025, 7, 7))
    response = client.post(f"{LIST}{draft.pk}/submit/", **_auth(token))
    body = assert_error_shape(response, 400)
    assert body["message"] == OVER_THE_LIMIT
    assert body["extra"] == {"fields": {"cost": [OVER_THE_LIMIT]}}
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_on) == (S.DRAFT, None)


def test_a_submit_that_fits_is_stored_with_its_basis(client, frozen_today, api_client_a, amelia, support_a):
    api_client, token = api_client_a
    draft = application(amelia, support_a, status=S.DRAFT, cost="900", starts=date(2025, 7, 7))
    response = client.post(f"{LIST}{draft.pk}/submit/", **_auth(token))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["basis"], body["submitted_on"]) == ("submitted", "adopted", "2025-06-30")
    assert body["left_after"]["total"] == "2100.00"
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(draft.pk))
    assert (event.api_client, event.organisation_id) == (api_client, amelia.responsible_la_id)


def test_submitting_another_las_application_is_404_and_changes_nothing(
    client, frozen_today, api_client_a, bertie, support_b
):
    _, token = api_client_a
    theirs = application(bertie, support_b, cost="100", starts=date(2025, 7, 7))
    assert_error_shape(client.post(f"{LIST}{theirs.pk}/submit/", **_auth(token)), 404)
    theirs.refresh_from_db()
    assert theirs.status == S.DRAFT


def test_a_second_submit_is_refused_with_the_status(client, frozen_today, api_client_a, amelia, support_a):
    _, token = api_client_a
    done = application(amelia, support_a, status=S.SUBMITTED)
    body = assert_error_shape(client.post(f"{LIST}{done.pk}/submit/", **_auth(token)), 400)
    assert body["extra"]["fields"] == {
        "status": ["This application is submitted: only a draft application can be submitted"]
    }


def test_an_las_case_system_and_its_staff_both_make_drafts_through_the_api(
    client, frozen_today, api_client_a, amelia, support_a
):
    system, token = api_client_a
    response = client.post(LIST, _new_draft(amelia), content_type="application/json", **_auth(token))
    assert response.status_code == 201
    made = AsfApplication.objects.get()
    assert (made.created_by, made.created_by_client) == (None, system)

    client.force_login(support_a)
    response = client.post(LIST, _new_draft(amelia), content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["cost"], body["financial_year"], body["la"]) == (
        "draft",
        "1500.00",
        "2025-26",
        amelia.responsible_la.ons_code,
    )
    assert AsfApplication.objects.latest("id").created_by == support_a


def test_a_draft_for_another_la_is_404_and_made_nowhere(client, frozen_today, api_client_a, bertie, la_b, support_a):
    _, token = api_client_a
    data = {**_new_draft(bertie), "la": la_b.ons_code}
    assert_error_shape(client.post(LIST, data, content_type="application/json", **_auth(token)), 404)
    client.force_login(support_a)
    assert_error_shape(client.post(LIST, data, content_type="application/json"), 404)
    assert not AsfApplication.objects.exists()


def test_a_draft_for_a_child_the_worker_cannot_see_is_refused(client, frozen_today, bertie, support_a):
    client.force_login(support_a)
    body = assert_error_shape(client.post(LIST, _new_draft(bertie), content_type="application/json"), 400)
    assert body["extra"]["fields"] == {"child": ["Choose a child whose record you can see"]}


def test_the_raa_manager_sees_both_las_and_a_family_finder_is_refused(
    client, frozen_today, amelia, bertie, support_a, support_b, manager, family_finder
):
    application(amelia, support_a)
    application(bertie, support_b)
    client.force_login(manager)
    assert client.get(LIST).json()["count"] == 2
    # A role that works on no LA's support is refused, not told there is none.
    client.force_login(family_finder)
    body = assert_error_shape(client.get(LIST), 403)
    assert body["message"] == "Adoption support is seen by the support workers and managers of the LA."


def test_a_support_worker_of_two_las_names_the_la(client, frozen_today, la_a, la_b, amelia):
    both = factories.staff(la_a, Role.SUPPORT_SOCIAL_WORKER, username="both")
    factories.MembershipFactory(user=both, organisation=la_b, role=Role.SUPPORT_SOCIAL_WORKER)
    client.force_login(both)
    body = assert_error_shape(client.post(LIST, _new_draft(amelia), content_type="application/json"), 400)
    assert "la" in body["extra"]["fields"]
    response = client.post(LIST, {**_new_draft(amelia), "la": la_b.ons_code}, content_type="application/json")
    assert response.status_code == 201 and response.json()["la"] == la_b.ons_code


def test_the_schema_describes_the_operations(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert set(paths[LIST]) >= {"get", "post"}
    assert "get" in paths[LIST + "{application_id}/"]
    assert "post" in paths[LIST + "{application_id}/submit/"]
    submit = paths[LIST + "{application_id}/submit/"]["post"]
    assert set(submit["responses"]) >= {"200", "400", "401", "403", "404"}
