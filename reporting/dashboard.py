"""The managers' dashboard of an area and a quarter: the scorecard, the pipelines, the trend, the latest files.

The scorecard is ``reporting.scorecard.scorecard`` of the 3 years to the quarter's end, as the scorecard page
shows it (not computed again here); the trend is the scorecard PDF's (``reporting.scorecard_pdf.trend``) and so
is its chart. The pipelines are flows in the quarter and stocks at its end, one aggregate query each, through
the children's and adopters' selectors. As for the scorecard, the caller passes LAs and approving agencies
already narrowed to what whoever asked may see.

Charts are matplotlib SVG put inline in the page. The site's content security policy refuses inline styles,
which matplotlib writes its colours and lines with, so ``reporting.charts.inline_svg`` turns them into SVG presentation
attributes (which are not styles) and gives the chart its text alternative.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from matplotlib.ticker import MaxNLocator

from adopters.selectors.dashboard import pipeline_households
from adoption.models import Job, Organisation
from adoption.periods import FinancialQuarter
from adoption.selectors import job_list
from children.selectors.dashboard import pipeline_children
from reporting import measures, returns
from reporting.charts import Chart, inline_svg
from reporting.models import QuarterlyReturn
from reporting.scorecard import Scorecard, scorecard
from reporting.scorecard_pdf import CHART_TITLE, TrendPoint, trend, trend_chart_svg

# The reports whose finished jobs the dashboard lists (a quarterly return is listed as the return itself).
REPORT_JOB_KINDS = (
    Job.Kind.SCORECARD,
    Job.Kind.A1_REPORT,
    Job.Kind.BOARD_REPORT,
    Job.Kind.DATA_PACK,
    Job.Kind.ANNEX_A_LIST_10,
    Job.Kind.ANNEX_A_LIST_11,
)
LATEST_JOBS = 10
PIPELINE_CHART_TITLE = "The children's and adopters' pipelines in the quarter"


def is_quarter_end(day: date) -> bool:
    return FinancialQuarter.containing(day).end == day


@dataclass(frozen=True)
class ChildrenPipeline:
    """Children of the LAs: flows in the quarter, and those waiting at its end."""

    decisions: int  # a new decision that they should be placed for adoption
    placement_orders: int  # a new placement order
    matched: int  # a match decision with an adoptive family
    placed: int  # moved in with an adoptive family
    adopted: int  # an adoption order
    waiting: int  # at the quarter's end: a decision, not placed

    def steps(self) -> list[tuple[str, int]]:
        return [
            ("New decisions that the child should be placed for adoption", self.decisions),
            ("New placement orders", self.placement_orders),
            ("Matched with an adoptive family", self.matched),
            ("Moved in with an adoptive family", self.placed),
            ("Adopted", self.adopted),
        ]


@dataclass(frozen=True)
class AdoptersPipeline:
    """Households of the approving agencies: enquiries and matches in the quarter, the stages at its end."""

    agency_ids: frozenset[int]
    enquiries: int
    stage_1: int
    stage_2: int
    approved_waiting: int
    matched: int  # first matched since approval, in the quarter

    def steps(self) -> list[tuple[str, int]]:
        return [
            ("Enquiries in the quarter", self.enquiries),
            ("In stage 1 at the end of the quarter", self.stage_1),
            ("In stage 2 at the end of the quarter (including those awaiting the panel or the decision)", self.stage_2),
            ("Approved and waiting to be matched at the end of the quarter", self.approved_waiting),
            ("Matched in the quarter", self.matched),
        ]


def children_pipeline(*, la_ids: frozenset[int], quarter: FinancialQuarter) -> ChildrenPipeline:
    totals = pipeline_children(la_ids=la_ids, start=quarter.start, end=quarter.end).aggregate(
        n_decisions=Count("pk", filter=Q(new_decision=True)),
        n_orders=Count("pk", filter=Q(new_order=True)),
        n_matched=Count("pk", filter=Q(matched_in_period=True)),
        n_placed=Count("pk", filter=Q(placed_in_period=True)),
        n_adopted=Count("pk", filter=Q(adopted=True)),
        n_waiting=Count("pk", filter=Q(waiting=True)),
    )
    return ChildrenPipeline(
        decisions=totals["n_decisions"],
        placement_orders=totals["n_orders"],
        matched=totals["n_matched"],
        placed=totals["n_placed"],
        adopted=totals["n_adopted"],
        waiting=totals["n_waiting"],
    )


def adopters_pipeline(*, agency_ids: frozenset[int], quarter: FinancialQuarter) -> AdoptersPipeline:
    totals = pipeline_households(agency_ids=agency_ids, start=quarter.start, end=quarter.end).aggregate(
        n_enquiries=Count("pk", filter=Q(enquired_in_period=True)),
        n_stage_1=Count("pk", filter=Q(in_stage_1_at_end=True)),
        n_stage_2=Count("pk", filter=Q(in_stage_2_at_end=True)),
        n_waiting=Count("pk", filter=Q(waiting_at_end=True)),
        n_matched=Count("pk", filter=Q(matched_in_period=True)),
    )
    return AdoptersPipeline(
        agency_ids=agency_ids,
        enquiries=totals["n_enquiries"],
        stage_1=totals["n_stage_1"],
        stage_2=totals["n_stage_2"],
        approved_waiting=totals["n_waiting"],
        matched=totals["n_matched"],
    )


@dataclass(frozen=True)
class Dashboard:
    quarter: FinancialQuarter
    card: Scorecard  # the 3 years to the quarter's end
    agencies: list[str]  # names of the approving agencies whose families are counted
    children: ChildrenPipeline
    adopters: AdoptersPipeline | None  # None: no agency of these LAs whose families the caller may see
    trend: list[TrendPoint]
    trend_svg: str
    pipeline_svg: str


def dashboard(*, la_ids: frozenset[int], period_end: date, agency_ids: Iterable[int]) -> Dashboard:
    """Every figure of the dashboard for ``la_ids`` and the quarter ending on ``period_end``."""
    quarter = FinancialQuarter.containing(period_end)
    card = scorecard(la_ids=la_ids, period_end=quarter.end, agency_ids=agency_ids)
    agencies = measures.counted_agencies(la_ids, agency_ids)
    children = children_pipeline(la_ids=la_ids, quarter=quarter)
    adopters = adopters_pipeline(agency_ids=agencies, quarter=quarter) if agencies else None
    points = trend(la_ids=la_ids, period_end=quarter.end)
    return Dashboard(
        quarter=quarter,
        card=card,
        agencies=list(Organisation.objects.filter(pk__in=agencies).order_by("name").values_list("name", flat=True)),
        children=children,
        adopters=adopters,
        trend=points,
        trend_svg=inline_svg(
            trend_chart_svg(points),
            chart_id="trend-chart",
            title=CHART_TITLE,
            description="A line chart of A1, A10 and A2 in average days for each 3-year period, with A1's "
            "threshold. The table after it gives the same figures.",
        ),
        pipeline_svg=inline_svg(
            pipeline_chart_svg(children, adopters),
            chart_id="pipeline-chart",
            title=PIPELINE_CHART_TITLE,
            description="A bar chart of the children and the adopters at each step of the pipeline. The tables "
            "after it give the same figures.",
        ),
    )


# --- the latest files --------------------------------------------------------------------------------------------


def latest_returns(*, actor: Any) -> QuerySet[QuarterlyReturn]:
    """For each organisation whose returns the actor sees, its latest return: the last quarter, latest version."""
    latest = (
        returns.quarterly_return_list(actor=actor)
        .order_by("organisation_id", "-period_end", "-version")
        .distinct("organisation_id")
        .values("pk")
    )
    return (
        QuarterlyReturn.objects.filter(pk__in=latest)
        .defer("children", "families", "summary")
        .select_related("organisation", "generated_by")
        .order_by("organisation__kind", "organisation__name")
    )


def latest_report_jobs(*, actor: Any, limit: int = LATEST_JOBS) -> list[Job]:
    """The reports finished last of the organisations the actor reports on, that they may see."""
    return list(
        job_list(actor=actor)
        .filter(
            kind__in=REPORT_JOB_KINDS,
            status=Job.Status.SUCCEEDED,
            organisation__in=returns.report_organisations(actor),
        )
        .order_by(F("finished_at").desc(nulls_last=True), "-created_at")[:limit]
    )


# --- charts ------------------------------------------------------------------------------------------------------

# The steps' labels on the bars (the tables beside the chart have them in full).
CHILD_LABELS = ("New decisions", "New placement orders", "Matched", "Moved in", "Adopted")
ADOPTER_LABELS = ("Enquiries", "In stage 1", "In stage 2", "Approved, waiting", "Matched")


def _short(steps: list[tuple[str, int]], labels: tuple[str, ...]) -> list[tuple[str, int]]:
    return [(label, n) for label, (_long, n) in zip(labels, steps, strict=True)]


def pipeline_chart_svg(children: ChildrenPipeline, adopters: AdoptersPipeline | None) -> str:
    """The pipelines as horizontal bar charts side by side (the adopters' only when there is one)."""
    panels: list[tuple[str, list[tuple[str, int]]]] = [
        ("Children", [*_short(children.steps(), CHILD_LABELS), ("Waiting at the end", children.waiting)])
    ]
    if adopters is not None:
        panels.append(("Adopters", _short(adopters.steps(), ADOPTER_LABELS)))
    chart = Chart("dashboard-pipeline", (4.2 * len(panels), 3.0))
    with chart as figure:
        for position, (heading, bars) in enumerate(panels, start=1):
            axes = figure.add_subplot(1, len(panels), position)
            labels = [label for label, _n in bars][::-1]  # the journey's first step at the top
            values = [n for _label, n in bars][::-1]
            drawn = axes.barh(labels, values, color="#1d70b8")
            axes.bar_label(drawn, padding=3, fontsize=8)
            axes.set_title(heading)
            axes.set_xlabel("Number")
            axes.set_xlim(0, max([*values, 1]) * 1.2)
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts: whole numbers on the axis
            axes.spines[["top", "right"]].set_visible(False)
    return chart.svg
