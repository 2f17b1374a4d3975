"""Reads of households, scoped by tenancy."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from adopters.models import Household
from adoption import tenancy


def household_list(*, actor: Any) -> QuerySet[Household]:
    return tenancy.scope_households(Household.objects.select_related("approving_agency"), actor)


def household_counts_by_status(*, actor: Any) -> dict[str, int]:
    rows = household_list(actor=actor).order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}
