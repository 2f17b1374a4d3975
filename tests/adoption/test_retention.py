"""Retention: the database keeps adoption records until an approved, two-person disposal after their date.

Dates are chosen so that "past" and "to come" do not depend on today: an adoption order of 1917 (kept to 2017), a
child born in 1940 and never adopted (kept to the 75th birthday, 2015), and records of the 2020s (kept to the 2090s
and beyond).
"""

from __future__ import annotations

from datetime import date, time

import pghistory.models
import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.http import Http404

from adopters.models import Applicant, Availability, Check, Household, Review
from adoption.models import AuditEvent, DisposalRequest, DisposedRow, LegalHold, RetentionRecord, Role
from adoption.retention import KEPT_TABLES, services
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    ChildPermanenceReport,
    Disruption,
    EarlyPermanencePlacement,
    Episode,
    FamilyFindingStatus,
    Featuring,
    LearningAction,
    Link,
    Match,
    PeriodOfCare,
    PermanenceOutcome,
    PlacementOrder,
    ProceedingsTracking,
)
from panels import services as panel_services
from panels.models import (
    AgendaItem,
    AgendaPaper,
    AttendeeFeedback,
    MeetingMinutes,
    MinutesStatus,
    PanelAttendance,
    PanelMeeting,
    PanelMember,
    PanelRole,
    PaperRating,
    Recommendation,
)
from support.models import AsfApplication, AssessmentOfNeed, LifeStoryWork, SupportPlan, SupportRequest
from tests import factories

REFUSED = "can only be removed by an approved disposal"


# --- records ------------------------------------------------------------------------------------------------------


def _old_adopted_child(la, **fields) -> Child:
    """Adopted in 1917: kept to 1 January 2017, so past its date."""
    return factories.adopted_child(
        la, entered_care=date(1915, 1, 1), moved_in=date(1916, 1, 1), adoption_order=date(1917, 1, 1), **fields
    )


@pytest.fixture
def admin_a(la_a):
    return factories.staff(la_a, Role.ADMINISTRATOR, username="admin.a")


@pytest.fixture
def old_child_a(la_a):
    return _old_adopted_child(la_a)


@pytest.fixture
def old_child_b(la_b):
    return _old_adopted_child(la_b)


def _meeting(raa, held_on: date, place: str = "Warwick") -> PanelMeeting:
    return PanelMeeting.objects.create(raa=raa, held_on=held_on, starts_at=time(10), place=place)


def _item(meeting: PanelMeeting, child: Child, *, recommended: bool = True) -> AgendaItem:
    fields = {"recommendation": Recommendation.RECOMMENDED, "recommendation_reasons": "Met the child's needs"}
    return AgendaItem.objects.create(
        meeting=meeting,
        position=meeting.items.count() + 1,
        kind=AgendaItem.Kind.RELINQUISHED,
        child=child,
        starts_at=time(11),
        **(fields if recommended else {}),
    )


def _left_family(raa) -> Household:
    """A family that withdrew in 2010 and never adopted: kept to 2020."""
    return factories.HouseholdFactory(
        approving_agency=raa,
        enquired_on=date(2009, 1, 10),
        registered_on=None,
        approved_on=None,
        status=Household.Status.LEFT,
        left_on=date(2010, 5, 1),
        leaving_reason="withdrew",
    )


def _due(table: str, pk: int) -> date | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT NULLIF(adoption_retention_due(%s, %s), 'infinity')", [table, pk])
        return cursor.fetchone()[0]


# One kept record of each kind with nothing referring to it, so that a delete reaches the database.
def _bare_records(raa, la) -> dict[str, object]:
    child = factories.ChildFactory(responsible_la=la)
    household = factories.HouseholdFactory(approving_agency=raa)
    past_meeting = _meeting(raa, date(2024, 6, 1))
    return {
        "child": factories.ChildFactory(responsible_la=la),
        "adoption decision": factories.AdoptionDecisionFactory(child=child),
        "placement order": factories.PlacementOrderFactory(child=child),
        "adoptive placement": factories.AdoptivePlacementFactory(child=child, household=household),
        "adoption order": factories.AdoptionOrderFactory(child=child),
        "match": Match.objects.create(household=household),
        "household": factories.HouseholdFactory(approving_agency=raa),
        "applicant": factories.ApplicantFactory(household=household),
        "panel meeting": _meeting(raa, date(2024, 7, 1)),
        "agenda item": _item(past_meeting, child),
        "minutes": MeetingMinutes.objects.create(meeting=past_meeting),
    }


KINDS = [
    "child",
    "adoption decision",
    "placement order",
    "adoptive placement",
    "adoption order",
    "match",
    "household",
    "applicant",
    "panel meeting",
    "agenda item",
    "minutes",
]


# --- the database refuses deletion ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_the_database_refuses_to_delete_a_kept_record_however_asked(kind, raa, la_a):
    record = _bare_records(raa, la_a)[kind]
    model = type(record)
    table = model._meta.db_table

    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        record.delete()
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        model.objects.filter(pk=record.pk).delete()
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [record.pk])

    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.django_db
