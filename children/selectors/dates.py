"""A child's journey dates, annotated in the database in the same query as the child."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Case,
    CharField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from children.journey import JourneyDates, Stage, stage_of
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    PeriodOfCare,
    PermanenceOutcome,
    PlacementOrder,
)


def _latest(model, field: str, *conditions: Q, **filters: Any) -> Subquery:
    return Subquery(
        model.objects.filter(*conditions, child=OuterRef("pk"), **filters).order_by(f"-{field}").values(field)[:1]
    )


def with_journey_dates(queryset: QuerySet[Child]) -> QuerySet[Child]:
    """Annotate each child with the dates of their journey, in the same query."""
    current_placement = {"ended_on__isnull": True}
    return queryset.annotate(
        entered_care_on=_latest(PeriodOfCare, "started_on"),
        # True when that latest period began before the returns held: ``entered_care_on`` is then the
        # earliest day known in care, not the day the child entered care (rule 334 is not judged on it).
        entered_care_before_records=Subquery(
            PeriodOfCare.objects.filter(child=OuterRef("pk")).order_by("-started_on").values("start_before_records")[:1]
        ),
        # The end of the latest period of care (ordered by its start): empty while the child is in care.
        left_care_on=Subquery(
            PeriodOfCare.objects.filter(child=OuterRef("pk")).order_by("-started_on").values("ended_on")[:1]
        ),
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


def stage_expression() -> Case:
    """:func:`children.journey.stage_of` as a database CASE over :func:`with_journey_dates`' annotations.

    The branches are in the same order as ``stage_of``; a test checks the two agree for every stage.
    """
    return Case(
        When(adoption_order_on__isnull=False, then=Value(Stage.ADOPTED.value)),
        When(other_permanence_on__isnull=False, then=Value(Stage.OTHER_PERMANENCE.value)),
        When(placed_on__isnull=False, then=Value(Stage.PLACED.value)),
        When(matched_on__isnull=False, then=Value(Stage.MATCHED.value)),
        When(decision_on__isnull=False, placement_order_on__isnull=False, then=Value(Stage.PLACEMENT_ORDER.value)),
        When(decision_on__isnull=False, then=Value(Stage.DECISION.value)),
        When(decision_reversed_on__isnull=False, then=Value(Stage.REVERSED.value)),
        When(entered_care_on__isnull=False, left_care_on__isnull=False, then=Value(Stage.LEFT_CARE.value)),
        When(entered_care_on__isnull=False, then=Value(Stage.IN_CARE.value)),
        When(date_of_birth__isnull=False, then=Value(Stage.NOT_IN_CARE.value)),
        default=Value(Stage.PRE_BIRTH.value),
        output_field=CharField(),
    )
