"""Background work of the panels: building a meeting's agenda pack. The task passes itself to ``job_run`` as
``retry``, so a pack whose building raises is queued again with a growing pause, up to ``JOB_MAX_ATTEMPTS``."""

from __future__ import annotations

from celery import Task, shared_task

from adoption import jobs


@shared_task(bind=True, acks_late=True)
def build_agenda_pack(self: Task, job_id: str) -> None:
    from panels.pack import agenda_pack_build

    jobs.job_run(job_id, agenda_pack_build, retry=self)
