"""On the demo region, the demo RAA's manager opens the reports' dashboard and the scorecard in Chromium, makes the
scorecard PDF, follows the job to the end on its page, downloads the PDF and finds in it the figures the scorecard
page showed.

The demo is loaded by the test itself (``manage.py load_demo``, as ``tests/test_demo.py`` loads it): browser tests
run in real transactions and the database is flushed after each one, so a module-wide load would not outlive the
first test; this module has one.

With a broker (``REDIS_URL``, as in CI) the job runs on a real Celery worker, started only once the job's page has
shown it waiting in the queue, so the page is seen to move from queued to finished as it checks for progress.
Without one, tasks run eagerly and the job has finished by the time the button's redirect lands on its page; the
page is still read as a person would, waiting for it to say so.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from adoption.demo import DEMO_PASSWORD
from adoption.models import Job, User
from tests.browser.forms import fill_date
from tests.workers import REDIS_URL, celery_worker, publishing_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The demo as at 31 March 2026, and its scorecard of the 3 years to that day (not today's: the test pins it).
REFERENCE = date(2026, 3, 31)
SEED = 2026
JOB_TIMEOUT_MS = 120_000  # the PDF (a chart and WeasyPrint) takes a few seconds on a busy machine


def _cell(page: Page, row_id: str, column: int) -> str:
    """The text of a cell of a scorecard row (``column`` counts the cells after the row's heading, from 0)."""
    return " ".join(page.locator(f"#{row_id} td").nth(column).inner_text().split())


@contextmanager
def _make_the_pdf(page: Page, act, settings, tmp_path) -> Iterator[None]:
    """Press the button and land on the job's page; with a broker, the job waits there, queued, until a worker
    starts on its queue (in the block), and the page then follows it to the end."""
    if not REDIS_URL:
        act.click(page.get_by_role("button", name="Make the scorecard PDF"))
        page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))
        yield
        return
    queue = f"test-browser-{uuid.uuid4().hex[:12]}"
    with publishing_to(queue):
        act.click(page.get_by_role("button", name="Make the scorecard PDF"))
        page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))
        summary = page.locator(".govuk-summary-list")
        expect(summary).to_contain_text("Queued")
        expect(page.get_by_label("Progress")).to_be_visible()
        expect(page.get_by_text("This page checks for progress every few seconds.")).to_be_visible()
        with celery_worker(settings, tmp_path, queue=queue):
            yield


def test_a_manager_makes_the_scorecard_pdf_and_finds_the_pages_figures_in_it(
    page: Page, act, sign_in, settings, tmp_path
):
    call_command("load_demo", seed=SEED, reference_date=REFERENCE, stdout=StringIO())
    manager = User.objects.get(username="manager")
    sign_in(manager, DEMO_PASSWORD, act=act)

    # The navigation's Reports entry opens the dashboard; its charts draw without breaking the page's policy.
    act.click(page.get_by_role("link", name="Reports", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports dashboard")
    fill_date(page, "End of the quarter", REFERENCE, act)
    act.click(page.get_by_role("button", name="Show the dashboard"))
    expect(page.get_by_text("Q4 2025-26 (January to March 2026)")).to_be_visible()
    expect(page.get_by_role("img", name="The children's and adopters' pipelines in the quarter")).to_be_visible()
    dashboard_a1 = _cell(page, "measure-a1", 0)

    # The whole scorecard of the same area and period, from the dashboard's link.
    act.click(page.get_by_role("link", name=re.compile("See the whole scorecard")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Adoption scorecard")
    expect(page.get_by_text("3 years from 1 April 2023 to 31 March 2026")).to_be_visible()
    area = page.get_by_label("Local authorities").locator("option:checked").inner_text()
    shown = {code: _cell(page, f"measure-{code.lower()}", 0) for code in ("A1", "A10", "A2", "A3")}
    thresholds = {code: _cell(page, f"measure-{code.lower()}", 1) for code in ("A1", "A10", "A2")}
    assert shown["A1"] == dashboard_a1
    for code in ("A1", "A10", "A2"):
        assert re.fullmatch(r"[\d,]+ days \(" + code + r"\)", shown[code]), shown
    assert re.fullmatch(r"\d+% \(A3\) \(\d+ of \d+\)", shown["A3"]), shown

    # Make the PDF, and follow the job on its page until it has finished.
    with _make_the_pdf(page, act, settings, tmp_path):
        expect(page.get_by_role("heading", level=1)).to_have_text("Adoption scorecard (PDF)")
        expect(page.locator(".govuk-summary-list")).to_contain_text("Finished", timeout=JOB_TIMEOUT_MS)
    job = Job.objects.get(pk=page.url.rstrip("/").rsplit("/", 1)[-1])
    assert job.status == Job.Status.SUCCEEDED and job.requested_by == manager

    with page.expect_download() as download_info:
        act.click(page.get_by_role("link", name=re.compile("^Download")))
    download = download_info.value
    # The file is named by the area and period end (storage may add a suffix to keep names apart).
    assert re.fullmatch(r"scorecard-raa-\d+-2026-03-31(_\w+)?\.pdf", download.suggested_filename)
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    text = " ".join("".join(p.extract_text() for p in reader.pages).split())

    # The PDF has the figures the page showed: each measure with its threshold, the area and the period.
    assert f"Adoption scorecard: {area}" in text
    assert "3 years from 1 April 2023 to 31 March 2026" in text
    for code in ("A1", "A10", "A2"):
        figure = shown[code].removesuffix(f" ({code})")  # "568 days (A1)" on the page
        assert re.fullmatch(r"[\d,]+ days", thresholds[code]), thresholds
        assert f"{figure} {thresholds[code]}" in text, (code, figure, thresholds[code])
    a3_percent, a3_of = re.fullmatch(r"(\d+%) \(A3\) (\(\d+ of \d+\))", shown["A3"]).groups()
    assert f"{a3_percent} {a3_of}" in text
