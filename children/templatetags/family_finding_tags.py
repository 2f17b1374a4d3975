"""Template tags for family finding: whether to offer the suggested-families page on a child's or group's page."""

from __future__ import annotations

from typing import Any

from django import template

from adoption.models import Organisation
from children.selectors.matching import may_find_families as _may_find_families

register = template.Library()


@register.simple_tag(takes_context=True)
def may_find_families(context: template.Context, la: Organisation) -> bool:
    """Whether the signed-in user sees the households of ``la``'s RAA (so the suggestions are theirs to see).

    Reads the tenancy scope the page's own selector already computed for this request: no query.
    """
    request: Any = context.get("request")
    return bool(request is not None and _may_find_families(request.user, la.raa_id))
