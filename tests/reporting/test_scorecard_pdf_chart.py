"""The scorecard PDF's trend chart: each measure's line and each threshold drawn at its figures, with its key and axis
labels as text in the PDF's font."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from io import BytesIO

from pypdf import PdfReader

from adoption.models import Job
from reporting.measures import MeasureResult
from reporting.scorecard_pdf import CHART_TITLE, PDF_FONT_FAMILY, TrendPoint, pdf_chart_svg, pdf_scorecard
from reporting.services import scorecard_pdf_request

PERIOD_END = date(2026, 3, 31)
SVG = "{http://www.w3.org/2000/svg}"


def _pdf(actor, area: str, capture) -> str:
    with capture(execute=True):
        job = scorecard_pdf_request(actor=actor, area=area, period_end=PERIOD_END)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    with job.file.open("rb") as handle:
        reader = PdfReader(BytesIO(handle.read()))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _chart(svg: str) -> tuple[list[str], dict[str, float], dict[str, list[tuple[float, float]]]]:
    """The chart's labels in order; the height of each of the value axis's labels; and each stroked line's points by
    its colour (its key's sample, the line's last subpath, left out)."""
    root = ET.fromstring(svg)  # noqa: S314 (the product's own drawing)
    labels = [text.text or "" for text in root.iter(f"{SVG}text")]
    value_axis = next(group for group in root.iter(f"{SVG}g") if group.get("text-anchor") == "end")
    heights = {text.text or "": float(text.get("y", "")) for text in value_axis}
    lines: dict[str, list[tuple[float, float]]] = {}
    for path in root.iter(f"{SVG}path"):
        if path.get("fill") == "none" and path.get("stroke-width") == "1.5":  # not the grid, axes or markers
            drawn = path.get("d", "").split("M")[1:-1]
            lines[path.get("stroke", "")] = [
                (float(x), float(y)) for part in drawn for x, y in (point.split() for point in part.split("L"))
            ]
    return labels, heights, lines


def test_the_pdf_chart_draws_each_line_at_its_figures_with_its_text_as_text(children, la_a):
    card = pdf_scorecard(la_ids=frozenset({la_a.pk}), period_end=PERIOD_END, agency_ids=[])
    svg = pdf_chart_svg(card.trend)
    labels, heights, lines = _chart(svg)

    # The years under the plot, then the key: every line named as text (readable in the PDF's text).
    assert labels[-9:] == ["2023", "2024", "2025", "2026", "A1", "A10", "A2", "A1 threshold", "A2 threshold"]
    assert CHART_TITLE not in svg  # given as the PDF's text above the chart instead
    assert f'font-family="{PDF_FONT_FAMILY.replace(chr(34), "&quot;")}"' in svg and "style=" not in svg

    # Each line at its figures: heights read back through the value axis's labels (0 at the bottom).
    top_label = max(heights, key=lambda label: int(label.replace(",", "")))
    assert next(iter(heights)) == "0" and heights["0"] > heights[top_label]
    days_per_point = int(top_label.replace(",", "")) / (heights["0"] - heights[top_label])

    def days(colour: str) -> list[int]:
        # A label's baseline is 3.2 points under the height it labels.
        return [round((heights["0"] - 3.2 - y) * days_per_point) for _x, y in lines[colour]]

    a1, a10, a2, a1_threshold, a2_threshold = "#1f77b4", "#ff7f0e", "#2ca02c", "#505a5f", "#b1b4b6"
    assert card.trend[-1].a1.days == 494 and card.trend[-1].a2.days == 286
    for colour, code in ((a1, "a1"), (a10, "a10"), (a2, "a2")):
        figures = [getattr(point, code).days for point in card.trend]
        # A period with no figure (the first) is a gap in the line, not a point at 0.
        assert days(colour) == [figure for figure in figures if figure is not None], code
        assert figures[0] is None and len(lines[colour]) == 3
    assert days(a1_threshold)[-1] == 426
    assert days(a2_threshold)[-1] == 121
    # The lines run left to right, a year apart.
    xs = [x for x, _y in lines[a1]]
    assert xs == sorted(xs) and len({round(b - a, 1) for a, b in itertools.pairwise(xs)}) == 1


def test_the_chart_shows_the_figures_of_the_area_asked_for(
    children, manager_a, manager, raa, la_a, django_capture_on_commit_callbacks
):
    la = pdf_scorecard(la_ids=frozenset({la_a.pk}), period_end=PERIOD_END, agency_ids=[])
    assert pdf_chart_svg(la.trend) == pdf_chart_svg(la.trend)  # the same figures, the same drawing

    text = _pdf(manager_a, f"la-{la_a.pk}", django_capture_on_commit_callbacks)
    assert CHART_TITLE in text and "A1 threshold" in text and "A2 threshold" in text  # the chart, its text as text

    # The RAA's figures are others (LA B's child too): its chart draws them.
    region_las = frozenset(raa.member_las.values_list("pk", flat=True))
    region = pdf_scorecard(la_ids=region_las, period_end=PERIOD_END, agency_ids=[])
    assert pdf_chart_svg(region.trend) != pdf_chart_svg(la.trend)
    assert CHART_TITLE in _pdf(manager, f"raa-{raa.pk}", django_capture_on_commit_callbacks)


def _point(year: int, days: int | None, threshold: int | None) -> TrendPoint:
    end = date(year, 3, 31)
    result = MeasureResult(
        measure="A1",
        period_start=date(year - 3, 4, 1),
        period_end=end,
        children=0 if days is None else 1,
        excluded=0,
        mean_days=None if days is None else Decimal(days),
        threshold_days=threshold,
    )
    return TrendPoint(period_end=end, a1=result, a10=result, a2=result, a3_percent=None)


def test_a_chart_with_no_figures_draws_its_axes_and_key():
    svg = pdf_chart_svg([_point(year, None, None) for year in (2023, 2024, 2025, 2026)])
    labels, heights, lines = _chart(svg)
    assert labels[-9:] == ["2023", "2024", "2025", "2026", "A1", "A10", "A2", "A1 threshold", "A2 threshold"]
    assert "0" in heights
    assert all(points == [] for points in lines.values())  # no line, not a line at 0


def test_the_value_axis_labels_large_figures_with_round_numbers():
    svg = pdf_chart_svg([_point(2023, 1480, 426), _point(2024, 2210, 426)])
    labels, heights, lines = _chart(svg)
    assert list(heights) == ["0", "500", "1,000", "1,500", "2,000", "2,500"]
    assert labels[-7:-5] == ["2023", "2024"]
    top = (heights["0"] - heights["2,500"]) / 2500
    assert [round((heights["0"] - 3.2 - y) / top) for _x, y in lines["#1f77b4"]] == [1480, 2210]
