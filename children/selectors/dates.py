"""A child's journey dates, annotated in the database in the same query as the child."""

from __future__ import annotations

import functools
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.lookups import IsNull

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


@functools.cache
def _children_with_journey_dates() -> QuerySet[Child]:
    return with_journey_dates(Child.objects.all())


def children_with_journey_dates() -> QuerySet[Child]:
    """``with_journey_dates(Child.objects.all())``, to narrow with filters, ``select_related`` and the like.

    Resolving the dozen subqueries of the annotations costs more than running them for one child or a page of
    twenty-five, so it is done once per process: this returns a copy (``.all()``) of a queryset built once and never
    evaluated. Only the query's shape is kept, never a row, so nothing can go stale.
    """
    return _children_with_journey_dates().all()


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


def _has(model: Any, *conditions: Q, **filters: Any) -> Q:
    return Q(Exists(model.objects.filter(*conditions, child=OuterRef("pk"), **filters)))


def _stage_branches() -> list[tuple[Stage, Q]]:
    """:func:`stage_expression`'s branches, in its order, as conditions on the child's own rows.

    Each ``<date> IS NOT NULL`` of :func:`with_journey_dates` is "some row exists": the dates are the latest of
    rows filtered as below, and every one of those date columns is NOT NULL in the table, so the latest is
    present exactly when a row is. The one exception is ``left_care_on`` (the end of the *latest* period, which
    may be empty while an earlier one is not): that stays the same subquery.
    """
    current_placement = {"ended_on__isnull": True}
    decision = _has(AdoptionDecision, reversed_on__isnull=True)
    in_care = _has(PeriodOfCare)
    latest_period_ended = Q(
        IsNull(
            Subquery(PeriodOfCare.objects.filter(child=OuterRef("pk")).order_by("-started_on").values("ended_on")[:1]),
            False,
        )
    )
    return [
        (Stage.ADOPTED, _has(PermanenceOutcome, kind=PermanenceOutcome.Kind.ADOPTION_ORDER)),
        (Stage.OTHER_PERMANENCE, _has(PermanenceOutcome, ~Q(kind=PermanenceOutcome.Kind.ADOPTION_ORDER))),
        (Stage.PLACED, _has(AdoptivePlacement, placed_on__isnull=False, **current_placement)),
        (Stage.MATCHED, _has(AdoptivePlacement, **current_placement)),
        (Stage.PLACEMENT_ORDER, decision & _has(PlacementOrder)),
        (Stage.DECISION, decision),
        (Stage.REVERSED, _has(AdoptionDecision, reversed_on__isnull=False)),
        (Stage.LEFT_CARE, in_care & latest_period_ended),
        (Stage.IN_CARE, in_care),
        (Stage.NOT_IN_CARE, Q(date_of_birth__isnull=False)),
        (Stage.PRE_BIRTH, Q()),
    ]


def stage_filter(stage: str) -> Q:
    """The children whose :func:`stage_expression` is ``stage``, without computing anyone's journey dates.

    The CASE evaluated for every child in scope runs a dozen subqueries per child before the first page can be
    cut; this is the same test (no earlier branch holds, this one does) as EXISTS and NOT EXISTS, which the
    database answers with semi- and anti-joins. A test checks the two agree for any journey.
    """
    # No such stage: nobody (as the CASE compared with an unknown value).
    return _stage_filters().get(stage, Q(pk__in=[]))


@functools.cache
def _stage_filters() -> dict[str, Q]:
    """Each stage's filter, built once per process (as :func:`children_with_journey_dates`): building its EXISTS
    subqueries took as long as a page's count query ran. Conditions, no rows: nothing to go stale; a query that
    uses one resolves a copy of it."""
    filters: dict[str, Q] = {}
    earlier = Q()
    for branch_stage, branch in _stage_branches():
        filters[branch_stage.value] = earlier & branch
        earlier &= ~branch
    return filters
