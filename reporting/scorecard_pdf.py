"""The adoption scorecard as a PDF: every measure against its threshold, the 3-year trend as a chart, and the
children who waited longest in the figure furthest over its threshold, by reference (never by name).

The PDF is a board paper about the measures, not the list of children: it names at most ``CHILDREN_LISTED`` of
them, says how many more the measure counts, and names the scorecard's drill-down page that lists them all.

The job's parameters hold the LAs (and approving agencies) already narrowed, when it was asked for, to what
whoever asked may see (``reporting.services.scorecard_pdf_request``); this only computes and renders.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from adoption import jobs
from adoption.models import Job
from reporting import measures
from reporting.charts import Chart, cached_svg, data_uri, styles_as_attributes
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
    (readable in the PDF); ``size`` in inches. Not ``titled``: the PDF's chart, without its title and axis labels,
    which the document gives as text beside it, and laid out at once (``_PDF_CHART_MARGINS``) with its key right of
    the plot, instead of matplotlib's measuring every label to fit them (``tight_layout``) and searching the plot
    for the place where the key hides least: half the time of its drawing, which every LA's PDF pays once."""
    years = [point.period_end.year for point in points]
    chart = Chart("scorecard", size, tight=titled)
    with chart as figure:
        axes = figure.add_subplot()
        for code, style in (("a1", "o-"), ("a10", "s--"), ("a2", "^-.")):
            values = [_days_or_nan(getattr(point, code)) for point in points]
            axes.plot(years, values, style, label=code.upper())
        for code, colour in (("a1", "#505a5f"), ("a2", "#b1b4b6")):
            thresholds = [_threshold_or_nan(getattr(point, code)) for point in points]
            axes.plot(years, thresholds, ":", color=colour, label=f"{code.upper()} threshold")
        axes.set_xticks(years, [str(year) for year in years])
        axes.set_ylim(bottom=0)
        if titled:
            axes.set_title(CHART_TITLE)
            axes.set_xlabel(CHART_X_LABEL)
            axes.set_ylabel(CHART_Y_LABEL)
            axes.legend(loc="best", fontsize=8)
        else:
            figure.subplots_adjust(**_PDF_CHART_MARGINS)
            axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0, fontsize=8)
        axes.grid(axis="y", alpha=0.3)
    return chart.svg


# The PDF's chart: a little shorter than the dashboard's, so that it fits on the first page under the tables, and
# untitled: its title and axis labels are the template's text above it (WeasyPrint lays out an SVG's text a letter
# at a time, the page's a line at a time).
PDF_CHART_SIZE = (6.5, 2.5)
# Where the plot sits in the PDF's chart, as fractions of its size: room on the left for a value axis label of five
# figures ("20000" days), under it for the years, and on the right for the key.
_PDF_CHART_MARGINS = {"left": 0.085, "right": 0.8, "bottom": 0.11, "top": 0.96}
# Part of its cache key: change it with the drawing.
PDF_CHART_DRAWING = ("pdf_chart_svg", 2, PDF_CHART_SIZE, "untitled", "key on the right")
# The PDF's own fonts (the template's ``body``), for the chart's text too: one font family fewer to embed.
PDF_FONT_FAMILY = '"Liberation Sans", "DejaVu Sans", Arial, sans-serif'
_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
_REFERENCE = re.compile(r"#([\w.-]+)")
_IDENTITY_ROTATION = re.compile(r"rotate\(-?0(?: [\d.-]+ [\d.-]+)?\)")


def pdf_chart_svg(svg: str) -> str:
    """matplotlib's SVG made cheap for WeasyPrint to draw, drawing the same: no metadata; each ``style`` attribute's
    declarations as presentation attributes (WeasyPrint parses every ``style`` as a stylesheet, node by node) and
    matplotlib's one stylesheet rule on the root; the PDF's font on the root instead of a list of fonts on each
    text; the groups matplotlib names each artist with (no attribute but an ``id``) dissolved into their
    parents, so WeasyPrint does not save and restore the graphics state around each of them; no identity
    transform on each label (``rotate(-0 x y)``); and no white background under the figure and the plot, nor empty
    definitions, which draw nothing on the PDF's white page."""
    ET.register_namespace("", _SVG)
    ET.register_namespace("xlink", _XLINK)
    root = ET.fromstring(svg.encode())  # noqa: S314 (matplotlib's own output, not outside input)
    styles_as_attributes(root)
    root.attrib.update({"stroke-linejoin": "round", "stroke-linecap": "butt", "font-family": PDF_FONT_FAMILY})
    _prune(root)
    for element in root.iter():
        if _IDENTITY_ROTATION.fullmatch(element.get("transform", "")):
            del element.attrib["transform"]
    referenced = set(_REFERENCE.findall(ET.tostring(root, encoding="unicode")))
    for element in root.iter():
        if element.get("id") not in referenced:
            element.attrib.pop("id", None)
    return ET.tostring(root, encoding="unicode")


def _draws_nothing(element: ET.Element) -> bool:
    """A white fill with no stroke (matplotlib's figure and plot backgrounds), on the PDF's white page."""
    return (
        element.tag == f"{{{_SVG}}}path"
        and element.get("fill") == "#ffffff"
        and element.get("stroke") in (None, "none")
        and "clip-path" not in element.attrib
    )


def _prune(parent: ET.Element) -> None:
    """``parent``'s descendants without what draws nothing: metadata, the stylesheet (already attributes), white
    backgrounds and empty definitions; and matplotlib's naming groups dissolved into their parents."""
    kept: list[ET.Element] = []
    for child in parent:
        if child.tag in (f"{{{_SVG}}}metadata", f"{{{_SVG}}}style") or _draws_nothing(child):
            continue
        _prune(child)
        if child.tag == f"{{{_SVG}}}defs" and not len(child):
            continue
        if child.tag == f"{{{_SVG}}}g" and set(child.attrib) <= {"id"}:
            kept.extend(child)
        else:
            kept.append(child)
    parent[:] = kept


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
    # Drawn once for the figures it shows (some 35 ms), then taken from the cache: never stale, as its key is those
    # figures (and the way it is drawn for the PDF).
    chart = cached_svg(
        chart_id="scorecard-pdf",
        title=CHART_TITLE,
        data=(PDF_CHART_DRAWING, trend_chart_data(points)),
        draw=lambda: pdf_chart_svg(trend_chart_svg(points, size=PDF_CHART_SIZE, titled=False)),
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
