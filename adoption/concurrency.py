"""Two people editing the same record: the second save is refused, not silently written over the first.

An edit page puts the record's *version* in its form (a hidden field) when it is shown. The version is a SHA-256
of the record's stored values (every concrete field of each row the page edits), so any change to the record
since the page was opened — by another page, the API, the 903 import or a bulk update — gives another version.
No column is needed for it, and the models without an ``updated_at`` are covered the same way.

The check belongs to the service, which takes an optional ``expected_version``: after it has locked the row
(``select_for_update``) and before it writes anything, it calls :func:`check_unchanged` with the row as it is now.
A mismatch raises :class:`RecordChanged` (a ``ValidationError``), so the transaction writes nothing and the page
is shown again with what the user typed and the message at the top. A service called without a version (the
API, the import, older callers) is unaffected.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile

M = TypeVar("M", bound=models.Model)

# The name of the hidden form field that carries the version.
VERSION_FIELD = "version"

RECORD_CHANGED_MESSAGE = (
    "Someone else changed this record after you opened this page, so your changes have not been saved. "
    "What you entered is still in the form below: copy anything you need, then reload the page to see the "
    "record as it is now and make your changes again."
)


class RecordChanged(ValidationError):
    """The record is not the version the user started from: nothing was saved."""

    def __init__(self) -> None:
        super().__init__({NON_FIELD_ERRORS: [ValidationError(RECORD_CHANGED_MESSAGE, code="record_changed")]})


class _Encoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, FieldFile):
            return o.name or ""
        return super().default(o)


def _values(record: models.Model | None) -> Any:
    if record is None:
        return None  # the record does not exist yet (a page that creates it the first time it is saved)
    return {
        "model": record._meta.label_lower,
        "pk": record.pk,
        "fields": {field.attname: getattr(record, field.attname) for field in record._meta.concrete_fields},
    }


def version_of(*records: models.Model | None) -> str:
    """The version of the rows an edit page changes: a SHA-256 of their stored values, in the order given.

    Pass the rows as they are in the database (fresh from a selector, or locked by the service), not an instance
    changed in memory.
    """
    data = [_values(record) for record in records]
    canonical = json.dumps(data, cls=_Encoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def in_pk_order(rows: Iterable[M]) -> list[M]:
    """The rows of a set an edit page changes (a meeting's invitations), in one order for :func:`version_of`.

    By primary key, so the same rows give the same version however the page or the service fetched them (a
    prefetched list, a locked queryset); a row added to the set or taken out of it gives another version. A page
    passes them after the record they belong to (``version_of(meeting, *in_pk_order(meeting.attendances.all()))``);
    a service passes the same set locked (``select_for_update()``), having locked the record they belong to first.
    """
    return sorted(rows, key=lambda row: row.pk)


def with_version(initial: dict[str, Any] | None, *records: models.Model | None) -> dict[str, Any]:
    """An edit form's initial values with the version of the records it edits."""
    return {**(initial or {}), VERSION_FIELD: version_of(*records)}


def check_unchanged(expected_version: str | None, *records: models.Model | None) -> None:
    """Refuse the change if the records are no longer the version the user started from.

    Call it inside the service's transaction, after the rows are locked and before anything is written, with
    the locked rows. ``None`` (no version given) checks nothing.
    """
    if expected_version is None:
        return
    if not hmac.compare_digest(version_of(*records).encode(), str(expected_version).encode()):
        raise RecordChanged()
