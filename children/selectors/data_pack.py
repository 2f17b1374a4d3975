"""Reads for the regional data pack (``reporting.data_pack``): children with the flags its tables count.

Like the scorecard's and the quarterly return's selectors, these take ``la_ids`` that the caller has already
narrowed to what whoever asked may see (``adoption.tenancy``); jobs run without a user. Each returns one
queryset whose annotations the data pack aggregates in the database (grouped by the responsible LA), read as
the records stood at the quarter's end: a step dated after ``end`` has not happened yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Combinable

from adoption.db import DaysBetween, plus_months
from children.journey import WAITING_LONG_MONTHS, WAITING_VERY_LONG_MONTHS
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    EarlyPermanencePlacement,
    FamilyFindingStatus,
    PeriodOfCare,
    PermanenceOutcome,
    PlacementOrder,
    SiblingGroup,
    SiblingGroupMember,
)
from children.selectors.scorecard import waiting_at

ADOPTION_ORDER = PermanenceOutcome.Kind.ADOPTION_ORDER

# Ethnicity groups of the 903 codes, as the DfE publishes them (the "not known" codes on their own).
ETHNIC_GROUPS: dict[str, tuple[str, ...]] = {
    "white": ("WBRI", "WIRI", "WIRT", "WOTH", "WROM"),
    "mixed": ("MWBC", "MWBA", "MWAS", "MOTH"),
    "asian": ("AIND", "APKN", "ABAN", "AOTH"),
    "black": ("BCRB", "BAFR", "BOTH"),
    "other": ("CHNE", "OOTH"),
    "not_known": ("REFU", "NOBT"),
}
# Age groups: (code, youngest age in years); each runs to the next one's youngest age.
AGE_GROUPS: tuple[tuple[str, int], ...] = (("under_1", 0), ("1_to_4", 1), ("5_to_9", 5), ("10_and_over", 10))


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _la_children(la_ids: Iterable[int]) -> QuerySet[Child]:
    return Child.objects.filter(responsible_la_id__in=frozenset(la_ids)).order_by()


def _current_at(end: date) -> tuple[QuerySet, QuerySet]:
    """Of ``OuterRef("pk")``: the match current at ``end`` (matched by then, not moved in by then, not ended),
    and the placement current at ``end`` (moved in by then, not ended by then)."""
    child = OuterRef("pk")
    not_ended = Q(ended_on__isnull=True) | Q(ended_on__gt=end)
    matched = AdoptivePlacement.objects.filter(child=child, matched_on__lte=end).filter(
        Q(placed_on__isnull=True) | Q(placed_on__gt=end)
    )
    placed = AdoptivePlacement.objects.filter(child=child, placed_on__lte=end).filter(not_ended)
    return matched.filter(not_ended), placed


def stock_and_flow(*, la_ids: Iterable[int], start: date, end: date) -> QuerySet[Child]:
    """Children of ``la_ids`` with a flag for each stage they reached in the quarter and where they were at its end.

    Flows in the quarter ``start`` to ``end`` (each child counted once per stage, however many records):
    ``flow_decision`` (a decision that they should be placed for adoption), ``flow_order`` (a placement order;
    not one imported as made on or before a date, whose day is not known), ``flow_matched`` (a match
    decision), ``flow_placed`` (moved in with an adoptive family), ``flow_adopted`` (an adoption order).

    Stock at ``end``, each child at their furthest stage only and none adopted by then:
    ``stock_placed`` (living with an adoptive family: moved in, placement not ended), ``stock_matched`` (a
    match not yet moved in, not ended), ``stock_order`` (a decision open at the end and a placement order, not
    matched or placed), ``stock_decision`` (a decision open at the end, no placement order, not matched or
    placed).
    """
    child = OuterRef("pk")
    window = (start, end)
    matched_now, placed_now = _current_at(end)
    adopted_by_end = PermanenceOutcome.objects.filter(child=child, kind=ADOPTION_ORDER, made_on__lte=end)
    open_decision = AdoptionDecision.objects.filter(child=child, decided_on__lte=end).filter(
        Q(reversed_on__isnull=True) | Q(reversed_on__gt=end)
    )
    order_by_end = PlacementOrder.objects.filter(child=child, made_on__lte=end)
    not_adopted = ~Q(Exists(adopted_by_end))
    placed = Q(Exists(placed_now)) & not_adopted
    matched = Q(Exists(matched_now)) & ~Q(Exists(placed_now)) & not_adopted
    open_unmatched = Q(Exists(open_decision)) & ~Q(Exists(matched_now)) & ~Q(Exists(placed_now)) & not_adopted
    return _la_children(la_ids).annotate(
        flow_decision=Exists(AdoptionDecision.objects.filter(child=child, decided_on__range=window)),
        flow_order=Exists(PlacementOrder.objects.filter(child=child, made_on__range=window, made_before_records=False)),
        flow_matched=Exists(AdoptivePlacement.objects.filter(child=child, matched_on__range=window)),
        flow_placed=Exists(AdoptivePlacement.objects.filter(child=child, placed_on__range=window)),
        flow_adopted=Exists(PermanenceOutcome.objects.filter(child=child, kind=ADOPTION_ORDER, made_on__range=window)),
        stock_placed=_flag(placed),
        stock_matched=_flag(matched),
        stock_order=_flag(open_unmatched & Q(Exists(order_by_end))),
        stock_decision=_flag(open_unmatched & ~Q(Exists(order_by_end))),
    )


def waiting_children(*, la_ids: Iterable[int], end: date) -> QuerySet[Child]:
    """Children of ``la_ids`` waiting at ``end`` (a decision open then, not moved in, not adopted: the
    scorecard's and the quarterly return's definition), each with:

    * ``waiting_decision_on`` (the open decision) and ``days_waiting`` (days from it to ``end``);
    * ``waiting_order_on`` (the latest placement order made by ``end``; an order imported as made on or before a
      date has that date, so its wait is at least the one counted) and ``waited_12_months`` /
      ``waited_18_months``: the order was made 12 (18) calendar months or more before ``end``;
    * ``actively_family_finding``: the latest family-finding status from on or before ``end`` is "actively
      family finding";
    * ``matched_at_end``: a match not yet moved in (the child has a family: they do not need one found);
    * ``together_group_id``: the child's sibling group when its plan is to place the children together (one
      family for the group), else empty;
    * the characteristics of :func:`with_characteristics`, with the age at ``end``.
    """
    child = OuterRef("pk")
    waiting, open_at_end = waiting_at(end)
    matched_now, _placed_now = _current_at(end)
    orders = PlacementOrder.objects.filter(child=child, made_on__lte=end).order_by("-made_on")
    status = FamilyFindingStatus.objects.filter(child=child, status_from__lte=end).order_by("-status_from", "-id")
    children = (
        _la_children(la_ids)
        .filter(waiting)
        .annotate(
            waiting_decision_on=Subquery(open_at_end.order_by("-decided_on").values("decided_on")[:1]),
            waiting_order_on=Subquery(orders.values("made_on")[:1]),
            family_finding=Subquery(status.values("status")[:1]),
            matched_at_end=Exists(matched_now),
            together_group_id=Subquery(
                SiblingGroupMember.objects.filter(child=child, group__plan=SiblingGroup.Plan.TOGETHER).values(
                    "group_id"
                )[:1],
                output_field=IntegerField(),
            ),
        )
        .annotate(
            # Calendar months, as PostgreSQL adds them (31 March + 18 months is 30 September).
            order_plus_12=plus_months("waiting_order_on", Value(WAITING_LONG_MONTHS)),
            order_plus_18=plus_months("waiting_order_on", Value(WAITING_VERY_LONG_MONTHS)),
        )
        .annotate(
            days_waiting=DaysBetween(Value(end), F("waiting_decision_on")),
            waited_12_months=_flag(Q(waiting_order_on__isnull=False, order_plus_12__lte=end)),
            waited_18_months=_flag(Q(waiting_order_on__isnull=False, order_plus_18__lte=end)),
            actively_family_finding=_flag(Q(family_finding=FamilyFindingStatus.Status.ACTIVE)),
        )
    )
    return with_characteristics(children, age_on=Value(end, output_field=DateField()))


def placed_by_next_quarter(*, la_ids: Iterable[int], previous_end: date, end: date) -> QuerySet[Child]:
    """Children of ``la_ids`` waiting at ``previous_end`` (the end of the quarter before), with
    ``placed_by_end``: they moved in with an adoptive family after ``previous_end`` and on or before ``end``."""
    waiting, _open = waiting_at(previous_end)
    moved_in = AdoptivePlacement.objects.filter(child=OuterRef("pk"), placed_on__gt=previous_end, placed_on__lte=end)
    return _la_children(la_ids).filter(waiting).annotate(placed_by_end=Exists(moved_in))


def placed_children(*, la_ids: Iterable[int], start: date, end: date) -> QuerySet[Child]:
    """Children of ``la_ids`` who moved in with an adoptive family between ``start`` and ``end`` (``placed_on``: the
    first such day), with the characteristics of :func:`with_characteristics`, the age on the day they moved in."""
    moved_in = AdoptivePlacement.objects.filter(child=OuterRef("pk"), placed_on__range=(start, end)).order_by(
        "placed_on"
    )
    children = (
        _la_children(la_ids)
        .filter(Exists(moved_in))
        .annotate(placed_on=Subquery(moved_in.values("placed_on")[:1], output_field=DateField()))
    )
    return with_characteristics(children, age_on=F("placed_on"))


def with_characteristics(children: QuerySet[Child], *, age_on: Combinable) -> QuerySet[Child]:
    """Annotate each child's ``age_group`` on ``age_on`` (a code of ``AGE_GROUPS``; ``not_known`` without a date of
    birth), ``ethnic_group`` (``ETHNIC_GROUPS``), ``in_sibling_group``; ``has_disability`` and ``sex`` are fields.

    A child is in the first group whose next group's youngest birthday falls after ``age_on``.
    """
    birthdays = {
        f"dp_birthday_{code}": plus_months("date_of_birth", Value(12 * AGE_GROUPS[index + 1][1]))
        for index, (code, _youngest) in enumerate(AGE_GROUPS[:-1])
    }
    ages = [When(Q(**{f"dp_birthday_{code}__gt": age_on}), then=Value(code)) for code, _youngest in AGE_GROUPS[:-1]]
    groups = [When(ethnicity__in=codes, then=Value(group)) for group, codes in ETHNIC_GROUPS.items()]
    return children.annotate(**birthdays).annotate(
        age_group=Case(
            When(date_of_birth__isnull=True, then=Value("not_known")),
            *ages,
            default=Value(AGE_GROUPS[-1][0]),
            output_field=CharField(),
        ),
        ethnic_group=Case(*groups, default=Value("not_known"), output_field=CharField()),
        in_sibling_group=Exists(SiblingGroupMember.objects.filter(child=OuterRef("pk"))),
    )


def early_permanence(*, la_ids: Iterable[int], start: date, end: date, year_start: date) -> QuerySet[Child]:
    """Children of ``la_ids`` with early permanence flags: ``ep_ffa`` / ``ep_concurrent`` (a fostering for adoption
    or concurrent planning placement began in the quarter ``start`` to ``end``), ``ep_in_year`` (one began in the
    12 months ``year_start`` to ``end``) and ``ep_at_end`` (in one at ``end``: begun by then, not ended by then)."""
    child = OuterRef("pk")
    placements = EarlyPermanencePlacement.objects.filter(child=child)
    kinds = EarlyPermanencePlacement.Kind
    return _la_children(la_ids).annotate(
        ep_ffa=Exists(placements.filter(kind=kinds.FOSTERING_FOR_ADOPTION, started_on__range=(start, end))),
        ep_concurrent=Exists(placements.filter(kind=kinds.CONCURRENT_PLANNING, started_on__range=(start, end))),
        ep_in_year=Exists(placements.filter(started_on__range=(year_start, end))),
        ep_at_end=Exists(placements.filter(started_on__lte=end).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=end))),
    )


def best_interest_decisions(*, la_ids: Iterable[int], start: date, end: date, year_start: date) -> QuerySet[Child]:
    """Children of ``la_ids`` with the ADM's best-interest decisions (that they should be placed for adoption):
    ``decided_in_quarter`` (``start`` to ``end``), ``decided_in_year`` (``year_start`` to ``end``),
    ``reversed_in_year``;
    and the cohort of children who entered care in the 12 months (``entered_in_year``: a period of care begun
    ``year_start`` to ``end``, not one that began before the returns held) with ``entered_then_decided``: a
    decision made on or after that start and on or before ``end``."""
    child = OuterRef("pk")
    decisions = AdoptionDecision.objects.filter(child=child)
    entered = PeriodOfCare.objects.filter(child=child, start_before_records=False, started_on__range=(year_start, end))
    entry_on = Subquery(entered.order_by("started_on").values("started_on")[:1], output_field=DateField())
    return _la_children(la_ids).annotate(
        decided_in_quarter=Exists(decisions.filter(decided_on__range=(start, end))),
        decided_in_year=Exists(decisions.filter(decided_on__range=(year_start, end))),
        reversed_in_year=Exists(decisions.filter(reversed_on__range=(year_start, end))),
        entered_in_year=Exists(entered),
        entered_on=entry_on,
        entered_then_decided=Exists(decisions.filter(decided_on__gte=OuterRef("entered_on"), decided_on__lte=end)),
    )


def permanence_orders(*, la_ids: Iterable[int]) -> QuerySet[PermanenceOutcome]:
    """The permanence orders (adoption, special guardianship, child arrangements) of the children of ``la_ids``,
    with ``la_id`` (the child's responsible LA), for counting by kind and date."""
    kinds = PermanenceOutcome.Kind
    return (
        PermanenceOutcome.objects.filter(
            child__responsible_la_id__in=frozenset(la_ids),
            kind__in=(kinds.ADOPTION_ORDER, kinds.SPECIAL_GUARDIANSHIP, kinds.CHILD_ARRANGEMENTS),
        )
        .annotate(la_id=F("child__responsible_la_id"))
        .order_by()
    )
