"""Writing audit events: the one function every read and write of a record goes through."""

from __future__ import annotations

from typing import Any

from django.db import models

from adoption import request_context
from adoption.models import ApiClient, AuditEvent, User


def record(
    *,
    actor: Any,
    action: AuditEvent.Action | str,
    obj: models.Model | None = None,
    organisation_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
) -> AuditEvent:
    """Append one audit event. ``obj`` names the record; never pass field values."""
    event = unsaved(
        actor=actor,
        action=action,
        obj=obj,
        organisation_id=organisation_id,
        object_type=object_type,
        object_id=object_id,
    )
    event.save(force_insert=True)
    return event


def unsaved(
    *,
    actor: Any,
    action: AuditEvent.Action | str,
    obj: models.Model | None = None,
    organisation_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
) -> AuditEvent:
    """The event :func:`record` appends, not yet saved: for a writer that saves many at once (``bulk_create``)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    ctx = request_context.current()
    user = actor if isinstance(actor, User) and actor.pk else None
    client = actor if isinstance(actor, ApiClient) else None
    label = user.username if user else (f"api:{client.token_prefix}" if client else "")
    return AuditEvent(
        actor=user,
        api_client=client,
        actor_label=label,
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        organisation_id=organisation_id,
        request_id=ctx.request_id,
        source_ip=ctx.source_ip,
    )
