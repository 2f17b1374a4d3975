"""Reads of core records, scoped by tenancy."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from adoption import tenancy
from adoption.models import Job


def job_list(*, actor: Any) -> QuerySet[Job]:
    return tenancy.scope_jobs(Job.objects.select_related("organisation", "requested_by"), actor)


def job_get(*, actor: Any, job_id: Any) -> Job:
    job = job_list(actor=actor).filter(pk=job_id).first()
    if job is None:
        raise Http404("No such job.")
    return job
