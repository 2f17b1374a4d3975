"""Background work of the panels: building a meeting's agenda pack."""

from __future__ import annotations

from celery import shared_task

from adoption import jobs


@shared_task(acks_late=True)
def build_agenda_pack(job_id: str) -> None:
    from panels.pack import agenda_pack_build

    jobs.job_run(job_id, agenda_pack_build)
