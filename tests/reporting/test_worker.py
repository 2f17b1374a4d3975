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
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from pathlib import PurePosixPath

import pytest
from pypdf import PdfReader

from adoption.celery import app as celery_app
from adoption.models import Job
from reporting.measures import three_year_period
from reporting.models import QuarterlyReturn
from reporting.services import a1_report_request, quarterly_return_request
from reporting.tasks import build_a1_report, build_quarterly_return
from tests import factories
from tests.workers import (
    KILLABLE_MODE,
    REDIS_URL,
    JobRunner,
    Killable,
    backend_alive,
    celery_worker,
    holding,
    killable_jobs,
    until,
    waiting_on_a_lock,
)

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


@pytest.fixture(params=[KILLABLE_MODE])
def killable(settings, tmp_path, monkeypatch) -> Iterator[Killable]:
    with killable_jobs(settings, tmp_path, monkeypatch) as killable:
        yield killable


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
    killable.hold(build_quarterly_return)
    with holding("SELECT id FROM adoption_organisation WHERE id = %s FOR NO KEY UPDATE", [la_a.pk]):
        job = quarterly_return_request(actor=manager, organisation_id=la_a.pk, year=RETURN_YEAR, quarter=RETURN_QUARTER)
        killable.start(build_quarterly_return, job)
        [dying] = until(waiting_on_a_lock, "the worker to wait for LA A's row")
        job.refresh_from_db()
        assert (job.status, job.attempts) == (Job.Status.RUNNING, 1)

        killable.kill()

        # The server ends the dead worker's session although its query is still waiting (and with it, the
        # job's lock): nothing it did is kept.
        until(lambda: dying not in waiting_on_a_lock() and not backend_alive(dying), "the session to end")
        assert not QuarterlyReturn.objects.exists()
        assert not (settings.MEDIA_ROOT / "returns").exists()  # no file written either

    job = killable.redeliver(build_quarterly_return, job)

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
