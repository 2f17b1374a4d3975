"""The adoption scorecard as a PDF: every measure against its threshold, the 3-year trend as a chart, and the
children who waited longest in the figure furthest over its threshold, by reference (never by name).

The PDF is a board paper about the measures, not the list of children: it names at most ``CHILDREN_LISTED`` of
them, says how many more the measure counts, and names the scorecard's drill-down page that lists them all.

The job's parameters hold the LAs (and approving agencies) already narrowed, when it was asked for, to what
whoever asked may see (``reporting.services.scorecard_pdf_request``); this only computes and renders.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

from adoption import jobs
from adoption.models import Job
from reporting import measures
from reporting.charts import Chart, data_uri
from reporting.measures import A3Result, AdopterMeasures, MeasureResult
from reporting.pdf import render_pdf
from reporting.scorecard import FIGURES, england_figures, last_31_march

CHART_TITLE = "A1, A10 and A2 over the last four years"
CHART_X_LABEL = "3-year period ending 31 March"
CHART_Y_LABEL = "Average days"
TREND_YEARS = 4
CHILDREN_LISTED = 10  # the longest waits the PDF lists; the drill-down page lists every child the measure counts


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


@dataclass(frozen=True)
class PdfScorecard:
    """What the PDF shows of ``reporting.scorecard.Scorecard``: its measures, adopter measures and England's figures
    (not the headline counts, which the PDF does not show), with the trend."""

    period_start: date
    period_end: date
    a1: MeasureResult
    a10: MeasureResult
    a2: MeasureResult
    a3: A3Result
    adopters: AdopterMeasures | None  # None: no approving agency of these LAs is one the caller may report on
    england: dict[str, Decimal]
    trend: list[TrendPoint]  # the last four 31 March period ends, oldest first


def pdf_scorecard(*, la_ids: frozenset[int], period_end: date, agency_ids: Iterable[int]) -> PdfScorecard:
    """The PDF's figures for ``la_ids`` and the 3 years to ``period_end``: the scorecard's and the trend's child
    measures from one aggregate query (``reporting.measures.child_measures``, as the dashboard computes its
    scorecard and trend: the same figures as ``measures.adoption_measures`` at each period end), then the adopter
    measures and England's figures."""
    start, end = measures.three_year_period(period_end)
    ends = trend_period_ends(end)
    computed = measures.child_measures(la_ids=la_ids, period_ends=[*ends, end])
    a1, a10, a2, a3 = computed[end]
    # The agencies counted are the LAs' RAAs narrowed to ``agency_ids``, which the adopter measures find themselves
    # (asking for them first as well would be one more query); without one the PDF says why it has no figures.
    adopters = measures.adopter_measures(la_ids=la_ids, period_end=end, agency_ids=agency_ids)
    return PdfScorecard(
        period_start=start,
        period_end=end,
        a1=a1,
        a10=a10,
        a2=a2,
        a3=a3,
        adopters=adopters if adopters.agency_ids else None,
        england=england_figures(end),
        trend=[
            TrendPoint(
                period_end=point,
                a1=computed[point][0],
                a10=computed[point][1],
                a2=computed[point][2],
                a3_percent=computed[point][3].percent_rounded,
            )
            for point in ends
        ],
    )


def trend_chart_svg(points: list[TrendPoint], *, size: tuple[float, float] = (6.5, 3.2), titled: bool = True) -> str:
    """The trend of A1, A10 and A2 against the A1 and A2 thresholds as an SVG line chart, its text kept as text
    (readable in the PDF); ``size`` in inches. Not ``titled``: without its title and axis labels, for a document
    that gives them as text beside it."""
    years = [point.period_end.year for point in points]
    chart = Chart("scorecard", size)
    with chart as figure:
        axes = figure.add_subplot()
        for code, style in (("a1", "o-"), ("a10", "s--"), ("a2", "^-.")):
            values = [_days_or_nan(getattr(point, code)) for point in points]
            axes.plot(years, values, style, label=code.upper())
        for code, colour in (("a1", "#505a5f"), ("a2", "#b1b4b6")):
            thresholds = [_threshold_or_nan(getattr(point, code)) for point in points]
            axes.plot(years, thresholds, ":", color=colour, label=f"{code.upper()} threshold")
        axes.set_xticks(years, [str(year) for year in years])
        if titled:
            axes.set_title(CHART_TITLE)
            axes.set_xlabel(CHART_X_LABEL)
            axes.set_ylabel(CHART_Y_LABEL)
        axes.set_ylim(bottom=0)
        axes.legend(loc="best", fontsize=8)
        axes.grid(axis="y", alpha=0.3)
    return chart.svg


