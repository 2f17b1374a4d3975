"""Reads the LA API needs beyond the pages' selectors: sibling groups and adoptive placements as lists, one
placement, and a child's dated journey events. Scoped by tenancy first (through the children's LA), so another
LA's record is not there at all (404, as one that does not exist). A read of one record is audited; a list
records nothing per row (as the children list).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from adoption import audit, tenancy
from adoption.models import AuditEvent
from children.models import AdoptivePlacement, Child, SiblingGroup, SiblingGroupMember
from children.selectors.records import child_record


def sibling_group_list(*, actor: Any) -> QuerySet[SiblingGroup]:
    """The sibling groups of the LAs the actor sees, with their members, newest first."""
    groups = tenancy.scope_children(SiblingGroup.objects.select_related("responsible_la"), actor)
    return groups.prefetch_related(
        Prefetch("members", queryset=SiblingGroupMember.objects.select_related("child").order_by("child_id"))
    ).order_by("-created_at", "-id")


def sibling_group_detail(*, actor: Any, group_id: int) -> SiblingGroup:
    """One sibling group with its members; 404 outside the actor's scope. Records one read."""
    group = sibling_group_list(actor=actor).filter(pk=group_id).first()
    if group is None:
        raise Http404("No such sibling group.")
    audit.record(actor=actor, action=AuditEvent.Action.READ, obj=group, organisation_id=group.responsible_la_id)
    return group


def placement_list(*, actor: Any) -> QuerySet[AdoptivePlacement]:
    """The adoptive placements (each child's side of a match) of the children the actor sees, newest first."""
    placements = tenancy.scope_children(AdoptivePlacement.objects.all(), actor, la_field="child__responsible_la")
    return placements.select_related("child__responsible_la", "disruption").order_by("-matched_on", "-id")


def placement_get(*, actor: Any, placement_id: int) -> AdoptivePlacement:
    """One adoptive placement; 404 unless the actor sees its child. Records one read under the child's LA."""
    placement = placement_list(actor=actor).filter(pk=placement_id).first()
    if placement is None:
        raise Http404("No such placement.")
    audit.record(
        actor=actor, action=AuditEvent.Action.READ, obj=placement, organisation_id=placement.child.responsible_la_id
    )
    return placement


# --- a child's journey events ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class JourneyEvent:
    """One dated thing on a child's record: its type, its date, the record it is (``id``) and its fields."""

    type: str
    date: date
    id: int
    fields: dict[str, Any] = field(default_factory=dict)


def period_events(period: Any) -> list[JourneyEvent]:
    found = [
        JourneyEvent(
            "period_of_care_start",
            period.started_on,
            period.pk,
            {"start_before_records": period.start_before_records},
        )
    ]
    if period.ended_on:
        found.append(
            JourneyEvent("period_of_care_end", period.ended_on, period.pk, {"reason_ended": period.reason_ended})
        )
    return found


def decision_events(decision: Any) -> list[JourneyEvent]:
    found = [JourneyEvent("adm_decision", decision.decided_on, decision.pk)]
    if decision.reversed_on:
        found.append(
            JourneyEvent(
                "adm_decision_reversal", decision.reversed_on, decision.pk, {"reason": decision.reversal_reason}
            )
        )
    return found


def order_events(order: Any) -> list[JourneyEvent]:
    fields = {"order_type": order.order_type, "court": order.court, "made_before_records": order.made_before_records}
    return [JourneyEvent("placement_order", order.made_on, order.pk, fields)]


def early_permanence_events(placement: Any) -> list[JourneyEvent]:
    found = [
        JourneyEvent(
            "early_permanence",
            placement.started_on,
            placement.pk,
            {"kind": placement.kind, "household_id": placement.household_id},
        )
    ]
    if placement.ended_on:
        found.append(JourneyEvent("early_permanence_end", placement.ended_on, placement.pk, {"kind": placement.kind}))
    return found


def placement_events(placement: Any) -> list[JourneyEvent]:
    common = {"household_id": placement.household_id, "match_id": placement.match_id}
    found = [JourneyEvent("match", placement.matched_on, placement.pk, common)]
    if placement.placed_on:
        fields = {**common, "with_foster_carers": placement.with_foster_carers}
        found.append(JourneyEvent("placement", placement.placed_on, placement.pk, fields))
    if placement.ended_on:
        found.append(JourneyEvent("placement_end", placement.ended_on, placement.pk, common))
    return found


def outcome_events(outcome: Any) -> list[JourneyEvent]:
    return [
        JourneyEvent("permanence_outcome", outcome.made_on, outcome.pk, {"kind": outcome.kind, "court": outcome.court})
    ]


# The order of the journey, for events on the same day.
EVENT_ORDER = (
    "period_of_care_start",
    "adm_decision",
    "placement_order",
    "early_permanence",
    "early_permanence_end",
    "match",
    "placement",
    "placement_end",
    "adm_decision_reversal",
    "permanence_outcome",
    "period_of_care_end",
)


def child_events(*, actor: Any, child_id: int) -> list[JourneyEvent]:
    """The child's dated records in date order (the journey's order on one day); 404 out of scope; one read."""
    child: Child = child_record(actor=actor, child_id=child_id)
    events: list[JourneyEvent] = []
    for period in child.periods_of_care.all():
        events += period_events(period)
    for decision in child.adoption_decisions.all():
        events += decision_events(decision)
    for order in child.placement_orders.all():
        events += order_events(order)
    for early in child.early_permanence_placements.all():
        events += early_permanence_events(early)
    for placement in child.adoptive_placements.all():
        events += placement_events(placement)
    for outcome in child.permanence_outcomes.all():
        events += outcome_events(outcome)
    return sorted(events, key=lambda e: (e.date, EVENT_ORDER.index(e.type), e.id))
