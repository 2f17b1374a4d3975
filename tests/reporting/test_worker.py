"""The A1 report job as production runs it: enqueued after commit, picked up by a Celery worker.

The ``job_runner`` fixture decides how tasks run, and its id in the test name says which ran:

* ``[celery-worker]`` when ``REDIS_URL`` is set: a real ``celery worker`` process is started on a
  queue of its own (so it never takes anyone else's tasks, nor they its), against the *test*
  database, and this process publishes to that queue through Redis;
* ``[eager]`` when it is not (the embedded default): tasks run in this process when they are
  enqueued, as the app itself does without a broker. The test still runs; only the transport differs.

Either way the test uses real transactions (``transaction=True``) so that the worker, a separate
process with its own connection, sees the rows the test committed. The flush after such a test
also removes what the migrations loaded (the scorecard thresholds the PDF shows, the reference
LAs): ``serialized_rollback`` reloads it before the test, and this module reloads it after, so
the tests that run later still find it.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from pathlib import PurePosixPath

import psutil
import pytest
from django.conf import settings as django_settings
from django.db import connection
from pypdf import PdfReader

from adoption.celery import app as celery_app
from adoption.models import Job
from reporting.measures import three_year_period
from reporting.models import QuarterlyReturn
from reporting.services import a1_report_request, quarterly_return_request
from reporting.tasks import build_a1_report, build_quarterly_return
from tests import factories
from tests.workers import REDIS_URL, JobRunner, celery_worker, worker_environment

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PERIOD_END = date(2026, 3, 31)

# (local authority, entered care, moved in, adoption order)
ADOPTIONS = [
    ("a", date(2022, 1, 10), date(2023, 2, 26), date(2023, 9, 1)),
    ("a", date(2021, 6, 1), date(2022, 11, 13), date(2023, 6, 1)),
    ("a", date(2022, 3, 1), date(2023, 10, 23), date(2024, 5, 2)),
    ("a", date(2023, 5, 15), date(2024, 8, 20), date(2025, 2, 10)),
    ("a", date(2019, 1, 1), date(2020, 1, 1), date(2023, 3, 31)),  # adopted before the period
    ("b", date(2022, 1, 1), date(2022, 2, 1), date(2023, 5, 1)),  # another LA
]


def expected_a1_days() -> tuple[int, int]:
    """(published figure, children counted) for LA A, worked out here from ADOPTIONS."""
    start, end = three_year_period(PERIOD_END)
    days = [
        (moved_in - entered).days for la, entered, moved_in, order in ADOPTIONS if la == "a" and start <= order <= end
    ]
    mean = Decimal(sum(days)) / len(days)
    return int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP)), len(days)


@pytest.fixture(scope="module", autouse=True)
def _reload_migration_data_after_module(migration_data_reloaded_after_module) -> None:
    """Put back the rows the migrations loaded, which the last test's flush removed (tests/conftest.py)."""


@pytest.fixture
def adoptions(la_a, la_b):
    las = {"a": la_a, "b": la_b}
    for la, entered, moved_in, order in ADOPTIONS:
        factories.adopted_child(las[la], entered_care=entered, moved_in=moved_in, adoption_order=order)


