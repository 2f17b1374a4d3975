"""Scorecard measure A1 and its PDF job, checked against a hand-built fixture."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from adoption.models import Job
from reporting.measures import a1, three_year_period
from reporting.services import a1_report_request
from tests import factories
from tests.pdf_checks import tagged_pdf

PERIOD_END = date(2026, 3, 31)


@pytest.fixture
def adoptions(la_a, la_b):
    """Three LA A adoptions in the period (412, 530 and 601 days), one outside it, one in LA B."""
    factories.adopted_child(
        la_a, entered_care=date(2022, 1, 10), moved_in=date(2023, 2, 26), adoption_order=date(2023, 9, 1)
    )
    factories.adopted_child(
        la_a, entered_care=date(2021, 6, 1), moved_in=date(2022, 11, 13), adoption_order=date(2023, 6, 1)
    )
    factories.adopted_child(
        la_a, entered_care=date(2022, 3, 1), moved_in=date(2023, 10, 23), adoption_order=date(2024, 5, 2)
    )
    # Adopted before the period began (1 April 2023): not counted.
    factories.adopted_child(
        la_a, entered_care=date(2019, 1, 1), moved_in=date(2020, 1, 1), adoption_order=date(2023, 3, 31)
    )
    # Another LA: not counted for LA A.
    factories.adopted_child(
        la_b, entered_care=date(2022, 1, 1), moved_in=date(2022, 2, 1), adoption_order=date(2023, 5, 1)
    )


def test_three_year_period_runs_to_the_chosen_day():
    assert three_year_period(PERIOD_END) == (date(2023, 4, 1), date(2026, 3, 31))


def test_a1_is_the_mean_days_from_entering_care_to_moving_in(adoptions, la_a):
    expected = Decimal(412 + 530 + 601) / 3  # 514.33...
    result = a1(la_ids={la_a.pk}, period_end=PERIOD_END)
    assert result.children == 3
    assert result.excluded == 0
    assert result.mean_days.quantize(Decimal("0.01")) == expected.quantize(Decimal("0.01"))
    assert result.days == 514
    assert result.threshold_days == 426
    assert result.meets_threshold is False


def test_a1_with_no_adoptions_has_no_figure(la_a):
    result = a1(la_ids={la_a.pk}, period_end=PERIOD_END)
    assert result.children == 0
    assert result.days is None


def test_a1_pdf_job_contains_the_figure(adoptions, la_a, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = a1_report_request(actor=manager, la_id=la_a.pk, period_end=PERIOD_END)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["days"] == 514
    with job.file.open("rb") as handle:
        pdf = tagged_pdf(handle.read())
    reader = pdf.reader
    # Tagged, in English, titled; a screen reader hears the heading, the period, the measure and its figure,
    # then the working as a table whose header cells are tagged as such.
    assert [block.text for block in pdf.blocks[:4]] == [
        f"A1 adoption scorecard: {la_a.name}",
        "Children adopted from 1 April 2023 to 31 March 2026",
        "Average days from entering care to moving in with the adoptive family",
        "514 days",
    ]
    assert [(b.role, b.text) for b in pdf.blocks[4:7]] == [
        ("/Caption", "How the figure was worked out"),
        ("/TH", "Children adopted and counted"),
        ("/TD", "3"),
    ]
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "514 days" in text
    assert la_a.name in text
    assert reader.metadata.title.startswith(f"A1 adoption scorecard: {la_a.name}")