def test_an_item_taken_off_a_future_agenda_before_anything_is_recorded_is_not_kept(raa, child_a):
    meeting = _meeting(raa, date(2999, 1, 1))
    item = _item(meeting, child_a, recommended=False)
    item.delete()
    assert not AgendaItem.objects.filter(pk=item.pk).exists()


@pytest.mark.django_db
def test_the_panel_adviser_can_still_take_an_item_off_a_future_agenda(raa, child_a, panel_adviser):
    meeting = _meeting(raa, date(2999, 1, 1))
    item = _item(meeting, child_a, recommended=False)
    panel_services.agenda_item_remove(actor=panel_adviser, item_id=item.pk)
    assert not meeting.items.exists()


@pytest.mark.django_db
def test_a_past_items_record_is_kept_even_without_a_recommendation(raa, child_a):
    item = _item(_meeting(raa, date(2024, 6, 1)), child_a, recommended=False)
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        item.delete()
    assert AgendaItem.objects.filter(pk=item.pk).exists()


# --- the dates ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_disposal_dates_of_children_families_matches_and_panels(raa, la_a):
    adopted = _old_adopted_child(la_a)
    looked_after = factories.ChildFactory(responsible_la=la_a, date_of_birth=date(1940, 3, 15))
    unborn = factories.ChildFactory(responsible_la=la_a, date_of_birth=None, expected_date_of_birth=date(2027, 2, 1))
    family = AdoptivePlacement.objects.get(child=adopted).household
    match = Match.objects.create(household=family)
    AdoptivePlacement.objects.filter(child=adopted).update(match=match)
    left = _left_family(raa)
    waiting = factories.HouseholdFactory(approving_agency=raa)
    recent = factories.adopted_child(
        la_a, entered_care=date(2020, 1, 1), moved_in=date(2021, 1, 1), adoption_order=date(2021, 9, 1)
    )
    meeting = _meeting(raa, date(2021, 6, 1))
    item = _item(meeting, recent)
    empty_meeting = _meeting(raa, date(2012, 6, 1), place="Leamington")

    assert _due("children_child", adopted.pk) == date(2017, 1, 1)  # adoption order + 100 years
    assert _due("children_permanenceoutcome", adopted.permanence_outcomes.get().pk) == date(2017, 1, 1)
    assert _due("children_child", looked_after.pk) == date(2015, 3, 15)  # 75th birthday
    assert _due("children_child", unborn.pk) == date(2102, 2, 1)
    assert _due("adopters_household", family.pk) == date(2017, 1, 1)  # its latest adoption order + 100 years
    assert _due("children_match", match.pk) == date(2017, 1, 1)
    assert _due("adopters_household", left.pk) == date(2020, 5, 1)  # never adopted: 10 years after it left
    assert _due("adopters_household", waiting.pk) is None  # still in the process: no date yet
    assert _due("panels_agendaitem", item.pk) == date(2121, 9, 1)  # the child's record
    assert _due("panels_panelmeeting", meeting.pk) == date(2121, 9, 1)
    assert _due("panels_panelmeeting", empty_meeting.pk) == date(2022, 6, 1)  # 10 years from the meeting

    listed = {(r.table_name, r.object_id): r.due_on for r in RetentionRecord.objects.all()}
    assert listed[("children_child", adopted.pk)] == date(2017, 1, 1)
    assert listed[("adopters_household", waiting.pk)] is None
    assert RetentionRecord.objects.get(table_name="children_child", object_id=adopted.pk).organisation == la_a


# --- requests refused -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_before_the_date_is_refused_and_changes_nothing(manager_a, child_a):
    with pytest.raises(ValidationError, match="is kept until 1 May 2096: it cannot be disposed of before then"):
        services.disposal_request(actor=manager_a, table_name="children_child", object_id=child_a.pk)
    assert not DisposalRequest.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DISPOSAL_REQUESTED).exists()


