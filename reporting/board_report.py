"""The RAA executive board's quarterly performance report, for one RAA (or one of its LAs) and one quarter.

What the board receives each quarter (source document 003, "Performance Management"): children's numbers,
decisions and orders and their timeliness against the national scorecard; early permanence placements;
children placed with the RAA's own adopters; enquiries and adopters at each stage; the timeliness of the
adopters' assessments; inter-agency placements and disruptions; and the Adoption Support Fund.

Each figure of a period (new in it: a flow) is shown for every quarter of the financial year up to the chosen
one, and for the year to date; each figure at a quarter's end (a stock, and the scorecard's 3-year measures)
for the end of every one of those quarters. Everything is computed in the database, one aggregate query per
table with a filtered count per period (``children.selectors.board``, ``adopters.selectors.board``,
``support.selectors.board``); the scorecard's measures and headline counts are ``reporting.measures``'s own.

Whose records: the children of the LA (or of all the RAA's LAs) and the ASF applications of their spokes; the
families approved by the RAA, which approves adopters for all its LAs (families are not recorded by LA, so an
LA's report shows its RAA's families), and only to someone who reports on the RAA itself.

Not recorded is shown as not recorded: a placement with no family recorded is counted apart, not guessed to be
the RAA's own or inter-agency; a placement that ended with no disruption record is counted apart too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.text import slugify
from matplotlib.ticker import MaxNLocator

from adopters.selectors.board import board_household_flows, board_household_stages
from adoption import jobs, tenancy
from adoption.models import Job, Organisation
from adoption.periods import FinancialQuarter
from children.selectors.board import (
    board_child_stages,
    board_disruptions,
    board_early_permanence,
    board_placements,
)
from reporting import measures
from reporting.charts import Chart, data_uri
from reporting.measures import MeasureResult
from reporting.pdf import render_pdf
from reporting.services import REPORT_ROLES, ended_quarter, report_organisation
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


# --- the tables, as the page and the PDF show them ------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    label: str
    cells: tuple[str, ...]
    total: bool = False  # a sum or share of the lines above it


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    headings: tuple[str, ...]  # of the columns after the first
    lines: tuple[Line, ...]
    note: str = ""


def _n(value: int) -> str:
    return f"{value:,}"


def _money(value: Decimal) -> str:
    return f"£{value:,.2f}"


def _share(part: int, whole: int) -> str:
    percent = _percent(part, whole)
    return f"{percent}% ({part:,} of {whole:,})" if percent is not None else "None completed"


def _days(result: MeasureResult) -> str:
    if result.days is None:
        return NO_FIGURE
    if result.threshold_days is None:
        return f"{result.days:,} days (no threshold set)"
    met = "met" if result.meets_threshold else "not met"
    return f"{result.days:,} days (threshold {result.threshold_days:,}: {met})"


def _flow_lines(rows: Sequence[tuple[str, Any]], figures: Sequence[Any], total: Sequence[str] = ()) -> tuple[Line, ...]:
    return tuple(Line(label, tuple(cell(f) for f in figures), label in total) for label, cell in rows)


def tables(report: BoardReport) -> list[Table]:
    """The report's tables in order: each line's label and its formatted figure for each column."""
    flow_headings = tuple(period.label for period in report.periods)
    end_headings = tuple(f"End of Q{n + 1} ({period.end:%-d %B %Y})" for n, period in enumerate(report.quarters))
    c, s = report.children, report.stages
    found = [
        Table(
            "children-flows",
            "Children: decisions, orders, matches, moves and adoptions",
            flow_headings,
            _flow_lines(
                (
                    ("New decisions that the child should be placed for adoption", lambda f: _n(f.decisions)),
                    ("New placement orders", lambda f: _n(f.placement_orders)),
                    ("Matched with a family (match decisions)", lambda f: _n(f.matched)),
                    ("Moved in with their adoptive family", lambda f: _n(f.placed)),
                    ("Adoption orders", lambda f: _n(f.adopted)),
                    ("Decisions reversed", lambda f: _n(f.reversals)),
                ),
                c,
            ),
            "Children counted once in a period however many records they have in it; matches and moves are counted "
            "by placement.",
        ),
        Table(
            "children-stages",
            "Children at each stage at the end of each quarter",
            end_headings,
            _flow_lines(
                (
                    ("Waiting: a decision, no placement order yet", lambda f: _n(f.decision_no_order)),
                    ("Waiting: a placement order, not yet matched", lambda f: _n(f.order_not_matched)),
                    ("Waiting: matched, not yet moved in", lambda f: _n(f.matched_not_placed)),
                    ("All children waiting (a decision, not yet placed)", lambda f: _n(f.waiting)),
                    ("Living with their adoptive family, no adoption order yet", lambda f: _n(f.placed_not_adopted)),
                ),
                s,
                total=("All children waiting (a decision, not yet placed)",),
            ),
        ),
        Table(
            "timeliness",
            "Timeliness against the adoption scorecard: the 3 years to each quarter's end",
            end_headings,
            _flow_lines(
                (
                    ("A1: days from entering care to moving in with the adoptive family", lambda t: _days(t.a1)),
                    ("A10: A1, for foster carer adoptions to moving in with the carers", lambda t: _days(t.a10)),
                    ("A2: days from the placement order to the match decision", lambda t: _days(t.a2)),
                    ("Children adopted in the 3 years (counted in A1)", lambda t: _n(t.a1.children)),
                ),
                report.timeliness,
            ),
            "The scorecard's mean over every child adopted in the 3 years, against the threshold for the period.",
        ),
        Table(
            "early-permanence",
            "Early permanence placements begun",
            flow_headings,
            _flow_lines(
                (
                    ("Fostering for adoption", lambda f: _n(f.ffa)),
                    ("Concurrent planning", lambda f: _n(f.concurrent)),
                    ("All early permanence placements", lambda f: _n(f.early_permanence)),
                ),
                c,
                total=("All early permanence placements",),
            ),
        ),
        Table(
            "adopters-of-children",
            "Children who moved in: the RAA's own adopters and inter-agency placements",
            flow_headings,
            _flow_lines(
                (
                    ("With the RAA's own adopters", lambda f: _n(f.own)),
                    ("With another agency's adopters (inter-agency placements)", lambda f: _n(f.inter_agency)),
                    ("Family's agency not recorded", lambda f: _n(f.agency_not_recorded)),
                    (
                        "Share with the RAA's own adopters",
                        lambda f: (
                            _share(f.own, f.own + f.inter_agency) if f.own + f.inter_agency else "No children moved in"
                        ),
                    ),
                ),
                c,
                total=("Share with the RAA's own adopters",),
            ),
            "The share is of the children whose family's agency is recorded. A family is the RAA's own when the "
            "RAA of the child's local authority approved it.",
        ),
        Table(
            "disruptions",
            "Placements that ended before the adoption order",
            flow_headings,
            _flow_lines(
                (
                    ("Disruptions (with a disruption record)", lambda f: _n(f.disruptions)),
                    ("Of which the disruption meeting is recorded", lambda f: _n(f.disruption_meetings)),
                    ("Ended with no disruption record yet", lambda f: _n(f.ended_without_record)),
                ),
                c,
            ),
        ),
    ]
    if report.adopters is not None:
        a = report.adopters
        found += [
            Table(
                "adopter-flows",
                "Families: enquiries and each step of the process",
                flow_headings,
                _flow_lines(
                    (
                        ("Enquiries", lambda f: _n(f.enquiries)),
                        ("Registrations of interest accepted", lambda f: _n(f.registrations)),
                        ("Stage 1 begun", lambda f: _n(f.stage1_started)),
                        ("Stage 2 begun (fast track included)", lambda f: _n(f.stage2_started)),
                        ("Approved", lambda f: _n(f.approvals)),
                        ("Matched for the first time since approval", lambda f: _n(f.matched)),
                        ("A child moved in for the first time since approval", lambda f: _n(f.placed)),
                        ("Left the process", lambda f: _n(f.left)),
                    ),
                    a.flows,
                ),
                f"Families approved by {', '.join(a.agency_names)}, for all its local authorities: families are not "
                "recorded by local authority.",
            ),
            Table(
                "adopter-stages",
                "Families at each stage at the end of each quarter",
                end_headings,
                _flow_lines(
                    (
                        ("Registered, stage 1 not begun", lambda f: _n(f.registered)),
                        ("In stage 1", lambda f: _n(f.stage1)),
                        ("Stage 1 complete, stage 2 not begun", lambda f: _n(f.between_stages)),
                        ("In stage 2", lambda f: _n(f.stage2)),
                        ("Assessed, awaiting panel or decision", lambda f: _n(f.awaiting_approval)),
                        ("Approved, waiting to be matched", lambda f: _n(f.approved_waiting)),
                        ("Matched, child not yet moved in", lambda f: _n(f.matched)),
                        ("Child placed, no adoption order yet", lambda f: _n(f.placed)),
                    ),
                    a.stages,
                ),
            ),
            Table(
                "assessment-timeliness",
                "Timeliness of the adopters' assessments",
                flow_headings,
                _flow_lines(
                    (
                        ("Stage 1s completed", lambda f: _n(f.stage1_completed)),
                        ("Stage 1 within its timescale", lambda f: _share(f.stage1_on_time, f.stage1_completed)),
                        ("Stage 2s completed", lambda f: _n(f.stage2_completed)),
                        ("Stage 2 within its timescale", lambda f: _share(f.stage2_on_time, f.stage2_completed)),
                        (
                            "Stage 2: average days taken",
                            lambda f: f"{f.stage2_days:,} days" if f.stage2_days is not None else "None completed",
                        ),
                    ),
                    a.flows,
                ),
                "Of the stages that ended in the period. The timescales are those in force when the family began: "
                "normally 2 months for stage 1 and 4 for stage 2 (6 with a recorded reason), days paused added "
                "where the standard says so.",
            ),
        ]
    found.append(
        Table(
            "asf",
            "Adoption Support Fund applications",
            flow_headings,
            _flow_lines(
                (
                    ("Applications submitted", lambda f: _n(f.submitted)),
                    ("Asked of the fund", lambda f: _money(f.submitted_value)),
                    ("Applications approved", lambda f: _n(f.approved)),
                    ("Approved by the fund", lambda f: _money(f.approved_value)),
                    ("Applications refused", lambda f: _n(f.rejected)),
                ),
                report.asf,
            ),
            "The fund's share of each application: its cost less the local authority's match funding.",
        )
    )
    return found


def adopters_not_shown(report: BoardReport, organisation: Organisation) -> str:
    """Why a report has no adopters' tables, in plain words (empty when it has them)."""
    if report.adopters is not None:
        return ""
    if organisation.kind == Organisation.Kind.LA and organisation.raa_id is None:
        return "This local authority is not part of a regional adoption agency: no families are recorded for it."
    return (
        "Families are approved by the regional adoption agency for all its local authorities and are not recorded "
        "by local authority: their figures are in the agency's report, for its managers, ADMs and administrators."
    )


