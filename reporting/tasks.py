"""Reporting's Celery tasks. Each report task runs its tracked job (``adoption.jobs.job_run``), and passes
itself as ``retry`` so a job whose work raises is queued again with a growing pause, up to the limit."""

from __future__ import annotations

from celery import Task, shared_task
from django.utils import timezone

from adoption import jobs


@shared_task(bind=True, acks_late=True)
def build_a1_report(self: Task, job_id: str) -> None:
    from reporting.services import a1_report_build

    jobs.job_run(job_id, a1_report_build, retry=self)


@shared_task(bind=True, acks_late=True)
def build_annex_a_list_11(self: Task, job_id: str) -> None:
    from reporting.annex_a_list_11 import annex_a_list_11_build

    jobs.job_run(job_id, annex_a_list_11_build, retry=self)


@shared_task(bind=True, acks_late=True)
def build_quarterly_return(self: Task, job_id: str) -> None:
    from reporting.returns import quarterly_return_run

    quarterly_return_run(job_id, retry=self)


@shared_task(bind=True, acks_late=True)
def build_scorecard_pdf(self: Task, job_id: str) -> None:
    from reporting.scorecard_pdf import scorecard_pdf_build

    jobs.job_run(job_id, scorecard_pdf_build, retry=self)


@shared_task(bind=True, acks_late=True)
def build_board_report(self: Task, job_id: str) -> None:
    from reporting.board_report import board_report_build

    jobs.job_run(job_id, board_report_build, retry=self)


@shared_task(bind=True, acks_late=True)
def build_data_pack(self: Task, job_id: str) -> None:
    from reporting.data_pack import data_pack_build

    jobs.job_run(job_id, data_pack_build, retry=self)


@shared_task
def schedule_quarter_reports() -> int:
    """Run by Celery beat each day: make the quarter's returns and scorecards once they are due."""
    from reporting.schedule import quarter_reports_schedule

    return len(quarter_reports_schedule(timezone.localdate()))


@shared_task
def fold_figure_changes() -> int:
    """Nightly: each organisation's log of changes to its figures' records folded into one new row (the cache's
    keys change once more, and the log stays small). Answers how many rows went."""
    from reporting.figure_versions import fold_changes

    return fold_changes()