@pytest.mark.django_db
def test_a_request_row_written_by_hand_cannot_bring_a_disposal_forward(manager_a, admin_a, child_a):
    """Even an approved request written straight into the table, and SQL typed by hand, cannot delete early."""
    request = DisposalRequest.objects.create(
        table_name="children_child",
        object_id=child_a.pk,
        organisation=child_a.responsible_la,
        requested_by=manager_a,
        status=DisposalRequest.Status.APPROVED,
        decided_by=admin_a,
        decided_at="2026-01-01T00:00Z",
    )
    with pytest.raises(IntegrityError, match="cannot be disposed of before 2096-05-01"), transaction.atomic():
        DisposedRow.objects.create(request=request, table_name="children_child", object_id=child_a.pk)
    with (
        pytest.raises(IntegrityError, match="cannot be disposed of before"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO adoption_disposedrow (request_id, table_name, object_id, due_on) "
            "VALUES (%s, 'children_child', %s, '1900-01-01')",
            [request.pk, child_a.pk],
        )
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM children_child WHERE id = %s", [child_a.pk])
    assert Child.objects.filter(pk=child_a.pk).exists()
    assert not DisposedRow.objects.exists()


@pytest.mark.django_db
def test_the_same_person_cannot_approve_their_own_request(manager_a, old_child_a):
    request = services.disposal_request(actor=manager_a, table_name="children_child", object_id=old_child_a.pk)
    with pytest.raises(ValidationError, match="You asked for this disposal: another administrator or manager"):
        services.disposal_approve(actor=manager_a, request_id=request.pk)
    with pytest.raises(ValidationError, match="already waiting for approval"):
        services.disposal_request(actor=manager_a, table_name="children_child", object_id=old_child_a.pk)
    request.refresh_from_db()
    assert request.status == DisposalRequest.Status.PENDING
    assert Child.objects.filter(pk=old_child_a.pk).exists()
    assert DisposalRequest.objects.count() == 1
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        DisposalRequest.objects.filter(pk=request.pk).update(
            status=DisposalRequest.Status.APPROVED, decided_by=manager_a, decided_at="2026-01-01T00:00Z"
        )


# --- legal holds ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_legal_hold_blocks_the_request_and_the_approval_until_released(manager_a, admin_a, old_child_a):
    request = services.disposal_request(actor=manager_a, table_name="children_child", object_id=old_child_a.pk)
    with pytest.raises(ValidationError, match="Enter the reason for the hold"):
        services.legal_hold_place(actor=admin_a, table_name="children_child", object_id=old_child_a.pk, reason=" ")
    assert not LegalHold.objects.exists()
    hold = services.legal_hold_place(
        actor=admin_a, table_name="children_child", object_id=old_child_a.pk, reason="Claim against the council"
    )

    with pytest.raises(ValidationError, match="is on legal hold: it cannot be disposed of until the hold is released"):
        services.disposal_approve(actor=admin_a, request_id=request.pk)
    assert Child.objects.filter(pk=old_child_a.pk).exists()
    with pytest.raises(ValidationError, match="is on legal hold"):
        services.disposal_request(actor=admin_a, table_name="children_child", object_id=old_child_a.pk)

    # Even straight SQL with an approved request cannot get past a hold.
    request_row = DisposalRequest.objects.create(
        table_name="children_child",
        object_id=old_child_a.pk,
        organisation=old_child_a.responsible_la,
        requested_by=admin_a,
        status=DisposalRequest.Status.APPROVED,
        decided_by=manager_a,
        decided_at="2026-01-01T00:00Z",
    )
    with pytest.raises(IntegrityError, match="is on legal hold"), transaction.atomic():
        DisposedRow.objects.create(request=request_row, table_name="children_child", object_id=old_child_a.pk)

    with pytest.raises(ValidationError, match="Enter the reason for releasing the hold"):
        services.legal_hold_release(actor=manager_a, hold_id=hold.pk, reason="")
    hold.refresh_from_db()
    assert hold.released_at is None
    released = services.legal_hold_release(actor=manager_a, hold_id=hold.pk, reason="Claim settled")
    assert released.released_by == manager_a and released.released_at is not None
    services.disposal_approve(actor=admin_a, request_id=request.pk)
    assert not Child.objects.filter(pk=old_child_a.pk).exists()
    actions = set(
        AuditEvent.objects.filter(object_type="children.child", object_id=str(old_child_a.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"legal_hold_set", "legal_hold_released", "disposal_requested", "disposal_approved"} <= actions


@pytest.mark.django_db
def test_a_hold_on_a_child_stops_the_disposal_of_a_family_that_would_remove_part_of_it(manager, manager_a, old_child_a):
    family = AdoptivePlacement.objects.get(child=old_child_a).household
    services.legal_hold_place(
        actor=manager_a, table_name="children_child", object_id=old_child_a.pk, reason="Subject access request"
    )
    request = services.disposal_request(actor=manager, table_name="adopters_household", object_id=family.pk)
    other = factories.staff(family.approving_agency, Role.ADMINISTRATOR, username="admin.raa")
    with pytest.raises(ValidationError, match=f"Child {old_child_a.pk} is on legal hold and this disposal would"):
        services.disposal_approve(actor=other, request_id=request.pk)
    assert Household.objects.filter(pk=family.pk).exists()
    assert AdoptivePlacement.objects.filter(child=old_child_a).exists()


# --- a proper disposal ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_two_person_disposal_after_the_date_removes_the_record_its_rows_and_history(
    raa, manager_a, admin_a, old_child_a
):
    child_pk = old_child_a.pk
    family = AdoptivePlacement.objects.get(child=old_child_a).household
    meeting = _meeting(raa, date(1916, 11, 1))
    item = _item(meeting, old_child_a)
    child_history = apps.get_model("children", "ChildEvent")
    assert child_history.objects.filter(pgh_obj_id=child_pk).exists()

    request = services.disposal_request(
        actor=manager_a, table_name="children_child", object_id=child_pk, reason="Past its retention date"
    )
    approved = services.disposal_approve(actor=admin_a, request_id=request.pk)

    assert approved.status == DisposalRequest.Status.APPROVED and approved.decided_by == admin_a
    assert not Child.objects.filter(pk=child_pk).exists()
    for model in (PeriodOfCare, AdoptionDecision, PlacementOrder, AdoptivePlacement, PermanenceOutcome):
        assert not model.objects.filter(child_id=child_pk).exists(), model
    assert not AgendaItem.objects.filter(pk=item.pk).exists()
    assert not child_history.objects.filter(pgh_obj_id=child_pk).exists()
    # The family and the meeting are records of their own; they stay.
    assert Household.objects.filter(pk=family.pk).exists()
    assert PanelMeeting.objects.filter(pk=meeting.pk).exists()
    disposed = set(DisposedRow.objects.filter(request=request).values_list("table_name", "object_id"))
    assert ("children_child", child_pk) in disposed and ("panels_agendaitem", item.pk) in disposed
    assert all(row.due_on <= date(2017, 1, 1) for row in DisposedRow.objects.filter(request=request))
    events = list(
        AuditEvent.objects.filter(object_type="children.child", object_id=str(child_pk)).values_list(
            "action", "actor__username"
        )
    )
    assert ("disposal_requested", "manager.a") in events
    assert ("disposal_approved", "admin.a") in events


@pytest.mark.django_db
def test_a_family_that_never_adopted_is_disposed_of_with_its_applicants(manager, raa):
    family = _left_family(raa)
    applicant = factories.ApplicantFactory(household=family)
    factories.CheckFactory(applicant=applicant)
    second = factories.staff(raa, Role.ADMINISTRATOR, username="admin.raa")
    request = services.disposal_request(actor=manager, table_name="adopters_household", object_id=family.pk)
    services.disposal_approve(actor=second, request_id=request.pk)
    assert not Household.objects.filter(pk=family.pk).exists()
    assert not Applicant.objects.filter(pk=applicant.pk).exists()


@pytest.mark.django_db
def test_a_disposal_that_would_remove_a_record_not_yet_due_removes_nothing(raa, manager_a, admin_a, la_a):
    """An old looked-after child's record, with a panel item that is also about a child adopted in 2021."""
    old = factories.ChildFactory(responsible_la=la_a, date_of_birth=date(1940, 3, 15))
    recent = factories.adopted_child(la_a, entered_care=date(2020, 1, 1), moved_in=date(2021, 1, 1))
    family = AdoptivePlacement.objects.get(child=recent).household
    meeting = _meeting(raa, date(2021, 6, 1))
    AgendaItem.objects.create(
        meeting=meeting,
        position=1,
        kind=AgendaItem.Kind.APPROVAL,
        household=family,
        child=old,
        starts_at=time(11),
    )
    request = services.disposal_request(actor=manager_a, table_name="children_child", object_id=old.pk)
    with pytest.raises(ValidationError, match="is part of this record and is kept until"):
        services.disposal_approve(actor=admin_a, request_id=request.pk)
    assert Child.objects.filter(pk=old.pk).exists()
    assert AgendaItem.objects.filter(meeting=meeting).exists()


@pytest.mark.django_db
def test_a_refused_request_keeps_the_record_and_is_audited(manager_a, admin_a, old_child_a):
    request = services.disposal_request(actor=manager_a, table_name="children_child", object_id=old_child_a.pk)
    with pytest.raises(ValidationError, match="Enter why the disposal is refused"):
        services.disposal_refuse(actor=admin_a, request_id=request.pk, note="  ")
    refused = services.disposal_refuse(actor=admin_a, request_id=request.pk, note="Records are under review")
    assert refused.status == DisposalRequest.Status.REFUSED
    assert Child.objects.filter(pk=old_child_a.pk).exists()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DISPOSAL_REFUSED, object_id=str(old_child_a.pk), actor=admin_a
    ).exists()
    with pytest.raises(ValidationError, match="already been decided"):
        services.disposal_approve(actor=admin_a, request_id=request.pk)


# --- who may -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_administrators_and_managers_of_the_records_organisation_may_act(
    social_worker_a, panel_adviser, manager_a, old_child_a, old_child_b
):
    for person in (social_worker_a, panel_adviser):
        with pytest.raises(PermissionDenied):
            services.legal_hold_place(
                actor=person, table_name="children_child", object_id=old_child_a.pk, reason="A claim"
            )
    with pytest.raises(Http404):
        services.disposal_request(actor=manager_a, table_name="children_child", object_id=old_child_b.pk)
    with pytest.raises(Http404):  # a table that is not a kind of record a person can choose
        services.disposal_request(actor=manager_a, table_name="adoption_auditevent", object_id=1)
    assert not LegalHold.objects.exists() and not DisposalRequest.objects.exists()


