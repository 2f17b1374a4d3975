from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from adoption import tenancy
from adoption.models import Role

# (label, url name, roles that see it; empty = everyone signed in)
_NAVIGATION: list[tuple[str, str, tuple[str, ...]]] = [
    ("Home", "home", ()),
    ("Children", "children:list", ()),
    ("Waiting for a family", "children:waiting", ()),
    ("Court and pre-birth", "children:tracker", ()),
    ("Placements", "children:placements", ()),
    # The roles that record journeys import and export the 903.
    ("SSDA903 and Annex A", "ssda903:import-upload", tuple(tenancy.JOURNEY_ROLES)),
    ("Adopters", "adopters:pipeline", ()),
    ("Panels", "panels:members", (Role.PANEL_ADVISER, Role.PANEL_MEMBER, Role.ADM, Role.MANAGER)),
    ("Support", "support:duty", tuple(tenancy.SUPPORT_READERS)),
    ("Reports", "reporting:dashboard", (Role.MANAGER, Role.ADM, Role.ADMINISTRATOR)),
    ("API clients", "api-clients", (Role.ADMINISTRATOR,)),
]
# Pages about children: not shown to someone who sees no LA's children (a VAA's staff).
_CHILDREN_PAGES = frozenset(
    {"children:list", "children:waiting", "children:tracker", "children:placements", "ssda903:import-upload"}
)
# Pages about households: only for the staff of an agency that approves adopters (an RAA or a VAA).
_HOUSEHOLD_PAGES = frozenset({"adopters:pipeline"})
# Pages of an RAA's own records (its panels): only for someone holding one of the item's roles at an RAA, so
# neither an LA's manager nor a VAA's manager who is also an RAA's family finder is shown a link that answers 403.
_RAA_ROLE_PAGES = frozenset({"panels:members"})
# Pages of an LA's records that only some roles work with (adoption support, the LA's API clients): for someone
# holding one of the item's roles at an LA or its RAA.
_LA_ROLE_PAGES = frozenset({"support:duty", "api-clients"})


def service(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {
        "service_name": settings.SERVICE_NAME,
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    scope = tenancy.scope_for(user)
    items: list[dict[str, Any]] = []
    for label, name, roles in _NAVIGATION:
        if roles and not scope.roles.intersection(roles):
            continue
        if name in _CHILDREN_PAGES and not scope.la_ids:
            continue
        if name in _HOUSEHOLD_PAGES and not scope.household_org_ids:
            continue
        if name in _RAA_ROLE_PAGES and not tenancy.raa_ids_with_roles(user, roles):
            continue
        if name in _LA_ROLE_PAGES and not tenancy.la_ids_with_roles(user, roles):
            continue
        items.append({"text": label, "href": reverse(name), "active": False})
    # The active item is the one whose address is the longest start of this page's ("/children/waiting/"
    # is "Waiting for a family", not "Children"); the home page only when it is this page.
    matches = [
        item
        for item in items
        if request.path == item["href"] or (item["href"] != "/" and request.path.startswith(item["href"]))
    ]
    if matches:
        max(matches, key=lambda item: len(item["href"]))["active"] = True
    context["navigation"] = items
    # Panels' staff pages (members' appraisals): asked for only by the panels' navigation, so a callable the
    # template calls when it needs the answer.
    context["panel_staff"] = lambda: bool(tenancy.raa_ids_with_roles(user, tenancy.PANEL_RECORDERS))
    membership = user.memberships.filter(is_active=True).select_related("organisation").first()
    context["current_organisation"] = membership.organisation.name if membership else ""
    return context
