"""Reads for the retention page: records past their date, holds in force, disposals waiting; scoped to the
organisations where the actor is an administrator or a manager."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from adoption import tenancy
from adoption.models import DisposalRequest, LegalHold, Membership, RetentionRecord, User
from adoption.retention import KINDS, RETENTION_ROLES


def retention_org_ids(actor: Any) -> frozenset[int]:
    """The organisations whose records the actor looks after: where they are an administrator or a manager, and
    the LAs of such an RAA. 403 for anyone else."""
    org_ids: set[int] = set()
    if isinstance(actor, User) and actor.is_active:
        org_ids.update(tenancy.la_ids_with_roles(actor, RETENTION_ROLES))
        org_ids.update(
            Membership.objects.filter(
                user=actor, is_active=True, organisation__is_active=True, role__in=RETENTION_ROLES
            ).values_list("organisation_id", flat=True)
        )
    if not org_ids:
        raise PermissionDenied("Only administrators and managers look after the retention of records.")
    return frozenset(org_ids)


def _held(table: str = "table_name", pk: str = "object_id") -> Exists:
    return Exists(
        LegalHold.objects.filter(table_name=OuterRef(table), object_id=OuterRef(pk), released_at__isnull=True)
    )


def _pending(table: str = "table_name", pk: str = "object_id") -> Exists:
    return Exists(
        DisposalRequest.objects.filter(
            table_name=OuterRef(table), object_id=OuterRef(pk), status=DisposalRequest.Status.PENDING
        )
    )


def due_record_list(*, actor: Any) -> QuerySet[RetentionRecord]:
    """Records whose earliest disposal date has passed, oldest first, each with ``held`` and ``pending``."""
    return (
        RetentionRecord.objects.filter(
            organisation_id__in=retention_org_ids(actor),
            table_name__in=list(KINDS),
            due_on__lte=timezone.localdate(),
        )
        .select_related("organisation")
        .annotate(held=_held(), pending=_pending())
        .order_by("due_on", "table_name", "object_id")
    )


def record_get(*, actor: Any, table_name: str, object_id: int) -> RetentionRecord:
    """One kept record of the actor's organisations, with its date; 404 for any other (or one that does not exist)."""
    record = (
        RetentionRecord.objects.filter(
            organisation_id__in=retention_org_ids(actor), table_name=table_name, object_id=object_id
        )
        .select_related("organisation")
        .first()
        if table_name in KINDS
        else None
    )
    if record is None:
        raise Http404("No such record.")
    return record


def hold_list(*, actor: Any) -> QuerySet[LegalHold]:
    """Holds in force on the actor's organisations' records, newest first."""
    return LegalHold.objects.filter(
        organisation_id__in=retention_org_ids(actor), released_at__isnull=True
    ).select_related("organisation", "placed_by")


def hold_get(*, actor: Any, hold_id: int) -> LegalHold:
    hold = hold_list(actor=actor).filter(pk=hold_id).first()
    if hold is None:
        raise Http404("No such legal hold.")
    return hold


def pending_request_list(*, actor: Any) -> QuerySet[DisposalRequest]:
    """Disposals waiting for a second person, oldest first, each with ``held``."""
    return (
        DisposalRequest.objects.filter(
            organisation_id__in=retention_org_ids(actor), status=DisposalRequest.Status.PENDING
        )
        .select_related("organisation", "requested_by")
        .annotate(held=_held())
        .order_by("requested_at", "id")
    )


def request_get(*, actor: Any, request_id: int) -> DisposalRequest:
    """A disposal request of the actor's organisations (any status); 404 otherwise."""
    found = (
        DisposalRequest.objects.filter(organisation_id__in=retention_org_ids(actor), pk=request_id)
        .select_related("organisation", "requested_by", "decided_by")
        .first()
    )
    if found is None:
        raise Http404("No such disposal request.")
    return found