# --- the page -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_lists_records_past_their_date_and_acts_on_them(client, manager_a, admin_a, old_child_a, old_child_b):
    recent = factories.ChildFactory(responsible_la=old_child_a.responsible_la)
    client.force_login(manager_a)
    body = client.get("/retention/").content.decode()
    assert f"Child {old_child_a.pk}" in body and "1 January 2017" in body
    assert f"Child {old_child_b.pk}" not in body  # LA B's
    assert f"Child {recent.pk}" not in body  # not yet due

    response = client.post(
        "/retention/disposals/new/", {"kind": "children_child", "number": old_child_a.pk, "reason": "Past its date"}
    )
    assert response.status_code == 302
    request = DisposalRequest.objects.get(object_id=old_child_a.pk)
    body = client.get("/retention/").content.decode()
    assert "Waiting for approval" in body and "Another administrator or manager decides" in body

    refused = client.post("/retention/disposals/new/", {"kind": "children_child", "number": recent.pk})
    assert refused.status_code == 200
    assert "it cannot be disposed of before then" in refused.content.decode()

    client.force_login(admin_a)
    assert f"/retention/disposals/{request.pk}/approve/" in client.get("/retention/").content.decode()
    assert client.post(f"/retention/disposals/{request.pk}/approve/").status_code == 302
    assert not Child.objects.filter(pk=old_child_a.pk).exists()
    assert f"Child {old_child_a.pk} has been disposed of" in client.get("/retention/").content.decode()


