from __future__ import annotations

from celery import shared_task

from adoption import jobs


@shared_task
def fail_stalled_jobs() -> int:
    return jobs.jobs_fail_stalled()
