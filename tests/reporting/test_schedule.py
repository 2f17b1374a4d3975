"""Reports made after each quarter end by Celery beat, and jobs tried again with a growing pause when they fail."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from celery.schedules import crontab
from django.conf import settings
from pypdf import PdfReader

from adoption.celery import app as celery_app
from adoption.models import AuditEvent, Job
from reporting import scorecard_pdf, tasks
from reporting.models import QuarterlyReturn
from reporting.schedule import quarter_reports_schedule
from reporting.services import quarterly_return_request
from tests import factories

# Quarter 2 of 2026-27 ends on 30 September 2026; its reports are due 7 days later.
DUE = date(2026, 10, 7)


@pytest.fixture(autouse=True)
def _seven_days(settings):
    settings.REPORTS_DAYS_AFTER_QUARTER_END = 7


@pytest.fixture
def in_service(raa, la_a, la_b, la_other):
    """Two RAAs in service (with their LAs) and an LA of the reference list that does not use the product."""
    idle = factories.LaFactory(name="Not Yet Using It", raa=None)
    return {"raa": raa, "la_a": la_a, "la_b": la_b, "la_other": la_other, "coast": la_other.raa, "idle": idle}


def _made(capture, today: date) -> list[Job]:
    with capture(execute=False):
        return quarter_reports_schedule(today)


def test_nothing_is_made_before_the_day_after_the_quarter_end(in_service, django_capture_on_commit_callbacks):
    assert _made(django_capture_on_commit_callbacks, date(2026, 10, 6)) == []
    assert not Job.objects.exists()


def test_on_the_day_every_raa_and_la_in_service_gets_its_return_and_scorecard_once(
    in_service, django_capture_on_commit_callbacks
):
    made = _made(django_capture_on_commit_callbacks, DUE)

    orgs = in_service
    expected = {
        (kind, orgs[name].pk)
        for name in ("raa", "la_a", "la_b", "la_other", "coast")
        for kind in (Job.Kind.QUARTERLY_RETURN, Job.Kind.SCORECARD)
    }
    assert {(job.kind, job.organisation_id) for job in made} == expected
    assert len(made) == 10
    assert all(job.requested_by is None and job.status == Job.Status.QUEUED for job in made)

    raa_return = next(j for j in made if j.kind == Job.Kind.QUARTERLY_RETURN and j.organisation == orgs["raa"])
    assert raa_return.params == {
        "organisation_id": orgs["raa"].pk,
        "year": 2026,
        "quarter": 2,
        "period_start": "2026-07-01",
        "period_end": "2026-09-30",
        "scheduled": True,
    }
    raa_card = next(j for j in made if j.kind == Job.Kind.SCORECARD and j.organisation == orgs["raa"])
    assert raa_card.params["la_ids"] == sorted([orgs["la_a"].pk, orgs["la_b"].pk])
    assert raa_card.params["agency_ids"] == [orgs["raa"].pk]
    assert raa_card.params["period_end"] == "2026-09-30"
    la_card = next(j for j in made if j.kind == Job.Kind.SCORECARD and j.organisation == orgs["la_a"])
    assert (la_card.params["la_ids"], la_card.params["agency_ids"]) == ([orgs["la_a"].pk], [])
    assert AuditEvent.objects.filter(action=AuditEvent.Action.JOB_REQUESTED, actor__isnull=True).count() == 10

    # Beat fires again the next day, and twice the day after: nothing more is made.
    assert _made(django_capture_on_commit_callbacks, date(2026, 10, 8)) == []
    assert _made(django_capture_on_commit_callbacks, date(2026, 10, 9)) == []
    assert Job.objects.count() == 10

    # The next quarter's reports are made when they fall due.
    assert len(_made(django_capture_on_commit_callbacks, date(2027, 1, 7))) == 10
    assert Job.objects.count() == 20


def test_a_scheduled_return_is_kept_beside_one_asked_for_by_hand(
    in_service, manager, django_capture_on_commit_callbacks
):
    la_a = in_service["la_a"]
    factories.adopted_child(
        la_a, entered_care=date(2024, 1, 10), moved_in=date(2025, 3, 3), adoption_order=date(2026, 8, 20)
    )
    with django_capture_on_commit_callbacks(execute=True):
        quarter_reports_schedule(DUE)
    scheduled = QuarterlyReturn.objects.get(organisation=la_a)
    assert (scheduled.version, scheduled.generated_by, scheduled.summary["adoptions"]) == (1, None, 1)

    with django_capture_on_commit_callbacks(execute=True):
        quarterly_return_request(actor=manager, organisation_id=la_a.pk, year=2026, quarter=2)
    assert list(QuarterlyReturn.objects.filter(organisation=la_a).values_list("version", "generated_by")) == [
        (2, manager.pk),
        (1, None),
    ]

    # The schedule firing again neither replaces nor adds to them.
    with django_capture_on_commit_callbacks(execute=True):
        assert quarter_reports_schedule(date(2026, 10, 20)) == []
    assert QuarterlyReturn.objects.filter(organisation=la_a).count() == 2


def test_the_scheduled_scorecard_is_the_rAAs_pdf(in_service, client, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        quarter_reports_schedule(DUE)
    job = Job.objects.get(kind=Job.Kind.SCORECARD, organisation=in_service["raa"])
    assert job.status == Job.Status.SUCCEEDED
    with job.file.open("rb") as handle:
        text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(handle.read())).pages)
    assert "30 September 2026" in text
    assert f"{in_service['raa'].name}: 2 local authorities" in text

    client.force_login(manager)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "by the quarterly schedule" in page


def test_beat_runs_the_schedule_every_day():
    entry = settings.CELERY_BEAT_SCHEDULE["schedule-quarter-reports"]
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] == crontab(hour=6, minute=30)


# --- tried again when the work fails --------------------------------------------------------------------------


@pytest.fixture
def countdowns(monkeypatch) -> list[int]:
    """The pauses the scorecard task asked for before each new try (it still runs at once: tasks are eager)."""
    asked: list[int] = []
    apply_async = tasks.build_scorecard_pdf.apply_async

    def recording(args=None, kwargs=None, countdown=None, **options):
        if countdown is not None:  # a new try (the first message is sent by .delay(), without a pause)
            asked.append(countdown)
        return apply_async(args, kwargs, countdown=countdown, **options)

    monkeypatch.setattr(tasks.build_scorecard_pdf, "apply_async", recording)
    return asked


def _scorecard_job(manager, la_a, capture) -> Job:
    from reporting.services import scorecard_pdf_request

    with capture(execute=True):
        job = scorecard_pdf_request(actor=manager, area=f"la-{la_a.pk}", period_end=date(2026, 3, 31))
    job.refresh_from_db()
    return job


def test_a_job_that_fails_once_is_tried_again_after_a_pause_and_finishes(
    la_a, manager, monkeypatch, countdowns, settings, django_capture_on_commit_callbacks
):
    settings.JOB_RETRY_SECONDS = 60
    build = scorecard_pdf.scorecard_pdf_build
    calls: list[int] = []

    def flaky(job):
        calls.append(job.attempts)
        if len(calls) == 1:
            raise ConnectionError("the database went away")
        return build(job)

    monkeypatch.setattr(scorecard_pdf, "scorecard_pdf_build", flaky)
    job = _scorecard_job(manager, la_a, django_capture_on_commit_callbacks)

    assert calls == [1, 2]
    assert countdowns == [60]
    assert (job.status, job.attempts, job.error) == (Job.Status.SUCCEEDED, 2, "")
    assert job.file.name.endswith(".pdf")


def test_a_job_that_keeps_failing_waits_longer_each_time_then_fails_with_its_reason(
    la_a, manager, monkeypatch, countdowns, settings, client, django_capture_on_commit_callbacks
):
    settings.JOB_RETRY_SECONDS = 30
    settings.JOB_MAX_ATTEMPTS = 4

    def broken(job):
        raise RuntimeError("WeasyPrint could not load a font")

    monkeypatch.setattr(scorecard_pdf, "scorecard_pdf_build", broken)
    job = _scorecard_job(manager, la_a, django_capture_on_commit_callbacks)

    assert countdowns == [30, 60, 120]
    assert (job.status, job.attempts) == (Job.Status.FAILED, 4)
    assert job.error == "RuntimeError: WeasyPrint could not load a font"
    assert not job.file

    client.force_login(manager)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "could not be produced" in page


def test_while_waiting_to_be_tried_again_the_job_page_says_so(la_a, manager, client):
    job = Job.objects.create(
        kind=Job.Kind.SCORECARD,
        organisation=la_a,
        requested_by=manager,
        status=Job.Status.QUEUED,
        attempts=1,
        error="ConnectionError: the database went away",
    )
    client.force_login(manager)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Try 1 did not finish, so it will be tried again shortly, automatically." in page
    assert "database went away" not in page  # the technical reason is for administrators, in the job's row