@pytest.mark.django_db
def test_the_page_places_and_releases_holds(client, manager_a, old_child_a):
    client.force_login(manager_a)
    blank = client.post("/retention/holds/new/", {"kind": "children_child", "number": old_child_a.pk})
    assert "Enter the reason for the hold" in blank.content.decode()
    assert not LegalHold.objects.exists()
    client.post(
        "/retention/holds/new/", {"kind": "children_child", "number": old_child_a.pk, "reason": "Court inquiry"}
    )
    hold = LegalHold.objects.get(object_id=old_child_a.pk)
    body = client.get("/retention/").content.decode()
    assert "Court inquiry" in body and "On legal hold" in body
    client.post(f"/retention/holds/{hold.pk}/release/", {"reason": "Inquiry closed"})
    hold.refresh_from_db()
    assert hold.released_by == manager_a
    assert "Court inquiry" not in client.get("/retention/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/retention/", "/retention/holds/new/", "/retention/disposals/new/"],
)
def test_other_roles_are_refused_the_retention_pages(client, url, social_worker_a, panel_adviser, adm):
    for person in (social_worker_a, panel_adviser, adm):
        client.force_login(person)
        assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_every_retention_page_hides_another_las_holds_and_requests(client, manager_a, old_child_a, old_child_b):
    """Every retention route with a parameter, as LA A's manager: LA A's hold or request is the control (200),
    LA B's is 404 to GET and POST, and nothing about it changes."""
    manager_b = factories.staff(old_child_b.responsible_la, Role.MANAGER, username="manager.b")
    own = {
        "hold_id": services.legal_hold_place(
            actor=manager_a, table_name="children_child", object_id=old_child_a.pk, reason="A claim"
        ).pk,
    }
    other = {
        "hold_id": services.legal_hold_place(
            actor=manager_b, table_name="children_child", object_id=old_child_b.pk, reason="A claim"
        ).pk,
    }
    other_child = _old_adopted_child(old_child_a.responsible_la)
    own["request_id"] = services.disposal_request(
        actor=factories.staff(old_child_a.responsible_la, Role.ADMINISTRATOR, username="admin.a2"),
        table_name="children_child",
        object_id=other_child.pk,
    ).pk
    third = _old_adopted_child(old_child_b.responsible_la)
    other["request_id"] = services.disposal_request(actor=manager_b, table_name="children_child", object_id=third.pk).pk
    routes = [
        "/retention/holds/{hold_id}/release/",
        "/retention/disposals/{request_id}/approve/",
        "/retention/disposals/{request_id}/refuse/",
    ]
    client.force_login(manager_a)
    for route in routes:
        assert client.get(route.format(**own)).status_code == 200, route
        assert client.get(route.format(**other)).status_code == 404, route
        assert client.post(route.format(**other), {"reason": "x", "decision_note": "x"}).status_code == 404, route
    assert LegalHold.objects.get(pk=other["hold_id"]).released_at is None
    assert DisposalRequest.objects.get(pk=other["request_id"]).status == DisposalRequest.Status.PENDING
    assert Child.objects.filter(pk=third.pk).exists()


# --- every row of a record, and holds on the records a row is part of -------------------------------------------------

# Rows that refer to a kept record without being part of it: a child's membership of a sibling group is the current
# grouping (a child is taken out of a group as plans change; the audit trail keeps who and when); an adopted child's
# dates for the scorecard are derived data the database keeps from the child's rows (children.0008), which goes
# with them.
NOT_KEPT = {"children_siblinggroupmember", "children_childadoptiondates"}


