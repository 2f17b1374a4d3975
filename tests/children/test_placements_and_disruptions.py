"""From the match to the adoption order or a disruption: the family's stage follows its children, never drifts.

Every step goes through the services a page calls. After each one the household's status is compared
with what its children's placements say, worked out here from the rows themselves.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404

from adopters import selectors as household_selectors
from adopters import services as household_services
from adopters import workflow
from adopters.models import Household
from adoption.models import AuditEvent, Role
from children import services
from children.models import (
    AdoptivePlacement,
    Child,
    Disruption,
    FamilyFindingStatus,
    LearningAction,
    Match,
    PermanenceOutcome,
)
from children.selectors import placements as reads
from tests import factories
from tests.children.conftest import DECISION, PLACEMENT_ORDER, date_fields, enter_care

S = Household.Status
ADOPTION_ORDER = PermanenceOutcome.Kind.ADOPTION_ORDER
TODAY = date(2024, 6, 28)
MATCHED_ON = date(2023, 10, 2)
MOVED_IN = date(2023, 11, 1)
TEN_WEEKS_ON = date(2024, 1, 10)  # 70 days after MOVED_IN
ORDER_ON = date(2024, 4, 15)
COURT = "Birmingham Family Court"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime(2024, 6, 28, 12, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield


@pytest.fixture
def family(raa):
    """An approved family, waiting since 1 September 2023 (their annual review is not due until September 2024)."""
    return factories.HouseholdFactory(approving_agency=raa, name="Okafor household", approved_on=date(2023, 9, 1))


def _ready_child(actor, la, first_name: str, born: date) -> Child:
    """A child of ``la`` with a decision and a placement order: ready to be matched."""
    child = factories.ChildFactory(responsible_la=la, first_name=first_name, last_name="Nwosu", date_of_birth=born)
    enter_care(actor, child)
    services.adoption_decision_record(actor=actor, child_id=child.pk, decided_on=DECISION)
    services.placement_order_record(actor=actor, child_id=child.pk, made_on=PLACEMENT_ORDER, court="Leeds")
    return child


@pytest.fixture
def siblings(la_a, social_worker_a):
    older = _ready_child(social_worker_a, la_a, "Ada", date(2019, 3, 1))
    younger = _ready_child(social_worker_a, la_a, "Ben", date(2021, 7, 9))
    group = services.sibling_group_create(
        actor=social_worker_a, name="Nwosu siblings", child_ids=[older.pk, younger.pk], plan="together"
    )
    return group, older, younger


@pytest.fixture
def only_child(la_a, social_worker_a):
    return _ready_child(social_worker_a, la_a, "Cara", date(2020, 2, 2))


def implied_status(household: Household) -> str:
    """What the household's children's placements say its stage is, read here from the rows themselves."""
    standing = list(AdoptivePlacement.objects.filter(household=household, ended_on__isnull=True))
    adopted = set(
        PermanenceOutcome.objects.filter(kind=ADOPTION_ORDER, child__in=[p.child_id for p in standing]).values_list(
            "child_id", flat=True
        )
    )
    current = [p for p in standing if p.child_id not in adopted]
    if any(p.placed_on for p in current):
        return S.PLACED
    if current:
        return S.MATCHED
    return S.ADOPTED if standing else S.APPROVED


def assert_in_step(household: Household, expected: str) -> None:
    household.refresh_from_db()
    assert household.status == expected
    assert household.status == implied_status(household), "the household drifted from its children's placements"
    assert household_services.placements_status(household) == household.status


def match_pair(actor, family, group) -> Match:
    return services.match_record(actor=actor, household_id=family.pk, matched_on=MATCHED_ON, group_id=group.pk)


def match_one(actor, family, child) -> AdoptivePlacement:
    return services.adoptive_placement_record(
        actor=actor, child_id=child.pk, matched_on=MATCHED_ON, household_id=family.pk, placed_on=MOVED_IN
    )


# --- the journey, step by step ------------------------------------------------------------------------------------


def test_a_sibling_group_from_match_to_adoption_order_moves_the_family_with_them(family_finder, family, siblings):
    group, older, younger = siblings
    assert_in_step(family, S.APPROVED)

    match = match_pair(family_finder, family, group)
    assert_in_step(family, S.MATCHED)

    placed = services.placement_record(actor=family_finder, match_id=match.pk, placed_on=MOVED_IN)
    assert {p.child_id for p in placed} == {older.pk, younger.pk}
    assert set(match.placements.values_list("placed_on", flat=True)) == {MOVED_IN}
    assert_in_step(family, S.PLACED)

    for child in (older, younger):
        services.adoption_application_record(actor=family_finder, child_id=child.pk, applied_on=date(2024, 2, 1))
    assert set(match.placements.values_list("adoption_applied_on", flat=True)) == {date(2024, 2, 1)}

    services.permanence_outcome_record(
        actor=family_finder, child_id=older.pk, kind=ADOPTION_ORDER, made_on=ORDER_ON, court=COURT
    )
    # One child adopted, the other still placed: the family is still a placing family.
    assert_in_step(family, S.PLACED)
    services.permanence_outcome_record(
        actor=family_finder, child_id=younger.pk, kind=ADOPTION_ORDER, made_on=ORDER_ON, court=COURT
    )
    assert_in_step(family, S.ADOPTED)
    assert set(PermanenceOutcome.objects.filter(child__in=[older, younger]).values_list("kind", "court")) == {
        (ADOPTION_ORDER, COURT)
    }
    # The household's own history shows each stage it went through, and each move is audited.
    history = Household.pgh_event_model.objects.filter(pgh_obj=family)
    statuses = list(history.order_by("pgh_id").values_list("status", flat=True))
    assert [s for i, s in enumerate(statuses) if i == 0 or s != statuses[i - 1]] == [
        S.APPROVED,
        S.MATCHED,
        S.PLACED,
        S.ADOPTED,
    ]
    updates = AuditEvent.objects.filter(object_type="adopters.household", object_id=str(family.pk), action="update")
    assert updates.count() == 3 and {e.actor for e in updates} == {family_finder}


def test_siblings_who_move_in_on_different_days(family_finder, family, siblings):
    group, older, younger = siblings
    match = match_pair(family_finder, family, group)

    services.placement_record(actor=family_finder, match_id=match.pk, placed_on=MOVED_IN, child_ids=[older.pk])
    assert_in_step(family, S.PLACED)
    assert dict(match.placements.values_list("child_id", "placed_on")) == {older.pk: MOVED_IN, younger.pk: None}
    assert [p.child for p in reads.matches_awaiting_placement(actor=family_finder, today=TODAY)] == [younger]

    with pytest.raises(ValidationError) as caught:
        services.placement_record(actor=family_finder, match_id=match.pk, placed_on=MOVED_IN, child_ids=[older.pk])
    assert caught.value.message_dict == {"child_ids": ["Choose only children of this match who have not moved in yet"]}

    later = date(2023, 11, 20)
    services.placement_record(actor=family_finder, match_id=match.pk, placed_on=later, child_ids=[younger.pk])
    assert dict(match.placements.values_list("child_id", "placed_on")) == {older.pk: MOVED_IN, younger.pk: later}
    assert_in_step(family, S.PLACED)


def test_a_disruption_ends_the_placement_keeps_its_history_and_sends_child_and_family_back(
    family_finder, manager, family, only_child
):
    placement = match_one(family_finder, family, only_child)
    assert_in_step(family, S.PLACED)
    rows_before = AdoptivePlacement.objects.count()
    events_before = placement.events.count()
    ended_on = date(2024, 3, 4)

    disruption = services.disruption_record(
        actor=family_finder,
        child_id=only_child.pk,
        ended_on=ended_on,
        reason=Disruption.Reason.ATTACHMENT,
        meeting_on=date(2024, 3, 25),
    )

    # The placement keeps its row, now with the day it ended; its change is in its history.
    placement.refresh_from_db()
    assert AdoptivePlacement.objects.count() == rows_before
    assert (placement.placed_on, placement.ended_on) == (MOVED_IN, ended_on)
    assert placement.events.count() == events_before + 1
    assert placement.events.order_by("pgh_id").last().ended_on == ended_on
    assert (disruption.placement, disruption.reason, disruption.meeting_on) == (
        placement,
        "attachment",
        date(2024, 3, 25),
    )
    # The child is family-found again from that day.
    current = only_child.family_finding_statuses.order_by("-status_from", "-id").first()
    assert (current.status, current.status_from) == (FamilyFindingStatus.Status.ACTIVE, ended_on)
    # The family is back to waiting, and their approval is due a review now (not in September).
    assert_in_step(family, S.APPROVED)
    due = {h.pk: h for h in household_selectors.reviews_due(actor=manager, today=TODAY)}
    assert family.pk in due
    assert (due[family.pk].review_due_on, due[family.pk].after_disruption) == (ended_on, True)
    summary = household_selectors.household_summary(family, today=TODAY)
    assert (summary.review_due_on, summary.review_after_disruption) == (ended_on, ended_on)

    # A review held after the disruption settles it: the annual date applies again.
    household_services.review_record(
        actor=manager, household_id=family.pk, held_on=date(2024, 4, 2), outcome="continue"
    )
    assert family.pk not in {h.pk for h in household_selectors.reviews_due(actor=manager, today=TODAY)}
    summary = household_selectors.household_summary(family, today=TODAY)
    assert (summary.review_due_on, summary.review_after_disruption) == (date(2025, 4, 2), None)


def test_after_a_disruption_the_child_can_be_matched_again_and_each_family_follows_its_own_children(
    family_finder, raa, family, only_child
):
    match_one(family_finder, family, only_child)
    services.disruption_record(
        actor=family_finder, child_id=only_child.pk, ended_on=date(2024, 3, 4), reason=Disruption.Reason.OTHER
    )
    second = factories.HouseholdFactory(approving_agency=raa, name="Second family", approved_on=date(2023, 6, 1))
    services.adoptive_placement_record(
        actor=family_finder, child_id=only_child.pk, matched_on=date(2024, 5, 2), household_id=second.pk
    )
    assert_in_step(second, S.MATCHED)
    assert_in_step(family, S.APPROVED)
    assert only_child.adoptive_placements.count() == 2  # the disrupted placement is still there


def test_a_family_is_not_reviewed_early_when_the_disruption_was_before_their_last_review(
    family_finder, manager, family, only_child
):
    match_one(family_finder, family, only_child)
    services.disruption_record(
        actor=family_finder, child_id=only_child.pk, ended_on=date(2024, 3, 4), reason=Disruption.Reason.SUPPORT
    )
    household_services.review_record(
        actor=manager, household_id=family.pk, held_on=date(2024, 3, 4), outcome="continue"
    )
    assert not household_selectors.reviews_due(actor=manager, today=TODAY).filter(pk=family.pk).exists()


# --- what is refused ----------------------------------------------------------------------------------------------


def _unchanged(household: Household, child: Child):
    household.refresh_from_db()
    return (
        household.status,
        list(AdoptivePlacement.objects.filter(child=child).values()),
        Disruption.objects.filter(placement__child=child).count(),
        child.family_finding_statuses.count(),
        child.permanence_outcomes.count(),
    )


def test_a_placement_before_the_match_is_refused_with_rule_331(family_finder, family, siblings):
    group, _older, _younger = siblings
    match = match_pair(family_finder, family, group)
    before = _unchanged(family, _older)
    with pytest.raises(ValidationError) as caught:
        services.placement_record(actor=family_finder, match_id=match.pk, placed_on=date(2023, 9, 29))
    assert caught.value.message_dict == {
        "placed_on": [
            "The child must be matched (2 October 2023) on or before being placed for adoption (903 rule 331)"
        ]
    }
    assert _unchanged(family, _older) == before
    assert_in_step(family, S.MATCHED)


def test_an_adoption_order_needs_the_court(family_finder, family, only_child):
    match_one(family_finder, family, only_child)
    before = _unchanged(family, only_child)
    for court in ("", "   "):
        with pytest.raises(ValidationError) as caught:
            services.permanence_outcome_record(
                actor=family_finder, child_id=only_child.pk, kind=ADOPTION_ORDER, made_on=ORDER_ON, court=court
            )
        assert caught.value.message_dict == {"court": ["Enter the court that made the adoption order"]}
    assert _unchanged(family, only_child) == before
    assert_in_step(family, S.PLACED)


def test_the_adoption_order_page_asks_for_the_court(client, social_worker_a, family_finder, family, only_child):
    match_one(family_finder, family, only_child)
    client.force_login(social_worker_a)
    url = f"/children/{only_child.pk}/permanence-outcome/"
    response = client.post(url, {"kind": ADOPTION_ORDER, **date_fields("made_on", ORDER_ON), "court": ""})
    assert response.status_code == 200
    assert "Enter the court that made the adoption order" in response.content.decode()
    assert not only_child.permanence_outcomes.exists()
    response = client.post(url, {"kind": ADOPTION_ORDER, **date_fields("made_on", ORDER_ON), "court": COURT})
    assert response.status_code == 302
    assert only_child.permanence_outcomes.get().court == COURT
    assert_in_step(family, S.ADOPTED)


def test_an_order_from_a_return_without_a_court_is_recorded_with_the_court_blank(family_finder, family, only_child):
    """The 903 import passes no court (the return has none): the order is recorded, the court not guessed."""
    match_one(family_finder, family, only_child)
    order = services.permanence_outcome_record(
        actor=family_finder, child_id=only_child.pk, kind=ADOPTION_ORDER, made_on=ORDER_ON
    )
    assert order.court == ""
    assert_in_step(family, S.ADOPTED)


def test_a_disruption_needs_a_current_placement(family_finder, family, only_child):
    before = _unchanged(family, only_child)
    with pytest.raises(ValidationError) as caught:
        services.disruption_record(
            actor=family_finder, child_id=only_child.pk, ended_on=date(2024, 3, 4), reason=Disruption.Reason.OTHER
        )
    assert caught.value.message_dict == {"ended_on": ["The child has no current adoptive placement"]}
    assert _unchanged(family, only_child) == before

    # Matched but not moved in is not a disruption either, nor is a placement completed by the order.
    services.adoptive_placement_record(
        actor=family_finder, child_id=only_child.pk, matched_on=MATCHED_ON, household_id=family.pk
    )
    with pytest.raises(ValidationError):
        services.disruption_record(
            actor=family_finder, child_id=only_child.pk, ended_on=date(2024, 3, 4), reason=Disruption.Reason.OTHER
        )
    assert_in_step(family, S.MATCHED)


def test_a_child_is_not_matched_with_a_family_that_is_not_approved(family_finder, raa, only_child):
    in_assessment = factories.HouseholdFactory(
        approving_agency=raa, name="Assessing household", status=S.STAGE_2, approved_on=None
    )
    with pytest.raises(ValidationError) as caught:
        services.adoptive_placement_record(
            actor=family_finder, child_id=only_child.pk, matched_on=MATCHED_ON, household_id=in_assessment.pk
        )
    assert caught.value.message_dict == {
        "household_id": ["Assessing household's stage is stage 2: a child can be matched only with an approved family"]
    }
    assert not only_child.adoptive_placements.exists()
    in_assessment.refresh_from_db()
    assert in_assessment.status == S.STAGE_2


def test_the_children_steps_cannot_be_taken_on_the_household_by_hand(manager, family):
    for action in workflow.PlacementAction:
        with pytest.raises(ValidationError) as caught:
            household_services.household_transition(actor=manager, household_id=family.pk, action=action, on=TODAY)
        assert caught.value.message_dict == {"__all__": [workflow.refusal(S.APPROVED, family.route, action)]}
        assert "recorded on the child's record" in caught.value.message_dict["__all__"][0]
    assert not [t for t in workflow.available(S.MATCHED, family.route) if not t.by_hand]
    assert_in_step(family, S.APPROVED)


def test_a_disruption_with_a_meeting_before_the_end_is_refused_and_changes_nothing(family_finder, family, only_child):
    match_one(family_finder, family, only_child)
    before = _unchanged(family, only_child)
    with pytest.raises(ValidationError) as caught:
        services.disruption_record(
            actor=family_finder,
            child_id=only_child.pk,
            ended_on=date(2024, 3, 4),
            reason=Disruption.Reason.OTHER,
            meeting_on=date(2024, 3, 1),
        )
    assert caught.value.message_dict == {
        "meeting_on": ["The disruption meeting is held after the placement ended (4 March 2024)"]
    }
    assert _unchanged(family, only_child) == before


# --- the adoption application -------------------------------------------------------------------------------------


def test_an_application_before_ten_weeks_is_recorded_with_a_warning(
    client, social_worker_a, family_finder, family, only_child
):
    match_one(family_finder, family, only_child)
    client.force_login(social_worker_a)
    url = f"/children/{only_child.pk}/adoption-application/"
    assert "may apply for the adoption order from 10 January 2024" in client.get(url).content.decode()

    response = client.post(url, date_fields("applied_on", date(2023, 12, 1)), follow=True)
    body = response.content.decode()
    assert "The adoption application was recorded" in body
    assert "before the child had lived with the adopters for 10 weeks" in body
    assert "from 10 January 2024" in body
    assert AdoptivePlacement.objects.get(child=only_child).adoption_applied_on == date(2023, 12, 1)


def test_an_application_after_ten_weeks_has_no_warning_and_one_before_the_move_is_refused(
    family_finder, family, only_child
):
    match_one(family_finder, family, only_child)
    with pytest.raises(ValidationError) as caught:
        services.adoption_application_record(actor=family_finder, child_id=only_child.pk, applied_on=date(2023, 10, 30))
    assert caught.value.message_dict == {
        "applied_on": ["The adopters apply once the child is placed with them (1 November 2023)"]
    }
    placement = services.adoption_application_record(
        actor=family_finder, child_id=only_child.pk, applied_on=TEN_WEEKS_ON
    )
    assert reads.early_application_warning(placement) == ""


def test_foster_carers_count_their_ten_weeks_from_when_the_child_moved_in_as_fostered(
    family_finder, family, only_child
):
    placement = services.adoptive_placement_record(
        actor=family_finder,
        child_id=only_child.pk,
        matched_on=MATCHED_ON,
        household_id=family.pk,
        placed_on=MOVED_IN,
        with_foster_carers=True,
        moved_in_with_carers_on=date(2022, 2, 1),
    )
    assert reads.may_apply_from(placement) == date(2022, 4, 12)
    placement = services.adoption_application_record(
        actor=family_finder, child_id=only_child.pk, applied_on=date(2023, 11, 6)
    )
    assert reads.early_application_warning(placement) == ""


# --- learning actions ---------------------------------------------------------------------------------------------


@pytest.fixture
def disruption(family_finder, family, only_child):
    match_one(family_finder, family, only_child)
    return services.disruption_record(
        actor=family_finder, child_id=only_child.pk, ended_on=date(2024, 3, 4), reason=Disruption.Reason.INFORMATION
    )


def test_learning_actions_have_an_owner_of_the_childs_la_or_agency(
    family_finder, social_worker_a, la_other, disruption
):
    action = services.learning_action_add(
        actor=family_finder,
        disruption_id=disruption.pk,
        action="Share the full health history at matching panel",
        owner_id=social_worker_a.pk,
        due_on=date(2024, 5, 31),
    )
    assert (action.owner, action.due_on, action.done_on) == (social_worker_a, date(2024, 5, 31), None)
    outsider = factories.staff(la_other, Role.MANAGER)
    with pytest.raises(ValidationError) as caught:
        services.learning_action_add(
            actor=family_finder, disruption_id=disruption.pk, action="x", owner_id=outsider.pk, due_on=date(2024, 5, 31)
        )
    assert list(caught.value.message_dict) == ["owner_id"]

    done = services.learning_action_done(actor=family_finder, action_id=action.pk, done_on=date(2024, 6, 3))
    assert done.done_on == date(2024, 6, 3)
    with pytest.raises(ValidationError):
        services.learning_action_done(actor=family_finder, action_id=action.pk, done_on=date(2024, 6, 4))
    meeting = services.disruption_meeting_record(
        actor=family_finder, disruption_id=disruption.pk, meeting_on=date(2024, 4, 8)
    )
    assert meeting.meeting_on == date(2024, 4, 8)


# --- pages --------------------------------------------------------------------------------------------------------


def test_the_placements_page_lists_children_placed_and_matches_waiting(
    client, social_worker_a, family_finder, raa, la_b, family, only_child, siblings
):
    group, older, younger = siblings
    other_family = factories.HouseholdFactory(
        approving_agency=raa, name="Patel household", approved_on=date(2023, 6, 1)
    )
    pair = match_pair(family_finder, other_family, group)
    match_one(family_finder, family, only_child)
    services.adoption_application_record(actor=family_finder, child_id=only_child.pk, applied_on=TEN_WEEKS_ON)
    elsewhere = _ready_child(family_finder, la_b, "Dora", date(2020, 1, 1))
    third = factories.HouseholdFactory(approving_agency=raa, name="Third household", approved_on=date(2023, 6, 1))
    match_one(family_finder, third, elsewhere)

    placed = list(reads.placements_current(actor=social_worker_a, today=TODAY))
    assert [(p.child, p.days_placed, p.may_apply, p.adoption_applied_on) for p in placed] == [
        (only_child, (TODAY - MOVED_IN).days, True, TEN_WEEKS_ON)
    ]
    assert {p.child for p in reads.matches_awaiting_placement(actor=social_worker_a, today=TODAY)} == {older, younger}

    client.force_login(social_worker_a)
    body = client.get("/children/placements/").content.decode()
    assert only_child.full_name in body and "Okafor household" in body
    assert str((TODAY - MOVED_IN).days) in body
    assert "Made 10 Jan 2024" in body
    assert older.full_name in body and younger.full_name in body and "Patel household" in body
    assert f"/children/matches/{pair.pk}/move-in/" in body
    assert elsewhere.full_name not in body  # LA B's child


def test_the_placements_page_flags_ten_weeks_not_yet_and_no_application(
    client, social_worker_a, family_finder, family, only_child
):
    recent = date(2024, 6, 3)
    services.adoptive_placement_record(
        actor=family_finder,
        child_id=only_child.pk,
        matched_on=date(2024, 5, 20),
        household_id=family.pk,
        placed_on=recent,
    )
    row = reads.placements_current(actor=social_worker_a, today=TODAY).get()
    assert (row.days_placed, row.may_apply, row.may_apply_on) == (25, False, date(2024, 8, 12))
    client.force_login(social_worker_a)
    body = client.get("/children/placements/").content.decode()
    assert "From 12 Aug 2024" in body
    assert "Not made" in body


def test_the_move_in_page_records_the_move_for_the_match(client, family_finder, family, siblings):
    group, older, younger = siblings
    match = match_pair(family_finder, family, group)
    client.force_login(family_finder)
    url = f"/children/matches/{match.pk}/move-in/"
    form = client.get(url).content.decode()
    assert older.full_name in form and younger.full_name in form
    response = client.post(
        url,
        {**date_fields("placed_on", MOVED_IN), "children": [older.pk, younger.pk], "with_foster_carers": "no"},
    )
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == "/children/placements/"
    assert set(match.placements.values_list("placed_on", flat=True)) == {MOVED_IN}
    assert_in_step(family, S.PLACED)


def test_the_disruption_pages(client, social_worker_a, social_worker_b, family_finder, family, only_child):
    match_one(family_finder, family, only_child)
    client.force_login(family_finder)
    response = client.post(
        f"/children/{only_child.pk}/disruption/",
        {**date_fields("ended_on", date(2024, 3, 4)), "reason": "child_needs", **date_fields("meeting_on")},
    )
    disruption = Disruption.objects.get(placement__child=only_child)
    assert response.status_code == 302
    assert response["Location"] == f"/children/disruptions/{disruption.pk}/"
    assert_in_step(family, S.APPROVED)

    page = client.get(response["Location"]).content.decode()
    assert "Not held yet" in page and "No learning actions are recorded yet." in page

    response = client.post(
        f"/children/disruptions/{disruption.pk}/actions/new/",
        {"action": "Give the family a support plan before the move", "owner": social_worker_a.pk,
         **date_fields("due_on", date(2024, 5, 1))},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    LearningAction.objects.create(
        disruption=disruption, action="Review the matching report", owner=family_finder, due_on=date(2024, 9, 1)
    )
    listing = client.get("/children/disruptions/").content.decode()
    assert only_child.full_name in listing and "Okafor household" in listing
    assert "Give the family a support plan before the move" in listing and social_worker_a.display_name in listing
    assert "1 overdue" in listing  # due 1 May 2024, not done; the September one is not overdue yet
    assert reads.disruptions_list(actor=family_finder, today=TODAY).get().overdue_actions == 1

    action = disruption.actions.get(due_on=date(2024, 5, 1))
    response = client.post(
        f"/children/disruptions/{disruption.pk}/actions/{action.pk}/done/", date_fields("done_on", date(2024, 6, 3))
    )
    assert response.status_code == 302
    assert reads.disruptions_list(actor=family_finder, today=TODAY).get().overdue_actions == 0

    # Another LA's social worker: every one of these pages is as if the disruption did not exist.
    client.force_login(social_worker_b)
    for url in (
        f"/children/disruptions/{disruption.pk}/",
        f"/children/disruptions/{disruption.pk}/meeting/",
        f"/children/disruptions/{disruption.pk}/actions/new/",
        f"/children/disruptions/{disruption.pk}/actions/{action.pk}/done/",
        f"/children/{only_child.pk}/disruption/",
        f"/children/{only_child.pk}/adoption-application/",
    ):
        assert client.get(url).status_code == 404, url
    assert only_child.full_name not in client.get("/children/disruptions/").content.decode()
    with pytest.raises(Http404):
        reads.disruption_get(actor=social_worker_b, disruption_id=disruption.pk)


def test_the_household_page_shows_the_review_due_after_a_disruption(client, manager, family_finder, family, only_child):
    match_one(family_finder, family, only_child)
    services.disruption_record(
        actor=family_finder, child_id=only_child.pk, ended_on=date(2024, 3, 4), reason=Disruption.Reason.OTHER
    )
    client.force_login(manager)
    body = client.get(f"/households/{family.pk}/").content.decode()
    assert "Review of the approval due now: a placement with the family ended on 4 March 2024" in body
    waiting = client.get("/households/waiting/").content.decode()
    assert "a placement disrupted on 4 March 2024" in waiting
