"""Placements and disruptions, for their pages: scoped by the child's LA, like every read of a child."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404

from adoption import audit, tenancy
from adoption.db import DaysBetween
from adoption.models import AuditEvent, Organisation, User
from children.journey import ADOPTION_ORDER_ELIGIBLE_DAYS
from children.models import AdoptivePlacement, Disruption, LearningAction, Match, PermanenceOutcome


def _placements(actor: Any) -> QuerySet[AdoptivePlacement]:
    return tenancy.scope_children(
        AdoptivePlacement.objects.select_related("child__responsible_la", "household"),
        actor,
        la_field="child__responsible_la",
    )


def _adopted() -> Exists:
    return Exists(PermanenceOutcome.objects.filter(child=OuterRef("child"), kind=PermanenceOutcome.Kind.ADOPTION_ORDER))


# --- the 10 weeks before the adopters may apply -------------------------------------------------------------------


def lived_with_family_from(placement: AdoptivePlacement) -> date | None:
    """The day the child's home became the adopters' home.

    The adopters may apply for the adoption order once the child has had their home with them for the
    10 weeks before the application (Adoption and Children Act 2002 s.42(2)). A child adopted by their
    foster carers has had their home with them since moving in as a fostered child, not only since the
    placement for adoption.
    """
    if placement.with_foster_carers and placement.moved_in_with_carers_on:
        return placement.moved_in_with_carers_on
    return placement.placed_on


def may_apply_from(placement: AdoptivePlacement) -> date | None:
    start = lived_with_family_from(placement)
    return start + timedelta(days=ADOPTION_ORDER_ELIGIBLE_DAYS) if start else None


def early_application_warning(placement: AdoptivePlacement) -> str:
    """What to tell the user when the adoption application came before the 10 weeks; "" when it did not.

    A warning, not a refusal: the application is a fact to record as it happened.
    """
    earliest = may_apply_from(placement)
    applied = placement.adoption_applied_on
    if not (earliest and applied and applied < earliest):
        return ""
    return (
        f"The application was made before the child had lived with the adopters for 10 weeks: they may apply "
        f"from {earliest.day} {earliest:%B %Y} (Adoption and Children Act 2002 s.42(2)). Check the date, and "
        f"tell the court if it is right."
    )


def _may_apply_on() -> ExpressionWrapper:
    """:func:`may_apply_from` in the database (PostgreSQL adds whole days to a date)."""
    start = Case(
        When(with_foster_carers=True, moved_in_with_carers_on__isnull=False, then=F("moved_in_with_carers_on")),
        default=F("placed_on"),
    )
    return ExpressionWrapper(start + Value(ADOPTION_ORDER_ELIGIBLE_DAYS), output_field=DateField())


# --- the placements list ------------------------------------------------------------------------------------------


def placements_current(*, actor: Any, today: date) -> QuerySet[AdoptivePlacement]:
    """Children living with their adoptive family before the adoption order, longest placed first.

    With ``days_placed``, ``may_apply_on`` (10 weeks living with the family) and ``may_apply`` (reached).
    """
    return (
        _placements(actor)
        .filter(ended_on__isnull=True, placed_on__isnull=False)
        .exclude(_adopted())
        .annotate(days_placed=DaysBetween(Value(today), F("placed_on")), may_apply_on=_may_apply_on())
        .annotate(
            may_apply=Case(
                When(may_apply_on__lte=today, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .order_by("placed_on", "child__last_name", "id")
    )


def matches_awaiting_placement(*, actor: Any, today: date) -> QuerySet[AdoptivePlacement]:
    """Children matched with a family who have not moved in yet, longest matched first, with ``days_matched``."""
    return (
        _placements(actor)
        .filter(ended_on__isnull=True, placed_on__isnull=True)
        .exclude(_adopted())
        .annotate(days_matched=DaysBetween(Value(today), F("matched_on")))
        .order_by("matched_on", "child__last_name", "id")
    )


def match_to_place_get(*, actor: Any, match_id: int) -> Match:
    """A match with its children's placements (the actor's children only), or 404. Records one read."""
    placements = _placements(actor).order_by("child__date_of_birth", "id")
    match = (
        tenancy.scope_children(
            Match.objects.select_related("household"), actor, la_field="placements__child__responsible_la"
        )
        .filter(pk=match_id)
        .prefetch_related(Prefetch("placements", queryset=placements))
        .distinct()
        .first()
    )
    if match is None:
        raise Http404("No such match.")
    la_id = next((p.child.responsible_la_id for p in match.placements.all()), None)
    audit.record(actor=actor, action=AuditEvent.Action.READ, obj=match, organisation_id=la_id)
    return match


def current_placement(*, actor: Any, child_id: int) -> AdoptivePlacement | None:
    """The child's adoptive placement that has begun and not ended (the child is known to be in scope)."""
    return (
        _placements(actor)
        .filter(child_id=child_id, ended_on__isnull=True, placed_on__isnull=False)
        .order_by("-placed_on")
        .first()
    )


# --- disruptions --------------------------------------------------------------------------------------------------


def _disruptions(actor: Any) -> QuerySet[Disruption]:
    return tenancy.scope_children(
        Disruption.objects.select_related("placement__child__responsible_la", "placement__household"),
        actor,
        la_field="placement__child__responsible_la",
    )


def disruptions_list(*, actor: Any, today: date) -> QuerySet[Disruption]:
    """Disruptions, latest first, with their learning actions and owners; ``overdue_actions`` counts the late ones."""
    actions = LearningAction.objects.select_related("owner").order_by("due_on", "id")
    return (
        _disruptions(actor)
        .prefetch_related(Prefetch("actions", queryset=actions))
        .annotate(
            open_actions=Count("actions", filter=Q(actions__done_on__isnull=True)),
            overdue_actions=Count("actions", filter=Q(actions__done_on__isnull=True, actions__due_on__lt=today)),
        )
        .order_by("-placement__ended_on", "-id")
    )


def disruption_get(*, actor: Any, disruption_id: int) -> Disruption:
    """One disruption with its learning actions, or 404 outside the actor's scope. Records one read."""
    actions = LearningAction.objects.select_related("owner").order_by("due_on", "id")
    disruption = (
        _disruptions(actor).prefetch_related(Prefetch("actions", queryset=actions)).filter(pk=disruption_id).first()
    )
    if disruption is None:
        raise Http404("No such disruption.")
    child = disruption.placement.child
    audit.record(actor=actor, action=AuditEvent.Action.READ, obj=child, organisation_id=child.responsible_la_id)
    return disruption


def learning_action_owners(*, la: Organisation) -> QuerySet[User]:
    """Who may own a learning action about a child of ``la``: active staff of the LA or of its RAA."""
    organisations = [la.pk, *([la.raa_id] if la.raa_id else [])]
    return (
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__organisation_id__in=organisations,
        )
        .distinct()
        .order_by("last_name", "first_name", "id")
    )
