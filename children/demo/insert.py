"""Inserting the planned children, their journeys and the records around them with ``bulk_create``,
and ``build``: plan, then insert."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date

from django.db.models import OuterRef, Subquery

from adopters.models import Household
from adoption.demo import DemoDataError
from adoption.models import Organisation, User
from children import fees
from children.demo.care_plans import SiblingGroupPlan
from children.demo.episodes import POSTCODES
from children.demo.finding_plans import PlacementDetails
from children.demo.planner import plan_children
from children.demo.plans import ChildPlan, DemoChildren, HouseholdFacts, PlacementPlan
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
    SiblingGroup,
    SiblingGroupMember,
)


def create_children(
    plans: Sequence[ChildPlan], *, las: dict[str, Organisation], households: dict[str, Household]
) -> list[Child]:
    """Insert the planned children and their journeys. ``las`` by ONS code, ``households`` by reference."""
    children = Child.objects.bulk_create(
        [
            Child(
                responsible_la=las[plan.la],
                la_child_id=plan.la_child_id,
                child_903_id=plan.child_903_id,
                upn=plan.upn,
                first_name=plan.first_name,
                last_name=plan.last_name,
                date_of_birth=plan.date_of_birth,
                expected_date_of_birth=plan.expected_date_of_birth,
                sex=plan.sex,
                ethnicity=plan.ethnicity,
                has_disability=plan.has_disability,
                birth_family_area=plan.birth_family_area,
                avoid_birth_family_area=plan.avoid_birth_family_area,
                early_permanence_sought=plan.early_permanence_sought,
            )
            for plan in plans
        ]
    )
    pairs = list(zip(children, plans, strict=True))
    periods = PeriodOfCare.objects.bulk_create(
        [
            PeriodOfCare(child=child, started_on=p.started_on, ended_on=p.ended_on, reason_ended=p.reason_ended)
            for child, plan in pairs
            for p in plan.periods
        ]
    )
    # Each demo child has at most one period of care; its episodes are the plan's.
    period_of = {period.child_id: period for period in periods}
    Episode.objects.bulk_create(
        [
            Episode(
                period=period_of[child.pk],
                started_on=e.started_on,
                reason_new_episode=e.reason_new_episode,
                legal_status=e.legal_status,
                category_of_need=e.category_of_need,
                placement_type=e.placement_type,
                placement_provider=e.placement_provider,
                ended_on=e.ended_on,
                reason_ended=e.reason_ended,
                reason_place_change=e.reason_place_change,
                home_postcode=e.home_postcode,
                placement_postcode=e.placement_postcode,
                urn=e.urn,
            )
            for child, plan in pairs
            for e in plan.care.episodes
        ]
    )
    groups = _create_around_the_journey(pairs, households)
    AdoptionDecision.objects.bulk_create(
        [
            AdoptionDecision(
                child=child, decided_on=d.decided_on, reversed_on=d.reversed_on, reversal_reason=d.reversal_reason
            )
            for child, plan in pairs
            for d in plan.decisions
        ]
    )
    PlacementOrder.objects.bulk_create(
        [
            PlacementOrder(child=child, made_on=o.made_on, order_type=PlacementOrder.OrderType.E1, court=o.court)
            for child, plan in pairs
            for o in plan.orders
        ]
    )
    planned = [(child, plan, p) for child, plan in pairs for p in plan.placements]
    matches = _create_matches(planned, las=las, households=households, groups=groups)
    placements = AdoptivePlacement.objects.bulk_create(
        [
            AdoptivePlacement(
                child=child,
                household=households[p.household],
                matched_on=p.matched_on,
                placed_on=p.placed_on,
                with_foster_carers=p.with_foster_carers,
                moved_in_with_carers_on=p.moved_in_with_carers_on,
                ended_on=p.ended_on,
                match=matches[(p.household, p.matched_on)],
                adoption_applied_on=_details(p).adoption_applied_on,
            )
            for child, _plan, p in planned
        ]
    )
    _create_disruptions([(placement, p) for placement, (_c, _plan, p) in zip(placements, planned, strict=True)])
    PermanenceOutcome.objects.bulk_create(
        [
            PermanenceOutcome(child=child, kind=o.kind, made_on=o.made_on, court=o.court)
            for child, plan in pairs
            for o in plan.outcomes
        ]
    )
    Link.objects.bulk_create(
        [
            Link(
                child=child,
                sibling_group=groups[plan.sibling_group.key] if plan.sibling_group else None,
                household=households[link.household],
                origin=link.origin,
                started_on=link.started_on,
                outcome=link.outcome,
                outcome_on=link.outcome_on,
                decline_reason=link.decline_reason,
            )
            for child, plan in pairs
            for link in plan.links
        ]
    )
    return children


def _create_matches(
    planned: list[tuple[Child, ChildPlan, PlacementPlan]],
    *,
    las: dict[str, Organisation],
    households: dict[str, Household],
    groups: dict[str, SiblingGroup],
) -> dict[tuple[str, date], Match]:
    """One match for each household and match date: siblings matched together are one match.

    Inter-agency when the family's approving agency is not the child's RAA; the fee is the rate in force
    on the match date (``children.fees``), and none where no rate is configured for that date or that
    number of children: the demo invents no figure for the years before the rates table starts.
    """
    together: dict[tuple[str, date], list[tuple[Child, ChildPlan, PlacementPlan]]] = {}
    for item in planned:
        together.setdefault((item[2].household, item[2].matched_on), []).append(item)
    matches = []
    for (reference, matched_on), items in together.items():
        household, (_child, plan, p) = households[reference], items[0]
        details, la = _details(p), las[plan.la]
        inter_agency = fees.is_inter_agency(approving_agency=household.approving_agency, placing_la=la)
        fee = None
        if inter_agency:
            fee = fees.inter_agency_fee(
                approving_agency=household.approving_agency, placing_la=la, children=len(items), on=matched_on
            )
        several = len(items) > 1 and plan.sibling_group is not None
        matches.append(
            Match(
                household=household,
                sibling_group=groups[plan.sibling_group.key] if several and plan.sibling_group else None,
                placement_report_status=details.placement_report_status,
                support_plan_status=details.support_plan_status,
                panel_on=details.panel_on,
                panel_recommendation=Match.Recommendation.RECOMMENDED,
                decided_on=matched_on,
                inter_agency=inter_agency,
                fee_rate=fee.rate if fee else None,
                fee_amount=fee.amount if fee else None,
            )
        )
    return dict(zip(together, Match.objects.bulk_create(matches), strict=True))


def _details(placement: PlacementPlan) -> PlacementDetails:
    assert placement.details is not None, "plan_family_finding() gives every placement its match details"
    return placement.details


def _create_disruptions(placements: list[tuple[AdoptivePlacement, PlacementPlan]]) -> None:
    """The disruption meeting and learning actions of each placement that ended before an order."""
    planned = [(placement, d) for placement, p in placements if (d := _details(p).disruption) is not None]
    usernames = sorted({a.owner for _placement, d in planned for a in d.actions})
    owners = {user.username: user for user in User.objects.filter(username__in=usernames)}
    if missing := [name for name in usernames if name not in owners]:
        raise DemoDataError(f"The demo staff who own learning actions are missing: {', '.join(missing)}.")
    disruptions = Disruption.objects.bulk_create(
        [Disruption(placement=placement, reason=d.reason, meeting_on=d.meeting_on) for placement, d in planned]
    )
    LearningAction.objects.bulk_create(
        [
            LearningAction(
                disruption=disruption, action=a.action, owner=owners[a.owner], due_on=a.due_on, done_on=a.done_on
            )
            for disruption, (_placement, d) in zip(disruptions, planned, strict=True)
            for a in d.actions
        ]
    )


def _create_around_the_journey(
    pairs: list[tuple[Child, ChildPlan]], households: dict[str, Household]
) -> dict[str, SiblingGroup]:
    """Early permanence, family finding, featuring, proceedings, CPRs and sibling groups (returned by key)."""
    EarlyPermanencePlacement.objects.bulk_create(
        [
            EarlyPermanencePlacement(
                child=child,
                kind=ep.kind,
                household=households[ep.household],
                started_on=ep.started_on,
                ended_on=ep.ended_on,
            )
            for child, plan in pairs
            for ep in plan.care.early_permanence
        ]
    )
    FamilyFindingStatus.objects.bulk_create(
        [
            FamilyFindingStatus(child=child, status=s.status, status_from=s.status_from, note=s.note)
            for child, plan in pairs
            for s in plan.care.family_finding
        ]
    )
    Featuring.objects.bulk_create(
        [
            Featuring(child=child, channel=f.channel, featured_on=f.featured_on)
            for child, plan in pairs
            for f in plan.care.featurings
        ]
    )
    ProceedingsTracking.objects.bulk_create(
        [
            ProceedingsTracking(
                child=child, stage=p.stage, stage_from=p.stage_from, final_hearing_on=p.final_hearing_on
            )
            for child, plan in pairs
            for p in plan.care.proceedings
        ]
    )
    ChildPermanenceReport.objects.bulk_create(
        [
            ChildPermanenceReport(
                child=child,
                status=plan.care.cpr.status,
                started_on=plan.care.cpr.started_on,
                due_on=plan.care.cpr.due_on,
                completed_on=plan.care.cpr.completed_on,
            )
            for child, plan in pairs
            if plan.care.cpr is not None
        ]
    )
    members: dict[str, list[Child]] = {}
    group_plans: dict[str, tuple[SiblingGroupPlan, int]] = {}
    for child, plan in pairs:
        if plan.sibling_group is not None:
            members.setdefault(plan.sibling_group.key, []).append(child)
            group_plans[plan.sibling_group.key] = (plan.sibling_group, child.responsible_la_id)
    groups = SiblingGroup.objects.bulk_create(
        [
            SiblingGroup(
                responsible_la_id=la_id,
                name=group.name,
                plan=group.plan,
                assessed_on=group.assessed_on,
                assessment_outcome=group.assessment_outcome,
            )
            for group, la_id in group_plans.values()
        ]
    )
    SiblingGroupMember.objects.bulk_create(
        [
            SiblingGroupMember(group=group, child=child)
            for group, key in zip(groups, group_plans, strict=True)
            for child in members[key]
        ]
    )
    return dict(zip(group_plans, groups, strict=True))


def build(
    *,
    households: Sequence[HouseholdFacts],
    las: dict[str, Organisation],
    household_records: dict[str, Household],
    seed: int,
    reference_date: date,
) -> DemoChildren:
    plans = plan_children(households=households, seed=seed, reference_date=reference_date)
    children = create_children(plans, las=las, households=household_records)
    _household_postcodes(household_records.values())
    return DemoChildren(plans=plans, children=children)


def _household_postcodes(households: Iterable[Household]) -> None:
    """Each family's postcode: where their latest child moved in (903 placement postcode), else one in their area."""
    latest = dict(
        AdoptivePlacement.objects.filter(placed_on__isnull=False, household__in=list(households))
        .order_by("household_id", "placed_on", "id")
        .annotate(
            postcode=Subquery(
                Episode.objects.filter(period__child=OuterRef("child"), started_on=OuterRef("placed_on"))
                .exclude(placement_postcode="")
                .values("placement_postcode")[:1]
            )
        )
        .values_list("household_id", "postcode")
    )
    changed = []
    for household in households:
        towns = [t for t in (household.area,) if t in POSTCODES] or sorted(POSTCODES)
        choices = [p for town in towns for p in POSTCODES[town]]
        fallback = choices[int(hashlib.sha256(household.reference.encode()).hexdigest(), 16) % len(choices)]
        household.postcode = latest.get(household.pk) or fallback
        changed.append(household)
    Household.objects.bulk_update(changed, ["postcode"])
