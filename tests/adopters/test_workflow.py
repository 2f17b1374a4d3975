"""A household's journey through ``household_transition``: the right people move it on, nothing else can.

A refused move must say why in words an assessing social worker understands, and change nothing:
every refusal below re-reads the household, its pauses and availability and the audit trail.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from adopters import services, workflow
from adopters.models import Availability, Check, Household, Pause
from adopters.services import REQUIRED_CHECKS
from adopters.workflow import Action
from adoption.models import AuditEvent
from tests import factories
from tests.adopters.conftest import TODAY, household_at

S = Household.Status
STANDARD, FAST_TRACK = Household.Route.STANDARD, Household.Route.FAST_TRACK
APPROVAL = {
    "decision": "approve",
    "approved_children_min": 1,
    "approved_children_max": 2,
    "approved_age_min": 0,
    "approved_age_max": 5,
    "approved_for_siblings": True,
    "disability_openness": Household.Openness.MILD,
    "early_permanence_approved": True,
}


def audit_events(household: Household):
    return AuditEvent.objects.filter(object_type="adopters.household", object_id=str(household.pk))


def snapshot(household: Household) -> tuple[Any, ...]:
    """Everything a refused move could have touched, read again from the database."""
    return (
        Household.objects.filter(pk=household.pk).values().get(),
        list(Pause.objects.filter(household=household).values()),
        list(Availability.objects.filter(household=household).values()),
        audit_events(household).count(),
    )


def refused(actor, household: Household, action: str, on: date = TODAY, *, error=ValidationError, **details) -> Any:
    """Attempt the move, expect ``error``, check nothing changed, and return the exception."""
    before = snapshot(household)
    with pytest.raises(error) as caught:
        services.household_transition(actor=actor, household_id=household.pk, action=action, on=on, **details)
    assert snapshot(household) == before
    return caught.value


def move(actor, household: Household, action: str, on: date, **details) -> Household:
    """Take one step, and check it wrote exactly one audit event naming the actor."""
    events = audit_events(household).count()
    moved = services.household_transition(actor=actor, household_id=household.pk, action=action, on=on, **details)
    assert audit_events(household).count() == events + 1
    event = audit_events(household).latest("id")
    assert (event.actor, event.action, event.organisation_id) == (actor, "update", household.approving_agency_id)
    moved.refresh_from_db()
    return moved


def enquiry(actor, agency, *, route: str = STANDARD, on: date = date(2024, 9, 2)) -> Household:
    return services.household_create(
        actor=actor,
        approving_agency_id=agency.pk,
        name="Patel household",
        enquired_on=on,
        route=route,
        enquiry_source=Household.EnquirySource.WEBSITE,
        applicants=[{"first_name": "Priya", "last_name": "Patel"}, {"first_name": "Sam", "last_name": "Patel"}],
    )


def all_checks_back(actor, household: Household, requested_on: date, received_on: date) -> None:
    for applicant in household.applicants.all():
        for kind in REQUIRED_CHECKS:
            check = services.check_request(actor=actor, applicant_id=applicant.pk, kind=kind, requested_on=requested_on)
            services.check_receive(
                actor=actor, check_id=check.pk, received_on=received_on, outcome=Check.Outcome.SATISFACTORY
            )


def messages(error: ValidationError) -> list[str]:
    return list(error.messages)


# --- the whole journey ------------------------------------------------------------------------------------------


def test_standard_route_from_enquiry_to_approval(frozen_today, raa, assessing_social_worker, panel_adviser, adm):
    asw = assessing_social_worker
    household = enquiry(asw, raa)
    assert (household.status, household.reference) == (S.ENQUIRY, "HH-000001")
    assert audit_events(household).filter(action="create").count() == 1

    household = move(asw, household, Action.ACCEPT_REGISTRATION, date(2024, 9, 16), assessing_worker_id=asw.pk)
    assert (household.status, household.registered_on, household.assessing_worker) == (
        S.REGISTERED,
        date(2024, 9, 16),
        asw,
    )
    household = move(asw, household, Action.START_STAGE_1, date(2024, 10, 1))
    assert (household.status, household.stage1_started_on) == (S.STAGE_1, date(2024, 10, 1))

    all_checks_back(asw, household, date(2024, 10, 1), date(2024, 10, 20))
    household = move(
        asw, household, Action.COMPLETE_STAGE_1, date(2024, 11, 29), training_attended_on=date(2024, 11, 15)
    )
    assert (household.status, household.stage1_ended_on, household.training_attended_on) == (
        S.BETWEEN_STAGES,
        date(2024, 11, 29),
        date(2024, 11, 15),
    )
    household = move(asw, household, Action.START_STAGE_2, date(2025, 1, 6), stage2_notified_on=date(2025, 1, 3))
    assert (household.status, household.stage2_notified_on, household.stage2_started_on) == (
        S.STAGE_2,
        date(2025, 1, 3),
        date(2025, 1, 6),
    )
    services.par_status_record(actor=asw, household_id=household.pk, status=Household.ParStatus.COMPLETED)
    household = move(asw, household, Action.COMPLETE_STAGE_2, date(2025, 4, 30))
    assert (household.status, household.stage2_ended_on) == (S.AWAITING_PANEL, date(2025, 4, 30))

    household = move(panel_adviser, household, Action.RECORD_PANEL, date(2025, 5, 20), panel_recommendation="suitable")
    assert (household.status, household.panel_on, household.panel_recommendation) == (
        S.AWAITING_DECISION,
        date(2025, 5, 20),
        "suitable",
    )
    assert not household.availability.exists()
    household = move(adm, household, Action.RECORD_DECISION, date(2025, 5, 28), **APPROVAL)
    assert household.status == S.APPROVED
    assert household.approved_on == date(2025, 5, 28)
    assert (household.approved_children_min, household.approved_children_max) == (1, 2)
    assert (household.approved_age_min, household.approved_age_max) == (0, 5)
    assert household.approved_for_siblings and household.early_permanence_approved
    assert household.disability_openness == Household.Openness.MILD
    assert list(household.availability.values_list("status", "status_from")) == [("available", date(2025, 5, 28))]
    assert [t.action for t in workflow.available(household.status, household.route)] == [Action.DEREGISTER]


def test_fast_track_starts_at_stage_2_and_needs_its_checks_before_stage_2_ends(
    frozen_today, raa, assessing_social_worker, panel_adviser, adm
):
    asw = assessing_social_worker
    household = enquiry(asw, raa, route=FAST_TRACK)
    household = move(asw, household, Action.ACCEPT_REGISTRATION, date(2024, 9, 10))
    assert [t.action for t in workflow.available(S.REGISTERED, FAST_TRACK)] == [Action.START_STAGE_2, Action.LEAVE]

    error = refused(asw, household, Action.START_STAGE_1, date(2024, 9, 20))
    assert messages(error) == ["Start stage 1 is not a step on the fast track (starts at stage 2) route."]

    household = move(asw, household, Action.START_STAGE_2, date(2024, 9, 20))
    assert (household.status, household.stage1_started_on, household.stage2_started_on) == (
        S.STAGE_2,
        None,
        date(2024, 9, 20),
    )
    assert household.stage2_notified_on is None  # nothing to ask for: there was no stage 1
    services.par_status_record(actor=asw, household_id=household.pk, status=Household.ParStatus.COMPLETED)
    error = refused(asw, household, Action.COMPLETE_STAGE_2, date(2025, 1, 17))
    assert messages(error)[0] == "The checks are not complete:"
    assert "DBS (enhanced) check for Sam Patel not received" in messages(error)

    all_checks_back(asw, household, date(2024, 9, 20), date(2024, 10, 14))
    household = move(asw, household, Action.COMPLETE_STAGE_2, date(2025, 1, 17))
    household = move(panel_adviser, household, Action.RECORD_PANEL, date(2025, 2, 4), panel_recommendation="suitable")
    household = move(adm, household, Action.RECORD_DECISION, date(2025, 2, 11), **APPROVAL)
    assert (household.status, household.route, household.approved_on) == (S.APPROVED, FAST_TRACK, date(2025, 2, 11))
    assert household.availability.get().status == Availability.Status.AVAILABLE


def test_a_decision_not_to_approve_ends_the_application_as_refused(frozen_today, raa, adm):
    household = household_at(S.AWAITING_DECISION, raa)
    household = move(adm, household, Action.RECORD_DECISION, date(2025, 6, 24), decision="not_approve")
    assert household.status == S.LEFT
    assert (household.left_on, household.leaving_reason, household.left_from_status) == (
        date(2025, 6, 24),
        Household.LeavingReason.REFUSED,
        S.AWAITING_DECISION,
    )
    assert household.approved_on is None
    assert not household.availability.exists()


def test_a_decision_must_say_approve_or_not(frozen_today, raa, adm):
    household = household_at(S.AWAITING_DECISION, raa)
    assert messages(refused(adm, household, Action.RECORD_DECISION)) == ["Choose the agency decision"]
    error = refused(adm, household, Action.RECORD_DECISION, decision="approve")
    assert error.message_dict == {
        "approved_children_max": ["Enter how many children the family is approved for"],
        "approved_age_max": ["Enter the oldest age the family is approved for"],
    }


@pytest.mark.parametrize(
    ("persona", "status", "action", "on", "reason"),
    [
        ("assessing_social_worker", S.STAGE_2, Action.LEAVE, date(2025, 6, 2), "withdrew"),
        ("adm", S.APPROVED, Action.DEREGISTER, date(2025, 6, 27), "other"),
    ],
)
def test_leaving_records_the_date_the_reason_and_the_stage(
    request, frozen_today, raa, persona, status, action, on, reason
):
    household = household_at(status, raa)
    household = move(request.getfixturevalue(persona), household, action, on, leaving_reason=reason)
    assert (household.status, household.left_on, household.leaving_reason, household.left_from_status) == (
        S.LEFT,
        on,
        reason,
        status,
    )
    assert household.deregistered_on == (on if action == Action.DEREGISTER else None)


# --- refused moves ---------------------------------------------------------------------------------------------


def test_no_approval_without_a_completed_stage_2(frozen_today, raa, adm):
    household = household_at(S.STAGE_2, raa)
    error = refused(adm, household, Action.RECORD_DECISION, **APPROVAL)
    assert messages(error) == [
        "Record the agency decision is not possible: the household's stage is stage 2. "
        "From here you can: complete stage 2; record that they left the process."
    ]


def test_stage_1_cannot_complete_until_every_check_is_back_and_satisfactory(frozen_today, raa, assessing_social_worker):
    household = household_at(S.STAGE_1, raa, checks=False)
    jo = household.applicants.get()
    ade = factories.ApplicantFactory(household=household, first_name="Ade", last_name="Okafor")
    factories.CheckFactory(applicant=jo, kind="medical", requested_on=date(2025, 1, 13))  # still out
    back = {"requested_on": date(2025, 1, 13), "received_on": date(2025, 2, 1)}
    for applicant, kind, outcome in [
        (jo, "dbs", "satisfactory"),
        (ade, "reference", "concerns"),  # matters to explore, but received
        (ade, "dbs", "unsatisfactory"),
    ]:
        factories.CheckFactory(applicant=applicant, kind=kind, outcome=outcome, **back)
    error = refused(assessing_social_worker, household, Action.COMPLETE_STAGE_1)
    assert messages(error) == [
        "The checks are not complete:",
        "Medical (agency medical adviser) for Jo Okafor not received",
        "Local authority check for Jo Okafor not received",
        "Personal reference for Jo Okafor not received",
        "DBS (enhanced) check for Ade Okafor was not satisfactory",
        "Medical (agency medical adviser) for Ade Okafor not received",
        "Local authority check for Ade Okafor not received",
    ]


def test_stage_2_cannot_complete_without_a_completed_par(frozen_today, raa, assessing_social_worker):
    household = household_at(S.STAGE_2, raa, par_status=Household.ParStatus.QUALITY_ASSURANCE)
    error = refused(assessing_social_worker, household, Action.COMPLETE_STAGE_2)
    assert messages(error) == ["The Prospective Adopter's Report must be completed before stage 2 can be completed"]


@pytest.fixture
def stage_1_ended_31_august(raa):
    """Stage 1 ended on 31 August 2024: the applicants have until 28 February 2025 to ask for stage 2."""
    return household_at(
        S.BETWEEN_STAGES,
        raa,
        enquired_on=date(2024, 5, 20),
        registered_on=date(2024, 6, 3),
        stage1_started_on=date(2024, 7, 1),
        stage1_ended_on=date(2024, 8, 31),
    )


def test_stage_2_cannot_start_more_than_six_months_after_stage_1(
    frozen_today, stage_1_ended_31_august, assessing_social_worker
):
    household = stage_1_ended_31_august
    expected = [
        "The applicants had until 28 February 2025 (6 months after stage 1 ended) to say they wish to go on "
        "to stage 2; after that, stage 1 must be repeated"
    ]
    assert messages(refused(assessing_social_worker, household, Action.START_STAGE_2, date(2025, 3, 1))) == expected
    late_ask = refused(
        assessing_social_worker, household, Action.START_STAGE_2, date(2025, 3, 3), stage2_notified_on=date(2025, 3, 1)
    )
    assert messages(late_ask) == expected


def test_stage_2_can_start_later_when_the_applicants_asked_in_time(
    frozen_today, stage_1_ended_31_august, assessing_social_worker
):
    household = move(
        assessing_social_worker,
        stage_1_ended_31_august,
        Action.START_STAGE_2,
        date(2025, 3, 10),
        stage2_notified_on=date(2025, 2, 28),
    )
    assert (household.status, household.stage2_notified_on) == (S.STAGE_2, date(2025, 2, 28))


def test_the_applicants_cannot_ask_for_stage_2_after_it_started(frozen_today, raa, assessing_social_worker):
    household = household_at(S.BETWEEN_STAGES, raa)
    error = refused(
        assessing_social_worker, household, Action.START_STAGE_2, date(2025, 6, 2), stage2_notified_on=date(2025, 6, 9)
    )
    assert error.message_dict == {
        "stage2_notified_on": ["The applicants ask to go on to stage 2 on or before the day it starts"]
    }


def test_a_step_cannot_be_dated_before_the_step_before_it(frozen_today, raa, assessing_social_worker):
    household = household_at(S.STAGE_1, raa)
    error = refused(assessing_social_worker, household, Action.COMPLETE_STAGE_1, date(2025, 1, 12))
    assert error.message_dict == {"on": ["The date must be on or after the start of stage 1 (13 January 2025)"]}


def test_a_step_cannot_be_dated_in_the_future(frozen_today, raa, assessing_social_worker):
    household = household_at(S.STAGE_1, raa)
    error = refused(assessing_social_worker, household, Action.COMPLETE_STAGE_1, date(2025, 7, 1))
    assert error.message_dict == {"on": ["The date must be today or in the past"]}


@pytest.mark.parametrize(
    ("status", "action"), [(S.STAGE_1, Action.COMPLETE_STAGE_1), (S.STAGE_2, Action.COMPLETE_STAGE_2)]
)
def test_no_step_while_the_assessment_is_paused(frozen_today, raa, assessing_social_worker, status, action):
    household = household_at(status, raa, par_status=Household.ParStatus.COMPLETED)
    services.pause_start(
        actor=assessing_social_worker, household_id=household.pk, started_on=date(2025, 6, 2), reason="Bereavement"
    )
    error = refused(assessing_social_worker, household, action)
    assert messages(error) == ["The assessment is paused (since 2 June 2025): record when it resumed first"]

    services.pause_end(actor=assessing_social_worker, household_id=household.pk, ended_on=date(2025, 6, 16))
    assert (
        move(assessing_social_worker, household, action, TODAY).status
        == workflow.transition_for(status, STANDARD, action).target
    )


def test_leaving_while_paused_closes_the_pause(frozen_today, raa, assessing_social_worker):
    household = household_at(S.STAGE_1, raa)
    services.pause_start(
        actor=assessing_social_worker, household_id=household.pk, started_on=date(2025, 6, 2), reason="Bereavement"
    )
    error = refused(assessing_social_worker, household, Action.LEAVE, date(2025, 6, 1), leaving_reason="withdrew")
    assert error.message_dict == {"on": ["The date must be on or after the pause began (2 June 2025)"]}

    move(assessing_social_worker, household, Action.LEAVE, date(2025, 6, 20), leaving_reason="withdrew")
    assert household.pauses.get().ended_on == date(2025, 6, 20)


@pytest.mark.parametrize(("status", "action"), [(S.STAGE_1, Action.LEAVE), (S.APPROVED, Action.DEREGISTER)])
def test_leaving_needs_a_reason(frozen_today, raa, deciding_manager, status, action):
    household = household_at(status, raa)
    error = refused(deciding_manager, household, action)
    assert error.message_dict == {"leaving_reason": ["Choose why they left"]}


def test_an_unknown_step_is_named_in_the_refusal(frozen_today, raa, deciding_manager):
    household = household_at(S.STAGE_1, raa)
    assert messages(refused(deciding_manager, household, "fly-to-the-moon")) == [
        "There is no step called 'fly-to-the-moon'."
    ]


# --- who may move a household ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "action", "message"),
    [
        (
            "assessing_social_worker",
            S.AWAITING_DECISION,
            Action.RECORD_DECISION,
            "Your role cannot record the agency decision.",
        ),
        (
            "assessing_social_worker",
            S.AWAITING_PANEL,
            Action.RECORD_PANEL,
            "Your role cannot record the panel's recommendation.",
        ),
        ("family_finder", S.REGISTERED, Action.START_STAGE_1, "Your role cannot start stage 1."),
        ("panel_adviser", S.STAGE_2, Action.COMPLETE_STAGE_2, "Your role cannot complete stage 2."),
        ("adm", S.STAGE_1, Action.LEAVE, "Your role cannot record that they left the process."),
    ],
)
def test_the_wrong_role_is_refused(request, frozen_today, raa, persona, status, action, message):
    household = household_at(status, raa)
    details = {Action.RECORD_DECISION: APPROVAL, Action.LEAVE: {"leaving_reason": "withdrew"}}.get(action, {})
    error = refused(request.getfixturevalue(persona), household, action, error=PermissionDenied, **details)
    assert str(error) == message


def test_la_staff_see_no_households(frozen_today, raa, la_a, social_worker_a, manager_a):
    household = household_at(S.STAGE_1, raa)
    for la_user in (social_worker_a, manager_a):
        refused(la_user, household, Action.COMPLETE_STAGE_1, error=Http404)


def test_a_vaa_worker_cannot_touch_an_raa_household_and_the_other_way_round(
    frozen_today, raa, vaa, vaa_worker, assessing_social_worker
):
    raa_household = household_at(S.STAGE_1, raa)
    vaa_household = household_at(S.STAGE_1, vaa)
    refused(vaa_worker, raa_household, Action.COMPLETE_STAGE_1, error=Http404)
    refused(assessing_social_worker, vaa_household, Action.COMPLETE_STAGE_1, error=Http404)
    with pytest.raises(Http404):
        services.pause_start(actor=vaa_worker, household_id=raa_household.pk, started_on=TODAY, reason="x")
    # Each in their own agency's household may.
    assert move(vaa_worker, vaa_household, Action.COMPLETE_STAGE_1, TODAY).status == S.BETWEEN_STAGES
    assert move(assessing_social_worker, raa_household, Action.COMPLETE_STAGE_1, TODAY).status == S.BETWEEN_STAGES


# --- the whole table ---------------------------------------------------------------------------------------------

# What each step needs beside its date, so that every allowed move goes through.
DETAILS: dict[str, dict[str, Any]] = {
    Action.RECORD_PANEL: {"panel_recommendation": "suitable"},
    Action.RECORD_DECISION: {"decision": "approve", "approved_children_max": 2, "approved_age_max": 4},
    Action.LEAVE: {"leaving_reason": "withdrew"},
    Action.DEREGISTER: {"leaving_reason": "other"},
}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("route", list(Household.Route))
@pytest.mark.parametrize("status", list(S))
def test_the_service_follows_the_transition_table(frozen_today, raa, deciding_manager, status, route, action):
    """For every status, route and action, ``transition_for`` and ``household_transition`` agree."""
    household = household_at(status, raa, route=route, par_status=Household.ParStatus.COMPLETED)
    transition = workflow.transition_for(status, route, action)
    if transition is None:
        error = refused(deciding_manager, household, action, **DETAILS.get(action, {}))
        assert error.message_dict == {"__all__": [workflow.refusal(status, route, action)]}
        assert action not in {t.action for t in workflow.available(status, route)}
        return
    household = move(deciding_manager, household, action, TODAY, **DETAILS.get(action, {}))
    assert household.status == transition.target
    assert getattr(household, transition.date_field) == TODAY
    assert action in {t.action for t in workflow.available(status, route)}
