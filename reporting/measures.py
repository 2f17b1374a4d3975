"""Scorecard measures, computed in the database and returned as plain result objects.

A1 (DfE adoption scorecard): for children adopted in a 3-year period, the mean number of days
from entering care to moving in with the adoptive family. The period is the three years ending
on ``period_end`` (e.g. 1 April 2023 to 31 March 2026).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q

from adoption.db import DaysBetween
from children.selectors import adoptions_in_period
from reporting.models import ScorecardThreshold


def three_year_period(period_end: date) -> tuple[date, date]:
    try:
        start = period_end.replace(year=period_end.year - 3)
    except ValueError:  # 29 February
        start = period_end.replace(year=period_end.year - 3, day=28)
    return start + timedelta(days=1), period_end


@dataclass(frozen=True)
class MeasureResult:
    measure: str
    period_start: date
    period_end: date
    children: int  # children counted in the mean
    # Adopted in the period but missing a date the measure needs. For the measures from entering care
    # (A1), that includes a child whose period of care began before the 903 returns held: the day they
    # entered care is unknown, and the first episode known would make their wait look shorter.
    excluded: int
    mean_days: Decimal | None
    threshold_days: int | None

    @property
    def days(self) -> int | None:
        """The figure as published: the mean rounded to whole days."""
        if self.mean_days is None:
            return None
        return int(self.mean_days.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def meets_threshold(self) -> bool | None:
        if self.days is None or self.threshold_days is None:
            return None
        return self.days <= self.threshold_days


def threshold_for(measure: str, period_end: date) -> int | None:
    row = (
        ScorecardThreshold.objects.filter(measure=measure, applies_from__lte=period_end)
        .order_by("-applies_from")
        .values_list("days", flat=True)
        .first()
    )
    return row


def a1(*, la_ids: frozenset[int] | set[int], period_end: date) -> MeasureResult:
    start, end = three_year_period(period_end)
    # ``entered_care_on`` is empty for a period begun before the returns held (see adoptions_in_period):
    # such a child is excluded, not counted from the first episode known.
    has_dates = Q(moved_in_on__isnull=False, entered_care_on__isnull=False)
    totals = adoptions_in_period(la_ids=la_ids, start=start, end=end).aggregate(
        children=Count("pk", filter=has_dates),
        excluded=Count("pk", filter=~has_dates),
        mean_days=Avg(DaysBetween("moved_in_on", "entered_care_on"), filter=has_dates),
    )
    mean = totals["mean_days"]
    return MeasureResult(
        measure="A1",
        period_start=start,
        period_end=end,
        children=totals["children"],
        excluded=totals["excluded"],
        mean_days=Decimal(mean) if mean is not None else None,
        threshold_days=threshold_for("A1", end),
    )
