"""Reads of core records, scoped by tenancy."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.db.models.functions import Now
from django.http import Http404

from adoption import audit, tenancy
from adoption.models import ApiClient, AuditEvent, Job, Role


def job_list(*, actor: Any) -> QuerySet[Job]:
    return tenancy.scope_jobs(Job.objects.select_related("organisation", "requested_by"), actor)


def job_get(*, actor: Any, job_id: Any) -> Job:
    job = job_list(actor=actor).filter(pk=job_id).first()
    if job is None:
        raise Http404("No such job.")
    return job


# --- API clients (managed by an LA's administrators) ---------------------------------------------------------


def administered_la_ids(actor: Any) -> frozenset[int]:
    """The LAs whose API clients the actor manages; 403 if none."""
    la_ids = tenancy.la_ids_with_roles(actor, [Role.ADMINISTRATOR])
    if not la_ids:
        raise PermissionDenied("Only a local authority's administrators can manage its API clients.")
    return la_ids


def api_client_list(*, actor: Any) -> QuerySet[ApiClient]:
    """The clients of the LAs the actor administers, each with its ``state`` (active, expired or revoked)."""
    return (
        ApiClient.objects.filter(organisation_id__in=administered_la_ids(actor))
        .select_related("organisation")
        .annotate(
            state=Case(
                When(revoked_at__isnull=False, then=Value("revoked")),
                When(Q(expires_at__lte=Now()), then=Value("expired")),
                default=Value("active"),
                output_field=CharField(),
            )
        )
        .order_by("organisation__name", "name", "pk")
    )


def api_client_get(*, actor: Any, client_id: int) -> ApiClient:
    client = api_client_list(actor=actor).filter(pk=client_id).first()
    if client is None:
        raise Http404("No such API client.")
    audit.record(actor=actor, action=AuditEvent.Action.READ, obj=client, organisation_id=client.organisation_id)
    return client