# --- the chart and the PDF ----------------------------------------------------------------------------------------


def flows_chart_svg(report: BoardReport) -> str:
    """The children's decisions, orders, moves and adoptions of each quarter as grouped bars, text kept as text."""
    series = (
        ("New decisions", "decisions"),
        ("New placement orders", "placement_orders"),
        ("Moved in", "placed"),
        ("Adoption orders", "adopted"),
    )
    quarters = report.quarters
    width = 0.8 / len(series)
    chart = Chart("board", (7.5, 3.2))
    with chart as figure:
        axes = figure.add_subplot()
        for n, (label, attribute) in enumerate(series):
            xs = [q + (n - (len(series) - 1) / 2) * width for q in range(len(quarters))]
            values = [getattr(report.children[q], attribute) for q in range(len(quarters))]
            axes.bar(xs, values, width=width, label=label)
        axes.set_xticks(range(len(quarters)), [f"Q{q + 1}" for q in range(len(quarters))])
        axes.set_title(CHART_TITLE)
        axes.set_xlabel(f"Quarters of {report.quarter.financial_year}")
        axes.set_ylabel(CHART_Y_LABEL)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of children: whole numbers
        axes.set_ylim(bottom=0)
        axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)  # beside the bars, never over them
        axes.grid(axis="y", alpha=0.3)
    return chart.svg


