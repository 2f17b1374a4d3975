"""Who may see and change adoption support records: the one place support's tenancy is decided.

Support records belong to an LA (the spoke that holds the work). Support social workers and managers
change them, administrators also read them, each only for the LAs where they hold that role (at the LA,
or at its RAA, which covers every LA of the RAA): a spoke's worker sees their LA's families, the RAA's
manager sees them all. Anyone else gets 403 for the lists and 404 for a record, as if it did not exist.
An LA's API client reads and writes its own LA's support records (see ``_api_client_la_ids``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from adoption import tenancy
from adoption.models import ApiClient, Organisation


def _api_client_la_ids(actor: Any) -> frozenset[int]:
    """An LA's API client works on its own LA's support records, reading and writing (the ASF API).

    The client is the LA's own case system, registered by the LA for that LA alone: it holds no membership,
    so no role, and ``tenancy.la_ids_with_roles`` gives it nothing. Its scope is the one tenancy gives an
    API client (its LA), so another LA's records stay 404 for it. Staff are unaffected.
    """
    return tenancy.scope_for(actor).la_ids if isinstance(actor, ApiClient) else frozenset()


def reader_la_ids(actor: Any) -> frozenset[int]:
    return tenancy.la_ids_with_roles(actor, tenancy.SUPPORT_READERS) | _api_client_la_ids(actor)


def writer_la_ids(actor: Any) -> frozenset[int]:
    return tenancy.la_ids_with_roles(actor, tenancy.SUPPORT_WRITERS) | _api_client_la_ids(actor)


def scope_support(queryset: QuerySet, actor: Any, *, la_field: str = "la") -> QuerySet:
    """Narrow support records (anything with an LA) to the LAs whose support the actor works with."""
    return queryset.filter(**{f"{la_field}__in": reader_la_ids(actor)})


def may_see_support(actor: Any) -> bool:
    return bool(reader_la_ids(actor))


def may_write_support(actor: Any, *, la_id: int | None = None) -> bool:
    """May the actor change support records: any LA's, or ``la_id``'s."""
    las = writer_la_ids(actor)
    return bool(las) if la_id is None else la_id in las


def require_writer(actor: Any, la_id: int | None = None) -> None:
    """403 unless the actor may change support records (of ``la_id``'s LA, when given)."""
    if not may_write_support(actor, la_id=la_id):
        raise PermissionDenied("Your role cannot change adoption support records.")


def writable_las(actor: Any) -> list[Organisation]:
    return list(Organisation.objects.filter(id__in=writer_la_ids(actor)).order_by("name"))


def check_la(actor: Any, la_id: int) -> None:
    """A new record's LA must be one whose support the actor runs (403 if they run none)."""
    from django.core.exceptions import ValidationError

    las = writer_la_ids(actor)
    if not las:
        raise PermissionDenied("Your role cannot change adoption support records.")
    if la_id not in las:
        raise ValidationError({"la": "Choose an LA whose adoption support you work on"})


def for_write(actor: Any, queryset: QuerySet, pk: int, *, la_field: str = "la") -> Any:
    """The record, locked for this transaction: 404 outside the actor's LAs, 403 if they only read them."""
    found = scope_support(queryset.select_for_update(of=("self",)), actor, la_field=la_field).filter(pk=pk).first()
    if found is None:
        raise Http404("No such record.")
    la_id = _la_id(found, la_field)
    if la_id not in writer_la_ids(actor):
        raise PermissionDenied("Your role cannot change adoption support records.")
    return found


def _la_id(record: Model, la_field: str) -> int:
    value: Any = record
    for part in la_field.split("__"):
        value = getattr(value, part)
    return value.pk if isinstance(value, Model) else value


def support_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and working on some LA's adoption support (else 403, as for any list page)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_see_support(request.user):
            raise PermissionDenied("Adoption support is seen by the support workers and managers of the LA.")
        return view(request, *args, **kwargs)

    return wrapper