# The PDF's chart, drawn here as a small SVG rather than by matplotlib: WeasyPrint draws an SVG node by node and lays
# out its text a letter at a time, so the fewer nodes and letters the cheaper the PDF (this one has about thirty
# nodes, matplotlib's well over a hundred, which took a fifth of the time of the whole PDF). It is untitled: its title
# and axis labels are the template's text above it, and its figures are the trend table's below it.
PDF_CHART_SIZE = (468, 180)  # points: the width of the page's text, and short enough to fit under the tables
# The PDF's own fonts (the template's ``body``), for the chart's text too: one font family fewer to embed.
PDF_FONT_FAMILY = '"Liberation Sans", "DejaVu Sans", Arial, sans-serif'
# The plot's edges in points; the key is right of the plot, where it never hides a line.
_PLOT_LEFT, _PLOT_RIGHT, _PLOT_TOP, _PLOT_BOTTOM = 34.0, 372.0, 8.0, 156.0
_THRESHOLD_DASH = "1.5 2.5"
# Each measure's line, as the dashboard's chart draws it: its colour, dashes and marker.
_CHART_SERIES = (
    ("a1", "#1f77b4", "", "circle"),
    ("a10", "#ff7f0e", "5.55 2.4", "square"),
    ("a2", "#2ca02c", "9.6 2.4 1.5 2.4", "triangle"),
)
_CHART_THRESHOLDS = (("a1", "#505a5f"), ("a2", "#b1b4b6"))


def pdf_chart_svg(points: list[TrendPoint]) -> str:
    """The trend of A1, A10 and A2 against the A1 and A2 thresholds as an SVG line chart for the PDF, its text as
    text: each line with its markers and its key's sample is one path, and a missing figure is a gap in its line."""
    width, height = PDF_CHART_SIZE
    values = {code: [getattr(point, code).days for point in points] for code, *_ in _CHART_SERIES}
    thresholds = {code: [getattr(point, code).threshold_days for point in points] for code, _ in _CHART_THRESHOLDS}
    drawn = [value for line in (*values.values(), *thresholds.values()) for value in line if value is not None]
    step = _tick_step(max(drawn, default=0) * 1.05)
    top = step * max(1, math.ceil(max(drawn, default=0) * 1.05 / step))
    ticks = [step * index for index in range(round(top / step) + 1)]
    margin = (_PLOT_RIGHT - _PLOT_LEFT) * 0.05
    span = _PLOT_RIGHT - _PLOT_LEFT - 2 * margin
    xs = [
        _PLOT_LEFT + margin + span * (index / (len(points) - 1) if len(points) > 1 else 0.5)
        for index in range(len(points))
    ]

    def y(value: float) -> float:
        return _PLOT_BOTTOM - (_PLOT_BOTTOM - _PLOT_TOP) * value / top

    key_x, key_y = _PLOT_RIGHT + 12, _PLOT_TOP + 10
    grid = "".join(f"M{_n(_PLOT_LEFT)} {_n(y(tick))}H{_n(_PLOT_RIGHT)}" for tick in ticks[1:])
    marks = "".join(f"M{_n(_PLOT_LEFT - 3.5)} {_n(y(tick))}h3.5" for tick in ticks)
    marks += "".join(f"M{_n(x)} {_n(_PLOT_BOTTOM)}v3.5" for x in xs)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}pt" height="{height}pt" viewBox="0 0 {width} {height}"'
        f' font-family="{escape(PDF_FONT_FAMILY)}" font-size="9">',
        f'<path d="{grid}" fill="none" stroke="#e0e0e0" stroke-width="0.8"/>',
        f'<path d="M{_n(_PLOT_LEFT)} {_n(_PLOT_TOP)}V{_n(_PLOT_BOTTOM)}H{_n(_PLOT_RIGHT)}V{_n(_PLOT_TOP)}z{marks}"'
        ' fill="none" stroke="#0b0c0c" stroke-width="0.8"/>',
        '<g text-anchor="end">',
        *(f'<text x="{_n(_PLOT_LEFT - 6)}" y="{_n(y(tick) + 3.2)}">{tick:,}</text>' for tick in ticks),
        '</g><g text-anchor="middle">',
        *(
            f'<text x="{_n(x)}" y="{_n(_PLOT_BOTTOM + 13)}">{point.period_end.year}</text>'
            for x, point in zip(xs, points, strict=True)
        ),
        "</g>",
    ]
    # The key lists the measures, then the thresholds; the thresholds are drawn first, under the measures' lines.
    lines = [(code.upper(), colour, dash, marker, values[code]) for code, colour, dash, marker in _CHART_SERIES]
    lines += [
        (f"{code.upper()} threshold", colour, _THRESHOLD_DASH, "", thresholds[code])
        for code, colour in _CHART_THRESHOLDS
    ]
    under: list[str] = []  # the thresholds
    over: list[str] = []  # the measures
    key: list[str] = []
    for row, (label, colour, dash, marker, line) in enumerate(lines):
        sample_y = key_y + row * 14
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        path = _polyline([(x, y(value) if value is not None else None) for x, value in zip(xs, line, strict=True)])
        drawing = (
            f'<path d="{path}M{_n(key_x)} {_n(sample_y)}h18" fill="none" stroke="{colour}" stroke-width="1.5"{dashes}/>'
        )
        if marker:
            shapes = "".join(
                _marker(marker, x, y(value)) for x, value in zip(xs, line, strict=True) if value is not None
            )
            drawing += f'<path d="{shapes}{_marker(marker, key_x + 9, sample_y)}" fill="{colour}"/>'
        (over if marker else under).append(drawing)
        key.append(f'<text x="{_n(key_x + 24)}" y="{_n(sample_y + 3)}">{label}</text>')
    parts += [*under, *over, '<g font-size="8">', *key, "</g></svg>"]
    return "".join(parts)


