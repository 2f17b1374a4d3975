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
        lambda points: drawn.append(scorecard_pdf.trend_chart_data(points)) or draw(points),
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