@pytest.fixture(params=["celery-worker" if REDIS_URL else "eager"])
def job_runner(request, settings, tmp_path, caplog) -> Iterator[JobRunner]:
    """Run tasks on a real Celery worker when ``REDIS_URL`` is set, else eagerly in this process.

    Files go to a fresh media folder, so the job's file name is exactly the one it chose.

    The autouse ``_fast_and_eager`` fixture (tests/conftest.py) has already made tasks eager;
    the worker mode undoes that for this test and restores it afterwards.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    if request.param == "eager":
        celery_app.conf.task_always_eager = True
        caplog.set_level(logging.INFO, logger="adoption.jobs")
        yield JobRunner(mode="eager", caplog=caplog)
        return
    with celery_worker(settings, tmp_path) as runner:
        yield runner


def test_a1_report_job_runs_on_the_worker_once(job_runner, adoptions, la_a, manager):
    expected_days, expected_children = expected_a1_days()

    job = a1_report_request(actor=manager, la_id=la_a.pk, period_end=PERIOD_END)
    job = job_runner.wait_for_job(job)

    assert job.status == Job.Status.SUCCEEDED, f"{job.error}\n{job_runner.log()}"
    assert job.attempts == 1
    assert job.progress == 100
    assert job.result["days"] == expected_days
    assert job.result["children"] == expected_children
    assert PurePosixPath(job.file.name).name == f"A1-{la_a.ons_code}-2026-03-31.pdf"
    with job.file.open("rb") as handle:
        reader = PdfReader(BytesIO(handle.read()))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert f"{expected_days} days" in text
    assert la_a.name in text
    assert "426 days" in text  # the DfE threshold, from the migration's reference data

    # The same message delivered again (a redelivery after a lost ack, say) finds the job done.
    file_name = job.file.name
    again = build_a1_report.delay(str(job.pk))
    job_runner.wait_for_task(again.id)
    assert f"job {job.pk} is being run elsewhere or has finished; nothing to do" in job_runner.log()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.attempts == 1
    assert job.file.name == file_name


# --- a worker killed in the middle of a quarterly return --------------------------------------------------------

RETURN_YEAR, RETURN_QUARTER = 2025, 4  # January to March 2026
KILL_TIMEOUT_SECONDS = 30


@dataclass
class Killable:
    """Where the return is built: a prefork Celery worker's pool process (``REDIS_URL`` set), whose death the
    worker reports and the broker answers by delivering the message again; or, without a broker, a plain
    process running the task, whose message this test then delivers again by hand, as the broker would."""

    mode: str
    runner: JobRunner | None = None
    process: subprocess.Popen | None = None

    def start(self, job: Job, settings) -> None:
        if self.runner is None:
            code = "import django; django.setup(); from reporting.tasks import build_quarterly_return as t; t(%r)"
            env = worker_environment(settings, REDIS_URL="")
            self.process = subprocess.Popen(
                [sys.executable, "-c", code % str(job.pk)], cwd=django_settings.BASE_DIR, env=env
            )
        # With a worker, quarterly_return_request has already sent the message after its commit.

    def kill(self) -> None:
        if self.runner is not None:
            assert self.runner.worker is not None
            pool = psutil.Process(self.runner.worker.pid).children()
            assert len(pool) == 1, f"expected one pool process, found {pool}"
            pool[0].kill()
        else:
            assert self.process is not None
            self.process.kill()
            self.process.wait()

    def redeliver(self, job: Job) -> Job:
        if self.runner is not None:
            return self.runner.wait_for_job(job)  # the worker has the message again, and a new pool process
        build_quarterly_return(str(job.pk))
        job.refresh_from_db()
        return job


@pytest.fixture(params=["celery-worker-prefork" if REDIS_URL else "process"])
def killable(request, settings, tmp_path, monkeypatch) -> Iterator[Killable]:
    settings.MEDIA_ROOT = tmp_path / "media"
    if request.param == "process":
        monkeypatch.setattr(build_quarterly_return, "delay", lambda job_id: None)  # the test starts the process
        yield Killable(mode="process")
        return
    with celery_worker(settings, tmp_path, pool="prefork") as runner:
        yield Killable(mode="celery-worker", runner=runner)


def _waiting_on_a_lock() -> list[int]:
    """The database sessions (backend pids) of this database now waiting for a row lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return [row[0] for row in cursor.fetchall()]


def _until(condition, what: str, timeout: float = KILL_TIMEOUT_SECONDS):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout}s for {what}")
        time.sleep(0.1)
    return value


def test_a_worker_killed_in_the_middle_of_a_return_leaves_no_return_and_the_retry_completes_it(
    killable, settings, la_a, manager
):
    for entered, moved_in, order in [
        (date(2023, 4, 3), date(2024, 9, 2), date(2026, 2, 10)),
        (date(2023, 8, 14), date(2025, 1, 6), date(2026, 3, 2)),
    ]:
        factories.adopted_child(la_a, entered_care=entered, moved_in=moved_in, adoption_order=order)

    # Another session holds LA A's row: the worker builds the return's rows, spreadsheet and PDF, then stops in
    # the transaction that would store them, waiting for that row, and is killed there.
    blocker = connection.Database.connect(**connection.get_connection_params())
    try:
        blocker.cursor().execute("SELECT id FROM adoption_organisation WHERE id = %s FOR NO KEY UPDATE", [la_a.pk])
        job = quarterly_return_request(actor=manager, organisation_id=la_a.pk, year=RETURN_YEAR, quarter=RETURN_QUARTER)
        killable.start(job, settings)
        [dying] = _until(_waiting_on_a_lock, "the worker to wait for LA A's row")
        job.refresh_from_db()
        assert (job.status, job.attempts) == (Job.Status.RUNNING, 1)

        killable.kill()

        # The server ends the dead worker's session although its query is still waiting (and with it, the
        # job's lock): nothing it did is kept.
        _until(lambda: dying not in _waiting_on_a_lock() and not _backend_alive(dying), "the session to end")
        assert not QuarterlyReturn.objects.exists()
        assert not (settings.MEDIA_ROOT / "returns").exists()  # no file written either
    finally:
        blocker.rollback()
        blocker.close()

    job = killable.redeliver(job)

    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.attempts == 2
    made = QuarterlyReturn.objects.get()
    assert (made.job_id, made.version, made.organisation_id) == (job.pk, 1, la_a.pk)
    assert made.summary["adoptions"] == 2
    stored = sorted(path.name for path in (settings.MEDIA_ROOT / "returns").rglob("*") if path.is_file())
    assert stored == sorted(
        PurePosixPath(getattr(made, field).name).name
        for field in ("xlsx", "children_csv", "families_csv", "summary_pdf")
    )


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None