def _tick_step(top: float) -> int:
    """A round number of days between the value axis's labels (1, 2 or 5 times a power of ten): at most six labels
    from 0 to ``top`` or just above it."""
    if top <= 5:
        return 1
    power = 10 ** math.floor(math.log10(top / 5))
    return next(multiple * power for multiple in (1, 2, 5, 10) if top / 5 <= multiple * power)


def _polyline(points: list[tuple[float, float | None]]) -> str:
    """An SVG path through ``points``, lifted over those with no value."""
    path, drawing = [], False
    for x, y in points:
        if y is None:
            drawing = False
            continue
        path.append(f"{'L' if drawing else 'M'}{_n(x)} {_n(y)}")
        drawing = True
    return "".join(path)


def _marker(shape: str, x: float, y: float) -> str:
    """A 6-point circle, square or triangle centred on (``x``, ``y``), as a closed subpath."""
    if shape == "circle":
        return f"M{_n(x - 3)} {_n(y)}a3 3 0 1 0 6 0a3 3 0 1 0 -6 0z"
    if shape == "square":
        return f"M{_n(x - 3)} {_n(y - 3)}h6v6h-6z"
    return f"M{_n(x)} {_n(y - 3)}l3 6h-6z"


def _n(value: float) -> str:
    """A coordinate to a hundredth of a point, without trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _days_or_nan(result: MeasureResult) -> float:
    return float(result.days) if result.days is not None else float("nan")


def _threshold_or_nan(result: MeasureResult) -> float:
    return float(result.threshold_days) if result.threshold_days is not None else float("nan")


def worst_measure(card: PdfScorecard) -> MeasureResult | None:
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
    """The ``CHILDREN_LISTED`` children the figure counts who waited longest, longest first: references and days
    only, no names (``result.children`` says how many it counts in all).

    The children are those of ``la_ids`` already (their adoption dates are their responsible LA's); saying so of the
    children themselves too lets PostgreSQL read only those LAs' children, by their index, instead of every child in
    the country to join them with the few hundred it counts."""
    children = measures.measure_children(result.measure, la_ids=la_ids, period_end=period_end)
    return list(
        children.filter(responsible_la_id__in=la_ids).values(
            "la_child_id", "child_903_id", "responsible_la__name", "days"
        )[:CHILDREN_LISTED]
    )


def scorecard_pdf_build(job: Job) -> jobs.JobOutput:
    """The job's work: the scorecard of the chosen area and period, rendered as a PDF/UA document."""
    la_ids = frozenset(int(pk) for pk in job.params["la_ids"])
    agency_ids = frozenset(int(pk) for pk in job.params["agency_ids"])
    period_end = date.fromisoformat(job.params["period_end"])
    card = pdf_scorecard(la_ids=la_ids, period_end=period_end, agency_ids=agency_ids)
    points = card.trend
    jobs.job_progress(job, 30)
    worst = worst_measure(card)
    children = children_behind(worst, la_ids=la_ids, period_end=period_end) if worst else []
    jobs.job_progress(job, 60)
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
            "chart_src": data_uri(pdf_chart_svg(points)),
            "chart_title": CHART_TITLE,
            "chart_x_label": CHART_X_LABEL,
            "chart_y_label": CHART_Y_LABEL,
            "worst": worst,
            "worst_over": _over(worst) if worst else None,
            "children": children,
            "children_more": worst.children - len(children) if worst else 0,
            "drilldown_title": FIGURES[worst.measure.lower()].title if worst else "",
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
