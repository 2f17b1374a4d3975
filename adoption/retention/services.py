"""Writes: legal holds placed and released, and disposals asked for, approved (and carried out) or refused.

Each step is audited. A request for a record before its date, or on hold, is refused with a message and changes
nothing; the approval checks the date and the holds again, of the record and of every row its disposal removes, and
the database checks them a third time (``adoption.retention``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from adoption import audit
from adoption.models import AuditEvent, DisposalRequest, DisposedRow, LegalHold, RetentionRecord
from adoption.retention import KEPT_TABLES, disposal, kind_label, selectors


def _name(table_name: str, object_id: int) -> str:
    return f"{kind_label(table_name)} {object_id}"


def _when(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _audit(actor: Any, action: str, record: RetentionRecord | DisposalRequest | LegalHold) -> None:
    model = disposal.model_for_table(record.table_name)
    audit.record(
        actor=actor,
        action=action,
        object_type=model._meta.label_lower,
        object_id=record.object_id,
        organisation_id=record.organisation_id,
    )


def _refuse_unless_disposable(record: RetentionRecord) -> None:
    name = _name(record.table_name, record.object_id)
    if record.due_on is None:
        raise ValidationError({"__all__": f"{name} has no disposal date yet: it is kept while it is still open"})
    if record.due_on > timezone.localdate():
        raise ValidationError(
            {"__all__": f"{name} is kept until {_when(record.due_on)}: it cannot be disposed of before then"}
        )
    held = disposal.holds_over({(record.table_name, record.object_id)})
    if (record.table_name, record.object_id) in held:
        raise ValidationError(
            {"__all__": f"{name} is on legal hold: it cannot be disposed of until the hold is released"}
        )
    if held:  # a match is part of its family's record and of its children's
        owner = _name(*min(held))
        raise ValidationError(
            {
                "__all__": f"{owner} is on legal hold and {name} is part of its record: it cannot be disposed of until "
                "the hold is released"
            }
        )


# --- legal holds -------------------------------------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(*, actor: Any, table_name: str, object_id: int, reason: str) -> LegalHold:
    record = selectors.record_get(actor=actor, table_name=table_name, object_id=object_id)
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for the hold"})
    if LegalHold.objects.filter(table_name=table_name, object_id=object_id, released_at__isnull=True).exists():
        raise ValidationError({"__all__": f"{_name(table_name, object_id)} is already on legal hold"})
    hold = LegalHold(
        table_name=table_name,
        object_id=object_id,
        organisation_id=record.organisation_id,
        reason=reason.strip(),
        placed_by=actor,
    )
    hold.full_clean()
    hold.save()
    _audit(actor, AuditEvent.Action.LEGAL_HOLD_SET, hold)
    return hold


@transaction.atomic
def legal_hold_release(*, actor: Any, hold_id: int, reason: str) -> LegalHold:
    hold = selectors.hold_get(actor=actor, hold_id=hold_id)
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is not None:
        raise ValidationError({"__all__": "This hold has already been released"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for releasing the hold"})
    hold.released_by, hold.released_at, hold.release_reason = actor, timezone.now(), reason.strip()
    hold.full_clean()
    hold.save(update_fields=["released_by", "released_at", "release_reason"])
    _audit(actor, AuditEvent.Action.LEGAL_HOLD_RELEASED, hold)
    return hold


# --- disposal ----------------------------------------------------------------------------------------------------


@transaction.atomic
def disposal_request(*, actor: Any, table_name: str, object_id: int, reason: str = "") -> DisposalRequest:
    """Ask for a record past its date and not on hold to be disposed of; another person approves."""
    record = selectors.record_get(actor=actor, table_name=table_name, object_id=object_id)
    _refuse_unless_disposable(record)
    if DisposalRequest.objects.filter(
        table_name=table_name, object_id=object_id, status=DisposalRequest.Status.PENDING
    ).exists():
        raise ValidationError(
            {"__all__": f"The disposal of {_name(table_name, object_id)} is already waiting for approval"}
        )
    request = DisposalRequest(
        table_name=table_name,
        object_id=object_id,
        organisation_id=record.organisation_id,
        reason=reason.strip(),
        requested_by=actor,
    )
    request.full_clean()
    request.save()
    _audit(actor, AuditEvent.Action.DISPOSAL_REQUESTED, request)
    return request


def _pending_for_decision(actor: Any, request_id: int) -> DisposalRequest:
    found = selectors.request_get(actor=actor, request_id=request_id)
    request = DisposalRequest.objects.select_for_update().get(pk=found.pk)
    if request.status != DisposalRequest.Status.PENDING:
        raise ValidationError({"__all__": f"This request has already been decided: {request.get_status_display()}"})
    if request.requested_by_id == actor.pk:
        raise ValidationError(
            {"__all__": "You asked for this disposal: another administrator or manager must decide on it"}
        )
    return request


@transaction.atomic
def disposal_approve(*, actor: Any, request_id: int) -> DisposalRequest:
    """Approve a disposal and carry it out: the record and the rows that belong to it are deleted."""
    request = _pending_for_decision(actor, request_id)
    record = selectors.record_get(actor=actor, table_name=request.table_name, object_id=request.object_id)
    _refuse_unless_disposable(record)

    rows = disposal.collect(disposal.model_for_table(request.table_name), request.object_id)
    every_row = disposal.as_table_rows(rows)
    kept = {(table, pk) for table, pk in every_row if table in KEPT_TABLES}
    today = timezone.localdate()
    for (table, pk), due in sorted(disposal.due_dates(kept).items(), key=lambda item: str(item[0])):
        if due is None or due > today:
            until = f"until {_when(due)}" if due is not None else "while it is still open"
            raise ValidationError(
                {"__all__": f"{_name(table, pk)} is part of this record and is kept {until}: nothing was disposed of"}
            )
    held = disposal.holds_over(every_row)  # on a row, or on a record a row is part of (the guard's own reading)
    if held:
        raise ValidationError(
            {
                "__all__": f"{_name(*min(held))} is on legal hold and this disposal would remove part of it: "
                "nothing was disposed of"
            }
        )

    request.status = DisposalRequest.Status.APPROVED
    request.decided_by, request.decided_at = actor, timezone.now()
    request.full_clean()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    # The database fills each row's date and refuses one not yet due or on hold; the delete guard then lets them go.
    DisposedRow.objects.bulk_create(
        DisposedRow(request=request, table_name=table, object_id=pk) for table, pk in sorted(kept)
    )
    disposal.delete(rows)
    _audit(actor, AuditEvent.Action.DISPOSAL_APPROVED, request)
    return request


@transaction.atomic
def disposal_refuse(*, actor: Any, request_id: int, note: str) -> DisposalRequest:
    request = _pending_for_decision(actor, request_id)
    if not note.strip():
        raise ValidationError({"decision_note": "Enter why the disposal is refused"})
    request.status = DisposalRequest.Status.REFUSED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note.strip()
    request.full_clean()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _audit(actor, AuditEvent.Action.DISPOSAL_REFUSED, request)
    return request
