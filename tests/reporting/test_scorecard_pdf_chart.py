"""The scorecard PDF's trend chart is drawn once for the figures it shows, and again for other figures."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

from django.core.cache import cache
from pypdf import PdfReader

from adoption.models import Job
from reporting import scorecard_pdf
from reporting.scorecard_pdf import CHART_TITLE
from reporting.services import scorecard_pdf_request

PERIOD_END = date(2026, 3, 31)


def _pdf(actor, area: str, capture) -> tuple[Job, str]:
    with capture(execute=True):
        job = scorecard_pdf_request(actor=actor, area=area, period_end=PERIOD_END)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    with job.file.open("rb") as handle:
        reader = PdfReader(BytesIO(handle.read()))
    return job, re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_chart_is_drawn_once_for_its_figures(
    children, manager_a, manager, raa, la_a, monkeypatch, django_capture_on_commit_callbacks
):
    cache.clear()
    drawn: list[tuple[object, ...]] = []
    draw = scorecard_pdf.trend_chart_svg
    monkeypatch.setattr(
        scorecard_pdf,
        "trend_chart_svg",
        lambda points, **options: drawn.append(scorecard_pdf.trend_chart_data(points)) or draw(points, **options),
    )

    _job, first = _pdf(manager_a, f"la-{la_a.pk}", django_capture_on_commit_callbacks)
    _job, second = _pdf(manager_a, f"la-{la_a.pk}", django_capture_on_commit_callbacks)
    assert len(drawn) == 1  # the second PDF of the same figures draws nothing
    assert second == first
    assert CHART_TITLE in second and "A1 threshold" in second  # and still shows the chart, its text as text
    assert drawn[0][-1] == (2026, 494, 494, 286, 426, 121)

    # The RAA's figures are others (LA B's child too): its chart is drawn for them.
    _job, region = _pdf(manager, f"raa-{raa.pk}", django_capture_on_commit_callbacks)
    assert len(drawn) == 2
    assert drawn[1] != drawn[0]
    assert CHART_TITLE in region


def test_the_pdf_chart_draws_what_matplotlib_drew_in_the_pdfs_font(children, la_a):
    from reporting.scorecard_pdf import PDF_CHART_SIZE, PDF_FONT_FAMILY, pdf_chart_svg, pdf_scorecard, trend_chart_svg

    card = pdf_scorecard(la_ids=frozenset({la_a.pk}), period_end=PERIOD_END, agency_ids=[])
    drawn = trend_chart_svg(card.trend, size=PDF_CHART_SIZE, titled=False)
    made = pdf_chart_svg(drawn)
    # Every line, marker and label matplotlib drew is still there, with the same text; only the white backgrounds
    # of the figure and the plot went (white on the white page), and the labels' identity rotations.
    for element in ("<use", "<text", "<clipPath"):
        assert made.count(element) == drawn.count(element), element
    white = re.findall(r'<path d="[^"]*" style="fill: #ffffff"/>', drawn)
    assert len(white) == 2 and made.count("<path") == drawn.count("<path") - 2
    assert "rotate(-0 " in drawn and "rotate(" not in made
    assert 'fill="#ffffff" opacity="0.8" stroke="#cccccc"' in made  # the key's box, which hides what is under it
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", made)
    assert labels == re.findall(r"<text[^>]*>([^<]*)</text>", drawn)
    assert {"2023", "2026", "A1", "A10", "A2", "A1 threshold", "A2 threshold"} <= set(labels)
    assert CHART_TITLE not in made  # given as the PDF's text above the chart instead
    # Styles as attributes, one font (the PDF's), no metadata; every marker still finds what it uses.
    assert "style=" not in made and "<metadata" not in made and "DejaVu Sans', 'Bitstream" not in made
    assert f'font-family="{PDF_FONT_FAMILY.replace(chr(34), "&quot;")}"' in made
    for used in re.findall(r'xlink:href="#([^"]+)"', made):
        assert f'id="{used}"' in made
