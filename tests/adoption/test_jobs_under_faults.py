"""Every kind of long job under faults: a worker killed in the middle leaves nothing, a message delivered twice
does the work once.

The jobs run as production runs them (``tests.workers.killable_jobs``): on a real prefork Celery worker through
Redis when ``REDIS_URL`` is set, else in plain processes that this test starts, kills and runs again. A fault
is put where it hurts by another database session holding a lock the job needs: an import waits for a child's
row in the middle of applying the file, and every job waits for its own row once its work is done, with its
records and files in hand, to be marked finished. The process is killed there; the message is then delivered
again (by the broker, or by hand as the broker would).

The tests use real transactions (``transaction=True``) so that the worker, a separate process, sees the rows the
test committed; the migrations' rows that the flush after each test removes are put back after the module.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from celery import Task
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import IntegrityError
from pypdf import PdfReader
from weasyprint import HTML

from adoption import jobs
from adoption.models import Job, Role
from children.models import Child
from children.ssda903 import importer
from children.ssda903.tasks import ssda903_import_run
from panels.models import AgendaItem, AgendaPaper, PaperKind
from panels.pack import agenda_pack_request
from panels.tasks import build_agenda_pack
from reporting.board_report.service import board_report_request
from reporting.models import QuarterlyReturn
from reporting.services import quarterly_return_request, scorecard_pdf_request
from reporting.tasks import build_board_report, build_quarterly_return, build_scorecard_pdf
from tests import factories
from tests.panels.conftest import R, invite, meeting, member
from tests.ssda903.test_import_journeys import csv_bytes, journeys, upload
from tests.workers import (
    KILLABLE_MODE,
    Killable,
    backend_alive,
    holding,
    job_row_held,
    killable_jobs,
    until,
    waiting_on_a_lock,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="module", autouse=True)
def _reload_migration_data_after_module(migration_data_reloaded_after_module) -> None:
    """Put back the rows the migrations loaded, which the last test's flush removed (tests/conftest.py)."""


@pytest.fixture(params=[KILLABLE_MODE])
def killable(settings, tmp_path, monkeypatch) -> Iterator[Killable]:
    """One worker process (so the one running the job is the one killed)."""
    with killable_jobs(settings, tmp_path, monkeypatch) as runner:
        yield runner


@pytest.fixture(params=[KILLABLE_MODE])
def two_at_once(settings, tmp_path, monkeypatch) -> Iterator[Killable]:
    """Two worker processes, so two messages for one job run at the same time; a message waits 2 seconds for
    the job's lock before it gives up (the job is being run elsewhere)."""
    with killable_jobs(settings, tmp_path, monkeypatch, concurrency=2, JOB_LOCK_WAIT_SECONDS="2") as runner:
        yield runner


def media_files(settings) -> list[str]:
    """Every file the jobs wrote (the uploads the import jobs read are the users', not the jobs')."""
    root = Path(settings.MEDIA_ROOT)
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and not path.relative_to(root).as_posix().startswith("job-inputs/")
    )


