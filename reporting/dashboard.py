"""The managers' dashboard of an area and a quarter: the scorecard, the pipelines, the trend, the latest files.

The scorecard is the figures of ``reporting.scorecard.scorecard`` for the 3 years to the quarter's end, as the
scorecard page shows them; the trend is the scorecard PDF's (A1, A10, A2 and A3 at the last four 31 March period
ends: ``reporting.scorecard_pdf.trend_period_ends``) and so is its chart. The child measures of those five periods
come from one aggregate query (``reporting.measures.child_measures``, the same definitions as the measures' own; a
test holds them equal) instead of twenty, the rest from the measures' own functions. The pipelines are flows in the
quarter and stocks at its end, through the children's and adopters' selectors; the children's pipeline and the
scorecard's headline counts (the same flags over the 3 years) are one aggregate query (``children_figures``). As for
the scorecard, the caller passes LAs and approving agencies already narrowed to what whoever asked may see.

Charts are matplotlib SVG put inline in the page. The site's content security policy refuses inline styles,
which matplotlib writes its colours and lines with, so ``reporting.charts.inline_svg`` turns them into SVG presentation
attributes (which are not styles) and gives the chart its text alternative. Each chart is drawn once for its data
points and then taken from the cache (``reporting.charts.cached_inline_svg``): drawing was most of the page's time.
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
from children.selectors.dashboard import dashboard_children
from reporting import figure_versions, measures, returns
from reporting.charts import Chart, cached_inline_svg
from reporting.measures import ChildMeasures, HeadlineCounts, child_measures
from reporting.models import QuarterlyReturn
from reporting.scorecard import Scorecard, england_figures
from reporting.scorecard_pdf import CHART_TITLE, TrendPoint, trend_chart_svg, trend_period_ends

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


def children_figures(*, la_ids: frozenset[int], quarter: FinancialQuarter) -> tuple[ChildrenPipeline, HeadlineCounts]:
    """:func:`children_pipeline` of the quarter and ``measures.headline_counts`` of the 3 years to its end, from one
    aggregate query over the LAs' children (``dashboard_children``: the same flags, each child read once)."""
    start, end = measures.three_year_period(quarter.end)
    children, flags = dashboard_children(la_ids=la_ids, quarter_start=quarter.start, period_start=start, end=end)
    names = {
        "n_decisions": "new_decision",
        "n_orders": "new_order",
        "n_matched": "matched_in_period",
        "n_placed": "placed_in_period",
        "n_adopted": "adopted",
        "n_waiting": "waiting",
        "n_period_decisions": "period_new_decision",
        "n_period_orders": "period_new_order",
        "n_period_adopted": "period_adopted",
        "n_period_waiting_with_order": "period_waiting_with_order",
        "n_period_reversed": "period_decision_reversed",
    }
    totals = children.aggregate(**{total: Count("pk", filter=flags[name]) for total, name in names.items()})
    pipeline = ChildrenPipeline(
        decisions=totals["n_decisions"],
        placement_orders=totals["n_orders"],
        matched=totals["n_matched"],
        placed=totals["n_placed"],
        adopted=totals["n_adopted"],
        waiting=totals["n_waiting"],
    )
    headline = HeadlineCounts(
        period_start=start,
        period_end=end,
        decisions=totals["n_period_decisions"],
        placement_orders=totals["n_period_orders"],
        adoptions=totals["n_period_adopted"],
        waiting=totals["n_waiting"],  # at the same end as the quarter's
        waiting_with_order=totals["n_period_waiting_with_order"],
        reversals=totals["n_period_reversed"],
    )
    return pipeline, headline


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


