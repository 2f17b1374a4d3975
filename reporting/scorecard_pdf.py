"""The adoption scorecard as a PDF: every measure against its threshold, the 3-year trend as a chart, and the
children behind the figure furthest over its threshold, by reference (never by name).

The job's parameters hold the LAs (and approving agencies) already narrowed, when it was asked for, to what
whoever asked may see (``reporting.services.scorecard_pdf_request``); this only computes and renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from adoption import jobs
from adoption.models import Job
from reporting import measures
from reporting.charts import Chart, cached_svg, data_uri
from reporting.measures import MeasureResult
from reporting.pdf import render_pdf
from reporting.scorecard import Scorecard, last_31_march, scorecard

CHART_TITLE = "A1, A10 and A2 over the last four years"
CHART_X_LABEL = "3-year period ending 31 March"
CHART_Y_LABEL = "Average days"
TREND_YEARS = 4


def trend_period_ends(period_end: date) -> list[date]:
    """The last four 31 March period ends up to ``period_end``, oldest first."""
    latest = last_31_march(period_end)
    return [date(latest.year - back, 3, 31) for back in range(TREND_YEARS - 1, -1, -1)]


@dataclass(frozen=True)
class TrendPoint:
    period_end: date
    a1: MeasureResult
    a10: MeasureResult
    a2: MeasureResult
    a3_percent: int | None


def trend(*, la_ids: frozenset[int], period_end: date, latest: Scorecard | None = None) -> list[TrendPoint]:
    """A1, A10, A2 and A3 at each of the last four 31 March period ends: one aggregate of the four measures per
    period end, none for the period of ``latest`` (a scorecard of the same LAs already holding those figures)."""
    points = []
    for end in trend_period_ends(period_end):
        if latest is not None and latest.period_end == end:
            figures: measures.AdoptionMeasures | Scorecard = latest
        else:
            figures = measures.adoption_measures(la_ids=la_ids, period_end=end)
        points.append(
            TrendPoint(
                period_end=end, a1=figures.a1, a10=figures.a10, a2=figures.a2, a3_percent=figures.a3.percent_rounded
            )
        )
    return points


def trend_chart_svg(points: list[TrendPoint]) -> str:
    """The trend of A1, A10 and A2 against the A1 and A2 thresholds as an SVG line chart, its text kept as text
    (readable in the PDF)."""
    years = [point.period_end.year for point in points]
    chart = Chart("scorecard", (6.5, 3.2))
    with chart as figure:
        axes = figure.add_subplot()
        for code, style in (("a1", "o-"), ("a10", "s--"), ("a2", "^-.")):
            values = [_days_or_nan(getattr(point, code)) for point in points]
            axes.plot(years, values, style, label=code.upper())
        for code, colour in (("a1", "#505a5f"), ("a2", "#b1b4b6")):
            thresholds = [_threshold_or_nan(getattr(point, code)) for point in points]
            axes.plot(years, thresholds, ":", color=colour, label=f"{code.upper()} threshold")
        axes.set_xticks(years, [str(year) for year in years])
        axes.set_title(CHART_TITLE)
        axes.set_xlabel(CHART_X_LABEL)
        axes.set_ylabel(CHART_Y_LABEL)
        axes.set_ylim(bottom=0)
        axes.legend(loc="best", fontsize=8)
        axes.grid(axis="y", alpha=0.3)
    return chart.svg


def trend_chart_data(points: list[TrendPoint]) -> tuple[tuple[object, ...], ...]:
    """Every value ``trend_chart_svg`` draws from ``points``: the key of its drawing in the cache."""
    return tuple(
        (
            point.period_end.year,
            point.a1.days,
            point.a10.days,
            point.a2.days,
            point.a1.threshold_days,
            point.a2.threshold_days,
        )
        for point in points
    )


def _days_or_nan(result: MeasureResult) -> float:
    return float(result.days) if result.days is not None else float("nan")


def _threshold_or_nan(result: MeasureResult) -> float:
    return float(result.threshold_days) if result.threshold_days is not None else float("nan")


def worst_measure(card: Scorecard) -> MeasureResult | None:
    """Of A1, A10 and A2, the one furthest over its threshold (in days); None when none is over."""
    worst: MeasureResult | None = None
    for result in (card.a1, card.a10, card.a2):
        if result.days is None or result.threshold_days is None or result.days <= result.threshold_days:
            continue
        if worst is None or result.days - result.threshold_days > _over(worst):
            worst = result
    return worst


def _over(result: MeasureResult) -> int:
    assert result.days is not None and result.threshold_days is not None
    return result.days - result.threshold_days


def children_behind(result: MeasureResult, *, la_ids: frozenset[int], period_end: date) -> list[dict[str, Any]]:
    """The children the figure counts, longest wait first: references and days only, no names."""
    return list(
        measures.measure_children(result.measure, la_ids=la_ids, period_end=period_end).values(
            "la_child_id", "child_903_id", "responsible_la__name", "days"
        )
    )


def scorecard_pdf_build(job: Job) -> jobs.JobOutput:
    """The job's work: the scorecard of the chosen area and period, rendered as a PDF/UA document."""
    la_ids = frozenset(int(pk) for pk in job.params["la_ids"])
    agency_ids = frozenset(int(pk) for pk in job.params["agency_ids"])
    period_end = date.fromisoformat(job.params["period_end"])
    card = scorecard(la_ids=la_ids, period_end=period_end, agency_ids=agency_ids)
    jobs.job_progress(job, 30)
    points = trend(la_ids=la_ids, period_end=period_end, latest=card)
    # Drawn once for the figures it shows (a few hundred milliseconds), then taken from the cache: never stale, as
    # its key is those figures.
    chart = cached_svg(
        chart_id="scorecard-pdf", title=CHART_TITLE, data=trend_chart_data(points), draw=lambda: trend_chart_svg(points)
    )
    jobs.job_progress(job, 60)
    worst = worst_measure(card)
    children = children_behind(worst, la_ids=la_ids, period_end=period_end) if worst else []
    content = render_pdf(
        "reporting/scorecard.pdf.html",
        {
            "label": job.params["label"],
            "card": card,
            "measure_rows": [
                (result, description, card.england.get(result.measure))
                for result, description in (
                    (card.a1, "Days from entering care to moving in with the adoptive family"),
                    (card.a10, "A1, ending for foster carer adoptions on the day the child moved in with the carers"),
                    (card.a2, "Days from the placement order to the match decision"),
                )
            ],
            "points": points,
            "chart_src": data_uri(chart),
            "chart_title": CHART_TITLE,
            "worst": worst,
            "worst_over": _over(worst) if worst else None,
            "children": children,
            "show_la": len(la_ids) > 1,
            "job": job,
        },
    )
    return jobs.JobOutput(
        result={
            "area": job.params["area"],
            "period_end": card.period_end.isoformat(),
            "measures": {
                result.measure: {"figure": result.days, "threshold": result.threshold_days}
                for result in (card.a1, card.a10, card.a2)
            },
            "a3_percent": card.a3.percent_rounded,
            "england": {measure: str(value) for measure, value in card.england.items()},
            "worst": worst.measure if worst else None,
            "children_listed": len(children),
        },
        file_name=f"scorecard-{job.params['area']}-{card.period_end.isoformat()}.pdf",
        content=content,
    )
