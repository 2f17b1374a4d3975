"""What every write to a child's record shares: who may write, the locked child, the journey rules, audit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from adoption import audit, tenancy
from adoption.models import ApiClient, AuditEvent
from children import rules
from children.models import (
    Child,
)
from children.selectors import journey_dates, with_journey_dates

# Who may record a child's journey (defined once, in tenancy). Everyone else reads.
JOURNEY_WRITERS = tuple(sorted(tenancy.JOURNEY_ROLES))
# The panel's recommendation and the ADM's decision (a match, a child's plan) are also recorded by the panel's
# staff: the panel adviser records both, on the panel's pages.
PANEL_WRITERS = tuple(sorted(tenancy.JOURNEY_ROLES | tenancy.PANEL_RECORDERS))
DECISION_WRITERS = tuple(sorted(tenancy.JOURNEY_ROLES | tenancy.DECISION_RECORDERS))


def may_write_journeys(actor: Any, roles: Iterable[str] = JOURNEY_WRITERS) -> bool:
    """Staff in a writer role, and an LA's API client (tenancy already limits it to its own LA's children)."""
    return isinstance(actor, ApiClient) or tenancy.has_role(actor, *roles)


def _require_writer(actor: Any, roles: Iterable[str] = JOURNEY_WRITERS) -> None:
    if not may_write_journeys(actor, roles):
        raise PermissionDenied("Your role cannot change children's records.")


def _child_for_write(actor: Any, child_id: int, roles: Iterable[str] = JOURNEY_WRITERS) -> Child:
    """The child, locked for this transaction; 404 outside the actor's scope, 403 for a reader."""
    child = (
        with_journey_dates(tenancy.scope_children(Child.objects.select_for_update(of=("self",)), actor))
        .filter(pk=child_id)
        .first()
    )
    if child is None:
        raise Http404("No such child.")
    _require_writer(actor, roles)
    return child


def _check(child: Child, *, fields: dict[str, str] | None = None, **changes: Any) -> None:
    """Check the journey rules on the child's dates with ``changes`` applied."""
    dates = journey_dates(child)
    facts = rules.JourneyFacts(
        today=timezone.localdate(),
        date_of_birth=child.date_of_birth,
        expected_date_of_birth=child.expected_date_of_birth,
        entered_care_on=dates.entered_care_on,
        entered_care_known=not getattr(child, "entered_care_before_records", False),
        decision_on=dates.decision_on,
        placement_order_on=dates.placement_order_on,
        matched_on=dates.matched_on,
        placed_on=dates.placed_on,
        adoption_order_on=dates.adoption_order_on,
    )
    extra = {k: v for k, v in changes.items() if k not in facts.__dataclass_fields__}
    known = {k: v for k, v in changes.items() if k in facts.__dataclass_fields__}
    facts = rules.JourneyFacts(**{**facts.__dict__, **known, "extra_dates": extra})
    rules.raise_if_violated(facts, fields=fields)


def _not_before_current(history, *, field: str, day: date, what: str) -> None:
    """A dated history (family finding, proceedings) only moves forward: refuse a start before the current one."""
    current = history.order_by(f"-{field}", "-id").values_list(field, flat=True).first()
    if current and day < current:
        raise ValidationError({field: f"The {what} must start on or after the current one ({current:%d/%m/%Y})"})


def _save(actor: Any, obj, child: Child, action: AuditEvent.Action = AuditEvent.Action.CREATE):
    obj.full_clean()
    obj.save()
    audit.record(actor=actor, action=action, obj=child, organisation_id=child.responsible_la_id)
    return obj
