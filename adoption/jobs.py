"""Tracked jobs: a service creates the row and enqueues; a task claims it, runs it, records the outcome.

Who is running a job is held by the database, not guessed from the clock: the worker running a job holds a
PostgreSQL advisory lock on it for as long as it works (``job_lock``). A message delivered twice, or to two
workers, finds the lock taken (or the job finished) and does nothing. A worker that dies mid-job loses its
connection and with it the lock, so the redelivered message takes the job over at once and starts again.

Output is written in the same transaction that marks the job finished, so a worker that dies half-way
leaves no partial file or record attached to the job. Its files are written last, just before that
transaction commits, at names that belong to the job alone (``job_file_save``): a transaction that fails
takes its files with it, and a file left by a worker killed between writing it and committing is
replaced by the next attempt, never kept beside it. A job whose work (or storing it) raises is tried
again, after a pause that doubles each time (``JOB_RETRY_SECONDS``), up to ``JOB_MAX_ATTEMPTS``
attempts; then it fails. An error that trying again cannot mend (``NOT_RETRIED``: a paper that is not a PDF, an
asker who has lost access) fails the job at once, so its reason is shown now rather than after the pauses.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery import Task
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import IntegrityError, connection, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from adoption import audit
from adoption.models import AuditEvent, Job, Organisation, User

logger = logging.getLogger(__name__)


class JobCannotSucceed(Exception):
    """Raised by a job's work when trying again would fail the same way; its message says why, in words the asker
    can act on."""


# Errors a new try cannot mend: the job fails at once with its reason.
NOT_RETRIED: tuple[type[BaseException], ...] = (JobCannotSucceed, PermissionDenied, ValidationError)


@dataclass(frozen=True)
class JobOutput:
    """What a job's work made. ``store``, when given, writes records that must exist only if the job succeeds
    (an import's children): it runs in the transaction that marks the job finished and may add to
    ``job.result``."""

    result: dict[str, Any]
    file_name: str = ""
    content: bytes = b""
    store: Callable[[Job], None] | None = None


# The files written by the job being finished, removed again if its transaction does not commit.
_files_written: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("job_files_written", default=None)


def job_file_save(file: FieldFile, name: str, content: bytes) -> None:
    """Write a file that a finishing job makes (inside ``on_success`` or ``JobOutput.store``).

    ``name`` must belong to this output alone (the job's id, or a version number taken under a lock, in it).
    A file already there was left by an attempt killed after writing it and before its transaction
    committed, so nothing refers to it: it is replaced rather than kept beside the new one. If the
    transaction then fails, the file is removed again.
    """
    target = file.field.generate_filename(file.instance, name)
    if file.storage.exists(target):
        logger.info("replacing %s, left by an attempt that did not finish", target)
        file.storage.delete(target)
    file.save(name, ContentFile(content), save=False)
    written = _files_written.get()
    if written is not None and file.name:
        written.append((file.storage, file.name))


@transaction.atomic
def job_create(*, actor: User, kind: Job.Kind, organisation: Organisation, params: dict[str, Any], task: Task) -> Job:
    """Create a queued job and enqueue ``task`` (a Celery task taking the job id) after commit."""
    job = Job(kind=kind, organisation=organisation, params=params, requested_by=actor)
    job.full_clean()
    job.save()
    audit.record(actor=actor, action=AuditEvent.Action.JOB_REQUESTED, obj=job, organisation_id=organisation.pk)
    job_id = str(job.pk)
    transaction.on_commit(lambda: task.delay(job_id))
    return job


def job_schedule(
    *, key: str, kind: Job.Kind, organisation: Organisation, params: dict[str, Any], task: Task
) -> Job | None:
    """Create and enqueue the scheduled job ``key`` unless it exists: a schedule that fires twice (or on two
    machines) makes one job. ``None`` when it was already made."""
    if Job.objects.filter(schedule_key=key).exists():
        return None
    job = Job(kind=kind, organisation=organisation, params=params, schedule_key=key)
    job.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            job.save()
            audit.record(actor=None, action=AuditEvent.Action.JOB_REQUESTED, obj=job, organisation_id=organisation.pk)
    except IntegrityError:
        return None  # made by the other firing between the check and the insert
    job_id = str(job.pk)
    transaction.on_commit(lambda: task.delay(job_id))
    return job


def _lock_key(job_id: str) -> int:
    """A signed 64-bit advisory-lock key for the job (advisory locks are keyed by bigint)."""
    return int.from_bytes(hashlib.blake2b(f"job:{job_id}".encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def job_lock(job_id: str, *, wait: float = 0) -> Iterator[bool]:
    """Hold the job's advisory lock for the block if it can be had within ``wait`` seconds; yields whether it was.

    The lock belongs to this database session, so it ends with the process that holds it: a worker killed
    mid-job gives the job up to whoever receives the message next. The server notices a dead session within
    seconds (``client_connection_check_interval``), which is why a message waits a little for the lock.
    """
    key = _lock_key(job_id)
    deadline = time.monotonic() + wait
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            held = bool(cursor.fetchone()[0])
            if held or time.monotonic() >= deadline:
                break
            time.sleep(0.25)
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def job_claim(job_id: str) -> Job | None:
    """Mark a job that is not finished as running (with ``job_lock`` held); ``None`` when it has finished.

    A job found running was left by a worker that died (it no longer holds the lock): it is taken over.
    The row is locked without its key (``FOR NO KEY UPDATE``), as every change to a running job is: only
    finishing it takes the full lock.
    """
    with transaction.atomic():
        job = (
            Job.objects.select_for_update(no_key=True)
            .filter(pk=job_id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
            .first()
        )
        if job is None:
            return None
        job.status = Job.Status.RUNNING
        job.started_at = timezone.now()
        job.finished_at = None
        job.progress = 0
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "finished_at", "progress", "attempts"])
        return job


def retry_delay(attempts: int) -> int:
    """Seconds to wait before the next try of a job that has failed ``attempts`` times: doubling each time."""
    return int(settings.JOB_RETRY_SECONDS) * 2 ** max(attempts - 1, 0)


def job_progress(job: Job, progress: int) -> None:
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(progress=max(0, min(progress, 99)))


def job_run(
    job_id: str,
    work: Callable[[Job], JobOutput],
    *,
    on_success: Callable[[Job, JobOutput], None] | None = None,
    retry: Task | None = None,
) -> None:
    """Claim the job, run ``work``, and store its output and status in one transaction.

    ``on_success`` (and the output's ``store``) writes whatever else the job makes (a frozen return, an
    import's records) in that same transaction, so the job is finished with it or not at all; it may add to
    ``job.result``. With ``retry`` (the job's task), a job whose work or storing raises is queued again on
    that task after ``retry_delay``, until ``JOB_MAX_ATTEMPTS``.
    """
    retry_in: int | None = None
    with job_lock(job_id, wait=settings.JOB_LOCK_WAIT_SECONDS) as held:
        job = job_claim(job_id) if held else None
        if job is None:
            logger.info("job %s is being run elsewhere or has finished; nothing to do", job_id)
            return
        try:
            output = work(job)
            _finish(job, output, on_success)
        except Exception as exc:
            logger.exception("job %s failed (attempt %s)", job_id, job.attempts)
            error = f"{type(exc).__name__}: {exc}"[:2000]
            if retry is not None and job.attempts < settings.JOB_MAX_ATTEMPTS and not isinstance(exc, NOT_RETRIED):
                retry_in = retry_delay(job.attempts)
                Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, progress=0, error=error)
            else:
                Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error=error, finished_at=timezone.now())
    if retry is not None and retry_in is not None:
        # Queued after the lock is let go, so the next try is not turned away by this one.
        retry.apply_async((job_id,), countdown=retry_in)


def _finish(job: Job, output: JobOutput, on_success: Callable[[Job, JobOutput], None] | None) -> None:
    """Store the output and mark the job succeeded, in one transaction; the files written for it are removed
    if that transaction does not commit."""
    written: list[tuple[Storage, str]] = []
    token = _files_written.set(written)
    try:
        with transaction.atomic():
            job = Job.objects.select_for_update().get(pk=job.pk)
            if job.status != Job.Status.RUNNING:
                return
            job.result = output.result
            if output.store is not None:
                output.store(job)
            if on_success is not None:
                on_success(job, output)
            if output.content:
                # In a folder of the job's own: the name is the job's alone, whoever else asks for the same report.
                job_file_save(job.file, f"{job.pk}/{output.file_name}", output.content)
            job.status = Job.Status.SUCCEEDED
            job.progress = 100
            job.error = ""
            job.finished_at = timezone.now()
            job.save()
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise
    finally:
        _files_written.reset(token)


def jobs_fail_stalled() -> int:
    """Fail the jobs left running with no one running them (their worker died and the message was lost), once
    they have been running far longer than any job should, so they can be asked for again. A job whose worker
    still holds its lock is left alone, however long it takes."""
    cutoff = timezone.now() - timedelta(minutes=settings.JOB_STALL_MINUTES * 3)
    failed = 0
    for job_id in Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=cutoff).values_list("pk", flat=True):
        with job_lock(str(job_id)) as held:
            if held:
                failed += Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
                    status=Job.Status.FAILED,
                    error="The job stopped responding and was abandoned.",
                    finished_at=timezone.now(),
                )
    return failed
