"""The list of report runs: every report asked for or made by the schedule, its status, progress and file."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from adoption.models import Job, Role
from reporting.schedule import quarter_reports_schedule
from tests import factories

URL = "/reports/runs/"


def _job(organisation, kind, *, status=Job.Status.SUCCEEDED, by=None, label="", **fields) -> Job:
    now = timezone.now()
    job = Job.objects.create(
        kind=kind,
        organisation=organisation,
        requested_by=by,
        status=status,
        params={"label": label} if label else {},
        started_at=now if status != Job.Status.QUEUED else None,
        finished_at=now if status in (Job.Status.SUCCEEDED, Job.Status.FAILED) else None,
        **fields,
    )
    if status == Job.Status.SUCCEEDED:
        job.file.save(f"{kind}.pdf", ContentFile(b"%PDF-1.7"), save=True)
    return job


def _rows(page: str) -> list[str]:
    """Each row of the table as its text, in order."""
    body = page.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("</tr>")[:-1]]


@pytest.fixture
def runs(la_a, la_b, la_other, raa, manager, manager_a):
    """LA A's, LA B's, the RAA's and another RAA's LA's runs, oldest first."""
    return {
        "a_card": _job(la_a, Job.Kind.SCORECARD, by=manager_a, label="Ashby Borough"),
        "raa_board": _job(raa, Job.Kind.BOARD_REPORT, by=manager, status=Job.Status.RUNNING, progress=40),
        "b_pack": _job(la_b, Job.Kind.DATA_PACK, by=manager, status=Job.Status.FAILED, error="RuntimeError: boom"),
        "other": _job(la_other, Job.Kind.SCORECARD, label="Coastal City"),
        "a_import": _job(la_a, Job.Kind.SSDA903_IMPORT, by=manager_a),  # not a report
    }


def test_an_la_manager_sees_their_las_report_runs_only(client, runs, manager_a):
    client.force_login(manager_a)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 report" in page
    [row] = _rows(page)
    assert row.startswith("Adoption scorecard (PDF): Ashby Borough Ashby Borough")
    assert "Finished" in row and "Download" in row
    assert "Coastal City" not in page and "Brookfield" not in page
    assert f'href="/jobs/{runs["a_card"].pk}/download/"' in page


def test_an_raa_manager_sees_every_run_of_its_las_newest_first_with_status_and_progress(client, runs, manager):
    client.force_login(manager)
    page = client.get(URL).content.decode()
    rows = _rows(page)
    assert len(rows) == 3
    assert (
        rows[0].startswith("Regional data pack Brookfield County") and "Failed" in rows[0] and "\u2013" in rows[0]
    )  # no file
    assert rows[1].startswith("RAA executive board quarterly report Heartlands Adoption")
    assert "Running 40%" in rows[1]
    assert rows[2].startswith("Adoption scorecard (PDF): Ashby Borough")
    assert "Coastal City" not in page


def test_runs_filter_by_report_status_and_how_they_were_made(
    client, runs, manager, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_DAYS_AFTER_QUARTER_END = 7
    with django_capture_on_commit_callbacks(execute=False):  # made and left queued
        quarter_reports_schedule(date(2026, 10, 7))

    client.force_login(manager)
    scheduled = _rows(client.get(URL, {"origin": "scheduled"}).content.decode())
    assert len(scheduled) == 6  # a return and a scorecard each for the RAA and its two LAs
    assert all("by the quarterly schedule" in row and "Queued" in row for row in scheduled)

    asked = _rows(client.get(URL, {"origin": "asked"}).content.decode())
    assert len(asked) == 3

    failed = _rows(client.get(URL, {"status": "failed"}).content.decode())
    assert len(failed) == 1 and failed[0].startswith("Regional data pack")

    cards = _rows(client.get(URL, {"kind": "scorecard", "origin": "asked"}).content.decode())
    assert len(cards) == 1 and cards[0].startswith("Adoption scorecard (PDF): Ashby Borough")

    nothing = client.get(URL, {"kind": "board_report", "status": "queued"}).content.decode()
    assert "No report made yet that matches these choices." in nothing


def test_a_choice_not_in_the_lists_is_an_error_that_keeps_the_others(client, runs, manager):
    client.force_login(manager)
    response = client.get(URL, {"kind": "ssda903_import", "status": "failed"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "Choose a report from the list" in page
    assert '<option value="failed" selected>' in page
    assert "govuk-table__body" not in page  # no runs shown for a choice that is not valid


def test_runs_are_paged(client, la_a, manager_a):
    for _ in range(53):
        _job(la_a, Job.Kind.A1_REPORT, by=manager_a)
    client.force_login(manager_a)
    first = client.get(URL, {"kind": "a1_report"}).content.decode()
    assert "53 reports, page 1 of 2" in first and len(_rows(first)) == 50
    assert 'href="?kind=a1_report&amp;page=2"' in first
    second = client.get(URL, {"kind": "a1_report", "page": 2}).content.decode()
    assert len(_rows(second)) == 3


def test_with_no_runs_the_page_says_so(client, la_a, manager_a):
    client.force_login(manager_a)
    assert "No report made yet." in client.get(URL).content.decode()


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.FAMILY_FINDER, Role.SUPPORT_SOCIAL_WORKER])
def test_other_roles_are_refused(client, runs, la_a, role):
    client.force_login(factories.staff(la_a, role, username=f"someone.{role}"))
    assert client.get(URL).status_code == 403
