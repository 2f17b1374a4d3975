"""Reads of children. Every function takes the actor and scopes by tenancy first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from adoption import audit, tenancy
from adoption.models import AuditEvent
from children.journey import JourneyDates, Stage, stage_of
from children.models import AdoptionDecision, AdoptivePlacement, Child, PeriodOfCare, PermanenceOutcome, PlacementOrder


def _latest(model, field: str, *conditions: Q, **filters: Any) -> Subquery:
    return Subquery(
        model.objects.filter(*conditions, child=OuterRef("pk"), **filters).order_by(f"-{field}").values(field)[:1]
    )


def with_journey_dates(queryset: QuerySet[Child]) -> QuerySet[Child]:
    """Annotate each child with the dates of their journey, in the same query."""
    current_placement = {"ended_on__isnull": True}
    return queryset.annotate(
        entered_care_on=_latest(PeriodOfCare, "started_on"),
        decision_on=_latest(AdoptionDecision, "decided_on", reversed_on__isnull=True),
        decision_reversed_on=_latest(AdoptionDecision, "reversed_on", reversed_on__isnull=False),
        placement_order_on=_latest(PlacementOrder, "made_on"),
        matched_on=_latest(AdoptivePlacement, "matched_on", **current_placement),
        placed_on=_latest(AdoptivePlacement, "placed_on", placed_on__isnull=False, **current_placement),
        adoption_order_on=_latest(PermanenceOutcome, "made_on", kind=PermanenceOutcome.Kind.ADOPTION_ORDER),
        other_permanence_on=_latest(PermanenceOutcome, "made_on", ~Q(kind=PermanenceOutcome.Kind.ADOPTION_ORDER)),
    )


def journey_dates(child: Child) -> JourneyDates:
    """The dates of a child from :func:`with_journey_dates`."""
    return JourneyDates(**{name: getattr(child, name) for name in JourneyDates.__dataclass_fields__})


def child_stage(child: Child) -> Stage:
    return stage_of(journey_dates(child))


def child_list(*, actor: Any, search: str = "", la_id: int | None = None) -> QuerySet[Child]:
    """Children the actor may see, with journey dates; ``search`` matches names and ids."""
    children = tenancy.scope_children(Child.objects.all(), actor).select_related("responsible_la")
    if la_id:
        children = children.filter(responsible_la_id=la_id)
    for term in search.split():
        children = children.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(la_child_id__iexact=term)
            | Q(child_903_id__iexact=term)
            | Q(upn__iexact=term)
        )
    return with_journey_dates(children).order_by("last_name", "first_name", "id")


def child_get(*, actor: Any, child_id: int) -> Child:
    """One child, or 404 when it does not exist or the actor may not see it. Records one read."""
    children = tenancy.scope_children(Child.objects.select_related("responsible_la"), actor).prefetch_related(
        "periods_of_care",
        "adoption_decisions",
        "placement_orders",
        "adoptive_placements__household",
        "permanence_outcomes",
    )
    child = with_journey_dates(children).filter(pk=child_id).first()
    if child is None:
        raise Http404("No such child.")
    audit.record(actor=actor, action=AuditEvent.Action.READ, obj=child, organisation_id=child.responsible_la_id)
    return child


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    title: str
    detail: str = ""


def child_timeline(child: Child) -> list[TimelineEntry]:
    """The child's whole journey in date order, from a child fetched by :func:`child_get`."""
    entries: list[TimelineEntry] = []
    if child.expected_date_of_birth and not child.date_of_birth:
        entries.append(TimelineEntry(child.expected_date_of_birth, "Expected date of birth"))
    if child.date_of_birth:
        entries.append(TimelineEntry(child.date_of_birth, "Born"))
    for period in child.periods_of_care.all():
        entries.append(TimelineEntry(period.started_on, "Entered care"))
        if period.ended_on:
            entries.append(TimelineEntry(period.ended_on, "Left care", period.get_reason_ended_display()))
    for decision in child.adoption_decisions.all():
        entries.append(TimelineEntry(decision.decided_on, "Decision: should be placed for adoption"))
        if decision.reversed_on:
            entries.append(
                TimelineEntry(decision.reversed_on, "Decision reversed", decision.get_reversal_reason_display())
            )
    for order in child.placement_orders.all():
        entries.append(TimelineEntry(order.made_on, order.get_order_type_display(), order.court))
    for placement in child.adoptive_placements.all():
        family = placement.household.name if placement.household else ""
        entries.append(TimelineEntry(placement.matched_on, "Matched", family))
        if placement.with_foster_carers and placement.moved_in_with_carers_on:
            entries.append(TimelineEntry(placement.moved_in_with_carers_on, "Moved in with foster carers", family))
        if placement.placed_on:
            entries.append(TimelineEntry(placement.placed_on, "Placed for adoption", family))
        if placement.ended_on:
            entries.append(TimelineEntry(placement.ended_on, "Placement ended (disruption)", family))
    for outcome in child.permanence_outcomes.all():
        entries.append(TimelineEntry(outcome.made_on, outcome.get_kind_display()))
    return sorted(entries, key=lambda e: e.on)


def adoptions_in_period(*, la_ids: frozenset[int] | set[int], start: date, end: date) -> QuerySet[Child]:
    """Children of ``la_ids`` adopted (adoption order) between ``start`` and ``end`` inclusive.

    For measures computed by jobs that run without a user: the caller has already checked that
    whoever asked may see ``la_ids``. Each child carries the dates the scorecard needs:
    ``adoption_order_on``; ``moved_in_on`` (placed for adoption with the family that adopted
    them); ``moved_in_with_carers_on`` (for children adopted by their foster carers); and
    ``entered_care_on`` (the start of the period of care in which they moved in).
    """
    adoption = PermanenceOutcome.objects.filter(child=OuterRef("pk"), kind=PermanenceOutcome.Kind.ADOPTION_ORDER)
    placement = AdoptivePlacement.objects.filter(
        child=OuterRef("pk"), placed_on__isnull=False, ended_on__isnull=True
    ).order_by("-placed_on")
    return (
        Child.objects.filter(
            responsible_la_id__in=la_ids,
            permanence_outcomes__kind=PermanenceOutcome.Kind.ADOPTION_ORDER,
            permanence_outcomes__made_on__range=(start, end),
        )
        .annotate(
            adoption_order_on=Subquery(adoption.values("made_on")[:1]),
            moved_in_on=Subquery(placement.values("placed_on")[:1]),
            moved_in_with_carers_on=Subquery(placement.values("moved_in_with_carers_on")[:1]),
        )
        .annotate(
            entered_care_on=Subquery(
                PeriodOfCare.objects.filter(child=OuterRef("pk"), started_on__lte=OuterRef("moved_in_on"))
                .order_by("-started_on")
                .values("started_on")[:1]
            )
        )
    )


def children_waiting(*, actor: Any) -> QuerySet[Child]:
    """Children with an open decision who have not moved in with an adoptive family, longest first."""
    return (
        child_list(actor=actor)
        .filter(decision_on__isnull=False, placed_on__isnull=True, adoption_order_on__isnull=True)  # type: ignore[misc]
        .order_by("decision_on", "id")
    )
