"""Date-order rules the database holds, shared by every app's models."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


def ends_after_start(name: str, *, start: str = "started_on", end: str = "ended_on") -> models.CheckConstraint:
    """``end`` is empty or on or after ``start``."""
    return models.CheckConstraint(condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": F(start)}), name=name)


def on_or_after(name: str, later: str, earlier: str) -> models.CheckConstraint:
    """When both dates are known, ``later`` is on or after ``earlier`` (either may be empty)."""
    return models.CheckConstraint(
        condition=Q(**{f"{later}__isnull": True})
        | Q(**{f"{earlier}__isnull": True})
        | Q(**{f"{later}__gte": F(earlier)}),
        name=name,
    )


def end_has_reason(name: str, *, end: str = "ended_on", reason: str = "reason_ended") -> models.CheckConstraint:
    """An end date and its reason come together: both or neither."""
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True, reason: ""}) | Q(**{f"{end}__isnull": False}) & ~Q(**{reason: ""}),
        name=name,
    )
