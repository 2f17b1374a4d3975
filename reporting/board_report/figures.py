"""The board report's figures: its periods, what each counts, whose records, one query per table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from adopters.selectors.board import board_household_flows, board_household_stages
from adoption import tenancy
from adoption.models import Organisation
from adoption.periods import FinancialQuarter
from children.selectors.board import (
    board_child_stages,
    board_disruptions,
    board_early_permanence,
    board_placements,
)
from reporting import measures
from reporting.measures import MeasureResult
from reporting.services import REPORT_ROLES, report_organisation
from support.selectors.board import board_asf

CHART_TITLE = "Children: decisions, placement orders, moves and adoptions by quarter"
CHART_Y_LABEL = "Children"
NOT_RECORDED = "Not recorded"
NO_FIGURE = "No figure"


# --- the periods ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A column of the report: a quarter of the financial year, or the year to date."""

    key: str  # "q1" to "q4", or "ytd"
    label: str
    start: date
    end: date

    @property
    def window(self) -> tuple[date, date]:
        return (self.start, self.end)


def quarters_to(quarter: FinancialQuarter) -> tuple[Period, ...]:
    """The quarters of ``quarter``'s financial year up to and including it, first first."""
    found = []
    for number in range(1, quarter.number + 1):
        q = FinancialQuarter(quarter.year, number)
        found.append(Period(f"q{number}", f"Q{number} ({q.months})", q.start, q.end))
    return tuple(found)


def year_to_date(quarter: FinancialQuarter) -> Period:
    first = FinancialQuarter(quarter.year, 1)
    return Period("ytd", f"Year to date ({first.start:%-d %B %Y} to {quarter.end:%-d %B %Y})", first.start, quarter.end)


