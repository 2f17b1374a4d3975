"""Every report run the user may see: each a tracked job, with its progress, its outcome and its file.

The runs are the jobs of the report kinds (``REPORT_JOB_KINDS``, and the quarterly returns) of the organisations
the user reports on, narrowed by ``adoption.tenancy.scope_jobs`` (so a run over several LAs shows only to those who
see them all). Scheduled runs (Celery beat, after each quarter end) are among them, marked as such.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from adoption.models import Job
from adoption.selectors import job_list
from reporting import returns
from reporting.dashboard import REPORT_JOB_KINDS

RUN_KINDS = (Job.Kind.QUARTERLY_RETURN, *REPORT_JOB_KINDS)
SCHEDULED, ON_DEMAND = "scheduled", "asked"


def report_runs(*, actor: Any, kind: str = "", status: str = "", origin: str = "") -> QuerySet[Job]:
    """The actor's report runs, newest first: of one ``kind`` and ``status`` when given, and ``origin``
    (``SCHEDULED`` or ``ON_DEMAND``)."""
    runs = job_list(actor=actor).filter(kind__in=RUN_KINDS, organisation__in=returns.report_organisations(actor))
    if kind:
        runs = runs.filter(kind=kind)
    if status:
        runs = runs.filter(status=status)
    if origin == SCHEDULED:
        runs = runs.filter(schedule_key__isnull=False)
    elif origin == ON_DEMAND:
        runs = runs.filter(schedule_key__isnull=True)
    return runs.order_by("-created_at")
