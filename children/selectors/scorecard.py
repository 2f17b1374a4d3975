"""Reads for the adoption scorecard (``reporting``): children with the dates and flags its figures count.

Like :func:`children.selectors.measures.adoptions_in_period`, these take ``la_ids`` that the caller has
already narrowed to what whoever asked may see (``adoption.tenancy``): the scorecard's pages pass the LAs
the actor reports on, and jobs run without a user. Each returns one queryset whose annotations are both
what the figure aggregates (one query) and what its drill-down lists, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    PermanenceOutcome,
    PlacementOrder,
)
from children.selectors.measures import adoptions_in_period


def scorecard_adoptions(*, la_ids: Iterable[int], start: date, end: date) -> QuerySet[Child]:
    """Children of ``la_ids`` adopted between ``start`` and ``end``: :func:`adoptions_in_period`'s dates and more.

    Besides ``adoption_order_on``, ``moved_in_on``, ``moved_in_with_carers_on`` and ``entered_care_on``, each
    child carries, from the same placement (the one that ended in the adoption), ``matched_on`` (the match
    decision, 903 AD1 DATE_MATCH) and ``with_foster_carers``; and the placement order the match followed:
    ``order_for_match_on`` is the latest order made on or before the match, or, for a child matched before any
    order, the first order made after it (empty for a child with no placement order), with
    ``order_for_match_before_records`` (that order was imported as made on or before its date, which is then
    not the day it was made).
    """
    placement = AdoptivePlacement.objects.filter(
        child=OuterRef("pk"), placed_on__isnull=False, ended_on__isnull=True
    ).order_by("-placed_on")
    children = adoptions_in_period(la_ids=frozenset(la_ids), start=start, end=end).annotate(
        matched_on=Subquery(placement.values("matched_on")[:1]),
        with_foster_carers=Subquery(placement.values("with_foster_carers")[:1], output_field=BooleanField()),
    )
    on_or_before = PlacementOrder.objects.filter(child=OuterRef("pk"), made_on__lte=OuterRef("matched_on")).order_by(
        "-made_on"
    )
    after = PlacementOrder.objects.filter(child=OuterRef("pk"), made_on__gt=OuterRef("matched_on")).order_by("made_on")
    return children.annotate(
        order_for_match_on=Coalesce(
            Subquery(on_or_before.values("made_on")[:1]), Subquery(after.values("made_on")[:1])
        ),
        order_for_match_before_records=Coalesce(
            Subquery(on_or_before.values("made_before_records")[:1]),
            Subquery(after.values("made_before_records")[:1]),
            output_field=BooleanField(),
        ),
    )


def waiting_at(end: date) -> tuple[Q, QuerySet[AdoptionDecision]]:
    """Waiting at ``end``, as a condition on children: a decision made by then and not reversed by then, not
    living with an adoptive family (no placement begun by then and not ended by then) and no adoption order by
    then. Also the decisions open at ``end`` (of ``OuterRef("pk")``), for the date of the one waited on."""
    child = OuterRef("pk")
    open_at_end = AdoptionDecision.objects.filter(child=child, decided_on__lte=end).filter(
        Q(reversed_on__isnull=True) | Q(reversed_on__gt=end)
    )
    placed_at_end = AdoptivePlacement.objects.filter(child=child, placed_on__lte=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=end)
    )
    adopted_by_end = PermanenceOutcome.objects.filter(
        child=child, kind=PermanenceOutcome.Kind.ADOPTION_ORDER, made_on__lte=end
    )
    return Q(Exists(open_at_end)) & ~Q(Exists(placed_at_end)) & ~Q(Exists(adopted_by_end)), open_at_end


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def scorecard_children(*, la_ids: Iterable[int], start: date, end: date) -> QuerySet[Child]:
    """Children of ``la_ids`` with a flag for each headline count of the period ``start`` to ``end``.

    Flows in the period (each child counted once, however many records they have in it):

    * ``new_decision``: a decision that they should be placed for adoption made in the period
      (``decision_in_period_on``: the first);
    * ``new_order``: a placement order made in the period (``order_in_period_on``: the first). An order
      imported as made on or before a date (``made_before_records``) is not counted: the day it was made is
      not known, so neither is whether it was new in the period;
    * ``adopted``: an adoption order made in the period (``adoption_order_on``);
    * ``decision_reversed``: a decision reversed in the period (``reversed_in_period_on`` and
      ``reversal_reason``: the latest).

    Stocks at ``end``, from the dated records as they stood that day (a later reversal, move or order does
    not change them):

    * ``waiting``: a decision made by then and not reversed by then, not living with an adoptive family
      (no placement begun by then and not ended by then) and no adoption order by then, as
      :func:`children.journey.is_waiting` says of today (``waiting_decision_on``: that decision);
    * ``waiting_with_order``: waiting, with a placement order made by then (``waiting_order_on``: the latest).
    """
    child = OuterRef("pk")
    decisions_in_period = AdoptionDecision.objects.filter(child=child, decided_on__range=(start, end))
    orders_in_period = PlacementOrder.objects.filter(
        child=child, made_on__range=(start, end), made_before_records=False
    )
    adoption = PermanenceOutcome.objects.filter(child=child, kind=PermanenceOutcome.Kind.ADOPTION_ORDER)
    reversals = AdoptionDecision.objects.filter(child=child, reversed_on__range=(start, end)).order_by("-reversed_on")
    waiting, open_at_end = waiting_at(end)
    orders_by_end = PlacementOrder.objects.filter(child=child, made_on__lte=end)
    return (
        Child.objects.filter(responsible_la_id__in=frozenset(la_ids))
        .select_related("responsible_la")
        .annotate(
            new_decision=Exists(decisions_in_period),
            decision_in_period_on=Subquery(decisions_in_period.order_by("decided_on").values("decided_on")[:1]),
            new_order=Exists(orders_in_period),
            order_in_period_on=Subquery(orders_in_period.order_by("made_on").values("made_on")[:1]),
            adopted=Exists(adoption.filter(made_on__range=(start, end))),
            adoption_order_on=Subquery(adoption.values("made_on")[:1]),
            decision_reversed=Exists(reversals),
            reversed_in_period_on=Subquery(reversals.values("reversed_on")[:1]),
            reversal_reason=Subquery(reversals.values("reversal_reason")[:1]),
            waiting=_flag(waiting),
            waiting_with_order=_flag(waiting & Q(Exists(orders_by_end))),
            waiting_decision_on=Subquery(open_at_end.order_by("-decided_on").values("decided_on")[:1]),
            waiting_order_on=Subquery(orders_by_end.order_by("-made_on").values("made_on")[:1]),
        )
    )
