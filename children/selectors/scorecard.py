"""Reads for the adoption scorecard (``reporting``): children with the dates and flags its figures count.

Like :func:`children.selectors.measures.adoptions_in_period`, these take ``la_ids`` that the caller has
already narrowed to what whoever asked may see (``adoption.tenancy``): the scorecard's pages pass the LAs
the actor reports on, and jobs run without a user. Each returns one queryset whose annotations are both
what the figure aggregates (one query) and what its drill-down lists, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import partial

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, Model, OuterRef, Q, QuerySet, Subquery

from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    ChildAdoptionDates,
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
    not the day it was made). A child with no current placement has none of these (nor ``moved_in_on``).

    Like the other dates, these are :class:`children.models.ChildAdoptionDates`'s columns, kept by the database.
    """
    return adoptions_in_period(la_ids=frozenset(la_ids), start=start, end=end).annotate(
        matched_on=F("adoption_dates__matched_on"),
        with_foster_carers=F("adoption_dates__with_foster_carers"),
        order_for_match_on=F("adoption_dates__order_for_match_on"),
        order_for_match_before_records=F("adoption_dates__order_for_match_before_records"),
    )


def scorecard_adoption_dates(*, la_ids: Iterable[int], start: date, end: date) -> QuerySet[ChildAdoptionDates]:
    """The rows behind :func:`scorecard_adoptions` (the same children and dates, by the same names) without the
    children themselves: for aggregates over many periods, whose query is then quicker for Django to build."""
    return ChildAdoptionDates.objects.filter(
        responsible_la_id__in=frozenset(la_ids), adoption_order_on__range=(start, end)
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


# Above this many LAs a flag is worked out by reading each table once (a hash of the children with such a record,
# every child looked up in it); up to it by looking up each child's own records (an index lookup per child and flag),
# which is quicker for the few thousand children of one LA or RAA and slower for the whole country's. Either way the
# same children are flagged: only PostgreSQL's plan differs.
HASH_FLAGS_FROM_LAS = 20


def has_record(model: type[Model], condition: Q, *, by_hash: bool) -> Q:
    """The child has a row of ``model`` that meets ``condition``."""
    if by_hash:
        return Q(pk__in=model._default_manager.filter(condition).order_by().values("child_id"))
    return Q(Exists(model._default_manager.filter(condition, child=OuterRef("pk"))))


# How a flag asks whether the child has a row of a model that meets a condition (``has_record`` by default).
Has = Callable[[type[Model], Q], Q]


def headline_flags(*, la_ids: Iterable[int], start: date, end: date, has: Has | None = None) -> dict[str, Q]:
    """The conditions of :func:`scorecard_children`'s flags (its docstring says what each means), by name."""
    if has is None:
        by_hash = len(frozenset(la_ids)) > HASH_FLAGS_FROM_LAS
        has = partial(has_record, by_hash=by_hash)
    adoption_order = Q(kind=PermanenceOutcome.Kind.ADOPTION_ORDER)
    waiting = (
        has(AdoptionDecision, Q(decided_on__lte=end) & (Q(reversed_on__isnull=True) | Q(reversed_on__gt=end)))
        & ~has(AdoptivePlacement, Q(placed_on__lte=end) & (Q(ended_on__isnull=True) | Q(ended_on__gt=end)))
        & ~has(PermanenceOutcome, adoption_order & Q(made_on__lte=end))
    )
    return {
        "new_decision": has(AdoptionDecision, Q(decided_on__range=(start, end))),
        "new_order": has(PlacementOrder, Q(made_on__range=(start, end), made_before_records=False)),
        "adopted": has(PermanenceOutcome, adoption_order & Q(made_on__range=(start, end))),
        "decision_reversed": has(AdoptionDecision, Q(reversed_on__range=(start, end))),
        "waiting": waiting,
        "waiting_with_order": waiting & has(PlacementOrder, Q(made_on__lte=end)),
    }


def flag(condition: Q) -> ExpressionWrapper:
    """A condition on children as a boolean annotation."""
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
    la_ids = frozenset(la_ids)
    child = OuterRef("pk")
    decisions_in_period = AdoptionDecision.objects.filter(child=child, decided_on__range=(start, end))
    orders_in_period = PlacementOrder.objects.filter(
        child=child, made_on__range=(start, end), made_before_records=False
    )
    adoption = PermanenceOutcome.objects.filter(child=child, kind=PermanenceOutcome.Kind.ADOPTION_ORDER)
    reversals = AdoptionDecision.objects.filter(child=child, reversed_on__range=(start, end)).order_by("-reversed_on")
    _waiting, open_at_end = waiting_at(end)
    orders_by_end = PlacementOrder.objects.filter(child=child, made_on__lte=end)
    flags = headline_flags(la_ids=la_ids, start=start, end=end)
    return (
        Child.objects.filter(responsible_la_id__in=la_ids)
        .select_related("responsible_la")
        .annotate(
            new_decision=flag(flags["new_decision"]),
            decision_in_period_on=Subquery(decisions_in_period.order_by("decided_on").values("decided_on")[:1]),
            new_order=flag(flags["new_order"]),
            order_in_period_on=Subquery(orders_in_period.order_by("made_on").values("made_on")[:1]),
            adopted=flag(flags["adopted"]),
            adoption_order_on=Subquery(adoption.values("made_on")[:1]),
            decision_reversed=flag(flags["decision_reversed"]),
            reversed_in_period_on=Subquery(reversals.values("reversed_on")[:1]),
            reversal_reason=Subquery(reversals.values("reversal_reason")[:1]),
            waiting=flag(flags["waiting"]),
            waiting_with_order=flag(flags["waiting_with_order"]),
            waiting_decision_on=Subquery(open_at_end.order_by("-decided_on").values("decided_on")[:1]),
            waiting_order_on=Subquery(orders_by_end.order_by("-made_on").values("made_on")[:1]),
        )
    )
