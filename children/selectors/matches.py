"""Links and matches, for their pages: scoped by tenancy first, through their children.

A link or a match is seen through its children (a match's children all have one LA), so a user of another
LA gets 404 for it, exactly as for the child. The family it names may be another agency's (an inter-agency
link or match): seeing the link or the match does not open the family's record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from adopters.models import Household
from adoption import audit, tenancy
from adoption.models import AuditEvent
from children.models import AdoptivePlacement, Child, Link, Match, SiblingGroup


def link_list(
    *,
    actor: Any,
    child: Child | None = None,
    children: Iterable[Child] | None = None,
    sibling_group: SiblingGroup | None = None,
    household: Household | None = None,
    outcome: str | None = None,
) -> QuerySet[Link]:
    """The links of children the actor may see, newest first, narrowed by whichever of the arguments are given."""
    filters: dict[str, Any] = {"child": child, "child__in": children, "sibling_group": sibling_group}
    filters |= {"household": household, "outcome": outcome}
    links = tenancy.scope_children(Link.objects.all(), actor, la_field="child__responsible_la")
    return (
        links.filter(**{name: value for name, value in filters.items() if value is not None})
        .select_related("child", "household__approving_agency", "sibling_group")
        .order_by("-started_on", "household__name", "child_id")
    )


def link_get(*, actor: Any, link_id: int) -> Link:
    """One link; 404 unless the actor may see its child. The read is audited under the child's LA."""
    link = tenancy.scope_children(Link.objects.filter(pk=link_id), actor, la_field="child__responsible_la")
    found = link.select_related("child", "household__approving_agency", "sibling_group").first()
    if found is None:
        raise Http404("No such link.")
    audit.record(actor=actor, action=AuditEvent.Action.READ, obj=found, organisation_id=found.child.responsible_la_id)
    return found


def match_list(
    *, actor: Any, child: Child | None = None, children: Iterable[Child] | None = None, match_id: int | None = None
) -> QuerySet[Match]:
    """The matches of children the actor may see, newest decision first, with their placements and children."""
    filters = {"child": child, "child__in": children, "match_id": match_id}
    visible = tenancy.scope_children(AdoptivePlacement.objects.all(), actor, la_field="child__responsible_la")
    visible = visible.filter(**{name: value for name, value in filters.items() if value is not None})
    return (
        Match.objects.filter(pk__in=visible.values("match_id"))
        .select_related("household__approving_agency", "sibling_group", "fee_rate")
        .prefetch_related(
            Prefetch(
                "placements",
                queryset=AdoptivePlacement.objects.select_related("child__responsible_la").order_by("child_id"),
            )
        )
        .order_by("-decided_on", "-id")
    )


def match_get(*, actor: Any, match_id: int) -> Match:
    """One match; 404 unless the actor may see its children. The read is audited under the children's LA."""
    match = match_list(actor=actor, match_id=match_id).first()
    if match is None:
        raise Http404("No such match.")
    la_id = match.placements.all()[0].child.responsible_la_id
    audit.record(actor=actor, action=AuditEvent.Action.READ, obj=match, organisation_id=la_id)
    return match
