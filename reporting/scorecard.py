"""The adoption scorecard of an area and a period: every figure, and the drill-down behind each one.

The figures come from ``reporting.measures`` (one aggregate query each, so the page's queries do not grow
with the number of children); a drill-down is the same queryset the figure aggregates, so it lists exactly
the children (or households) the figure counts. The caller passes LAs (and approving agencies) already
narrowed to what whoever asked may see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from adoption.models import Organisation
from children.models import AdoptionDecision
from reporting import measures
from reporting.measures import A3Result, AdopterMeasures, HeadlineCounts, MeasureResult
from reporting.models import EnglandFigure

CHILDREN = "children"
HOUSEHOLDS = "households"


@dataclass(frozen=True)
class Figure:
    """One figure's drill-down: its code in the URL, its title, what it lists and the dates shown."""

    code: str
    title: str
    subject: str  # CHILDREN or HOUSEHOLDS
    columns: tuple[tuple[str, str], ...]  # (heading, attribute) of each date (or yes/no) shown
    days_label: str = ""  # heading of the days column; none when empty
    days_attribute: str = "days"
    measure: str = ""  # A1, A10, A2 or A3 for the child measures (their drill-downs also list who is left out)
    about: str = ""


ENTERED = ("Entered care", "entered_care_on")
MOVED_IN = ("Moved in with the adoptive family", "moved_in_on")
ADOPTED = ("Adoption order", "adoption_order_on")
WITH_CARERS = ("Moved in with the foster carers who adopted them", "moved_in_with_carers_on")
CUT_OFF = ("Cut-off (moving in before this day is within it)", "cutoff_on")

FIGURES: dict[str, Figure] = {
    figure.code: figure
    for figure in (
        Figure(
            "a1",
            "A1: days from entering care to moving in with the adoptive family",
            CHILDREN,
            (ENTERED, MOVED_IN, ADOPTED),
            days_label="Days",
            measure="A1",
            about="Children adopted in the 3 years, longest wait first.",
        ),
        Figure(
            "a10",
            "A10: days from entering care to moving in, for foster carer adoptions to moving in with the carers",
            CHILDREN,
            (ENTERED, WITH_CARERS, MOVED_IN, ADOPTED),
            days_label="Days",
            measure="A10",
            about="Children adopted in the 3 years, longest wait first. For a child adopted by their foster carers the "
            "wait ends on the day they moved in with those carers.",
        ),
        Figure(
            "a2",
            "A2: days from the placement order to the match decision",
            CHILDREN,
            (("Placement order", "order_for_match_on"), ("Match decision", "matched_on"), ADOPTED),
            days_label="Days",
            measure="A2",
            about="Children adopted in the 3 years, longest wait first. A child matched before the placement order "
            "counts 0 days.",
        ),
        Figure(
            "a3",
            "A3: children who moved in with the adoptive family within the cut-off of entering care",
            CHILDREN,
            (ENTERED, CUT_OFF, MOVED_IN, ("Within", "within")),
            days_label="Days",
            measure="A3",
            about="Children adopted in the 3 years, longest wait first, and whether each moved in within the cut-off.",
        ),
        Figure(
            "decisions",
            "Children with a new decision that they should be placed for adoption",
            CHILDREN,
            (("Decision", "decision_in_period_on"),),
        ),
        Figure(
            "placement-orders",
            "Children with a new placement order",
            CHILDREN,
            (("Placement order", "order_in_period_on"),),
        ),
        Figure("adoptions", "Children adopted", CHILDREN, (ADOPTED,)),
        Figure(
            "waiting",
            "Children waiting at the end of the period (a decision, not yet placed)",
            CHILDREN,
            (("Decision", "waiting_decision_on"), ("Placement order", "waiting_order_on")),
            days_label="Days since the decision",
        ),
        Figure(
            "waiting-with-order",
            "Children waiting at the end of the period with a placement order",
            CHILDREN,
            (("Decision", "waiting_decision_on"), ("Placement order", "waiting_order_on")),
            days_label="Days since the placement order",
        ),
        Figure(
            "reversals",
            "Children whose decision was reversed",
            CHILDREN,
            (("Reversed", "reversed_in_period_on"), ("Reason", "reversal_reason_label")),
        ),
        Figure(
            "families-waiting",
            "Approved families waiting to be matched at the end of the period",
            HOUSEHOLDS,
            (("Approved", "approved_on"),),
            days_label="Days waiting",
            days_attribute="days_waiting_at_end",
        ),
        Figure(
            "families-matched",
            "Families matched in the 3 years, and whether they waited 3 months or more from approval",
            HOUSEHOLDS,
            (
                ("Approved", "approved_on"),
                ("First match", "first_matched_on"),
                ("Waited 3 months or more", "waited_to_match"),
            ),
            days_label="Days from approval to match",
            days_attribute="days_to_match",
        ),
        Figure(
            "applications",
            "Applications still being assessed at the end of the period",
            HOUSEHOLDS,
            (("Application", "application_on"),),
        ),
    )
}

_HEADLINE = {
    "decisions": "decisions",
    "placement-orders": "placement_orders",
    "adoptions": "adoptions",
    "waiting": "waiting",
    "waiting-with-order": "waiting_with_order",
    "reversals": "reversals",
}
_ADOPTER = {
    "families-waiting": "families_waiting",
    "families-matched": "families_matched",
    "applications": "applications",
}
_REVERSAL_REASONS = dict(AdoptionDecision.ReversalReason.choices)


