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
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psutil
import pytest
from celery import Task
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
def celery_worker(
    settings, tmp_path: Path, *, pool: str = "solo", queue: str = "", concurrency: int = 1, **env_extra: str
) -> Iterator[JobRunner]:
    """A real ``celery worker`` on a queue of its own (``queue``, or a new one), against the test database; this
    process publishes to it while the block runs. ``env_extra`` adds to the worker's environment (its settings)."""
    queue = queue or f"test-worker-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "celery-worker.log"
    env = worker_environment(settings, REDIS_URL=REDIS_URL, CELERY_QUEUE=queue, **env_extra)
    command = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "adoption",
        "worker",
        f"--pool={pool}",
        f"--concurrency={concurrency}",
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


# --- faults: a worker killed in the middle of a job, a message delivered twice --------------------------------------

KILL_TIMEOUT_SECONDS = 30
KILLABLE_MODE = "celery-worker-prefork" if REDIS_URL else "process"


def until(condition: Callable[[], Any], what: str, timeout: float = KILL_TIMEOUT_SECONDS) -> Any:
    """Poll ``condition`` until it is true (and return it), failing the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout}s for {what}")
        time.sleep(0.1)
    return value


def waiting_on_a_lock() -> list[int]:
    """The database sessions (backend pids) of this database now waiting for a lock (a row's, a table's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return [row[0] for row in cursor.fetchall()]


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


@contextmanager
def holding(sql: str, params: Sequence[Any] = ()) -> Iterator[None]:
    """Another database session takes the lock ``sql`` asks for and holds it while the block runs."""
    blocker = connection.Database.connect(**connection.get_connection_params())
    try:
        blocker.cursor().execute(sql, list(params))
        yield
    finally:
        blocker.rollback()
        blocker.close()


def job_row_held(job: Job) -> AbstractContextManager[None]:
    """Hold the job's row ``FOR KEY SHARE``: its task claims the job and works (neither takes the row's key
    lock) and then waits, with everything it made in hand, to mark the job finished."""
    return holding("SELECT id FROM adoption_job WHERE id = %s FOR KEY SHARE", [str(job.pk)])


@dataclass
class Killable:
    """Where a job's task runs so that it can be killed mid-job or delivered twice.

    With ``REDIS_URL``, a prefork Celery worker: the task runs in its pool process, whose death the worker
    reports and the broker answers by delivering the message again; a second message is published to it.
    Without, plain processes running the task: this test starts them, and delivers a message again by hand,
    as the broker would.
    """

    mode: str
    settings: Any
    monkeypatch: pytest.MonkeyPatch
    runner: JobRunner | None = None
    env: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen] = field(default_factory=list)

    def hold(self, task: Task) -> None:
        """Keep the first message of a job asked for from now on from being sent when the job is created
        (``start`` sends it), so that the test can take its locks first. Call before asking for the job."""
        self.monkeypatch.setattr(task, "delay", lambda *args, **kwargs: None)

    def start(self, task: Task, job: Job) -> None:
        """The job's first delivery: a message to the worker, or a process running the task."""
        if self.runner is not None:
            task.apply_async((str(job.pk),))
        else:
            self.processes.append(self._process(task, job))

    def deliver_again(self, task: Task, job: Job) -> None:
        """Another message for the same job, and wait until it has been dealt with."""
        if self.runner is not None:
            sent = task.apply_async((str(job.pk),))
            self.runner.wait_for_task(sent.id)
            return
        process = self._process(task, job)
        self.processes.append(process)
        assert process.wait(timeout=JOB_TIMEOUT_SECONDS) == 0

    def finished(self, job: Job) -> Job:
        """The job once the delivery running it has finished it (a job not held ran eagerly when asked for)."""
        if self.runner is not None:
            return self.runner.wait_for_job(job)
        for process in self.processes:
            process.wait(timeout=JOB_TIMEOUT_SECONDS)
        job.refresh_from_db()
        return job

    def kill(self) -> None:
        """Kill the process running the job (SIGKILL: nothing of it runs any more)."""
        if self.runner is not None:
            assert self.runner.worker is not None
            pool = psutil.Process(self.runner.worker.pid).children()
            assert len(pool) == 1, f"expected one pool process, found {pool}"
            pool[0].kill()
        else:
            self.processes[-1].kill()
            self.processes[-1].wait()

    def redeliver(self, task: Task, job: Job) -> Job:
        """The message of a killed delivery, delivered again; the job once it has run."""
        if self.runner is not None:
            return self.runner.wait_for_job(job)  # the worker has the message again, and a new pool process
        task(str(job.pk))
        job.refresh_from_db()
        return job

    def log(self) -> str:
        return self.runner.log() if self.runner is not None else ""

    def _process(self, task: Task, job: Job) -> subprocess.Popen:
        module, _, name = task.name.rpartition(".")
        code = f"import django; django.setup(); from {module} import {name} as task; task({str(job.pk)!r})"
        env = worker_environment(self.settings, REDIS_URL="", **self.env)
        return subprocess.Popen([sys.executable, "-c", code], cwd=django_settings.BASE_DIR, env=env)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()


@contextmanager
def killable_jobs(
    settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, concurrency: int = 1, **env: str
) -> Iterator[Killable]:
    """A ``Killable`` (see there) writing to a fresh media folder; ``env`` adds to its processes' settings."""
    settings.MEDIA_ROOT = tmp_path / "media"
    if not REDIS_URL:
        killable = Killable(mode="process", settings=settings, monkeypatch=monkeypatch, env=env)
        try:
            yield killable
        finally:
            killable.stop()
        return
    with celery_worker(settings, tmp_path, pool="prefork", concurrency=concurrency, **env) as runner:
        yield Killable(mode="celery-worker", settings=settings, monkeypatch=monkeypatch, runner=runner, env=env)
