"""The services behind every form: what they record, the rules they refuse with, and that a refusal saves nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from adoption.models import AuditEvent
from children import services
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    ChildPermanenceReport,
    EarlyPermanencePlacement,
    Episode,
    FamilyFindingStatus,
    Featuring,
    PeriodOfCare,
    PermanenceOutcome,
    PlacementOrder,
    ProceedingsTracking,
    SiblingGroup,
    SiblingGroupMember,
)
from tests import factories
from tests.children.conftest import DECISION, ENTERED_CARE, MATCHED, PLACED, PLACEMENT_ORDER, enter_care

pytestmark = pytest.mark.django_db

TABLES = [
    Child,
    PeriodOfCare,
    Episode,
    AdoptionDecision,
    PlacementOrder,
    AdoptivePlacement,
    PermanenceOutcome,
    FamilyFindingStatus,
    Featuring,
    EarlyPermanencePlacement,
    ProceedingsTracking,
    ChildPermanenceReport,
    SiblingGroup,
    SiblingGroupMember,
    AuditEvent,
]


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table a child's journey writes to (and the audit log), to compare before and after."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in TABLES}


def refused(call, **kwargs) -> dict[str, list[str]]:
    """Call a service that must refuse; check nothing changed; return its messages by field."""
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    assert snapshot() == before, "a refused change saved something"
    return caught.value.message_dict


# --- the 903 date-order rules -----------------------------------------------------------------------------


def test_334_the_decision_is_on_or_after_entering_care(social_worker_a, child_in_care):
    errors = refused(
        services.adoption_decision_record,
        actor=social_worker_a,
        child_id=child_in_care.pk,
        decided_on=ENTERED_CARE - timedelta(days=1),
    )
    assert errors == {
        "decided_on": [
            "The decision that the child should be placed for adoption must be on or after the date they entered care "
            "(10 January 2022) (903 rule 334)"
        ]
    }
    # On the day itself is fine.
    decision = services.adoption_decision_record(
        actor=social_worker_a, child_id=child_in_care.pk, decided_on=ENTERED_CARE
    )
    assert decision.decided_on == ENTERED_CARE


def test_554_the_placement_order_is_on_or_after_the_decision(social_worker_a, child_with_decision):
    errors = refused(
        services.placement_order_record,
        actor=social_worker_a,
        child_id=child_with_decision.pk,
        made_on=DECISION - timedelta(days=1),
    )
    assert errors == {
        "made_on": [
            "The placement order must be on or after the decision that the child should be placed for adoption "
            "(1 June 2022) (903 rule 554)"
        ]
    }
    order = services.placement_order_record(
        actor=social_worker_a, child_id=child_with_decision.pk, made_on=DECISION, order_type="D1", court="Leeds"
    )
    assert (order.made_on, order.order_type, order.court) == (DECISION, "D1", "Leeds")


def test_333_the_match_is_on_or_after_the_decision(social_worker_a, child_with_order):
    errors = refused(
        services.adoptive_placement_record,
        actor=social_worker_a,
        child_id=child_with_order.pk,
        matched_on=DECISION - timedelta(days=1),
    )
    assert errors["matched_on"] == [
        "The match must be on or after the decision that the child should be placed for adoption (1 June 2022) "
        "(903 rule 333)"
    ]


def test_331_the_match_is_on_or_before_the_placement(social_worker_a, child_with_order):
    errors = refused(
        services.adoptive_placement_record,
        actor=social_worker_a,
        child_id=child_with_order.pk,
        matched_on=MATCHED,
        placed_on=MATCHED - timedelta(days=1),
    )
    assert errors == {
        "placed_on": [
            "The child must be matched (10 January 2023) on or before being placed for adoption (903 rule 331)"
        ]
    }


def test_a_match_is_completed_by_the_move_to_the_family(social_worker_a, child_with_order):
    household = factories.HouseholdFactory()
    match = services.adoptive_placement_record(
        actor=social_worker_a, child_id=child_with_order.pk, matched_on=MATCHED, household_id=household.pk
    )
    placed = services.adoptive_placement_record(
        actor=social_worker_a, child_id=child_with_order.pk, matched_on=MATCHED, placed_on=PLACED
    )
    assert placed.pk == match.pk
    assert (placed.placed_on, placed.household_id) == (PLACED, household.pk)
    # Another match while this one stands is refused.
    errors = refused(
        services.adoptive_placement_record, actor=social_worker_a, child_id=child_with_order.pk, matched_on=PLACED
    )
    assert "already has a current match" in errors["matched_on"][0]


def test_a_match_needs_a_decision(social_worker_a, child_in_care):
    errors = refused(
        services.adoptive_placement_record, actor=social_worker_a, child_id=child_in_care.pk, matched_on=MATCHED
    )
    assert errors == {
        "matched_on": ["Record the decision that the child should be placed for adoption before the match"]
    }


def test_a_placement_order_needs_a_decision(social_worker_a, child_in_care):
    errors = refused(
        services.placement_order_record, actor=social_worker_a, child_id=child_in_care.pk, made_on=PLACEMENT_ORDER
    )
    assert "before the placement order" in errors["made_on"][0]


def test_dates_in_the_future_are_refused(social_worker_a, child_with_decision):
    tomorrow = timezone.localdate() + timedelta(days=1)
    errors = refused(
        services.placement_order_record, actor=social_worker_a, child_id=child_with_decision.pk, made_on=tomorrow
    )
    assert errors == {"made_on": ["The date must be today or in the past"]}
    errors = refused(
        services.featuring_record,
        actor=social_worker_a,
        child_id=child_with_decision.pk,
        channel="link_maker",
        featured_on=tomorrow,
    )
    assert errors == {"featured_on": ["The date must be today or in the past"]}


# --- care, episodes and leaving care ----------------------------------------------------------------------


def test_entering_care_starts_a_period_and_its_first_episode(social_worker_a, child_a):
    period = enter_care(social_worker_a, child_a)
    episode = period.episodes.get()
    assert (period.started_on, episode.started_on, episode.reason_new_episode) == (ENTERED_CARE, ENTERED_CARE, "S")
    assert (episode.legal_status, episode.placement_type) == ("C2", "U6")
    errors = refused(enter_care, actor=social_worker_a, child=child_a, on=date(2022, 3, 1))
    assert errors == {"started_on": ["The child is already in care: end the current period of care first"]}


def test_a_child_cannot_enter_care_before_birth(social_worker_a, child_a):
    errors = refused(enter_care, actor=social_worker_a, child=child_a, on=child_a.date_of_birth - timedelta(days=1))
    assert errors == {"started_on": ["The child cannot enter care before they were born (1 May 2021)"]}


def test_an_episode_ends_the_one_before_it(social_worker_a, child_in_care):
    episode = services.episode_record(
        actor=social_worker_a,
        child_id=child_in_care.pk,
        started_on=date(2022, 9, 1),
        reason_new_episode="L",
        legal_status="E1",
        category_of_need="N1",
        placement_type="U6",
    )
    first = Episode.objects.get(period__child=child_in_care, reason_new_episode="S")
    assert (first.ended_on, first.reason_ended) == (date(2022, 9, 1), "X1")
    assert episode.ended_on is None
    errors = refused(
        services.episode_record,
        actor=social_worker_a,
        child_id=child_in_care.pk,
        started_on=date(2022, 9, 1),
        reason_new_episode="P",
        legal_status="E1",
        category_of_need="N1",
        placement_type="U4",
    )
    assert errors == {"started_on": ["The new episode must start after the current one (01/09/2022)"]}
    errors = refused(
        services.episode_record,
        actor=social_worker_a,
        child_id=child_in_care.pk,
        started_on=date(2022, 10, 1),
        reason_new_episode="S",
        legal_status="E1",
        category_of_need="N1",
        placement_type="U4",
    )
    assert "reason_new_episode" in errors


def test_leaving_care_ends_the_episode_and_the_period(social_worker_a, child_in_care):
    errors = refused(
        services.period_of_care_end,
        actor=social_worker_a,
        child_id=child_in_care.pk,
        ended_on=date(2022, 5, 1),
        reason_ended="X1",
    )
    assert errors == {"reason_ended": ["Choose why the child left care"]}
    # An adoption (E11) before the child was placed breaks the journey order.
    errors = refused(
        services.period_of_care_end,
        actor=social_worker_a,
        child_id=child_in_care.pk,
        ended_on=date(2022, 5, 1),
        reason_ended="E11",
    )
    assert errors == {"ended_on": ["Record the adoption placement before the adoption order"]}
    period = services.period_of_care_end(
        actor=social_worker_a, child_id=child_in_care.pk, ended_on=date(2022, 5, 1), reason_ended="E4A"
    )
    assert (period.ended_on, period.reason_ended) == (date(2022, 5, 1), "E4A")
    assert period.episodes.get().reason_ended == "E4A"


# --- decisions, reversals and outcomes -------------------------------------------------------------------


def test_a_decision_needs_the_child_in_care_and_is_made_once(social_worker_a, child_with_decision):
    errors = refused(
        services.adoption_decision_record, actor=social_worker_a, child_id=child_with_decision.pk, decided_on=DECISION
    )
    assert errors == {"decided_on": ["The child already has a decision that they should be placed for adoption"]}
    newcomer = factories.ChildFactory(responsible_la=child_with_decision.responsible_la)
    errors = refused(
        services.adoption_decision_record, actor=social_worker_a, child_id=newcomer.pk, decided_on=DECISION
    )
    assert errors == {"decided_on": ["Record when the child entered care before the decision"]}


def test_a_reversal_then_allows_a_new_decision(social_worker_a, child_with_decision):
    errors = refused(
        services.adoption_decision_reverse,
        actor=social_worker_a,
        child_id=child_with_decision.pk,
        reversed_on=DECISION - timedelta(days=1),
        reason="RD1",
    )
    assert errors == {"reversed_on": ["The reversal must be on or after the decision (01/06/2022)"]}
    decision = services.adoption_decision_reverse(
        actor=social_worker_a, child_id=child_with_decision.pk, reversed_on=date(2022, 7, 1), reason="RD3"
    )
    assert (decision.reversed_on, decision.reversal_reason) == (date(2022, 7, 1), "RD3")
    again = services.adoption_decision_record(
        actor=social_worker_a, child_id=child_with_decision.pk, decided_on=date(2022, 8, 1)
    )
    assert AdoptionDecision.objects.filter(child=child_with_decision).count() == 2
    assert again.reversed_on is None


def test_an_adoption_order_needs_the_placement(social_worker_a, child_placed):
    errors = refused(
        services.permanence_outcome_record,
        actor=social_worker_a,
        child_id=child_placed.pk,
        kind="adoption_order",
        made_on=PLACED - timedelta(days=1),
    )
    assert errors == {
        "made_on": ["The adoption order must be on or after the child was placed for adoption (1 February 2023)"]
    }
    order = services.permanence_outcome_record(
        actor=social_worker_a, child_id=child_placed.pk, kind="adoption_order", made_on=date(2023, 9, 1)
    )
    assert order.kind == "adoption_order"
    errors = refused(
        services.permanence_outcome_record,
        actor=social_worker_a,
        child_id=child_placed.pk,
        kind="adoption_order",
        made_on=date(2023, 9, 2),
    )
    assert errors == {"made_on": ["An adoption order is already recorded"]}
    errors = refused(
        services.adoptive_placement_end, actor=social_worker_a, child_id=child_placed.pk, ended_on=date(2023, 9, 3)
    )
    assert "cannot disrupt" in errors["ended_on"][0]


def test_another_order_is_on_or_after_entering_care(social_worker_a, child_in_care):
    errors = refused(
        services.permanence_outcome_record,
        actor=social_worker_a,
        child_id=child_in_care.pk,
        kind="sgo",
        made_on=ENTERED_CARE - timedelta(days=1),
    )
    assert errors == {"made_on": ["The order must be on or after the child entered care (10/01/2022)"]}


def test_a_disruption_ends_the_placement(social_worker_a, child_placed):
    errors = refused(
        services.adoptive_placement_end,
        actor=social_worker_a,
        child_id=child_placed.pk,
        ended_on=PLACED - timedelta(days=1),
    )
    assert errors == {"ended_on": ["The placement cannot end before it began (01/02/2023)"]}
    placement = services.adoptive_placement_end(
        actor=social_worker_a, child_id=child_placed.pk, ended_on=date(2023, 4, 1)
    )
    assert placement.ended_on == date(2023, 4, 1)


# --- family finding, early permanence, proceedings, CPR --------------------------------------------------


def test_family_finding_statuses_go_forward(social_worker_a, child_with_decision):
    services.family_finding_status_record(
        actor=social_worker_a, child_id=child_with_decision.pk, status="active", status_from=date(2022, 7, 1)
    )
    errors = refused(
        services.family_finding_status_record,
        actor=social_worker_a,
        child_id=child_with_decision.pk,
        status="on_hold",
        status_from=date(2022, 6, 30),
    )
    assert errors == {"status_from": ["The status must start on or after the current one (01/07/2022)"]}


def test_early_permanence_starts_in_care(social_worker_a, child_in_care):
    newcomer = factories.ChildFactory(responsible_la=child_in_care.responsible_la)
    errors = refused(
        services.early_permanence_record,
        actor=social_worker_a,
        child_id=newcomer.pk,
        kind="ffa",
        started_on=ENTERED_CARE,
    )
    assert errors == {"started_on": ["An early permanence placement starts on or after the child entered care"]}
    placement = services.early_permanence_record(
        actor=social_worker_a, child_id=child_in_care.pk, kind="concurrent", started_on=ENTERED_CARE
    )
    assert placement.kind == "concurrent"


def test_proceedings_stages_go_forward(social_worker_a, child_a):
    services.proceedings_stage_record(
        actor=social_worker_a, child_id=child_a.pk, stage="pre_proceedings", stage_from=date(2021, 9, 1)
    )
    errors = refused(
        services.proceedings_stage_record,
        actor=social_worker_a,
        child_id=child_a.pk,
        stage="care_proceedings",
        stage_from=date(2021, 8, 1),
    )
    assert errors == {"stage_from": ["The stage must start on or after the current one (01/09/2021)"]}


def test_the_cpr_is_one_report_updated_in_place(social_worker_a, child_in_care):
    errors = refused(
        services.permanence_report_record, actor=social_worker_a, child_id=child_in_care.pk, status="completed"
    )
    assert errors == {"completed_on": ["Enter the date the CPR was completed"]}
    first = services.permanence_report_record(
        actor=social_worker_a, child_id=child_in_care.pk, status="in_progress", started_on=date(2022, 5, 1)
    )
    errors = refused(
        services.permanence_report_record,
        actor=social_worker_a,
        child_id=child_in_care.pk,
        status="completed",
        started_on=date(2022, 5, 1),
        completed_on=date(2022, 4, 1),
    )
    assert errors == {"completed_on": ["The CPR cannot be completed before it was started"]}
    done = services.permanence_report_record(
        actor=social_worker_a,
        child_id=child_in_care.pk,
        status="completed",
        started_on=date(2022, 5, 1),
        completed_on=date(2022, 6, 1),
    )
    assert done.pk == first.pk
    assert ChildPermanenceReport.objects.filter(child=child_in_care).count() == 1


# --- sibling groups ----------------------------------------------------------------------------------------


def test_sibling_groups(social_worker_a, family_finder, child_a, child_b, la_a):
    sister = factories.ChildFactory(responsible_la=la_a)
    errors = refused(services.sibling_group_create, actor=social_worker_a, name="One", child_ids=[child_a.pk])
    assert errors == {"child_ids": ["A sibling group needs at least two children"]}
    errors = refused(
        services.sibling_group_create, actor=family_finder, name="Two LAs", child_ids=[child_a.pk, child_b.pk]
    )
    assert errors == {"child_ids": ["Siblings in a group must have the same responsible LA"]}
    group = services.sibling_group_create(actor=social_worker_a, name="Ashdowns", child_ids=[child_a.pk, sister.pk])
    assert {m.child for m in group.members.all()} == {child_a, sister}
    errors = refused(
        services.sibling_group_create,
        actor=social_worker_a,
        name="Again",
        child_ids=[child_a.pk, factories.ChildFactory(responsible_la=la_a).pk],
    )
    assert "Already in a sibling group" in errors["child_ids"][0]
    errors = refused(
        services.sibling_group_update,
        actor=social_worker_a,
        group_id=group.pk,
        plan="apart",
        assessed_on=date(2023, 1, 1),
    )
    assert errors == {"assessment_outcome": ["Enter both the date and the outcome of the sibling assessment"]}
    updated = services.sibling_group_update(
        actor=social_worker_a, group_id=group.pk, plan="apart", assessed_on=date(2023, 1, 1), assessment_outcome="apart"
    )
    assert (updated.plan, updated.assessment_outcome) == ("apart", "apart")


# --- who may write -----------------------------------------------------------------------------------------


def test_a_reader_is_refused_and_another_las_child_does_not_exist(
    assessing_social_worker, social_worker_b, child_with_decision
):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.placement_order_record(
            actor=assessing_social_worker, child_id=child_with_decision.pk, made_on=PLACEMENT_ORDER
        )
    with pytest.raises(Http404):
        services.placement_order_record(actor=social_worker_b, child_id=child_with_decision.pk, made_on=PLACEMENT_ORDER)
    with pytest.raises(Http404):
        services.child_create(
            actor=social_worker_b,
            responsible_la_id=child_with_decision.responsible_la_id,
            first_name="X",
            last_name="Y",
            date_of_birth=date(2020, 1, 1),
        )
    assert snapshot() == before


def test_every_write_is_audited(social_worker_a, child_with_decision):
    before = AuditEvent.objects.filter(action="create", object_id=str(child_with_decision.pk)).count()
    services.placement_order_record(actor=social_worker_a, child_id=child_with_decision.pk, made_on=PLACEMENT_ORDER)
    assert AuditEvent.objects.filter(action="create", object_id=str(child_with_decision.pk)).count() == before + 1


def test_the_match_date_of_a_placement_can_be_corrected(social_worker_a, child_with_order):
    """When a placement was recorded with the placement date as the match (the 903 gave no DATE_MATCH yet)."""
    services.adoptive_placement_record(
        actor=social_worker_a, child_id=child_with_order.pk, matched_on=PLACED, placed_on=PLACED
    )
    corrected = services.adoptive_placement_match_correct(
        actor=social_worker_a, child_id=child_with_order.pk, placed_on=PLACED, matched_on=MATCHED
    )
    assert (corrected.matched_on, corrected.placed_on) == (MATCHED, PLACED)
    assert AuditEvent.objects.filter(action="update", object_id=str(child_with_order.pk)).exists()


def test_a_corrected_match_still_follows_331_and_333(social_worker_a, child_with_order):
    services.adoptive_placement_record(
        actor=social_worker_a, child_id=child_with_order.pk, matched_on=PLACED, placed_on=PLACED
    )
    after_placement = refused(
        services.adoptive_placement_match_correct,
        actor=social_worker_a,
        child_id=child_with_order.pk,
        placed_on=PLACED,
        matched_on=PLACED + timedelta(days=1),
    )
    assert after_placement["matched_on"][0].endswith("(903 rule 331)")
    before_decision = refused(
        services.adoptive_placement_match_correct,
        actor=social_worker_a,
        child_id=child_with_order.pk,
        placed_on=PLACED,
        matched_on=DECISION - timedelta(days=1),
    )
    assert before_decision["matched_on"][0].endswith("(903 rule 333)")
    no_placement = refused(
        services.adoptive_placement_match_correct,
        actor=social_worker_a,
        child_id=child_with_order.pk,
        placed_on=PLACED - timedelta(days=3),
        matched_on=MATCHED,
    )
    assert "No adoptive placement began on" in no_placement["placed_on"][0]


def test_another_las_match_cannot_be_corrected(social_worker_b, child_with_order):
    with pytest.raises(Http404):
        services.adoptive_placement_match_correct(
            actor=social_worker_b, child_id=child_with_order.pk, placed_on=PLACED, matched_on=MATCHED
        )
