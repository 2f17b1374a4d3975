"""The scorecard PDF: its figures, chart and longest waits read back from the PDF, and who may ask for it."""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from pypdf import PdfReader

from adoption.models import Job, Role
from reporting.models import EnglandFigure
from reporting.scorecard_pdf import CHART_TITLE, CHART_X_LABEL, CHART_Y_LABEL, trend_period_ends
from reporting.services import scorecard_pdf_request
from tests import factories
from tests.pdf_checks import Block, tagged_pdf

PERIOD_END = date(2026, 3, 31)
PERIOD = {"period_end_day": "31", "period_end_month": "3", "period_end_year": "2026"}


def _pdf_text(job: Job) -> tuple[str, PdfReader]:
    with job.file.open("rb") as handle:
        reader = PdfReader(BytesIO(handle.read()))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text), reader


def _make(actor, area: str, capture) -> Job:
    with capture(execute=True):
        job = scorecard_pdf_request(actor=actor, area=area, period_end=PERIOD_END)
    job.refresh_from_db()
    return job


def test_the_trend_is_the_last_four_31_march_period_ends():
    assert trend_period_ends(PERIOD_END) == [date(2023, 3, 31), date(2024, 3, 31), date(2025, 3, 31), PERIOD_END]
    assert trend_period_ends(date(2026, 2, 1))[-1] == date(2025, 3, 31)


def test_the_pdf_shows_each_measure_the_chart_and_the_children_by_reference(
    children, manager_a, la_a, django_capture_on_commit_callbacks
):
    job = _make(manager_a, f"la-{la_a.pk}", django_capture_on_commit_callbacks)
    assert job.kind == Job.Kind.SCORECARD
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.file and job.file.name.endswith(".pdf")
    assert job.result["worst"] == "A2"
    text, reader = _pdf_text(job)
    assert reader.metadata.title == f"Adoption scorecard: {la_a.name}, 1 April 2023 to 31 March 2026"
    assert "3 years from 1 April 2023 to 31 March 2026" in text
    # Each measure's figure and threshold as the page shows them, and whether it is met.
    assert re.search(r"A1 Days from entering care .*? 494 days 426 days Not met 2 0", text), text
    assert re.search(r"A10 A1, ending for foster carer .*? 494 days 426 days Not met 2 0", text), text
    assert re.search(r"A2 Days from the placement order .*? 286 days 121 days Not met 2 0", text), text
    assert re.search(r"A3 Children who moved in .*? 50% \(1 of 2\) Cut-off 14 months 1 of 2 children 2 0", text), text
    # The chart was drawn with its text as text: title and axis labels are in the PDF's text.
    assert CHART_TITLE in text
    assert CHART_X_LABEL in text
    assert CHART_Y_LABEL in text
    assert "A1 threshold" in text and "A2 threshold" in text  # the chart's legend
    # The trend table: no adoptions in the 3 years to 31 March 2023; then one (387), then both (494).
    assert re.search(r"31 March 2023 No figure No figure No figure No figure", text), text
    assert re.search(r"31 March 2024 387 days 387 days 214 days 100%", text), text
    assert re.search(r"31 March 2026 494 days 494 days 286 days", text), text
    # The children behind A2, 165 days over: by LA child ID and 903 ID, longest wait first, never by name. Both are
    # listed (the PDF lists up to 10), and the page that lists every child A2 counts is named.
    assert (
        "A2 is 165 days over its threshold of 121 days. It counts 2 children, listed below by reference, longest "
        "wait first." in text
    ), text
    assert re.search(r"ASH-0002 A903002 357 ASH-0001 A903001 214", text), text
    assert "more child" not in text
    assert (
        "Every child it counts, and every child it leaves out, is listed on the page “A2: days from the placement "
        "order to the match decision”, reached from the A2 figure on the “Adoption scorecard” page." in text
    ), text
    assert job.result["children_listed"] == 2
    for name in ("Zebedee", "Quartermain", "Philippa", "Wolstenholme"):
        assert name not in text
    # Another LA's child is not in LA A's scorecard.
    assert "BRK-0001" not in text and "Ottoline" not in text


