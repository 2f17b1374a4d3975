from __future__ import annotations

from celery import shared_task

from adoption import jobs


@shared_task(acks_late=True)
def build_a1_report(job_id: str) -> None:
    from reporting.services import a1_report_build

    jobs.job_run(job_id, a1_report_build)


@shared_task(acks_late=True)
def build_annex_a_list_11(job_id: str) -> None:
    from reporting.annex_a_list_11 import annex_a_list_11_build

    jobs.job_run(job_id, annex_a_list_11_build)


@shared_task(acks_late=True)
def build_quarterly_return(job_id: str) -> None:
    from reporting.returns import quarterly_return_run

    quarterly_return_run(job_id)


@shared_task(acks_late=True)
def build_scorecard_pdf(job_id: str) -> None:
    from reporting.scorecard_pdf import scorecard_pdf_build

    jobs.job_run(job_id, scorecard_pdf_build)
