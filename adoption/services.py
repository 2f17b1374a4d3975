"""Writes of core records."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from adoption import audit, tenancy
from adoption.api_auth import hash_token, new_token
from adoption.models import ApiClient, ApiScope, AuditEvent, Organisation, Role, User

MAX_TOKEN_DAYS = 366


def _check_administrator(actor: Any, organisation_id: int) -> None:
    """A member of staff needs the administrator role at the LA (or at its RAA). ``actor=None`` is the command line
    (``manage.py create_api_client``), run by whoever runs the service."""
    if actor is None:
        return
    if not isinstance(actor, User) or organisation_id not in tenancy.la_ids_with_roles(actor, [Role.ADMINISTRATOR]):
        raise PermissionDenied("Only the local authority's administrators can manage its API clients.")


def _check_days(days: int) -> None:
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError({"days": f"A token must expire within {MAX_TOKEN_DAYS} days."})


@transaction.atomic
def api_client_create(
    *,
    actor: Any,
    organisation: Organisation,
    name: str,
    days: int = 90,
    scopes: Iterable[str] | None = None,
) -> tuple[ApiClient, str]:
    """Register an API client for one LA. Returns the client and its token, which is never stored or shown again.

    ``scopes`` are what it may do (``ApiScope``; all of them when not given, as the command line registers)."""
    if organisation.kind != Organisation.Kind.LA:
        raise ValidationError({"organisation": "API clients belong to one local authority."})
    _check_administrator(actor, organisation.pk)
    _check_days(days)
    chosen = [scope.value for scope in ApiScope] if scopes is None else list(dict.fromkeys(scopes))
    unknown = [scope for scope in chosen if scope not in ApiScope.values]
    if unknown:
        raise ValidationError({"scopes": f"There is no scope {unknown[0]!r}."})
    if not chosen:
        raise ValidationError({"scopes": "Choose at least one thing the client may do."})
    prefix, token = new_token()
    client = ApiClient(
        name=name.strip(),
        organisation=organisation,
        token_prefix=prefix,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=days),
        scopes=[scope for scope in ApiScope.values if scope in chosen],  # in the table's order
    )
    client.full_clean()
    client.save()
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=client, organisation_id=organisation.pk)
    return client, token


@transaction.atomic
def api_client_rotate(*, actor: Any, client: ApiClient, days: int = 90) -> tuple[ApiClient, str]:
    """Give the client a new token, expiring ``days`` from now; the old one stops working at once (its prefix and
    hash are replaced in the same row). Returns the client and the new token, which is never stored or shown again.
    A revoked client stays revoked: register a new one instead."""
    _check_administrator(actor, client.organisation_id)
    _check_days(days)
    # Lock the row: two rotations at once must not both hand out a token of which only one works.
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is not None:
        raise ValidationError("This client has been revoked, so its token cannot be replaced. Register a new client.")
    prefix, token = new_token()
    client.token_prefix = prefix
    client.token_hash = hash_token(token)
    client.expires_at = timezone.now() + timedelta(days=days)
    client.save(update_fields=["token_prefix", "token_hash", "expires_at"])
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=client, organisation_id=client.organisation_id)
    return client, token


@transaction.atomic
def api_client_revoke(*, actor: Any, client: ApiClient) -> ApiClient:
    """Stop the client's token working for good (a second revoke changes nothing)."""
    _check_administrator(actor, client.organisation_id)
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=client, organisation_id=client.organisation_id)
    return client
