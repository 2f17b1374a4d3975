"""The 903 export, Annex A list 10 and import jobs are tried again like the reports: a try whose work raises is queued
again after a pause that doubles, up to JOB_MAX_ATTEMPTS; then the job fails with its reason. An error a new try
cannot mend (the asker has lost access) fails the job at once. (Tasks run eagerly in tests: the new try runs at once,
and the pause it asked for is recorded.)"""

from __future__ import annotations

from datetime import date

import pytest

from adoption.models import Job, Role
from children import ssda903
from children.models import Child
from children.ssda903 import annex_a, export, importer, tasks
from tests import factories
from tests.ssda903.test_export import la_a_903 as la_a_903  # the fixture
from tests.ssda903.test_import_journeys import _good_files, _upload, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def countdowns(monkeypatch) -> dict[str, list[int]]:
    """The pauses each 903 task asked for before a new try (the first message is sent without one)."""
    asked: dict[str, list[int]] = {}
    for task in (tasks.build_ssda903_export, tasks.build_annex_a_list_10, tasks.ssda903_import_run):
        apply_async = task.apply_async
        pauses = asked.setdefault(task.name.rsplit(".", 1)[-1], [])

        def recording(args=None, kwargs=None, countdown=None, _apply=apply_async, _pauses=pauses, **options):
            if countdown is not None:
                _pauses.append(countdown)
            return _apply(args, kwargs, countdown=countdown, **options)

        monkeypatch.setattr(task, "apply_async", recording)
    return asked


def failing_once(monkeypatch, module, name: str, error: Exception) -> list[int]:
    """Make ``module.name`` (a job's work) raise ``error`` on its first call only; returns the attempts it saw."""
    work = getattr(module, name)
    seen: list[int] = []

    def flaky(job):
        seen.append(job.attempts)
        if len(seen) == 1:
            raise error
        return work(job)

    monkeypatch.setattr(module, name, flaky)
    return seen


def test_an_export_that_fails_once_is_queued_again_and_then_succeeds(
    la_a_903, social_worker_a, monkeypatch, countdowns, settings, django_capture_on_commit_callbacks
):
    settings.JOB_RETRY_SECONDS = 60
    factories.ChildFactory(responsible_la=la_a_903, child_903_id="A0001")
    seen = failing_once(monkeypatch, export, "ssda903_export_build", ConnectionError("the database went away"))
    with django_capture_on_commit_callbacks(execute=True):
        job = export.ssda903_export_request(actor=social_worker_a, la_id=la_a_903.pk, year_start=2024)
    job.refresh_from_db()
    assert seen == [1, 2]
    assert countdowns["build_ssda903_export"] == [60]
    assert (job.status, job.attempts, job.error) == (Job.Status.SUCCEEDED, 2, "")
    assert job.file.name.endswith("SSDA903-999-2024-25.zip")


def test_an_annex_a_list_that_keeps_failing_waits_longer_each_time_then_fails_with_its_reason(
    la_a_903, social_worker_a, monkeypatch, countdowns, settings, django_capture_on_commit_callbacks
):
    settings.JOB_RETRY_SECONDS = 30
    settings.JOB_MAX_ATTEMPTS = 3

    def broken(job):
        raise OSError("the file store is not answering")

    monkeypatch.setattr(annex_a, "annex_a_list_10_build", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = annex_a.annex_a_list_10_request(actor=social_worker_a, la_id=la_a_903.pk, as_at=date(2025, 3, 31))
    job.refresh_from_db()
    assert countdowns["build_annex_a_list_10"] == [30, 60]
    assert (job.status, job.attempts) == (Job.Status.FAILED, 3)
    assert job.error == "OSError: the file store is not answering"
    assert not job.file


@pytest.fixture
def writer_other(la_other):
    return factories.staff(la_other, Role.SOCIAL_WORKER, username="sw.other")


def _import(writer, la, capture, phase=importer.PHASE_IMPORT) -> Job:
    files = [upload(name, content) for name, content in _upload(_good_files())]
    with capture(execute=True):
        job = importer.import_request(actor=writer, la_id=la.pk, files=files, phase=phase)
    job.refresh_from_db()
    return job


def test_an_import_that_fails_once_is_queued_again_and_applies_the_files_once(
    la_other, writer_other, monkeypatch, countdowns, settings, django_capture_on_commit_callbacks
):
    settings.JOB_RETRY_SECONDS = 60
    seen = failing_once(monkeypatch, ssda903.importer, "import_work", ConnectionError("the database went away"))
    job = _import(writer_other, la_other, django_capture_on_commit_callbacks)
    assert seen == [1, 2]
    assert countdowns["ssda903_import_run"] == [60]
    assert (job.status, job.attempts, job.error) == (Job.Status.SUCCEEDED, 2, "")
    assert job.result["summary"]["new"] == 2
    assert sorted(Child.objects.filter(responsible_la=la_other).values_list("child_903_id", flat=True)) == [
        "1001",
        "1002",
    ]


def test_an_import_whose_asker_has_lost_access_fails_at_once(
    la_other, writer_other, monkeypatch, countdowns, django_capture_on_commit_callbacks
):
    """Trying again cannot give back the access: the job fails on its first try, with its reason."""
    work = ssda903.importer.import_work

    def after_losing_access(job):
        writer_other.memberships.update(role=Role.PANEL_MEMBER)
        return work(job)

    monkeypatch.setattr(ssda903.importer, "import_work", after_losing_access)
    job = _import(writer_other, la_other, django_capture_on_commit_callbacks)
    assert countdowns["ssda903_import_run"] == []
    assert (job.status, job.attempts) == (Job.Status.FAILED, 1)
    assert job.error == (
        "PermissionDenied: Whoever asked for this import can no longer import for this local authority."
    )
    assert not Child.objects.filter(responsible_la=la_other).exists()