def records() -> dict[str, int]:
    """Rows in every table (history tables included) but the jobs' own, which a claim changes."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label not in ("adoption.Job",)
    }


def kill_while_waiting(killable: Killable) -> None:
    """Kill the process that waits on a lock; wait until the server has ended its session (and with it the
    job's advisory lock and its transaction, rolled back)."""
    [dying] = until(waiting_on_a_lock, "the job to wait on the lock the test holds")
    killable.kill()
    until(lambda: dying not in waiting_on_a_lock() and not backend_alive(dying), "the killed session to end")


# --- the PDFs ----------------------------------------------------------------------------------------------------


def paper_pdf(heading: str) -> bytes:
    return HTML(string=f"<html lang='en-GB'><h1>{heading}</h1><p>Text.</p></html>").write_pdf()


def ask_scorecard(request) -> Job:
    la_a, manager = request.getfixturevalue("la_a"), request.getfixturevalue("manager")
    factories.adopted_child(
        la_a, entered_care=date(2023, 4, 3), moved_in=date(2024, 9, 2), adoption_order=date(2025, 2, 10)
    )
    return scorecard_pdf_request(actor=manager, area=f"la-{la_a.pk}", period_end=date(2026, 3, 31))


def ask_board_report(request) -> Job:
    la_a, raa, manager = (request.getfixturevalue(name) for name in ("la_a", "raa", "manager"))
    factories.adopted_child(
        la_a, entered_care=date(2023, 4, 3), moved_in=date(2024, 9, 2), adoption_order=date(2025, 8, 10)
    )
    return board_report_request(actor=manager, organisation_id=raa.pk, year=2025, quarter=2)


def ask_agenda_pack(request) -> Job:
    raa, adviser = request.getfixturevalue("raa"), request.getfixturevalue("panel_adviser")
    panel = meeting(raa)
    invite(panel, member(raa, "Chloe Chair", R.CHAIR), member(raa, "Sam Social", R.SOCIAL_WORK))
    household = factories.HouseholdFactory(approving_agency=raa, name="The Okafor household")
    item = AgendaItem.objects.create(
        meeting=panel, position=1, kind="approval", household=household, starts_at=time(10), presenting_worker="Priya"
    )
    content = paper_pdf("PAR for the Okafors")
    paper = AgendaPaper(
        item=item,
        kind=PaperKind.PAR,
        title="PAR for the Okafors",
        original_name="PAR.pdf",
        pages=1,
        size=len(content),
        received_at=datetime(2025, 6, 1, 9, 0, tzinfo=UTC),
        uploaded_by=adviser,
    )
    paper.file.save("paper.pdf", ContentFile(content), save=False)
    paper.save()
    return agenda_pack_request(actor=adviser, meeting_id=panel.pk)


@dataclass(frozen=True)
class PdfJob:
    task: Task
    ask: Callable[[Any], Job]
    says: Callable[[Job], str]  # a line the finished PDF must hold

    def __str__(self) -> str:
        return self.task.name.rpartition(".")[2]


PDF_JOBS = [
    PdfJob(build_scorecard_pdf, ask_scorecard, lambda job: job.params["label"]),
    PdfJob(build_board_report, ask_board_report, lambda job: "Executive board performance report"),
    PdfJob(build_agenda_pack, ask_agenda_pack, lambda job: "PAR for the Okafors"),
]


def pdf_text(job: Job) -> str:
    with job.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("kind", PDF_JOBS, ids=str)
def test_a_pdf_job_killed_before_it_is_marked_done_leaves_no_file_and_the_retry_makes_one(
    kind, killable, settings, request
):
    killable.hold(kind.task)
    job = kind.ask(request)
    made_before, files_before = records(), media_files(settings)  # the agenda's papers are files already
    with job_row_held(job):  # the PDF is built; the worker waits to store it and mark the job done
        killable.start(kind.task, job)
        kill_while_waiting(killable)
        job.refresh_from_db()
        # The worker takes its message again as soon as the pool process dies: by now that second delivery may
        # have claimed the job (attempt 2) and be waiting on the same row. Either way nothing is stored yet.
        assert (job.status, job.file.name, job.result) == (Job.Status.RUNNING, "", {})
        assert job.attempts in (1, 2)
        assert media_files(settings) == files_before
        assert records() == made_before

    job = killable.redeliver(kind.task, job)

    assert (job.status, job.attempts, job.progress, job.error) == (Job.Status.SUCCEEDED, 2, 100, ""), killable.log()
    assert media_files(settings) == sorted([*files_before, job.file.name])
    assert kind.says(job) in pdf_text(job)


# --- the 903 import ----------------------------------------------------------------------------------------------

HEADER = [
    {"CHILD": "1001", "SEX": "F", "DOB": "01/05/2021", "ETHNIC": "WBRI", "UPN": "UN1"},
    {"CHILD": "1002", "SEX": "M", "DOB": "03/02/2020", "ETHNIC": "WBRI", "UPN": "UN1"},
]
YEAR_ONE = {"CHILD": "1002", "DECOM": "10/01/2022", "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U6"}
YEAR_TWO = [
    {"CHILD": "1001", "DECOM": "05/05/2022", "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U6"},
    YEAR_ONE | {"DEC": "01/06/2022", "REC": "X1", "REASON_PLACE_CHANGE": "CARPL"},
    {"CHILD": "1002", "DECOM": "01/06/2022", "RNE": "P", "LS": "C2", "CIN": "N1", "PLACE": "U4"},
]
PLACED = [{"CHILD": "1002", "DOB": "03/02/2020", "DATE_PLACED": "01/07/2022"}]


@pytest.fixture
def writer(la_other):
    """A social worker of the LA the files are imported into."""
    return factories.staff(la_other, Role.SOCIAL_WORKER, username="sw.other")


@pytest.fixture
def preview(killable, la_other, writer) -> Job:
    """Child 1002 is recorded (its first year); the second year's files, which add child 1001 and carry 1002's
    journey on, are previewed and ready to apply."""
    first = importer.import_request(
        actor=writer,
        la_id=la_other.pk,
        phase=importer.PHASE_IMPORT,
        files=[upload("h.csv", csv_bytes("Header", HEADER[1:])), upload("e.csv", csv_bytes("Episodes", [YEAR_ONE]))],
    )
    assert killable.finished(first).result["applied"], first.result
    files = [
        upload("header.csv", csv_bytes("Header", HEADER)),
        upload("episodes.csv", csv_bytes("Episodes", YEAR_TWO)),
        upload("placed.csv", csv_bytes("PlacedAdoption", PLACED)),
    ]
    job = killable.finished(importer.import_request(actor=writer, la_id=la_other.pk, files=files))
    assert job.result["can_apply"], job.result
    assert job.result["summary"] == {"children": 2, "new": 1, "changed": 1, "unchanged": 0, "changes": 4}
    assert [change["changes"] for change in job.result["changes"] if change["child"] == "1002"] == [
        [
            "New episode from 1 June 2022: RNE P, LS C2, placement U4",
            "Decision that the child should be placed for adoption: 1 July 2022",
        ]
    ]
    return job


def apply_result_as_previewed(applied: Job) -> dict[str, Any]:
    """The apply's result with what only an apply knows (the new child's id) as the preview shows it."""
    changes = [
        change | {"child_id": None} if change["status"] == "new" else change for change in applied.result["changes"]
    ]
    return {"summary": applied.result["summary"], "changes": changes, "problems": applied.result["problems"]}


IMPORT_FAULTS = {
    # Child 1002 is the second child applied: the first, 1001, is already created in the same transaction.
    "while applying": lambda job, child: holding("SELECT id FROM children_child WHERE id = %s FOR UPDATE", [child.pk]),
    # Every child applied; the job waits to be marked done.
    "before it is marked done": lambda job, child: job_row_held(job),
}


@pytest.mark.parametrize("fault", IMPORT_FAULTS)
def test_an_import_killed_in_the_middle_saves_nothing_and_the_retry_applies_it_as_previewed(
    fault, killable, preview, la_other, writer
):
    recorded = Child.objects.get(responsible_la=la_other, child_903_id="1002")
    killable.hold(ssda903_import_run)
    job = importer.import_confirm(actor=writer, job_id=preview.pk)
    journeys_before, made_before = journeys(la_other), records()
    with IMPORT_FAULTS[fault](job, recorded):
        killable.start(ssda903_import_run, job)
        kill_while_waiting(killable)
        job.refresh_from_db()
        # As for the PDFs: the worker's own redelivery may already have claimed the job (attempt 2) and be waiting.
        assert (job.status, job.result) == (Job.Status.RUNNING, {})
        assert job.attempts in (1, 2)
        assert records() == made_before  # no child, episode, decision or history row of the import
        assert journeys(la_other) == journeys_before

    job = killable.redeliver(ssda903_import_run, job)

    assert (job.status, job.attempts, job.error) == (Job.Status.SUCCEEDED, 2, ""), killable.log()
    assert job.result["applied"] is True
    assert apply_result_as_previewed(job) == {
        "summary": preview.result["summary"],
        "changes": preview.result["changes"],
        "problems": preview.result["problems"],
    }
    after = journeys(la_other)
    assert sorted(after) == ["1001", "1002"]
    (period,) = after["1002"]["periods"]
    assert [(e[0], e[6]) for e in period[3]] == [(date(2022, 1, 10), date(2022, 6, 1)), (date(2022, 6, 1), None)]
    assert Child.objects.get(responsible_la=la_other, child_903_id="1001").pk == next(
        c["child_id"] for c in job.result["changes"] if c["child"] == "1001"
    )


# --- a message delivered twice -----------------------------------------------------------------------------------


def test_a_job_delivered_twice_at_once_does_its_work_once(two_at_once, settings, request, la_a, manager):
    """Each kind in turn: the second message arrives while the first is storing the job's output."""
    cases = [
        (
            build_quarterly_return,
            lambda: quarterly_return_request(actor=manager, organisation_id=la_a.pk, year=2025, quarter=4),
        ),
        *((kind.task, lambda kind=kind: kind.ask(request)) for kind in PDF_JOBS),
    ]
    for task, ask in cases:
        two_at_once.hold(task)
        job = ask()
        with job_row_held(job):
            two_at_once.start(task, job)
            until(waiting_on_a_lock, "the first delivery to wait to store its output")
            two_at_once.deliver_again(task, job)  # turned away: the first holds the job
        job = two_at_once.finished(job)
        two_at_once.deliver_again(task, job)  # after it finished: nothing to do
        job.refresh_from_db()
        assert (job.status, job.attempts) == (Job.Status.SUCCEEDED, 1), (task.name, job.error, two_at_once.log())

    made = QuarterlyReturn.objects.get()
    assert made.version == 1
    files = media_files(settings)
    assert [f for f in files if f.startswith("returns/")] == sorted(
        getattr(made, field).name for field in ("xlsx", "children_csv", "families_csv", "summary_pdf")
    )
    pdfs = Job.objects.exclude(kind=Job.Kind.QUARTERLY_RETURN)
    assert len(pdfs) == len(PDF_JOBS)
    assert [f for f in files if f.startswith("jobs/")] == sorted(job.file.name for job in pdfs)
    assert all(job.file.name.startswith("jobs/") and f"/{job.pk}/" in job.file.name for job in pdfs)


def test_an_import_delivered_twice_at_once_is_applied_once(two_at_once, la_other, writer):
    files = [
        upload("header.csv", csv_bytes("Header", HEADER)),
        upload("episodes.csv", csv_bytes("Episodes", [YEAR_TWO[0], YEAR_ONE])),
    ]
    two_at_once.hold(ssda903_import_run)
    job = importer.import_request(actor=writer, la_id=la_other.pk, files=files, phase=importer.PHASE_IMPORT)
    with job_row_held(job):
        two_at_once.start(ssda903_import_run, job)
        until(waiting_on_a_lock, "the first delivery to wait to store its output")
        two_at_once.deliver_again(ssda903_import_run, job)
    job = two_at_once.finished(job)
    made = records()
    two_at_once.deliver_again(ssda903_import_run, job)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.result["applied"]) == (Job.Status.SUCCEEDED, 1, True), two_at_once.log()
    assert job.result["summary"] == {"children": 2, "new": 2, "changed": 0, "unchanged": 0, "changes": 4}
    assert records() == made
    assert sorted(Child.objects.filter(responsible_la=la_other).values_list("child_903_id", flat=True)) == [
        "1001",
        "1002",
    ]
    assert [len(journey["periods"]) for journey in journeys(la_other).values()] == [1, 1]


