"""Tracked jobs: a service creates the row and enqueues; a task claims it, runs it, records the outcome.

A job runs at most once to success: the claim is a conditional UPDATE, so a message delivered
twice (or to two workers) finds the job already taken or finished and does nothing. Output is
written in the same transaction that marks the job finished, so a worker that dies half-way
leaves no partial file attached to the job and the redelivered message starts again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery import Task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from adoption import audit
from adoption.models import AuditEvent, Job, Organisation, User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobOutput:
    result: dict[str, Any]
    file_name: str = ""
    content: bytes = b""


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


def job_claim(job_id: str) -> Job | None:
    """Mark a queued (or stalled) job as running; ``None`` when someone else has it or it is done."""
    stalled_before = timezone.now() - timedelta(minutes=settings.JOB_STALL_MINUTES)
    with transaction.atomic():
        job = (
            Job.objects.select_for_update(skip_locked=True)
            .filter(pk=job_id)
            .filter(Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING, started_at__lt=stalled_before))
            .first()
        )
        if job is None:
            return None
        job.status = Job.Status.RUNNING
        job.started_at = timezone.now()
        job.finished_at = None
        job.progress = 0
        job.error = ""
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "finished_at", "progress", "error", "attempts"])
        return job


def job_progress(job: Job, progress: int) -> None:
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(progress=max(0, min(progress, 99)))


def job_run(
    job_id: str, work: Callable[[Job], JobOutput], *, on_success: Callable[[Job, JobOutput], None] | None = None
) -> None:
    """Claim the job, run ``work``, and store its output and status in one transaction.

    ``on_success`` writes whatever else the job makes (a frozen return) in that same transaction, so the job
    is finished with it or not at all; it may add to ``job.result``.
    """
    job = job_claim(job_id)
    if job is None:
        logger.info("job %s already taken or finished; nothing to do", job_id)
        return
    try:
        output = work(job)
    except Exception as exc:
        logger.exception("job %s failed", job_id)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        return
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.status != Job.Status.RUNNING:
            return
        if output.content:
            job.file.save(output.file_name, ContentFile(output.content), save=False)
        job.result = output.result
        if on_success is not None:
            on_success(job, output)
        job.status = Job.Status.SUCCEEDED
        job.progress = 100
        job.finished_at = timezone.now()
        job.save()


def jobs_fail_stalled() -> int:
    """Mark jobs that have run far longer than any job should as failed, so they can be requested again."""
    cutoff = timezone.now() - timedelta(minutes=settings.JOB_STALL_MINUTES * 3)
    return Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=cutoff).update(
        status=Job.Status.FAILED, error="The job stopped responding and was abandoned.", finished_at=timezone.now()
    )