def _whole_record(child: Child, raa, staff) -> dict[str, object]:
    """One row of every kind that is part of a child's, its family's or a panel's record, around ``child`` (placed
    with a family in 1916); the panel met in 1916 and its minutes are final."""
    placement = AdoptivePlacement.objects.get(child=child)
    family = placement.household
    period = child.periods_of_care.get()
    disruption = Disruption.objects.create(placement=placement, reason=Disruption.Reason.OTHER)
    request = SupportRequest.objects.create(
        la=child.responsible_la,
        family_name="The Okafors",
        child=child,
        household=family,
        requested_by="Mrs Okafor",
        requester=SupportRequest.Requester.ADOPTIVE_PARENT,
        received_on=date(1916, 6, 1),
        topic="settling",
    )
    assessment = AssessmentOfNeed.objects.create(request=request, started_on=date(1916, 6, 2))
    meeting = _meeting(raa, date(1916, 11, 1))
    member = PanelMember.objects.create(
        raa=raa, name="Chloe Chair", roles=[PanelRole.CHAIR], on_list_from=date(1915, 1, 1)
    )
    item = _item(meeting, child)
    paper = AgendaPaper.objects.create(
        item=item,
        kind="cpr",
        title="Child's Permanence Report",
        file="panel-papers/test.pdf",
        original_name="cpr.pdf",
        pages=1,
        size=100,
        received_at="1916-10-20T10:00Z",
        uploaded_by=staff,
    )
    MeetingMinutes.objects.create(
        meeting=meeting,
        status=MinutesStatus.FINAL,
        finalised_on=date(1916, 11, 8),
        sent_to_adm_on=date(1916, 11, 8),
    )
    applicant = factories.ApplicantFactory(household=family)
    return {
        # The child's.
        "period of care": period,
        "episode": Episode.objects.create(
            period=period,
            started_on=period.started_on,
            reason_new_episode="S",
            legal_status="E1",
            category_of_need="N1",
            placement_type="A3",
        ),
        "family finding status": FamilyFindingStatus.objects.create(
            child=child, status=FamilyFindingStatus.Status.ACTIVE, status_from=date(1915, 6, 1)
        ),
        "featuring": Featuring.objects.create(
            child=child, channel=Featuring.Channel.EXCHANGE_DAY, featured_on=date(1915, 7, 1)
        ),
        "early permanence": EarlyPermanencePlacement.objects.create(
            child=child, kind="ffa", household=family, started_on=date(1915, 8, 1), ended_on=date(1916, 1, 1)
        ),
        "proceedings": ProceedingsTracking.objects.create(
            child=child, stage="care_proceedings", stage_from=date(1915, 2, 1)
        ),
        "CPR": ChildPermanenceReport.objects.create(child=child),
        "link": Link.objects.create(
            child=child,
            household=family,
            origin=Link.Origin.AGENCY,
            started_on=date(1915, 9, 1),
            outcome=Link.Outcome.MATCHED,
            outcome_on=date(1915, 12, 1),
        ),
        "disruption": disruption,
        "learning action": LearningAction.objects.create(
            disruption=disruption, action="Share the health reports earlier", owner=staff, due_on=date(1917, 1, 1)
        ),
        "support request": request,
        "assessment of need": assessment,
        "support plan": SupportPlan.objects.create(
            assessment=assessment,
            agreed_on=date(1916, 7, 1),
            services="Therapeutic parenting",
            review_on=date(1917, 7, 1),
        ),
        "ASF application": AsfApplication.objects.create(
            la=child.responsible_la,
            child=child,
            request=request,
            therapy="ddp",
            provider="Therapy Ltd",
            sessions=6,
            cost="3000.00",
            work_starts_on=date(1916, 9, 1),
            work_ends_on=date(1917, 2, 1),
            financial_year=1916,
            created_by=staff,
        ),
        "life story work": LifeStoryWork.objects.create(child=child, kind="life_story_book", due_on=date(1917, 1, 1)),
        "agenda paper": paper,
        "paper rating": PaperRating.objects.create(paper=paper, criterion="evidence", rating=3, rated_by=staff),
        "attendee feedback": AttendeeFeedback.objects.create(
            item=item, respondent="adopter", token_hash="a" * 64, expires_at="1916-12-01T00:00Z"
        ),
        # The family's.
        "check": factories.CheckFactory(applicant=applicant, requested_on=date(1914, 2, 6)),
        "pause": factories.PauseFactory(household=family, started_on=date(1914, 3, 1)),
        "availability": Availability.objects.create(
            household=family, status=Availability.Status.AVAILABLE, status_from=date(1914, 9, 1)
        ),
        "review": Review.objects.create(household=family, held_on=date(1915, 9, 1), outcome="continue"),
        # The panel's.
        "attendance": PanelAttendance.objects.create(meeting=meeting, member=member, attended=True),
    }


ROW_KINDS = [
    "period of care",
    "episode",
    "family finding status",
    "featuring",
    "early permanence",
    "proceedings",
    "CPR",
    "link",
    "disruption",
    "learning action",
    "support request",
    "assessment of need",
    "support plan",
    "ASF application",
    "life story work",
    "agenda paper",
    "paper rating",
    "attendee feedback",
    "check",
    "pause",
    "availability",
    "review",
    "attendance",
]


