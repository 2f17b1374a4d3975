"""Where a child is on the journey, worked out from their dated records (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import models


class Stage(models.TextChoices):
    PRE_BIRTH = "pre_birth", "Unborn baby"
    NOT_IN_CARE = "not_in_care", "Not in care"
    IN_CARE = "in_care", "In care"
    DECISION = "decision", "Should be placed for adoption"
    PLACEMENT_ORDER = "placement_order", "Placement order made"
    MATCHED = "matched", "Matched"
    PLACED = "placed", "Placed for adoption"
    ADOPTED = "adopted", "Adopted"
    OTHER_PERMANENCE = "other_permanence", "Other permanence"
    REVERSED = "reversed", "Adoption plan reversed"


@dataclass(frozen=True)
class JourneyDates:
    """The dates that decide a child's stage; ``None`` where a step has not happened."""

    entered_care_on: date | None
    decision_on: date | None  # the open (not reversed) decision
    decision_reversed_on: date | None
    placement_order_on: date | None
    matched_on: date | None
    placed_on: date | None
    adoption_order_on: date | None
    other_permanence_on: date | None
    date_of_birth: date | None = None  # none yet for an unborn baby


def stage_of(dates: JourneyDates) -> Stage:
    if dates.adoption_order_on:
        return Stage.ADOPTED
    if dates.other_permanence_on:
        return Stage.OTHER_PERMANENCE
    if dates.placed_on:
        return Stage.PLACED
    if dates.matched_on:
        return Stage.MATCHED
    if dates.decision_on and dates.placement_order_on:
        return Stage.PLACEMENT_ORDER
    if dates.decision_on:
        return Stage.DECISION
    if dates.decision_reversed_on:
        return Stage.REVERSED
    if dates.entered_care_on:
        return Stage.IN_CARE
    if dates.date_of_birth:
        return Stage.NOT_IN_CARE
    return Stage.PRE_BIRTH


def days_waiting(dates: JourneyDates, today: date) -> int | None:
    """Days since the decision for a child with an open decision who has not yet moved in."""
    if dates.decision_on and not dates.placed_on and not dates.adoption_order_on:
        return (today - dates.decision_on).days
    return None
