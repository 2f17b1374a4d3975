"""One child's (or one sibling group's) record, for their pages. Each read is audited."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from adoption import audit, tenancy
from adoption.models import AuditEvent
from adoption.prefetch import Related, attach, with_related
from children import journey
from children.models import (
    AdoptivePlacement,
    Child,
    ChildPermanenceReport,
    Episode,
    SiblingGroup,
    SiblingGroupMember,
)
from children.selectors.dates import children_with_journey_dates, journey_dates


def child_get(*, actor: Any, child_id: int, with_journey: bool = True) -> Child:
    """One child, or 404 when it does not exist or the actor may not see it. Records one read.

    With the journey: the journey dates and the records behind them. Without (``with_journey=False``): the child's
    own fields, the LA and its RAA, and the sibling group they are in if any (``sibling_membership``), for a page
    that needs no more (the suggested families).
    """
    if with_journey:
        children = children_with_journey_dates().prefetch_related(
            "periods_of_care",
            "adoption_decisions",
            "placement_orders",
            Prefetch("adoptive_placements", queryset=AdoptivePlacement.objects.select_related("household")),
            "permanence_outcomes",
        )
    else:
        children = Child.objects.select_related("responsible_la__raa", "sibling_membership__group")
    children = tenancy.scope_children(children.select_related("responsible_la"), actor)
    child = children.filter(pk=child_id).first()
    if child is None:
        raise Http404("No such child.")
    audit.record(actor=actor, action=AuditEvent.Action.READ, obj=child, organisation_id=child.responsible_la_id)
    return child


# A child's whole history, as the child's page shows it: each kind of record in its order, fetched with the child in
# one query (``adoption.prefetch``), not one query each.
CHILD_RECORD_RELATIONS = (
    Related("periods_of_care", ("started_on", "id"), nested=(Related("episodes", ("started_on", "id")),)),
    Related("adoption_decisions", ("decided_on", "id")),
    Related("placement_orders", ("made_on", "id")),
    Related("adoptive_placements", ("matched_on", "id"), joined=("household",)),
    Related("permanence_outcomes", ("made_on", "id")),
    Related("family_finding_statuses", ("status_from", "id")),
    Related("featurings", ("featured_on", "id")),
    Related("early_permanence_placements", ("started_on", "id"), joined=("household",)),
    Related("proceedings_tracking", ("stage_from", "id")),
    Related("permanence_reports", ("id",)),
)


def child_record(*, actor: Any, child_id: int) -> Child:
    """One child with their whole history, for the child's page. 404 out of scope; records one read."""
    children = with_related(
        tenancy.scope_children(children_with_journey_dates().select_related("responsible_la"), actor)
        .select_related("sibling_membership__group")
        .filter(pk=child_id),
        *CHILD_RECORD_RELATIONS,
    )
    child = children.first()
    if child is None:
        raise Http404("No such child.")
    attach(child, *CHILD_RECORD_RELATIONS)
    audit.record(actor=actor, action=AuditEvent.Action.READ, obj=child, organisation_id=child.responsible_la_id)
    return child


def child_situation(child: Child) -> journey.Situation:
    """What :func:`children.journey.next_steps` needs, from a child fetched by :func:`child_record`."""
    statuses = list(child.family_finding_statuses.all())
    stages = list(child.proceedings_tracking.all())
    report = next(iter(child.permanence_reports.all()), None)
    latest_stage = max(stages, key=lambda s: (s.stage_from, s.id)) if stages else None
    latest_status = max(statuses, key=lambda s: (s.status_from, s.id)) if statuses else None
    return journey.Situation(
        dates=journey_dates(child),
        expected_date_of_birth=child.expected_date_of_birth,
        cpr_status=report.status if report else "",
        cpr_due_on=report.due_on if report else None,
        proceedings_stage=latest_stage.stage if latest_stage else "",
        proceedings_from=latest_stage.stage_from if latest_stage else None,
        final_hearing_on=latest_stage.final_hearing_on if latest_stage else None,
        family_finding_status=latest_status.status if latest_status else "",
        in_care=any(period.ended_on is None for period in child.periods_of_care.all()),
    )


def sibling_membership(child: Child) -> SiblingGroupMember | None:
    """The child's sibling group membership (fetched with the child by the list and page selectors)."""
    try:
        return child.sibling_membership
    except SiblingGroupMember.DoesNotExist:
        return None


def current_episode(child: Child) -> Episode | None:
    """The open episode of the open period of care, from a child fetched by :func:`child_record`."""
    for period in child.periods_of_care.all():
        if period.ended_on is None:
            open_episodes = [e for e in period.episodes.all() if e.ended_on is None]
            return open_episodes[-1] if open_episodes else None
    return None


def current_match(child: Child) -> AdoptivePlacement | None:
    """The match that has not ended, from a child fetched by :func:`child_record`."""
    current = [p for p in child.adoptive_placements.all() if p.ended_on is None]
    return max(current, key=lambda p: p.matched_on) if current else None


def permanence_report_current(child: Child) -> ChildPermanenceReport | None:
    """The child's CPR (one per child) from a child fetched by :func:`child_record`."""
    return next(iter(child.permanence_reports.all()), None)


def sibling_group_get(*, actor: Any, group_id: int) -> SiblingGroup:
    """One sibling group, or 404 outside the actor's scope. Records one read."""
    group = (
        tenancy.scope_children(SiblingGroup.objects.select_related("responsible_la__raa"), actor)
        .filter(pk=group_id)
        .first()
    )
    if group is None:
        raise Http404("No such sibling group.")
    audit.record(actor=actor, action=AuditEvent.Action.READ, obj=group, organisation_id=group.responsible_la_id)
    return group


def sibling_group_children(*, actor: Any, group: SiblingGroup) -> QuerySet[Child]:
    """The members of ``group`` the actor may see, with journey dates, oldest first."""
    children = tenancy.scope_children(children_with_journey_dates().filter(sibling_membership__group=group), actor)
    return children.order_by(Coalesce("date_of_birth", "expected_date_of_birth").asc(nulls_last=True), "id")


def sibling_candidates(*, actor: Any, child: Child) -> QuerySet[Child]:
    """Children who could join ``child`` in a new sibling group: same LA, in no group; same surname first."""
    same_name = Case(
        When(last_name__iexact=child.last_name, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        tenancy.scope_children(Child.objects.filter(responsible_la_id=child.responsible_la_id), actor)
        .exclude(pk=child.pk)
        .exclude(Exists(SiblingGroupMember.objects.filter(child=OuterRef("pk"))))
        .annotate(same_name=same_name)
        .order_by("same_name", "last_name", "first_name", "id")
    )
