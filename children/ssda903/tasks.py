"""Celery tasks for the SSDA903 work. Each takes a job id and calls one service through ``job_run``, passing itself as
``retry``: a job whose work raises is queued again with a growing pause, up to ``JOB_MAX_ATTEMPTS`` (as the reports'
tasks are). A try that fails leaves nothing behind (an import changes records only in the transaction that finishes
its job), so the next one starts from the same records.

Shared by the export and the import: add a task by appending it below.
"""

from __future__ import annotations

from celery import Task, shared_task

from adoption import jobs


# --- export (children.ssda903.export, children.ssda903.annex_a) ------------------------------
@shared_task(bind=True, acks_late=True)
def build_ssda903_export(self: Task, job_id: str) -> None:
    from children.ssda903.export import ssda903_export_build

    jobs.job_run(job_id, ssda903_export_build, retry=self)


@shared_task(bind=True, acks_late=True)
def build_annex_a_list_10(self: Task, job_id: str) -> None:
    from children.ssda903.annex_a import annex_a_list_10_build

    jobs.job_run(job_id, annex_a_list_10_build, retry=self)


# --- import (children.ssda903.importer) ------------------------------------------------------
@shared_task(bind=True, acks_late=True)
def ssda903_import_run(self: Task, job_id: str) -> None:
    """Check and preview, apply a confirmed preview, or both: the job's ``params['phase']`` says which."""
    from children.ssda903.importer import import_work

    jobs.job_run(job_id, import_work, retry=self)