def board_report_request(*, actor: Any, organisation_id: int, year: int, quarter: int) -> Job:
    """Queue the board report PDF of an LA or RAA the actor reports on, for a quarter that has ended.

    404 for an organisation outside the actor's scope; 403 unless they are a manager, ADM or administrator of
    it. The LAs and agencies counted are fixed now, so the job shows only what the actor may see.
    """
    from reporting.tasks import build_board_report

    scope = board_scope(actor=actor, organisation_id=organisation_id)
    period = ended_quarter(year, quarter)
    return jobs.job_create(
        actor=actor,
        kind=Job.Kind.BOARD_REPORT,
        organisation=scope.organisation,
        params={
            "organisation_id": scope.organisation.pk,
            "year": period.year,
            "quarter": period.number,
            "la_ids": sorted(scope.la_ids),
            "agency_ids": sorted(scope.agency_ids),
        },
        task=build_board_report,
    )


def board_report_build(job: Job) -> jobs.JobOutput:
    """The job's work: the report of the organisation and quarter asked for, as a PDF/UA document."""
    organisation = Organisation.objects.get(pk=job.params["organisation_id"])
    scope = BoardScope(
        organisation,
        frozenset(int(pk) for pk in job.params["la_ids"]),
        frozenset(int(pk) for pk in job.params["agency_ids"]),
    )
    quarter = FinancialQuarter(int(job.params["year"]), int(job.params["quarter"]))
    report = board_report(scope=scope, quarter=quarter)
    jobs.job_progress(job, 60)
    chart = flows_chart_svg(report)
    content = render_pdf(
        "reporting/board_report.pdf.html",
        {
            "report": report,
            "tables": tables(report),
            "adopters_not_shown": adopters_not_shown(report, organisation),
            "chart_src": data_uri(chart),
            "chart_title": CHART_TITLE,
            "job": job,
        },
    )
    now = report.children[report.current]
    return jobs.JobOutput(
        result={
            "organisation": organisation.name,
            "quarter": quarter.title,
            "decisions": now.decisions,
            "placement_orders": now.placement_orders,
            "placed": now.placed,
            "adopted": now.adopted,
            "own_percent": now.own_percent,
            "disruptions": now.disruptions,
            "waiting": report.stages[report.current].waiting,
        },
        file_name=f"board-report-{slugify(organisation.name)}-{quarter.year}-q{quarter.number}.pdf",
        content=content,
    )
