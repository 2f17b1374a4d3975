from __future__ import annotations

from celery import shared_task

from adoption import jobs


@shared_task
def fail_stalled_jobs() -> int:
    return jobs.jobs_fail_stalled()


@shared_task
def purge_idempotency_keys() -> int:
    """Forget API clients' idempotency keys older than a day (a retry is expected within minutes)."""
    from adoption.api_conventions import idempotency_records_purge

    return idempotency_records_purge()