@pytest.mark.django_db
def test_every_table_that_is_part_of_a_record_has_the_delete_guard():
    """The guard is on every kept table, and every table that refers to a kept record is kept itself (a new one that
    is not fails here until it is guarded or its reason is written in NOT_KEPT)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'adoption_retention_guard' AND t.tgenabled <> 'D'"
        )
        guarded = {table for (table,) in cursor.fetchall()}
    assert guarded == KEPT_TABLES
    referring = {
        model._meta.db_table
        for model in apps.get_models()
        if not issubclass(model, pghistory.models.Event)
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model._meta.db_table in KEPT_TABLES
    }
    assert referring - NOT_KEPT <= KEPT_TABLES


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ROW_KINDS)
def test_the_database_refuses_to_delete_any_row_of_a_record(kind, raa, la_a, admin_a):
    row = _whole_record(_old_adopted_child(la_a), raa, admin_a)[kind]
    model = type(row)
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE id = %s", [row.pk])
    assert model.objects.filter(pk=row.pk).exists()


def _approved_by_hand(record, requested_by, decided_by) -> DisposalRequest:
    return DisposalRequest.objects.create(
        table_name=record._meta.db_table,
        object_id=record.pk,
        organisation=requested_by.memberships.get().organisation,
        requested_by=requested_by,
        status=DisposalRequest.Status.APPROVED,
        decided_by=decided_by,
        decided_at="2026-01-01T00:00Z",
    )


@pytest.mark.django_db
def test_a_hold_on_a_child_keeps_its_episodes_even_against_an_approved_disposal(manager_a, admin_a, old_child_a):
    """The delete guard itself reads the holds on the records a row is part of: an episode named by an approved,
    due disposal (written by hand) cannot be deleted while its child is on hold, and can once the hold is released."""
    period = old_child_a.periods_of_care.get()
    episode = Episode.objects.create(
        period=period,
        started_on=period.started_on,
        reason_new_episode="S",
        legal_status="E1",
        category_of_need="N1",
        placement_type="A3",
    )
    request = _approved_by_hand(old_child_a, manager_a, admin_a)
    DisposedRow.objects.create(request=request, table_name="children_episode", object_id=episode.pk)
    assert DisposedRow.objects.get(object_id=episode.pk).due_on == date(2017, 1, 1)  # its child's date

    hold = services.legal_hold_place(
        actor=manager_a, table_name="children_child", object_id=old_child_a.pk, reason="Claim against the council"
    )
    with pytest.raises(IntegrityError, match="is on legal hold"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM children_episode WHERE id = %s", [episode.pk])
    with pytest.raises(IntegrityError, match="is on legal hold"), transaction.atomic():
        episode.delete()
    # Nor can another row of the held child be named for disposal.
    with pytest.raises(IntegrityError, match="is on legal hold"), transaction.atomic():
        DisposedRow.objects.create(request=request, table_name="children_periodofcare", object_id=period.pk)
    assert Episode.objects.filter(pk=episode.pk).exists()

    services.legal_hold_release(actor=admin_a, hold_id=hold.pk, reason="Claim settled")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM children_episode WHERE id = %s", [episode.pk])
    assert not Episode.objects.filter(pk=episode.pk).exists()


@pytest.mark.django_db
def test_a_hold_on_a_family_keeps_its_applicants_checks(manager, raa):
    family = _left_family(raa)
    check = factories.CheckFactory(applicant=factories.ApplicantFactory(household=family))
    other = factories.staff(raa, Role.ADMINISTRATOR, username="admin.raa")
    request = _approved_by_hand(family, manager, other)
    DisposedRow.objects.create(request=request, table_name="adopters_check", object_id=check.pk)
    services.legal_hold_place(
        actor=manager, table_name="adopters_household", object_id=family.pk, reason="Subject access request"
    )
    with pytest.raises(IntegrityError, match="is on legal hold"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM adopters_check WHERE id = %s", [check.pk])
    assert Check.objects.filter(pk=check.pk).exists()


@pytest.mark.django_db
def test_a_hold_on_a_child_keeps_the_match_it_was_placed_through(manager_a, admin_a, old_child_a):
    match = Match.objects.create(household=AdoptivePlacement.objects.get(child=old_child_a).household)
    AdoptivePlacement.objects.filter(child=old_child_a).update(match=match)
    services.legal_hold_place(
        actor=admin_a, table_name="children_child", object_id=old_child_a.pk, reason="Court inquiry"
    )
    with pytest.raises(
        ValidationError, match=f"Child {old_child_a.pk} is on legal hold and Match {match.pk} is part of its record"
    ):
        services.disposal_request(actor=manager_a, table_name="children_match", object_id=match.pk)
    assert not DisposalRequest.objects.exists()
    request = _approved_by_hand(match, manager_a, admin_a)
    with pytest.raises(IntegrityError, match="is on legal hold"), transaction.atomic():
        DisposedRow.objects.create(request=request, table_name="children_match", object_id=match.pk)
    assert Match.objects.filter(pk=match.pk).exists()


@pytest.mark.django_db
def test_a_due_disposal_of_a_child_removes_every_row_of_its_record(raa, manager_a, admin_a, old_child_a):
    rows = _whole_record(old_child_a, raa, admin_a)
    family_and_panel = {"check", "pause", "availability", "review", "attendance"}
    history = {model: list(model._base_manager.values_list("pk", flat=True)) for model in (Episode, SupportPlan)}
    assert all(history.values())

    request = services.disposal_request(actor=manager_a, table_name="children_child", object_id=old_child_a.pk)
    services.disposal_approve(actor=admin_a, request_id=request.pk)

    assert not Child.objects.filter(pk=old_child_a.pk).exists()
    for kind, row in rows.items():
        model = type(row)
        assert model.objects.filter(pk=row.pk).exists() == (kind in family_and_panel), kind
    disposed = set(DisposedRow.objects.filter(request=request).values_list("table_name", "object_id"))
    for kind, row in rows.items():
        if kind not in family_and_panel:
            assert (row._meta.db_table, row.pk) in disposed, kind
    assert not apps.get_model("children", "EpisodeEvent").objects.filter(pgh_obj_id__in=history[Episode]).exists()


@pytest.mark.django_db
def test_invitations_and_attendance_can_change_until_the_minutes_are_final(raa, panel_adviser):
    meeting = _meeting(raa, date(2024, 6, 1))
    ian, ivy = (
        PanelMember.objects.create(raa=raa, name=name, roles=[PanelRole.INDEPENDENT], on_list_from=date(2020, 1, 1))
        for name in ("Ian Independent", "Ivy Independent")
    )
    PanelAttendance.objects.create(meeting=meeting, member=ian)  # invited, did not come
    came = PanelAttendance.objects.create(meeting=meeting, member=ivy, attended=True)
    MeetingMinutes.objects.create(meeting=meeting, status=MinutesStatus.DRAFT)
    # While the minutes are a draft the invitation list is still being put right: Ian's invitation goes.
    panel_services.panel_meeting_invite(actor=panel_adviser, meeting_id=meeting.pk, member_ids=[ivy.pk])
    assert list(meeting.attendances.values_list("member__name", flat=True)) == ["Ivy Independent"]

    MeetingMinutes.objects.filter(meeting=meeting).update(
        status=MinutesStatus.FINAL, finalised_on=date(2024, 6, 8), sent_to_adm_on=date(2024, 6, 8)
    )
    with pytest.raises(ValidationError, match="The minutes of this meeting are final: who was invited and who"):
        panel_services.panel_attendance_record(actor=panel_adviser, meeting_id=meeting.pk, member_ids=[])
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM panels_panelattendance WHERE id = %s", [came.pk])
    assert list(meeting.attendances.all()) == [came]


@pytest.mark.django_db
def test_disposal_dates_of_the_rows_of_a_record(raa, la_a, admin_a):
    child = _old_adopted_child(la_a)
    rows = _whole_record(child, raa, admin_a)
    family = AdoptivePlacement.objects.get(child=child).household
    for kind in ("episode", "learning action", "support plan", "ASF application", "link", "paper rating"):
        assert _due(rows[kind]._meta.db_table, rows[kind].pk) == date(2017, 1, 1), kind  # the child's
    assert _due("adopters_check", rows["check"].pk) == _due("adopters_household", family.pk) == date(2017, 1, 1)
    assert _due("panels_panelattendance", rows["attendance"].pk) == date(2017, 1, 1)  # the meeting's
    # A support request about no child or family on record: 10 years after it closed; no date while open.
    adult = {
        "la": la_a,
        "family_name": "An adult adoptee",
        "requested_by": "Ms Jones",
        "requester": SupportRequest.Requester.ADULT_ADOPTEE,
        "received_on": date(2000, 1, 1),
        "topic": "settling",
    }
    closed = SupportRequest.objects.create(**adult, status="closed", closed_on=date(2001, 3, 1), closed_reason="advice")
    still_open = SupportRequest.objects.create(**adult)
    assert _due("support_supportrequest", closed.pk) == date(2011, 3, 1)
    assert _due("support_supportrequest", still_open.pk) is None
    with pytest.raises(IntegrityError, match="is kept until a date is known"), transaction.atomic():
        still_open.delete()


# --- the test suite's own clean-up -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_flush_between_transactional_tests_still_empties_kept_tables(migration_data_reloaded_after_module, la_a):
    """Transactional tests are cleaned up by ``flush`` (TRUNCATE), which fires no row trigger: it still works, while a
    DELETE of the same rows is refused."""
    child = factories.ChildFactory(responsible_la=la_a)
    factories.HouseholdFactory(approving_agency=la_a.raa)
    with pytest.raises(IntegrityError, match=REFUSED):
        Child.objects.filter(pk=child.pk).delete()
    # As the suite's own flush between transactional tests does: the id sequences kept, and the migrations' rows
    # put back from the serialized copy (under their own ids), not made again by post_migrate.
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False, inhibit_post_migrate=True)
    assert not Child.objects.exists() and not Household.objects.exists()
