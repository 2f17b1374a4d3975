"""Who may see what: the one place that narrows data to an actor's organisations.

* LA staff see their LA's children.
* RAA staff see the children of every LA in their RAA, and the RAA's households.
* VAA staff see their own households and no children.
* An LA API client sees its LA's children.

Every selector starts from one of the ``scope_*`` functions below. Anything outside the scope
is treated as not existing (404), so the existence of another LA's child is never revealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from adoption.models import ApiClient, Organisation, Role, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Actor = User | ApiClient | AnonymousUser


@dataclass(frozen=True)
class Scope:
    la_ids: frozenset[int]  # LAs whose children the actor may see
    household_org_ids: frozenset[int]  # approving agencies whose households the actor may see
    roles: frozenset[str]

    def sees_la(self, la_id: int | None) -> bool:
        return la_id is not None and la_id in self.la_ids


_EMPTY = Scope(frozenset(), frozenset(), frozenset())
_CACHE_ATTR = "_tenancy_scope"


def scope_for(actor: Any) -> Scope:
    """The actor's scope, computed once per actor object (i.e. once per request)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return _EMPTY
    cached = getattr(actor, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if isinstance(actor, ApiClient):
        scope = Scope(frozenset({actor.organisation_id}), frozenset(), frozenset())
    elif isinstance(actor, User) and actor.is_active:
        scope = _user_scope(actor)
    else:
        scope = _EMPTY
    setattr(actor, _CACHE_ATTR, scope)
    return scope


def _user_scope(user: User) -> Scope:
    memberships = list(
        user.memberships.filter(is_active=True, organisation__is_active=True).values_list(
            "organisation_id", "organisation__kind", "role"
        )
    )
    la_ids: set[int] = set()
    household_orgs: set[int] = set()
    raa_ids: set[int] = set()
    for org_id, kind, _role in memberships:
        if kind == Organisation.Kind.LA:
            la_ids.add(org_id)
        elif kind == Organisation.Kind.RAA:
            raa_ids.add(org_id)
            household_orgs.add(org_id)
        elif kind == Organisation.Kind.VAA:
            household_orgs.add(org_id)
    if raa_ids:
        la_ids.update(
            Organisation.objects.filter(raa_id__in=raa_ids, kind=Organisation.Kind.LA, is_active=True).values_list(
                "id", flat=True
            )
        )
    return Scope(frozenset(la_ids), frozenset(household_orgs), frozenset(role for *_x, role in memberships))


def has_role(actor: Any, *roles: Role | str) -> bool:
    return bool(scope_for(actor).roles.intersection(str(r) for r in roles))


def scope_children(queryset: QuerySet, actor: Any, *, la_field: str = "responsible_la") -> QuerySet:
    """Narrow a queryset of children (or of anything that belongs to an LA) to the actor."""
    return queryset.filter(**{f"{la_field}__in": scope_for(actor).la_ids})


def scope_households(queryset: QuerySet, actor: Any, *, org_field: str = "approving_agency") -> QuerySet:
    return queryset.filter(**{f"{org_field}__in": scope_for(actor).household_org_ids})


def visible_las(actor: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(id__in=scope_for(actor).la_ids, kind=Organisation.Kind.LA)


def scope_jobs(queryset: QuerySet, actor: Any) -> QuerySet:
    """Jobs about an LA the actor sees; a job over a whole RAA needs RAA membership."""
    scope = scope_for(actor)
    return queryset.filter(organisation__in=scope.la_ids | scope.household_org_ids)