def last_31_march(day: date) -> date:
    """The latest 31 March on or before ``day``: the end of the last full year of returns."""
    this_year = date(day.year, 3, 31)
    return this_year if this_year <= day else date(day.year - 1, 3, 31)


@dataclass(frozen=True)
class Scorecard:
    period_start: date
    period_end: date
    a1: MeasureResult
    a10: MeasureResult
    a2: MeasureResult
    a3: A3Result
    headline: HeadlineCounts
    adopters: AdopterMeasures | None  # None: no approving agency of these LAs is one the caller may report on
    england: dict[str, Decimal] = field(default_factory=dict)  # measure -> England's figure, where configured


def scorecard(*, la_ids: frozenset[int], period_end: date, agency_ids: Iterable[int] | None = None) -> Scorecard:
    """Every figure for ``la_ids`` and the 3 years to ``period_end``, in a fixed number of queries.

    The adopter measures count the families of the LAs' RAAs, narrowed to ``agency_ids`` when given (the
    agencies the caller may see households of); with none left they are not computed.
    """
    start, end = measures.three_year_period(period_end)
    agencies = measures.counted_agencies(la_ids, agency_ids)
    adoption = measures.adoption_measures(la_ids=la_ids, period_end=end)
    return Scorecard(
        period_start=start,
        period_end=end,
        a1=adoption.a1,
        a10=adoption.a10,
        a2=adoption.a2,
        a3=adoption.a3,
        headline=measures.headline_counts(la_ids=la_ids, period_end=end),
        adopters=measures.adopter_measures(la_ids=la_ids, period_end=end, agency_ids=agencies) if agencies else None,
        england=england_figures(end),
    )


def england_figures(period_end: date) -> dict[str, Decimal]:
    """England's published figure of each measure for the 3 years to ``period_end``, where one is configured."""
    return dict(EnglandFigure.objects.filter(period_end=period_end).values_list("measure", "value"))


@dataclass(frozen=True)
class DrillDown:
    figure: Figure
    counted: QuerySet  # exactly the children (or households) behind the figure
    excluded: QuerySet | None  # child measures: the children adopted in the period the measure leaves out


def drilldown(
    code: str, *, la_ids: frozenset[int], period_end: date, agency_ids: Iterable[int] | None = None
) -> DrillDown:
    """The children or households behind the figure ``code`` (a key of ``FIGURES``; KeyError otherwise)."""
    figure = FIGURES[code]
    if figure.measure:
        kwargs: dict[str, Any] = {"la_ids": la_ids, "period_end": period_end}
        return DrillDown(
            figure,
            measures.measure_children(figure.measure, **kwargs),
            measures.excluded_children(figure.measure, **kwargs),
        )
    if figure.subject == HOUSEHOLDS:
        households = measures.adopter_households(
            _ADOPTER[code], la_ids=la_ids, period_end=period_end, agency_ids=agency_ids
        )
        return DrillDown(figure, households, None)
    children = measures.headline_children(_HEADLINE[code], la_ids=la_ids, period_end=period_end)
    return DrillDown(figure, children.select_related("responsible_la"), None)


def cells(figure: Figure, obj: Any) -> list[Any]:
    """The values of ``figure``'s columns for one child or household (dates, yes/no, or a reversal's reason)."""
    values: list[Any] = []
    for _heading, attribute in figure.columns:
        if attribute == "reversal_reason_label":
            code = obj.reversal_reason
            values.append(f"{code}: {_REVERSAL_REASONS[code]}" if code in _REVERSAL_REASONS else "")
        else:
            values.append(getattr(obj, attribute, None))
    return values


def exclusion_reason(measure: str, child: Any) -> str:
    """Why a child adopted in the period is left out of ``measure``, in plain words."""
    if measure == "A2":
        if child.order_for_match_on is None:
            return "No placement order (children without one are not counted)"
        if child.order_for_match_before_records:
            return "The placement order was made before the returns held: its date is not known"
        return "No match decision recorded"
    if child.entered_care_on is None:
        return "In care from before the returns held: the day they entered care is not known"
    if child.moved_in_on is None:
        return "No date of moving in with the adoptive family"
    if measure == "A10" and child.with_foster_carers and child.moved_in_with_carers_on is None:
        return "Adopted by their foster carers, with no date they moved in with them"
    return "A date the measure needs is missing"


# --- the areas a scorecard is asked for ------------------------------------------------------------------------

ALL_AREAS = "all"


def areas(las: list[Organisation]) -> dict[str, tuple[str, frozenset[int]]]:
    """Each choice of area: code -> (label, LA ids). An RAA's LAs together, all of them, then each LA."""
    by_raa: dict[Organisation | None, list[Organisation]] = defaultdict(list)
    for la in las:
        by_raa[la.raa].append(la)
    found: dict[str, tuple[str, frozenset[int]]] = {}
    if len(las) > 1 and (len(by_raa) > 1 or None in by_raa):
        found[ALL_AREAS] = ("All the local authorities you report on", frozenset(la.pk for la in las))
    for raa, members in sorted(by_raa.items(), key=lambda item: item[0].name if item[0] else ""):
        if raa is not None and len(members) > 1:
            found[f"raa-{raa.pk}"] = (f"{raa.name}: {len(members)} local authorities", frozenset(m.pk for m in members))
    for la in las:
        found[f"la-{la.pk}"] = (la.name, frozenset({la.pk}))
    return found