# --- the figures ------------------------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> int | None:
    """A whole percentage, half up, as published; None of nothing."""
    if not whole:
        return None
    return int((Decimal(part * 100) / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class ChildFlows:
    """The children's figures of one period."""

    decisions: int  # children with a new decision that they should be placed for adoption
    placement_orders: int  # children with a new placement order
    matched: int  # match decisions (placements matched)
    placed: int  # children who moved in with their adoptive family
    adopted: int  # adoption orders
    reversals: int  # children whose decision was reversed
    ffa: int  # fostering for adoption placements begun
    concurrent: int  # concurrent planning placements begun
    own: int  # of those who moved in: with the RAA's own adopters
    inter_agency: int  # with another agency's adopters
    agency_not_recorded: int  # no family recorded on the placement
    disruptions: int  # placements ended before the adoption order, with a disruption record
    disruption_meetings: int  # of those, with the disruption meeting's date recorded
    ended_without_record: int  # placements ended before the order with no disruption record

    @property
    def early_permanence(self) -> int:
        return self.ffa + self.concurrent

    @property
    def own_percent(self) -> int | None:
        """Of the children who moved in with a family whose agency is recorded, the share with the RAA's own."""
        return _percent(self.own, self.own + self.inter_agency)


@dataclass(frozen=True)
class ChildStages:
    """How many children were at each stage at a quarter's end."""

    decision_no_order: int
    order_not_matched: int
    matched_not_placed: int
    placed_not_adopted: int

    @property
    def waiting(self) -> int:
        """The scorecard's children waiting: a decision, not yet placed (the first three stages together)."""
        return self.decision_no_order + self.order_not_matched + self.matched_not_placed


@dataclass(frozen=True)
class Timeliness:
    """The scorecard's A1, A10 and A2 over the 3 years to a quarter's end (``reporting.measures``)."""

    a1: MeasureResult
    a10: MeasureResult
    a2: MeasureResult

    @property
    def results(self) -> tuple[MeasureResult, MeasureResult, MeasureResult]:
        return (self.a1, self.a10, self.a2)


@dataclass(frozen=True)
class AdopterFlows:
    enquiries: int
    registrations: int
    stage1_started: int
    stage2_started: int
    approvals: int
    matched: int  # approved families first matched since approval
    placed: int  # approved families first with a child moving in since approval
    left: int
    stage1_completed: int
    stage1_on_time: int
    stage2_completed: int
    stage2_on_time: int
    stage2_mean_days: Decimal | None

    @property
    def stage1_percent(self) -> int | None:
        return _percent(self.stage1_on_time, self.stage1_completed)

    @property
    def stage2_percent(self) -> int | None:
        return _percent(self.stage2_on_time, self.stage2_completed)

    @property
    def stage2_days(self) -> int | None:
        if self.stage2_mean_days is None:
            return None
        return int(Decimal(self.stage2_mean_days).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class AdopterStages:
    registered: int
    stage1: int
    between_stages: int
    stage2: int
    awaiting_approval: int
    approved_waiting: int
    matched: int
    placed: int


@dataclass(frozen=True)
class AsfFigures:
    submitted: int
    submitted_value: Decimal
    approved: int
    approved_value: Decimal
    rejected: int


@dataclass(frozen=True)
class Adopters:
    agency_names: tuple[str, ...]
    flows: tuple[AdopterFlows, ...]  # one per period (the quarters, then the year to date)
    stages: tuple[AdopterStages, ...]  # one per quarter's end


@dataclass(frozen=True)
class BoardReport:
    organisation_name: str
    is_raa: bool
    quarter: FinancialQuarter
    la_names: tuple[str, ...]
    quarters: tuple[Period, ...]
    year_to_date: Period
    children: tuple[ChildFlows, ...]  # one per period: the quarters, then the year to date
    stages: tuple[ChildStages, ...]  # one per quarter's end
    timeliness: tuple[Timeliness, ...]  # one per quarter's end
    adopters: Adopters | None  # None: the families are not the caller's to see (or the LA has no RAA)
    asf: tuple[AsfFigures, ...]  # one per period

    @property
    def periods(self) -> tuple[Period, ...]:
        return (*self.quarters, self.year_to_date)

    @property
    def current(self) -> int:
        """The index of the chosen quarter in the per-quarter tuples (the last)."""
        return len(self.quarters) - 1

    @property
    def title(self) -> str:
        return f"Executive board performance report: {self.organisation_name}, {self.quarter.title}"


@dataclass(frozen=True)
class BoardScope:
    """What a report of ``organisation`` counts for whoever asked: their LAs' children, the agencies' families."""

    organisation: Organisation
    la_ids: frozenset[int]
    agency_ids: frozenset[int]


def board_scope(*, actor: Any, organisation_id: int) -> BoardScope:
    """The LA or RAA ``organisation_id`` as the actor may report on it.

    404 for an organisation outside what the actor sees; 403 unless they are a manager, ADM or administrator of
    it (at the LA, or at its RAA). An LA's report counts the RAA's families only for someone who reports on the
    RAA itself (an LA's staff do not see the RAA's families, as on the scorecard).
    """
    organisation = report_organisation(actor=actor, organisation_id=organisation_id, what="see the board report")
    report_las = tenancy.la_ids_with_roles(actor, REPORT_ROLES)
    report_raas = tenancy.raa_ids_with_roles(actor, REPORT_ROLES)
    if organisation.kind == Organisation.Kind.LA:
        agencies = frozenset({organisation.raa_id}) & report_raas if organisation.raa_id else frozenset()
        return BoardScope(organisation, frozenset({organisation.pk}), agencies)
    members = Organisation.objects.filter(raa=organisation, kind=Organisation.Kind.LA, is_active=True)
    la_ids = frozenset(members.values_list("pk", flat=True)) & report_las
    return BoardScope(organisation, la_ids, frozenset({organisation.pk}))


def report_organisations(actor: Any):
    """The RAAs and LAs the actor reports on, RAAs first (the choices of the page's form)."""
    from reporting.returns import report_organisations as returns_organisations

    return returns_organisations(actor).order_by("-kind", "name")


def _windows(periods: Sequence[Period]) -> list[tuple[date, date]]:
    return [period.window for period in periods]


def board_report(*, scope: BoardScope, quarter: FinancialQuarter) -> BoardReport:
    """Every figure of the report of ``scope`` for ``quarter``, in a fixed number of queries."""
    la_ids, agency_ids = scope.la_ids, scope.agency_ids
    quarters = quarters_to(quarter)
    ytd = year_to_date(quarter)
    periods = (*quarters, ytd)
    windows = _windows(periods)
    ends = [period.end for period in quarters]

    headlines = [
        measures.headline_counts(la_ids=la_ids, period_end=period.end, period_start=period.start) for period in periods
    ]
    placements = board_placements(la_ids=la_ids, windows=windows)
    early = board_early_permanence(la_ids=la_ids, windows=windows)
    disruptions = board_disruptions(la_ids=la_ids, windows=windows)
    children = tuple(
        ChildFlows(
            decisions=headline.decisions,
            placement_orders=headline.placement_orders,
            matched=placed["matched"],
            placed=placed["placed"],
            adopted=headline.adoptions,
            reversals=headline.reversals,
            ffa=ep["ffa"],
            concurrent=ep["concurrent"],
            own=placed["own"],
            inter_agency=placed["inter_agency"],
            agency_not_recorded=placed["agency_not_recorded"],
            disruptions=ended["disruptions"],
            disruption_meetings=ended["meetings"],
            ended_without_record=ended["without_record"],
        )
        for headline, placed, ep, ended in zip(headlines, placements, early, disruptions, strict=True)
    )
    stages = tuple(ChildStages(**row) for row in board_child_stages(la_ids=la_ids, ends=ends))
    timeliness = tuple(
        Timeliness(
            a1=measures.a1(la_ids=la_ids, period_end=end),
            a10=measures.a10(la_ids=la_ids, period_end=end),
            a2=measures.a2(la_ids=la_ids, period_end=end),
        )
        for end in ends
    )
    adopters = None
    if agency_ids:
        adopters = Adopters(
            agency_names=tuple(
                Organisation.objects.filter(pk__in=agency_ids).order_by("name").values_list("name", flat=True)
            ),
            flows=tuple(AdopterFlows(**row) for row in board_household_flows(agency_ids=agency_ids, windows=windows)),
            stages=tuple(AdopterStages(**row) for row in board_household_stages(agency_ids=agency_ids, ends=ends)),
        )
    asf = tuple(AsfFigures(**row) for row in board_asf(la_ids=la_ids, windows=windows))
    return BoardReport(
        organisation_name=scope.organisation.name,
        is_raa=scope.organisation.kind == Organisation.Kind.RAA,
        quarter=quarter,
        la_names=tuple(Organisation.objects.filter(pk__in=la_ids).order_by("name").values_list("name", flat=True)),
        quarters=quarters,
        year_to_date=ytd,
        children=children,
        stages=stages,
        timeliness=timeliness,
        adopters=adopters,
        asf=asf,
    )