def test_the_pdf_is_tagged_titled_and_in_english(children, manager_a, la_a, django_capture_on_commit_callbacks):
    job = _make(manager_a, f"la-{la_a.pk}", django_capture_on_commit_callbacks)
    with job.file.open("rb") as handle:
        pdf = tagged_pdf(handle.read())
    assert pdf.title == f"Adoption scorecard: {la_a.name}, 1 April 2023 to 31 March 2026"
    assert pdf.headings == [
        f"Adoption scorecard: {la_a.name}",
        "Adopters",
        "The trend over the last four years",
        "The children who waited longest in the figure furthest over its threshold",
    ]
    # The chart is a figure with its alternative text; its title and axes are read out as text before it.
    figures = [block for block in pdf.blocks if block.role == "/Figure"]
    assert [figure.text for figure in figures] == [f"{CHART_TITLE}: a line chart of the figures in the table below."]
    before_chart = pdf.blocks[pdf.blocks.index(figures[0]) - 1]
    assert before_chart == Block("/P", f"{CHART_TITLE} {CHART_Y_LABEL}, by the {CHART_X_LABEL}")
    assert {"/TH", "/TD", "/Caption"} <= pdf.roles()


def test_the_pdf_lists_the_ten_longest_waits_and_says_how_many_more_and_where(
    client, manager_a, la_a, django_capture_on_commit_callbacks
):
    # 13 LA A adoptions: waits of 500, 520, ... 740 days. A2 (about two thirds of the wait, less 44 days: see
    # factories.adopted_child) is the furthest over its threshold, and is longest for the longest waits.
    for number in range(13):
        entered = date(2022, 1, 3) + timedelta(days=7 * number)
        factories.adopted_child(
            la_a,
            entered_care=entered,
            moved_in=entered + timedelta(days=500 + 20 * number),
            la_child_id=f"ASH-{100 + number}",
            child_903_id=f"A903{100 + number}",
        )
    job = _make(manager_a, f"la-{la_a.pk}", django_capture_on_commit_callbacks)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["worst"] == "A2"
    assert job.result["children_listed"] == 10
    text, reader = _pdf_text(job)
    over = r"A2 is [0-9,]+ days over its threshold of 121 days\. "
    listed_below = r"It counts 13 children; the 10 who waited longest are listed below by reference, longest wait"
    assert re.search(over + listed_below, text), text
    assert "Children counted in A2: the 10 longest waits" in text
    # The ten longest waits, longest first; not the three shortest.
    listed = re.findall(r"ASH-(1[0-9]{2}) A903", text)
    assert listed == [str(number) for number in range(112, 102, -1)], text
    for shortest in ("ASH-100", "ASH-101", "ASH-102"):
        assert shortest not in text
    title = "A2: days from the placement order to the match decision"
    assert (
        f"A2 counts 3 more children than this table lists. Every child it counts, and every child it leaves out, is "
        f"listed on the page “{title}”, reached from the A2 figure on the “Adoption scorecard” page." in text
    ), text
    assert len(reader.pages) == 2  # a board paper, not a list: the measures, the trend and ten children

    # That page is there, under that title, from the A2 figure of the scorecard, and lists all 13.
    client.force_login(manager_a)
    scorecard_page = client.get("/reports/scorecard/", {"area": f"la-{la_a.pk}", **PERIOD}).content.decode()
    assert 'href="/reports/scorecard/a2/?' in scorecard_page
    drilldown = client.get("/reports/scorecard/a2/", {"area": f"la-{la_a.pk}", **PERIOD}).content.decode()
    assert f'<h1 class="govuk-heading-l">{title}</h1>' in drilldown
    assert all(f"ASH-{100 + number}" in drilldown for number in range(13))
    assert "13 children counted" in drilldown


def test_englands_figures_are_shown_beside_the_areas_when_configured(
    client, children, manager_a, la_a, django_capture_on_commit_callbacks
):
    # Configured for this period (A10 left out) and for another one, which must not show.
    for measure, value in (("A1", "476.5"), ("A2", "198"), ("A3", "41")):
        EnglandFigure.objects.create(measure=measure, period_end=PERIOD_END, value=value, source="Published")
    EnglandFigure.objects.create(measure="A10", period_end=date(2025, 3, 31), value="399", source="Published")

    job = _make(manager_a, f"la-{la_a.pk}", django_capture_on_commit_callbacks)
    text, _reader = _pdf_text(job)
    assert re.search(r"Threshold England Met", text), text
    assert re.search(r"A1 Days from entering care .*? 494 days 426 days 476.5 days Not met 2 0", text), text
    assert re.search(r"A10 A1, ending for foster carer .*? 494 days 426 days Not set Not met 2 0", text), text
    assert re.search(r"A2 Days from the placement order .*? 286 days 121 days 198 days Not met 2 0", text), text
    assert re.search(r"A3 Children who moved in .*? Cut-off 14 months 41% 1 of 2 children", text), text
    assert job.result["england"] == {"A1": "476.5", "A2": "198.0", "A3": "41.0"}

    client.force_login(manager_a)
    page = client.get("/reports/scorecard/", {"area": f"la-{la_a.pk}", **PERIOD}).content.decode()
    cells = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "England" in cells
    assert re.search(r"426 days 476.5 days Not met", cells), cells
    assert re.search(r"Cut-off 14 months 41% 1 of 2 children", cells), cells

    # For a period with no England figure the column is not there.
    other = client.get(
        "/reports/scorecard/",
        {"area": f"la-{la_a.pk}", "period_end_day": "31", "period_end_month": "3", "period_end_year": "2024"},
    )
    assert ">England<" not in other.content.decode()


