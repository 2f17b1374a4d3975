"""Reads for the ASGLB-style quarterly return (``reporting.returns``), as at the end of a quarter.

For jobs that run without a user: the caller has already checked that whoever asked may see
``la_ids``. Everything is read as it stood at the quarter's end: a step dated after ``end`` has not
happened yet (a placement that ended after the quarter was still going at its end, a decision
reversed after it was still open), so a return for a past quarter says what was true then.

Which children are in the return (the child-level table): children of ``la_ids`` who, at some point
in the quarter, had an ADM decision that they should be placed for adoption, that is

* a decision made on or before the quarter's end and not reversed before its start, for a child
  not already adopted before its start; or
* any step of the journey dated in the quarter: a decision, a placement order, a match, a move-in,
  an adoption order, a reversal of a decision, or a placement ending before the order (a disruption).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from children import journey
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    EarlyPermanencePlacement,
    FamilyFindingStatus,
    PeriodOfCare,
    PermanenceOutcome,
    PlacementOrder,
    SiblingGroupMember,
)
from children.selectors.scorecard import waiting_at

ADOPTION_ORDER = PermanenceOutcome.Kind.ADOPTION_ORDER
OWN_ADOPTERS = "own"
INTER_AGENCY = "inter_agency"


def _latest(queryset: QuerySet, field: str, *order: str) -> Subquery:
    return Subquery(queryset.order_by(*order).values(field)[:1])


def _in_quarter(start: date, end: date) -> Q:
    window = (start, end)
    child = OuterRef("pk")
    steps = (
        AdoptionDecision.objects.filter(Q(decided_on__range=window) | Q(reversed_on__range=window), child=child),
        PlacementOrder.objects.filter(child=child, made_on__range=window, made_before_records=False),
        AdoptivePlacement.objects.filter(
            Q(matched_on__range=window) | Q(placed_on__range=window) | Q(ended_on__range=window), child=child
        ),
        PermanenceOutcome.objects.filter(child=child, kind=ADOPTION_ORDER, made_on__range=window),
    )
    decided_not_reversed_before_start = AdoptionDecision.objects.filter(child=child, decided_on__lte=end).filter(
        Q(reversed_on__isnull=True) | Q(reversed_on__gte=start)
    )
    adopted_before_start = PermanenceOutcome.objects.filter(child=child, kind=ADOPTION_ORDER, made_on__lt=start)
    open_at_start = Q(Exists(decided_not_reversed_before_start)) & ~Q(Exists(adopted_before_start))
    condition = open_at_start
    for step in steps:
        condition |= Q(Exists(step))
    return condition


def quarterly_return_children(*, la_ids: frozenset[int] | set[int], start: date, end: date) -> QuerySet[Child]:
    """The children of the child-level table (see the module docstring), each with its dates as at ``end``.

    Annotations (``None`` where the step had not happened by ``end``): ``rt_entered_care_on`` (the
    start of the latest period of care begun by ``end``; empty when it began before the returns held,
    as that date is not the day they entered care), ``rt_decision_on`` (the latest decision),
    ``rt_reversed_on`` and ``rt_reversal_reason`` (the latest reversal), ``rt_placement_order_on``
    (the latest order; empty when made before the returns held), ``rt_matched_on``, ``rt_placed_on``,
    ``rt_with_foster_carers`` and ``rt_adopters`` (``"own"`` when the family was approved by the
    child's LA's RAA, ``"inter_agency"`` otherwise) of the latest match, ``rt_adoption_order_on``,
    ``rt_disrupted_on`` (the latest placement that ended before an order), ``rt_early_permanence``
    (the kind of the latest early permanence placement), ``rt_family_finding`` (the latest status),
    ``rt_in_sibling_group`` and ``rt_sibling_group_size``.
    """
    child = OuterRef("pk")
    periods = PeriodOfCare.objects.filter(child=child, started_on__lte=end)
    decisions = AdoptionDecision.objects.filter(child=child, decided_on__lte=end)
    reversals = AdoptionDecision.objects.filter(child=child, reversed_on__lte=end)
    orders = PlacementOrder.objects.filter(child=child, made_on__lte=end)
    matches = AdoptivePlacement.objects.filter(child=child, matched_on__lte=end)
    latest_match = ("-matched_on", "-id")
    placed = Case(When(placed_on__lte=end, then=F("placed_on")), default=None, output_field=DateField())
    return (
        Child.objects.filter(responsible_la_id__in=la_ids)
        .filter(_in_quarter(start, end))
        .select_related("responsible_la")
        .annotate(
            rt_entered_care_on=_latest(
                periods.annotate(
                    known_start=Case(
                        When(start_before_records=False, then=F("started_on")), default=None, output_field=DateField()
                    )
                ),
                "known_start",
                "-started_on",
            ),
            rt_decision_on=_latest(decisions, "decided_on", "-decided_on"),
            rt_reversed_on=_latest(reversals, "reversed_on", "-reversed_on"),
            rt_reversal_reason=_latest(reversals, "reversal_reason", "-reversed_on"),
            rt_placement_order_on=_latest(
                orders.annotate(
                    known_on=Case(
                        When(made_before_records=False, then=F("made_on")), default=None, output_field=DateField()
                    )
                ),
                "known_on",
                "-made_on",
            ),
            rt_matched_on=_latest(matches, "matched_on", *latest_match),
            rt_placed_on=_latest(matches.annotate(placed=placed), "placed", *latest_match),
            rt_with_foster_carers=_latest(matches, "with_foster_carers", *latest_match),
            rt_adopters_agency_id=_latest(matches, "household__approving_agency_id", *latest_match),
            rt_adoption_order_on=_latest(
                PermanenceOutcome.objects.filter(child=child, kind=ADOPTION_ORDER, made_on__lte=end),
                "made_on",
                "-made_on",
            ),
            rt_disrupted_on=_latest(
                AdoptivePlacement.objects.filter(child=child, ended_on__lte=end), "ended_on", "-ended_on"
            ),
            rt_early_permanence=_latest(
                EarlyPermanencePlacement.objects.filter(child=child, started_on__lte=end), "kind", "-started_on", "-id"
            ),
            rt_family_finding=_latest(
                FamilyFindingStatus.objects.filter(child=child, status_from__lte=end), "status", "-status_from", "-id"
            ),
            rt_in_sibling_group=Exists(SiblingGroupMember.objects.filter(child=child)),
            rt_sibling_group_size=Subquery(
                SiblingGroupMember.objects.filter(group__members__child=child)
                .order_by()
                .values("group")
                .annotate(n=Count("id"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
        )
        .annotate(
            rt_adopters=Case(
                When(rt_adopters_agency_id__isnull=True, then=Value("")),
                When(rt_adopters_agency_id=F("responsible_la__raa_id"), then=Value(OWN_ADOPTERS)),
                default=Value(INTER_AGENCY),
                output_field=CharField(),
            )
        )
        .order_by("responsible_la__name", "la_child_id", "id")
    )


def quarterly_return_child_counts(*, la_ids: frozenset[int] | set[int], start: date, end: date) -> dict[str, int]:
    """The return's child headline counts, each one aggregate query in the database.

    ``new_adm_decisions``: decisions made in the quarter. ``new_placement_orders``: placement
    orders made in it (not those whose date is unknown because they were made before the returns
    held). ``adoptions``: adoption orders made in it. ``children_waiting``: at the quarter's end,
    children with a decision not reversed by then, who had not moved in with a family (or whose
    placement had ended by then) and were not adopted (the ASGLB "decision but not placed", as
    ``children.journey.is_waiting``; :func:`children.selectors.scorecard.waiting_at`).
    ``children_waiting_over_90_days``: of those, decided more than 90 days before the end.
    ``special_guardianship_orders``: special guardianship orders made in the quarter (for the children whose
    records are here: the ASGLB's SGO counts beside the adoptions).
    """
    window = (start, end)
    # The stock at ``end``: the scorecard's definition of a child waiting (``scorecard_children``'s ``waiting``).
    waiting_condition, open_at_end = waiting_at(end)
    waiting = (
        Child.objects.filter(responsible_la_id__in=la_ids)
        .filter(waiting_condition)
        .annotate(open_decision_on=Subquery(open_at_end.order_by("-decided_on").values("decided_on")[:1]))
        .aggregate(
            children_waiting=Count("id"),
            children_waiting_over_90_days=Count(
                "id", filter=Q(open_decision_on__lt=end - timedelta(days=journey.WAITING_OVER_DAYS))
            ),
        )
    )
    return {
        "new_adm_decisions": AdoptionDecision.objects.filter(
            child__responsible_la_id__in=la_ids, decided_on__range=window
        ).count(),
        "new_placement_orders": PlacementOrder.objects.filter(
            child__responsible_la_id__in=la_ids, made_on__range=window, made_before_records=False
        ).count(),
        "children_waiting": waiting["children_waiting"],
        "children_waiting_over_90_days": waiting["children_waiting_over_90_days"],
        **PermanenceOutcome.objects.filter(child__responsible_la_id__in=la_ids, made_on__range=window).aggregate(
            adoptions=Count("pk", filter=Q(kind=ADOPTION_ORDER)),
            special_guardianship_orders=Count("pk", filter=Q(kind=PermanenceOutcome.Kind.SPECIAL_GUARDIANSHIP)),
        ),
    }
