"""Real Celery workers for tests: a ``celery worker`` process on a queue of its own, against the test database.

This process publishes to the worker's queue through Redis (``REDIS_URL``); the worker never takes anyone else's
tasks, nor they its. Its log is the only record of what it did (there is no result backend).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection

from adoption.celery import app as celery_app
from adoption.models import Job

REDIS_URL = os.environ.get("REDIS_URL", "")
JOB_TIMEOUT_SECONDS = 90
WORKER_START_SECONDS = 60


def worker_database_url() -> str:
    """A ``DATABASE_URL`` for the database this test session uses (the test database, not the real one)."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or ""
    if host.startswith("/"):  # a Unix socket directory (the embedded server): percent-encoded as the host
        host = quote(host, safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


@dataclass
class JobRunner:
    """How tasks run in this test: ``mode`` is ``celery-worker`` or ``eager``."""

    mode: str
    worker: subprocess.Popen | None = None
    log_path: Path | None = None
    caplog: pytest.LogCaptureFixture | None = None

    def log(self) -> str:
        """What the tasks logged: the worker's output, or this process's log records when eager."""
        if self.log_path:
            return self.log_path.read_text(errors="replace")
        return self.caplog.text if self.caplog else ""

    def wait_for_job(self, job: Job, timeout: float = JOB_TIMEOUT_SECONDS) -> Job:
        """Poll the job's row until it has finished (eagerly run jobs have already)."""
        deadline = time.monotonic() + timeout
        while True:
            job.refresh_from_db()
            if job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED):
                return job
            self.check_worker_alive()
            if time.monotonic() > deadline:
                pytest.fail(f"job still {job.status} after {timeout}s.\nWorker log:\n{self.log()}")
            time.sleep(0.2)

    def wait_for_task(self, task_id: str, timeout: float = JOB_TIMEOUT_SECONDS) -> None:
        """Wait until the worker has finished one task message (no result backend: read its log)."""
        if self.worker is None:
            return  # eager: the task ran inside .delay()
        deadline = time.monotonic() + timeout
        while f"[{task_id}] succeeded" not in self.log():
            self.check_worker_alive()
            if time.monotonic() > deadline:
                pytest.fail(f"task {task_id} not finished after {timeout}s.\nWorker log:\n{self.log()}")
            time.sleep(0.2)

    def check_worker_alive(self) -> None:
        if self.worker is not None and self.worker.poll() is not None:
            pytest.fail(f"the Celery worker exited with {self.worker.returncode}.\nWorker log:\n{self.log()}")


def worker_environment(settings, **extra: str) -> dict[str, str]:
    """The environment of a process that works on this test's database and media folder."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "adoption.settings",
        "DATABASE_URL": worker_database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),  # the worker writes its files where this test reads them
        "DB_CONN_MAX_AGE": "0",  # no connection left open to the test database when it is dropped
        **extra,
    }


@contextmanager
def celery_worker(settings, tmp_path: Path, *, pool: str = "solo", queue: str = "") -> Iterator[JobRunner]:
    """A real ``celery worker`` on a queue of its own (``queue``, or a new one), against the test database; this
    process publishes to it while the block runs."""
    queue = queue or f"test-worker-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "celery-worker.log"
    env = worker_environment(settings, REDIS_URL=REDIS_URL, CELERY_QUEUE=queue)
    command = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "adoption",
        "worker",
        f"--pool={pool}",
        "--concurrency=1",
        "-Q",
        queue,
        "--loglevel=INFO",
        "--hostname",
        f"{queue}@%h",
        # Keep to itself: no syncing with, or broadcasting to, other workers on the same Redis.
        "--without-mingle",
        "--without-gossip",
    ]
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    with log_path.open("wb") as log:
        worker = subprocess.Popen(command, cwd=django_settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    runner = JobRunner(mode="celery-worker", worker=worker, log_path=log_path)
    try:
        deadline = time.monotonic() + WORKER_START_SECONDS
        while " ready." not in runner.log():
            runner.check_worker_alive()
            if time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start in {WORKER_START_SECONDS}s.\n{runner.log()}")
            time.sleep(0.2)
        celery_app.conf.task_always_eager = False
        celery_app.conf.task_default_queue = queue
        yield runner
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


@contextmanager
def publishing_to(queue: str) -> Iterator[None]:
    """Send tasks to ``queue`` through the broker, instead of running them in this process, while the block runs
    (a worker may start on that queue later: the messages wait for it)."""
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    try:
        yield
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