def cached_dashboard(*, la_ids: frozenset[int], period_end: date, agency_ids: Iterable[int]) -> Dashboard:
    """:func:`dashboard`, computed once for each version of the records it reads (``reporting.figure_versions``:
    the LAs' children, their RAAs' families, the reference data) and then read from the cache."""
    agencies = frozenset(agency_ids)
    return figure_versions.cached(
        "dashboard",
        organisation_ids=la_ids,  # with their RAAs, whose families the adopter figures count
        params=(period_end, sorted(agencies)),
        compute=lambda: dashboard(la_ids=la_ids, period_end=period_end, agency_ids=agencies),
    )


def dashboard(*, la_ids: frozenset[int], period_end: date, agency_ids: Iterable[int]) -> Dashboard:
    """Every figure of the dashboard for ``la_ids`` and the quarter ending on ``period_end``."""
    quarter = FinancialQuarter.containing(period_end)
    trend_ends = trend_period_ends(quarter.end)
    agencies = measures.counted_agencies(la_ids, agency_ids)
    # The scorecard's child measures and the trend's, in one query (see ``child_measures``).
    computed = child_measures(la_ids=la_ids, period_ends=[*trend_ends, quarter.end])
    children, headline = children_figures(la_ids=la_ids, quarter=quarter)
    card = _scorecard(
        la_ids=la_ids, end=quarter.end, agencies=agencies, computed=computed[quarter.end], headline=headline
    )
    adopters = adopters_pipeline(agency_ids=agencies, quarter=quarter) if agencies else None
    points = [
        TrendPoint(period_end=end, a1=a1, a10=a10, a2=a2, a3_percent=a3.percent_rounded)
        for end in trend_ends
        for a1, a10, a2, a3 in [computed[end]]
    ]
    bars = pipeline_bars(children, adopters)
    return Dashboard(
        quarter=quarter,
        card=card,
        agencies=list(Organisation.objects.filter(pk__in=agencies).order_by("name").values_list("name", flat=True)),
        children=children,
        adopters=adopters,
        trend=points,
        trend_svg=cached_inline_svg(
            chart_id="trend-chart",
            title=CHART_TITLE,
            description="A line chart of A1, A10 and A2 in average days for each 3-year period, with A1's "
            "threshold. The table after it gives the same figures.",
            data=points,
            draw=lambda: trend_chart_svg(points),
        ),
        pipeline_svg=cached_inline_svg(
            chart_id="pipeline-chart",
            title=PIPELINE_CHART_TITLE,
            description="A bar chart of the children and the adopters at each step of the pipeline. The tables "
            "after it give the same figures.",
            data=bars,
            draw=lambda: pipeline_chart_svg(bars),
        ),
    )


def _scorecard(
    *,
    la_ids: frozenset[int],
    end: date,
    agencies: frozenset[int],
    computed: ChildMeasures,
    headline: HeadlineCounts,
) -> Scorecard:
    """``reporting.scorecard.scorecard`` of the 3 years to ``end``, its child measures and headline counts already
    computed."""
    start, end = measures.three_year_period(end)
    a1, a10, a2, a3 = computed
    return Scorecard(
        period_start=start,
        period_end=end,
        a1=a1,
        a10=a10,
        a2=a2,
        a3=a3,
        headline=headline,
        adopters=measures.adopter_measures(la_ids=la_ids, period_end=end, agency_ids=agencies) if agencies else None,
        england=england_figures(end),
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


PipelineBars = list[tuple[str, list[tuple[str, int]]]]  # (the panel's heading, its bars: (label, number))


def pipeline_bars(children: ChildrenPipeline, adopters: AdoptersPipeline | None) -> PipelineBars:
    """What the pipeline chart shows: the children's bars, and the adopters' when there is an adopters' pipeline."""
    panels: PipelineBars = [
        ("Children", [*_short(children.steps(), CHILD_LABELS), ("Waiting at the end", children.waiting)])
    ]
    if adopters is not None:
        panels.append(("Adopters", _short(adopters.steps(), ADOPTER_LABELS)))
    return panels


def pipeline_chart_svg(panels: PipelineBars) -> str:
    """The pipelines as horizontal bar charts side by side."""
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
