"""Writes of core records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from adoption import audit
from adoption.api_auth import hash_token, new_token
from adoption.models import ApiClient, AuditEvent, Organisation

MAX_TOKEN_DAYS = 366


@transaction.atomic
def api_client_create(*, actor: Any, organisation: Organisation, name: str, days: int = 90) -> tuple[ApiClient, str]:
    """Register an API client for one LA. Returns the client and its token, which is never stored or shown again."""
    if organisation.kind != Organisation.Kind.LA:
        raise ValidationError({"organisation": "API clients belong to one local authority."})
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError({"days": f"A token must expire within {MAX_TOKEN_DAYS} days."})
    prefix, token = new_token()
    client = ApiClient(
        name=name,
        organisation=organisation,
        token_prefix=prefix,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=days),
    )
    client.full_clean()
    client.save()
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=client, organisation_id=organisation.pk)
    return client, token


@transaction.atomic
def api_client_revoke(*, actor: Any, client: ApiClient) -> ApiClient:
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=client, organisation_id=client.organisation_id)
    return client
