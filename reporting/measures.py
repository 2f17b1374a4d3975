"""Scorecard measures, computed in the database and returned as plain result objects.

The adoption scorecard's child measures are over the children adopted (adoption order made) in a 3-year
period: the three years ending on ``period_end`` (e.g. 1 April 2023 to 31 March 2026).

* A1: the mean number of days from entering care to moving in with the adoptive family.
* A10: A1, but for a child adopted by their foster carers the wait ends on the day they moved in with those
  carers (``AdoptivePlacement.moved_in_with_carers_on``). A child recorded as placed with their foster carers
  without that date is excluded (the end date is not known; the placement date would overstate the wait). A
  child who moved in with the carers before the period of care A1 counts from began (an earlier period)
  counts 0 days, not a negative wait.
* A2: the mean number of days from the placement order to the match decision. A child matched before the
  order counts 0; a child with no placement order is excluded, as is one whose order was imported as made
  on or before a date (its day is not known). The order is the latest made on or before the match, else the
  first after it.
* A3: the share of those children who moved in with the adoptive family within N months of entering care, N
  being the cut-off for the period (``ScorecardThreshold.months``). Months are calendar months: a child who
  entered care on 10 January 2022 is within 14 months when they moved in by 9 March 2023, and not when they
  moved in on 10 March 2023, the 14-month anniversary (an anniversary that falls on a day the month does
  not have is the month's last day: from 31 December 2021, 14 months is 28 February 2023). The dates are
  A1's (not A10's).

A1, A10 and A3 leave out a child whose period of care began before the returns held (the day they entered
care is not known), rather than count from a wrong date; those children are the result's ``excluded``.

Adopter measures are of the families approved by the regional adoption agencies of the given LAs (an LA
does not approve adopters: its RAA does, for all its LAs), so each LA of an RAA shows its RAA's families:

* families approved and waiting to be matched at the period's end;
* of the families whose first match since approval was in the 3 years, the share who waited 3 months or
  more from approval to the match;
* applications (registration of interest accepted, or stage 1 or fast-track stage 2 begun) still being
  assessed at the period's end.

Headline counts of the period: children with a new decision that they should be placed for adoption, with a
new placement order, adopted, with a decision reversed; and at its end, children waiting (a decision, not
placed) and of them those with a placement order (see ``children.selectors.scorecard``).

Every figure has a drill-down here returning exactly the children (or households) it counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DateField,
    DecimalField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import OrderBy
from django.db.models.functions import Cast, Greatest

from adopters.selectors import scorecard_households
from adoption.db import DaysBetween, plus_months
from adoption.models import Organisation
from children.selectors.scorecard import scorecard_adoption_dates, scorecard_adoptions, scorecard_children
from reporting.models import ScorecardThreshold

# The adopter measure "matched families who waited 3 months or more from approval to the match": part of the
# measure's definition, not a threshold that changes by period.
ADOPTER_WAIT_MONTHS = 3

LaIds = frozenset[int] | set[int]


def three_year_period(period_end: date) -> tuple[date, date]:
    try:
        start = period_end.replace(year=period_end.year - 3)
    except ValueError:  # 29 February
        start = period_end.replace(year=period_end.year - 3, day=28)
    return start + timedelta(days=1), period_end


def _rounded(value: Decimal | None) -> int | None:
    if value is None:
        return None
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _percent(part: int, whole: int) -> Decimal | None:
    return Decimal(part * 100) / Decimal(whole) if whole else None


@dataclass(frozen=True)
class MeasureResult:
    measure: str
    period_start: date
    period_end: date
    children: int  # children counted in the mean
    # Adopted in the period but missing a date the measure needs. For the measures from entering care
    # (A1), that includes a child whose period of care began before the 903 returns held: the day they
    # entered care is unknown, and the first episode known would make their wait look shorter.
    excluded: int
    mean_days: Decimal | None
    threshold_days: int | None

    @property
    def days(self) -> int | None:
        """The figure as published: the mean rounded to whole days."""
        return _rounded(self.mean_days)

    @property
    def meets_threshold(self) -> bool | None:
        if self.days is None or self.threshold_days is None:
            return None
        return self.days <= self.threshold_days


@dataclass(frozen=True)
class A3Result:
    """A3: of the children counted, how many moved in within ``months`` months of entering care.

    The configuration for A3 is that cut-off (``ScorecardThreshold.months``), not a target share: each child
    meets it or not, and ``meets_threshold`` is None. With no cut-off configured for the period, ``within``
    and the percentage are None.
    """

    measure: str
    period_start: date
    period_end: date
    children: int
    excluded: int
    within: int | None
    months: int | None

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.within, self.children) if self.within is not None else None

    @property
    def percent_rounded(self) -> int | None:
        """The figure as published: a whole percentage."""
        return _rounded(self.percent)

    @property
    def meets_threshold(self) -> bool | None:
        return None


@dataclass(frozen=True)
class AdopterMeasures:
    period_start: date
    period_end: date
    agency_ids: frozenset[int]  # the approving agencies whose families are counted
    families_waiting: int  # approved and not matched at the period's end
    families_matched: int  # first match since approval in the period
    matched_after_wait: int  # of those, waited ``wait_months`` months or more from approval to match
    applications_in_assessment: int  # at the period's end
    wait_months: int = ADOPTER_WAIT_MONTHS

    @property
    def percent_waited(self) -> Decimal | None:
        return _percent(self.matched_after_wait, self.families_matched)

    @property
    def percent_waited_rounded(self) -> int | None:
        return _rounded(self.percent_waited)


@dataclass(frozen=True)
class HeadlineCounts:
    period_start: date
    period_end: date
    decisions: int  # children with a new decision that they should be placed for adoption
    placement_orders: int  # children with a new placement order
    adoptions: int  # children adopted
    waiting: int  # at the period's end: a decision, not placed
    waiting_with_order: int  # of those, with a placement order
    reversals: int  # children whose decision was reversed


# --- thresholds --------------------------------------------------------------------------------------------------


def threshold_for(measure: str, period_end: date) -> int | None:
    row = (
        ScorecardThreshold.objects.filter(measure=measure, applies_from__lte=period_end)
        .order_by("-applies_from")
        .values_list("days", flat=True)
        .first()
    )
    return row


def cutoff_months_for(period_end: date) -> int | None:
    """A3's cut-off in months for the 3-year period ending on ``period_end`` (None before the first one)."""
    return (
        ScorecardThreshold.objects.filter(measure=ScorecardThreshold.Measure.A3, applies_from__lte=period_end)
        .order_by("-applies_from")
        .values_list("months", flat=True)
        .first()
    )