def test_an_raa_manager_gets_the_raas_scorecard_with_each_childs_la(
    children, manager, raa, la_a, la_b, django_capture_on_commit_callbacks
):
    job = _make(manager, f"raa-{raa.pk}", django_capture_on_commit_callbacks)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.organisation == raa
    text, _reader = _pdf_text(job)
    assert f"Adoption scorecard: {raa.name}: 2 local authorities" in text
    assert "369 days" in text  # A1: (387 + 601 + 120) / 3
    assert "Approved families waiting to be matched" in text  # the RAA's adopter measures
    assert f"{la_b.name} BRK-0001 B903001" in text
    assert f"{la_a.name} ASH-0002 A903002" in text
    assert "Ottoline" not in text and "Brackenbury" not in text


def test_an_la_manager_cannot_ask_for_another_las_scorecard(children, manager_a, la_b, raa):
    for area in (f"la-{la_b.pk}", f"raa-{raa.pk}", "all", "nonsense"):
        with pytest.raises(Http404):
            scorecard_pdf_request(actor=manager_a, area=area, period_end=PERIOD_END)
    assert not Job.objects.exists()


def test_a_scorecard_over_several_las_shows_only_to_those_who_see_them_all(
    client, children, manager_a, la_a, la_other, django_capture_on_commit_callbacks
):
    # LA A's manager also manages Coastal City (of another RAA), so may ask for both LAs at once; the job is filed
    # under LA A, but another manager of LA A alone must not see Coastal City's figures and children in it.
    factories.MembershipFactory(user=manager_a, organisation=la_other, role=Role.MANAGER)
    colleague = factories.staff(la_a, Role.MANAGER, username="colleague.a")
    both = _make(manager_a, "all", django_capture_on_commit_callbacks)
    own_la = _make(colleague, f"la-{la_a.pk}", django_capture_on_commit_callbacks)
    assert both.status == own_la.status == Job.Status.SUCCEEDED
    assert both.organisation == la_a

    client.force_login(colleague)
    assert client.get(f"/jobs/{both.pk}/").status_code == 404
    assert client.get(f"/jobs/{both.pk}/download/").status_code == 404
    assert client.get(f"/jobs/{own_la.pk}/").status_code == 200

    client.force_login(manager_a)
    assert client.get(f"/jobs/{both.pk}/").status_code == 200


def test_a_social_worker_cannot_ask_for_the_scorecard(children, social_worker_a, la_a):
    with pytest.raises(PermissionDenied):
        scorecard_pdf_request(actor=social_worker_a, area=f"la-{la_a.pk}", period_end=PERIOD_END)
    assert not Job.objects.exists()


def test_the_button_makes_the_pdf_and_goes_to_the_jobs_page(
    client, children, manager_a, la_a, django_capture_on_commit_callbacks
):
    client.force_login(manager_a)
    page = client.get("/reports/scorecard/", {"area": f"la-{la_a.pk}", **PERIOD}).content.decode()
    assert "Make the scorecard PDF" in page
    assert 'action="/reports/scorecard/pdf/request/"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/scorecard/pdf/request/", {"area": f"la-{la_a.pk}", **PERIOD})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    job_page = client.get(response["Location"]).content.decode()
    assert "Adoption scorecard (PDF)" in job_page
    assert f'href="/jobs/{job.pk}/download/"' in job_page
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_button_refuses_other_las_and_roles(client, children, manager_a, social_worker_a, la_b):
    client.force_login(manager_a)
    response = client.post("/reports/scorecard/pdf/request/", {"area": f"la-{la_b.pk}", **PERIOD})
    assert response.status_code == 400
    assert "Choose local authorities from the list" in response.content.decode()
    future = client.post(
        "/reports/scorecard/pdf/request/",
        {"area": "", "period_end_day": "31", "period_end_month": "3", "period_end_year": "2099"},
    )
    assert future.status_code == 400
    assert "The end of the period must be today or in the past" in future.content.decode()
    client.force_login(social_worker_a)
    assert client.post("/reports/scorecard/pdf/request/", PERIOD).status_code == 403
    assert client.get("/reports/scorecard/pdf/request/").status_code == 405
    assert not Job.objects.exists()
