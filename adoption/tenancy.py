"""Who may see what: the one place that narrows data to an actor's organisations.

* LA staff see their LA's children.
* RAA staff see the children of every LA in their RAA, and the RAA's households.
* VAA staff see their own households and no children.
* An LA API client sees its LA's children.

Every selector starts from one of the ``scope_*`` functions below. Anything outside the scope
is treated as not existing (404), so the existence of another LA's child is never revealed.

One rule widens what may be *chosen*, never what may be seen: **families for matching**. A child
placed with a family approved by another agency (a VAA, or another RAA) is an inter-agency
placement, and the RAA that finds families for its LAs' children must be able to record a link or
a match with such a family. So staff who hold a role that records children's journeys
(``JOURNEY_ROLES``) in a membership of an RAA may choose, for a link or a match of a child they may
write, any approved family whose current availability is "available" at any active VAA or any
other active RAA, besides their own agencies' families (``scope_families_for_matching``). They see
what the list and the child's links and matches show of such a family (name, reference, agency),
and nothing else: ``scope_households`` is unchanged, so the family's record, its pages and its API
operations stay 404 for them.

Not LA staff, although they record journeys too: in an RAA the RAA finds and matches families for
its LAs' children, and an LA's staff do not see even their own RAA's families. Given this rule
they could choose only other agencies' families, the ones that cost an inter-agency fee, without
ever seeing the RAA's own; they ask the RAA's family finders, as the link and match pages say.
Not VAA staff: they see no children, so have no child to choose a family for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from adoption.models import ApiClient, Organisation, Role, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Actor = User | ApiClient | AnonymousUser


# The roles that record a child's journey (children's services, the adopters' transition table and the
# navigation all use this one set). Held in a membership of an RAA, they give the family-for-matching rule
# (see the module docstring).
JOURNEY_ROLES = frozenset({Role.SOCIAL_WORKER, Role.FAMILY_FINDER, Role.ADM, Role.MANAGER, Role.ADMINISTRATOR})
# Who records a panel's recommendation, and who records the agency decision maker's decision (the ADM, or
# the panel adviser on their behalf): on a household, a match or a child's plan alike.
PANEL_RECORDERS = frozenset({Role.PANEL_ADVISER, Role.MANAGER})
DECISION_RECORDERS = frozenset({Role.ADM, Role.PANEL_ADVISER})
# Adoption support is run by each LA's spoke: its support social workers and managers record it; the
# administrators who keep the records read it too.
SUPPORT_WRITERS = frozenset({Role.SUPPORT_SOCIAL_WORKER, Role.MANAGER})
SUPPORT_READERS = SUPPORT_WRITERS | {Role.ADMINISTRATOR}
# Reports, returns and scorecards: managers, ADMs and administrators ask for them and read them.
REPORT_ROLES = frozenset({Role.MANAGER, Role.ADMINISTRATOR, Role.ADM})
# Ofsted's Annex A list of adopters is asked for by the approving agency's managers and assessing social workers.
ADOPTER_LIST_ROLES = frozenset({Role.MANAGER, Role.ASSESSING_SOCIAL_WORKER})

# Who may read a job (its page, its file) once it is queued: those whose role may ask for that kind of job, so a
# file built for a manager (a scorecard, Annex A) is not a download for every role of the LA. The requesting
# services check the same sets. An LA's API client reads the jobs its API operations give it (its scopes decide).
JOB_READERS: dict[str, frozenset[str]] = {
    "a1_report": REPORT_ROLES,
    "quarterly_return": REPORT_ROLES,
    "scorecard": REPORT_ROLES,
    "board_report": REPORT_ROLES,
    "data_pack": REPORT_ROLES,
    "ssda903_import": JOURNEY_ROLES,
    "ssda903_export": JOURNEY_ROLES,
    "annex_a_list_10": JOURNEY_ROLES,
    "annex_a_list_11": ADOPTER_LIST_ROLES,
    # An agenda pack is read only through the panels' pages, which check the meeting's members.
    "agenda_pack": frozenset(),
}


@dataclass(frozen=True)
class Scope:
    la_ids: frozenset[int]  # LAs whose children the actor may see
    household_org_ids: frozenset[int]  # approving agencies whose households the actor may see
    roles: frozenset[str]
    # May choose other agencies' available families for a link or a match (the family-for-matching rule).
    chooses_other_agencies_families: bool = False

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


_MEMBERSHIPS_ATTR = "_tenancy_memberships"


def _memberships(user: User) -> list[tuple[int, str, str]]:
    """The user's active memberships of active organisations as (organisation id, its kind, role): read once per
    user object (i.e. once per request), for their scope and for the roles they hold where."""
    held: list[tuple[int, str, str]] | None = getattr(user, _MEMBERSHIPS_ATTR, None)
    if held is None:
        held = list(
            user.memberships.filter(is_active=True, organisation__is_active=True).values_list(
                "organisation_id", "organisation__kind", "role"
            )
        )
        setattr(user, _MEMBERSHIPS_ATTR, held)
    return held


def _user_scope(user: User) -> Scope:
    memberships = _memberships(user)
    la_ids: set[int] = set()
    household_orgs: set[int] = set()
    raa_ids: set[int] = set()
    chooses_other_agencies_families = False
    for org_id, kind, role in memberships:
        if kind == Organisation.Kind.LA:
            la_ids.add(org_id)
        elif kind == Organisation.Kind.RAA:
            raa_ids.add(org_id)
            household_orgs.add(org_id)
            # The role must be held at the RAA itself: a journey role at an LA does not give the rule.
            chooses_other_agencies_families |= role in JOURNEY_ROLES
        elif kind == Organisation.Kind.VAA:
            household_orgs.add(org_id)
    if raa_ids:
        la_ids.update(
            Organisation.objects.filter(raa_id__in=raa_ids, kind=Organisation.Kind.LA, is_active=True).values_list(
                "id", flat=True
            )
        )
    return Scope(
        frozenset(la_ids),
        frozenset(household_orgs),
        frozenset(role for *_x, role in memberships),
        chooses_other_agencies_families,
    )


def has_role(actor: Any, *roles: Role | str) -> bool:
    return bool(scope_for(actor).roles.intersection(str(r) for r in roles))


def scope_children(queryset: QuerySet, actor: Any, *, la_field: str = "responsible_la") -> QuerySet:
    """Narrow a queryset of children (or of anything that belongs to an LA) to the actor."""
    return queryset.filter(**{f"{la_field}__in": scope_for(actor).la_ids})


def scope_households(queryset: QuerySet, actor: Any, *, org_field: str = "approving_agency") -> QuerySet:
    return queryset.filter(**{f"{org_field}__in": scope_for(actor).household_org_ids})


def scope_families_for_matching(
    queryset: QuerySet, actor: Any, *, available: Q, org_field: str = "approving_agency"
) -> QuerySet:
    """Narrow a queryset of approved households to those the actor may choose for a child's link or match.

    Their own agencies' households (``scope_households``), and, under the family-for-matching rule, those of
    every other active VAA and RAA that meet ``available``: the households app's condition for a family whose
    current availability for family finding is "available" (``adopters.selectors.families_for_matching``).
    Choosing is not seeing: nothing here widens ``scope_households``.
    """
    scope = scope_for(actor)
    own = Q(**{f"{org_field}__in": scope.household_org_ids})
    if not scope.chooses_other_agencies_families:
        return queryset.filter(own)
    other_agencies = Q(
        **{
            f"{org_field}__kind__in": (Organisation.Kind.VAA, Organisation.Kind.RAA),
            f"{org_field}__is_active": True,
        }
    )
    return queryset.filter(own | (other_agencies & available))


def visible_las(actor: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(id__in=scope_for(actor).la_ids, kind=Organisation.Kind.LA)


def scope_jobs(queryset: QuerySet, actor: Any) -> QuerySet:
    """Jobs about an LA the actor sees, of a kind the actor's role may read (``JOB_READERS``); a job over a whole
    RAA needs RAA membership."""
    scope = scope_for(actor)
    if not isinstance(actor, ApiClient):
        queryset = queryset.filter(kind__in=[kind for kind, roles in JOB_READERS.items() if roles & scope.roles])
    # A job over several LAs (a scorecard of an RAA's LAs, or of all those its requester reports on) is filed under
    # one organisation, but shows only to those who see every one of its LAs, and every agency whose families it
    # counts. An agenda pack is read only through the panels' pages, which check the meeting's members.
    return (
        queryset.filter(organisation__in=scope.la_ids | scope.household_org_ids)
        .filter(Q(params__la_ids__isnull=True) | Q(params__la_ids__contained_by=sorted(scope.la_ids)))
        .filter(
            Q(params__agency_ids__isnull=True) | Q(params__agency_ids__contained_by=sorted(scope.household_org_ids))
        )
        .exclude(kind="agenda_pack")
    )


_ROLES_ATTR = "_tenancy_orgs_with_roles"


def _orgs_with_roles(actor: User, wanted: tuple[str, ...]) -> frozenset[tuple[int, str]]:
    """The active organisations (id, kind) where the user holds one of ``wanted`` roles, read once per actor
    object (i.e. once per request, as ``scope_for``) and role set."""
    cache: dict[tuple[str, ...] | None, frozenset[Any]] | None = getattr(actor, _ROLES_ATTR, None)
    if cache is None:
        cache = {}
        setattr(actor, _ROLES_ATTR, cache)
    if wanted not in cache:
        # Every active membership read once (the scope's: a page asks for readers and writers alike), each role
        # set from it.
        cache[wanted] = frozenset((org, kind) for org, kind, role in _memberships(actor) if role in wanted)
    return cache[wanted]


def raa_ids_with_roles(actor: Any, roles: Iterable[str]) -> frozenset[int]:
    """The RAAs where the actor holds one of ``roles`` in a membership of that RAA.

    ``scope_for`` pools roles across organisations (a VAA's manager who is an RAA's family finder
    holds both), which is enough for children and households; records that belong to an RAA and a
    role there (its panels) need each role paired with its organisation. ``scope_for`` answers the
    common case without a query; otherwise the memberships are read once per actor and role set.
    """
    wanted = tuple(sorted(str(r) for r in roles))
    scope = scope_for(actor)
    if not isinstance(actor, User) or not scope.household_org_ids or not scope.roles.intersection(wanted):
        return frozenset()
    held = _orgs_with_roles(actor, wanted)
    return frozenset(org for org, kind in held if kind == Organisation.Kind.RAA) & scope.household_org_ids


def scope_raa_records(queryset: QuerySet, actor: Any, *, roles: Iterable[str], raa_field: str = "raa") -> QuerySet:
    """Narrow records that belong to an RAA (its panels) to the RAAs where the actor holds one of ``roles``."""
    return queryset.filter(**{f"{raa_field}__in": raa_ids_with_roles(actor, roles)})


def la_ids_with_roles(actor: Any, roles: Iterable[str]) -> frozenset[int]:
    """The LAs where the actor holds one of ``roles``: at the LA itself, or at its RAA (which covers its LAs).

    For records of an LA that only some roles work with (adoption support): ``scope_for`` pools roles across
    organisations, so a family finder of one LA who is a support worker of another would otherwise read the
    first LA's support records.
    """
    wanted = tuple(sorted(str(r) for r in roles))
    scope = scope_for(actor)
    if not isinstance(actor, User) or not scope.la_ids or not scope.roles.intersection(wanted):
        return frozenset()
    held = _orgs_with_roles(actor, wanted)
    key = ("la_ids", *wanted)  # the LAs of those RAAs are read once too, kept beside the memberships
    cache = getattr(actor, _ROLES_ATTR)
    if key not in cache:
        las = {org for org, kind in held if kind == Organisation.Kind.LA}
        raas = {org for org, kind in held if kind == Organisation.Kind.RAA}
        if raas:
            las.update(
                Organisation.objects.filter(raa_id__in=raas, kind=Organisation.Kind.LA, is_active=True).values_list(
                    "id", flat=True
                )
            )
        cache[key] = frozenset(las) & scope.la_ids
    return cache[key]


def scope_la_records(queryset: QuerySet, actor: Any, *, roles: Iterable[str], la_field: str = "la") -> QuerySet:
    """Narrow records that belong to an LA and a role there (adoption support) to the LAs where the actor holds one."""
    return queryset.filter(**{f"{la_field}__in": la_ids_with_roles(actor, roles)})