# --- the child measures A1, A10, A2 and A3 ----------------------------------------------------------------------


_FROM_CARE = Q(moved_in_on__isnull=False, entered_care_on__isnull=False)
# A10's end: the day they moved in with the foster carers who adopted them, else the day they moved in.
_A10_END = Case(
    When(with_foster_carers=True, then=F("moved_in_with_carers_on")), default=F("moved_in_on"), output_field=DateField()
)


def _definition(measure: str) -> tuple[Q, Any]:
    """The children a measure counts (a condition on :func:`scorecard_adoptions`) and each one's days."""
    if measure in ("A1", "A3"):
        return _FROM_CARE, DaysBetween(F("moved_in_on"), F("entered_care_on"))
    if measure == "A10":
        counted = _FROM_CARE & ~Q(with_foster_carers=True, moved_in_with_carers_on__isnull=True)
        return counted, Greatest(DaysBetween(_A10_END, F("entered_care_on")), Value(0))
    if measure == "A2":
        counted = Q(matched_on__isnull=False, order_for_match_on__isnull=False, order_for_match_before_records=False)
        return counted, Greatest(DaysBetween(F("matched_on"), F("order_for_match_on")), Value(0))
    raise ValueError(f"Not a scorecard child measure: {measure}")


def adopted_children(measure: str, *, la_ids: LaIds, period_end: date, months: int | None = None) -> QuerySet:
    """Every child adopted in the 3 years to ``period_end``, as ``measure`` (A1, A10, A2 or A3) sees them.

    Each carries ``counted`` (the measure counts them; the others are its ``excluded``) and ``days`` (their
    days, for a child counted). For A3, also ``cutoff_on`` (the day ``months`` months after entering care:
    moving in before it is within the cut-off) and ``within``; ``months`` defaults to the period's cut-off.
    Longest waits first.
    """
    start, end = three_year_period(period_end)
    counted, days = _definition(measure)
    children = scorecard_adoptions(la_ids=la_ids, start=start, end=end).select_related("responsible_la")
    children = children.annotate(
        counted=Case(When(counted, then=Value(True)), default=Value(False), output_field=BooleanField()),
        days=Case(When(counted, then=days), default=None, output_field=IntegerField()),
    )
    if measure == "A3":
        months = months if months is not None else cutoff_months_for(end)
        if months is not None:
            children = children.annotate(cutoff_on=plus_months("entered_care_on", Value(months))).annotate(
                within=Case(
                    When(counted & Q(moved_in_on__lt=F("cutoff_on")), then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
            )
    return children.order_by(F("days").desc(nulls_last=True), "la_child_id", "pk")


def measure_children(measure: str, *, la_ids: LaIds, period_end: date) -> QuerySet:
    """The drill-down of A1, A10, A2 or A3: exactly the children the figure counts, longest waits first."""
    return adopted_children(measure, la_ids=la_ids, period_end=period_end).filter(counted=True)


def excluded_children(measure: str, *, la_ids: LaIds, period_end: date) -> QuerySet:
    """The children adopted in the period that ``measure`` leaves out (a date it needs is missing or unknown)."""
    return adopted_children(measure, la_ids=la_ids, period_end=period_end).filter(counted=False)


def _mean_days(measure: str, *, la_ids: LaIds, period_end: date) -> MeasureResult:
    start, end = three_year_period(period_end)
    totals = adopted_children(measure, la_ids=la_ids, period_end=period_end).aggregate(
        children=Count("pk", filter=Q(counted=True)),
        excluded=Count("pk", filter=Q(counted=False)),
        # AVG of integers is an exact numeric in PostgreSQL: kept a Decimal, not rounded through a float.
        mean_days=Avg("days", filter=Q(counted=True), output_field=DecimalField()),
    )
    mean = totals["mean_days"]
    return MeasureResult(
        measure=measure,
        period_start=start,
        period_end=end,
        children=totals["children"],
        excluded=totals["excluded"],
        mean_days=Decimal(mean) if mean is not None else None,
        threshold_days=threshold_for(measure, end),
    )


def a1(*, la_ids: frozenset[int] | set[int], period_end: date) -> MeasureResult:
    """Entering care to moving in with the adoptive family."""
    return _mean_days("A1", la_ids=la_ids, period_end=period_end)


def a10(*, la_ids: LaIds, period_end: date) -> MeasureResult:
    """A1 with the wait of a child adopted by their foster carers ending when they moved in with them."""
    return _mean_days("A10", la_ids=la_ids, period_end=period_end)


def a2(*, la_ids: LaIds, period_end: date) -> MeasureResult:
    """Placement order to the match decision; matched before the order counts 0; no order: excluded."""
    return _mean_days("A2", la_ids=la_ids, period_end=period_end)


def a3(*, la_ids: LaIds, period_end: date) -> A3Result:
    """The children who moved in within the period's cut-off in months of entering care."""
    start, end = three_year_period(period_end)
    months = cutoff_months_for(end)
    aggregates: dict[str, Any] = {
        "children": Count("pk", filter=Q(counted=True)),
        "excluded": Count("pk", filter=Q(counted=False)),
    }
    if months is not None:
        aggregates["moved_in_within"] = Count("pk", filter=Q(within=True))
    totals = adopted_children("A3", la_ids=la_ids, period_end=period_end, months=months).aggregate(**aggregates)
    return A3Result(
        measure="A3",
        period_start=start,
        period_end=end,
        children=totals["children"],
        excluded=totals["excluded"],
        within=totals.get("moved_in_within"),
        months=months,
    )


@dataclass(frozen=True)
class AdoptionMeasures:
    a1: MeasureResult
    a10: MeasureResult
    a2: MeasureResult
    a3: A3Result


def adoption_measures(*, la_ids: LaIds, period_end: date) -> AdoptionMeasures:
    """A1, A10, A2 and A3 at once: the same figures as :func:`a1`, :func:`a10`, :func:`a2` and :func:`a3`, from one
    aggregate over the children adopted in the period (each child's dates are read once, not once per measure)."""
    start, end = three_year_period(period_end)
    months = cutoff_months_for(end)
    children = scorecard_adoptions(la_ids=la_ids, start=start, end=end)
    # Each measure's condition and days (``_definition``) go straight into the aggregates, so that PostgreSQL
    # reads each child's dates once (a subquery) and the aggregate works on those columns; annotating a flag per
    # measure first would copy every date's subquery into every flag. A row whose condition is unknown (NULL) is
    # not counted, as ``adopted_children``'s flag defaults to False: the excluded are all the others.
    aggregates: dict[str, Any] = {"adopted": Count("pk")}
    for measure in ("A1", "A10", "A2"):
        counted, days = _definition(measure)
        key = measure.lower()
        aggregates[f"{key}_children"] = Count("pk", filter=counted)
        aggregates[f"{key}_mean_days"] = Avg(days, filter=counted, output_field=DecimalField())
    if months is not None:
        # A3 counts A1's children; within: moved in before the cut-off day (``adopted_children``'s ``within``).
        a3_counted, _days = _definition("A3")
        cutoff_on = plus_months("entered_care_on", Value(months))
        aggregates["a3_within"] = Count("pk", filter=a3_counted & Q(moved_in_on__lt=cutoff_on))
    totals = children.aggregate(**aggregates)

    def mean(measure: str) -> MeasureResult:
        key = measure.lower()
        value = totals[f"{key}_mean_days"]
        return MeasureResult(
            measure=measure,
            period_start=start,
            period_end=end,
            children=totals[f"{key}_children"],
            excluded=totals["adopted"] - totals[f"{key}_children"],
            mean_days=Decimal(value) if value is not None else None,
            threshold_days=threshold_for(measure, end),
        )

    return AdoptionMeasures(
        a1=mean("A1"),
        a10=mean("A10"),
        a2=mean("A2"),
        a3=A3Result(
            measure="A3",
            period_start=start,
            period_end=end,
            children=totals["a1_children"],
            excluded=totals["adopted"] - totals["a1_children"],
            within=totals.get("a3_within"),
            months=months,
        ),
    )


def a3_children(*, la_ids: LaIds, period_end: date) -> QuerySet:
    """The drill-down of A3's figure: the children counted who moved in within the cut-off (none without one)."""
    children = measure_children("A3", la_ids=la_ids, period_end=period_end)
    if cutoff_months_for(three_year_period(period_end)[1]) is None:
        return children.none()
    return children.filter(within=True)


# --- adopter measures ----------------------------------------------------------------------------------------


def raa_ids_for(la_ids: Iterable[int]) -> frozenset[int]:
    """The regional adoption agencies the LAs belong to: the agencies whose families their scorecard counts."""
    return frozenset(
        Organisation.objects.filter(pk__in=frozenset(la_ids), raa__isnull=False)
        .order_by()
        .values_list("raa_id", flat=True)
        .distinct()
    )


def counted_agencies(la_ids: Iterable[int], agency_ids: Iterable[int] | None) -> frozenset[int]:
    """The agencies whose families the LAs' scorecard counts: their RAAs, narrowed to ``agency_ids`` when given."""
    raas = raa_ids_for(la_ids)
    return raas if agency_ids is None else raas & frozenset(agency_ids)


def scorecard_families(
    *, la_ids: LaIds, period_end: date, agency_ids: Iterable[int] | None = None
) -> tuple[frozenset[int], QuerySet]:
    """The agencies counted (the LAs' RAAs, narrowed to ``agency_ids`` when given) and their households."""
    start, end = three_year_period(period_end)
    agencies = counted_agencies(la_ids, agency_ids)
    households = scorecard_households(agency_ids=agencies, start=start, end=end, wait_months=ADOPTER_WAIT_MONTHS)
    return agencies, households


def adopter_measures(*, la_ids: LaIds, period_end: date, agency_ids: Iterable[int] | None = None) -> AdopterMeasures:
    """The adopter measures for the families of the LAs' RAAs (``agency_ids``: only these of them)."""
    start, end = three_year_period(period_end)
    agencies, households = scorecard_families(la_ids=la_ids, period_end=period_end, agency_ids=agency_ids)
    totals = households.aggregate(
        waiting=Count("pk", filter=Q(waiting_at_end=True)),
        matched=Count("pk", filter=Q(matched_in_period=True)),
        waited=Count("pk", filter=Q(matched_in_period=True, waited_to_match=True)),
        in_assessment=Count("pk", filter=Q(in_assessment_at_end=True)),
    )
    return AdopterMeasures(
        period_start=start,
        period_end=end,
        agency_ids=agencies,
        families_waiting=totals["waiting"],
        families_matched=totals["matched"],
        matched_after_wait=totals["waited"],
        applications_in_assessment=totals["in_assessment"],
    )


# The drill-downs of the adopter measures: figure -> the flag that picks its households.
ADOPTER_FIGURES = {
    "families_waiting": Q(waiting_at_end=True),
    "families_matched": Q(matched_in_period=True),
    "families_waited": Q(matched_in_period=True, waited_to_match=True),
    "applications": Q(in_assessment_at_end=True),
}


def adopter_households(
    figure: str, *, la_ids: LaIds, period_end: date, agency_ids: Iterable[int] | None = None
) -> QuerySet:
    """Exactly the households behind an adopter figure (``ADOPTER_FIGURES``), longest waiting first."""
    _agencies_counted, households = scorecard_families(la_ids=la_ids, period_end=period_end, agency_ids=agency_ids)
    # Families matched: the longest wait from approval first; the others by the day they began to wait.
    first: str | OrderBy = {"families_waiting": "approved_on", "applications": "application_on"}.get(
        figure, F("days_to_match").desc()
    )
    return households.filter(ADOPTER_FIGURES[figure]).order_by(first, "reference", "pk")


# --- headline counts -------------------------------------------------------------------------------------------

# The drill-downs of the headline counts: figure -> the flag of ``scorecard_children`` that picks its children.
HEADLINE_FIGURES = {
    "decisions": "new_decision",
    "placement_orders": "new_order",
    "adoptions": "adopted",
    "waiting": "waiting",
    "waiting_with_order": "waiting_with_order",
    "reversals": "decision_reversed",
}


def _headline_queryset(la_ids: LaIds, period_end: date, period_start: date | None) -> tuple[date, date, QuerySet]:
    start, end = three_year_period(period_end)
    start = period_start or start
    return start, end, scorecard_children(la_ids=la_ids, start=start, end=end)


def headline_counts(*, la_ids: LaIds, period_end: date, period_start: date | None = None) -> HeadlineCounts:
    """The headline counts, of the 3 years to ``period_end`` unless ``period_start`` is given (a quarter)."""
    start, end, children = _headline_queryset(la_ids, period_end, period_start)
    # Aggregates named apart from the annotations they count (an aggregate named like an annotation shadows it).
    totals = children.aggregate(
        **{f"n_{figure}": Count("pk", filter=Q(**{flag: True})) for figure, flag in HEADLINE_FIGURES.items()}
    )
    return HeadlineCounts(
        period_start=start, period_end=end, **{figure: totals[f"n_{figure}"] for figure in HEADLINE_FIGURES}
    )


def headline_children(figure: str, *, la_ids: LaIds, period_end: date, period_start: date | None = None) -> QuerySet:
    """Exactly the children behind a headline count (``HEADLINE_FIGURES``), with ``days`` where it has some.

    ``days``: for children waiting, days from the decision to the period's end; for children waiting with a
    placement order, days from the (latest) order to the period's end; otherwise empty.
    """
    _start, end, children = _headline_queryset(la_ids, period_end, period_start)
    children = children.filter(**{HEADLINE_FIGURES[figure]: True})
    if figure == "waiting":
        children = children.annotate(days=DaysBetween(Value(end), F("waiting_decision_on")))
        return children.order_by("waiting_decision_on", "la_child_id", "pk")
    if figure == "waiting_with_order":
        children = children.annotate(days=DaysBetween(Value(end), F("waiting_order_on")))
        return children.order_by("waiting_order_on", "la_child_id", "pk")
    on = {
        "decisions": "decision_in_period_on",
        "placement_orders": "order_in_period_on",
        "adoptions": "adoption_order_on",
        "reversals": "reversed_in_period_on",
    }[figure]
    return children.annotate(days=Cast(Value(None), IntegerField())).order_by(on, "la_child_id", "pk")


# --- the child measures of several periods in one query ----------------------------------------------------------

ChildMeasures = tuple[MeasureResult, MeasureResult, MeasureResult, A3Result]  # A1, A10, A2, A3
_MEAN_MEASURES = ("A1", "A10", "A2")


def _thresholds() -> dict[str, list[tuple[date, int | None, int | None]]]:
    """Every threshold row by measure, latest first: (applies from, days, months). A handful of rows."""
    rows: dict[str, list[tuple[date, int | None, int | None]]] = {}
    for measure, applies_from, days, months in ScorecardThreshold.objects.order_by("-applies_from").values_list(
        "measure", "applies_from", "days", "months"
    ):
        rows.setdefault(measure, []).append((applies_from, days, months))
    return rows


def _threshold(rows: dict[str, list[tuple[date, int | None, int | None]]], measure: str, end: date) -> tuple[Any, Any]:
    """(days, months) of the row that applies to the 3 years to ``end``, as ``threshold_for`` and
    ``cutoff_months_for`` find it: the latest that applies from on or before ``end``."""
    for applies_from, days, months in rows.get(measure, []):
        if applies_from <= end:
            return days, months
    return None, None


def child_measures(*, la_ids: frozenset[int], period_ends: Iterable[date]) -> dict[date, ChildMeasures]:
    """``a1``, ``a10``, ``a2`` and ``a3`` for each of ``period_ends``, from one aggregate query.

    The measures are ``_definition``'s (which children each counts, and their days), aggregated for each
    period over the children whose adoption order falls in it: one query instead of one per measure and period
    (the scorecard's 4 measures, the trend's 4 at 4 period ends). Each child's dates are columns of
    ``children.ChildAdoptionDates`` (kept by the database), so every aggregate reads them from one join.
    """
    periods = {end: three_year_period(end) for end in period_ends}
    if not periods:
        return {}
    thresholds = _thresholds()
    months = {end: _threshold(thresholds, ScorecardThreshold.Measure.A3, end)[1] for end in periods}
    first = min(start for start, _end in periods.values())
    last = max(end for _start, end in periods.values())
    a3_counted, _a3_days = _definition("A3")
    aggregates: dict[str, Any] = {}
    for index, (start, end) in enumerate(periods.values()):
        adopted = Q(adoption_order_on__range=(start, end))
        aggregates[f"p{index}_adopted"] = Count("pk", filter=adopted)
        for measure in _MEAN_MEASURES:
            counted, days = _definition(measure)
            key = f"p{index}_{measure.lower()}"
            # As ``_mean_days``: a child is counted when the condition holds (excluded: the others).
            aggregates[f"{key}_children"] = Count("pk", filter=adopted & counted)
            aggregates[f"{key}_mean_days"] = Avg(days, filter=adopted & counted, output_field=DecimalField())
        cutoff = months[end]
        if cutoff is not None:  # as ``adopted_children``'s ``within``
            aggregates[f"p{index}_a3_within"] = Count(
                "pk", filter=adopted & a3_counted & Q(moved_in_on__lt=plus_months("entered_care_on", Value(cutoff)))
            )
    totals = scorecard_adoption_dates(la_ids=la_ids, start=first, end=last).aggregate(**aggregates)

    results: dict[date, ChildMeasures] = {}
    for index, (period_end, (start, end)) in enumerate(periods.items()):
        adopted = totals[f"p{index}_adopted"]
        means: list[MeasureResult] = []
        for measure in _MEAN_MEASURES:
            key = f"p{index}_{measure.lower()}"
            mean = totals[f"{key}_mean_days"]
            means.append(
                MeasureResult(
                    measure=measure,
                    period_start=start,
                    period_end=end,
                    children=totals[f"{key}_children"],
                    excluded=adopted - totals[f"{key}_children"],
                    mean_days=Decimal(mean) if mean is not None else None,
                    threshold_days=_threshold(thresholds, measure, end)[0],
                )
            )
        a1, a10, a2 = means
        a3 = A3Result(  # A3 counts A1's children (its dates are A1's)
            measure="A3",
            period_start=start,
            period_end=end,
            children=a1.children,
            excluded=a1.excluded,
            within=totals.get(f"p{index}_a3_within"),
            months=months[period_end],
        )
        results[period_end] = (a1, a10, a2, a3)
    return results