# --- storing fails, or finds a file of an attempt that died --------------------------------------------------------


def a_job(organisation, actor) -> Job:
    return Job.objects.create(kind=Job.Kind.SCORECARD, organisation=organisation, requested_by=actor)


def test_a_job_whose_storing_fails_keeps_none_of_the_files_it_wrote_and_is_tried_again(
    settings, tmp_path, la_a, manager, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    job = a_job(la_a, manager)
    retried: list[tuple[Any, ...]] = []
    monkeypatch.setattr(build_scorecard_pdf, "apply_async", lambda args, countdown: retried.append((args, countdown)))

    def store_then_fail(finishing: Job, output: jobs.JobOutput) -> None:
        jobs.job_file_save(finishing.file, f"{finishing.pk}/part-one.csv", b"one")
        raise IntegrityError("duplicate key value violates unique constraint")

    jobs.job_run(
        str(job.pk),
        lambda running: jobs.JobOutput(result={"pages": 1}, file_name="report.pdf", content=b"%PDF-1.7"),
        on_success=store_then_fail,
        retry=build_scorecard_pdf,
    )

    job.refresh_from_db()
    assert (job.status, job.attempts, job.file.name, job.result) == (Job.Status.QUEUED, 1, "", {})
    assert job.error == "IntegrityError: duplicate key value violates unique constraint"
    assert retried == [((str(job.pk),), settings.JOB_RETRY_SECONDS)]
    assert media_files(settings) == []


def test_a_file_left_by_an_attempt_killed_before_its_commit_is_replaced_not_kept_beside(
    settings, tmp_path, la_a, manager
):
    settings.MEDIA_ROOT = tmp_path / "media"
    job = a_job(la_a, manager)
    # What a worker killed between writing the file and committing leaves: the file, and the job still running.
    left = Job.file.field.generate_filename(job, f"{job.pk}/report.pdf")
    (settings.MEDIA_ROOT / left).parent.mkdir(parents=True)
    (settings.MEDIA_ROOT / left).write_bytes(b"%PDF-1.7 the first attempt")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=1, started_at=job.created_at)

    jobs.job_run(
        str(job.pk), lambda running: jobs.JobOutput(result={}, file_name="report.pdf", content=b"%PDF-1.7 new")
    )

    job.refresh_from_db()
    assert (job.status, job.attempts, job.file.name) == (Job.Status.SUCCEEDED, 2, left)
    assert media_files(settings) == [left]
    assert (settings.MEDIA_ROOT / left).read_bytes() == b"%PDF-1.7 new"
