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
    ("Reports", "reporting:a1", (Role.MANAGER, Role.ADM, Role.ADMINISTRATOR)),
]


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
    items = []
    for label, name, roles in _NAVIGATION:
        if roles and not scope.roles.intersection(roles):
            continue
        href = reverse(name)
        active = request.path == href if name == "home" else request.path.startswith(href)
        items.append({"text": label, "href": href, "active": active})
    context["navigation"] = items
    membership = user.memberships.filter(is_active=True).select_related("organisation").first()
    context["current_organisation"] = membership.organisation.name if membership else ""
    return context
