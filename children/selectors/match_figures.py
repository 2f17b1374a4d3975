"""Children waiting for a match: those with a placement order and no match, by time since the order.

The figures by LA and band (:func:`waiting_for_match_figures`) and the children behind each figure
(:func:`waiting_for_match`), for the family-finding pages; scoped by tenancy first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models
from django.db.models import Case, CharField, Count, F, QuerySet, Value, When

from adoption import tenancy
from adoption.db import DaysBetween
from children.journey import Stage, months_before
from children.models import Child
from children.selectors.dates import stage_expression, with_journey_dates


class OrderWait(models.TextChoices):
    """Time since the (latest) placement order; a child moves to the next band on the anniversary."""

    UNDER_6_MONTHS = "under_6_months", "Under 6 months"
    TO_12_MONTHS = "6_to_12_months", "6 to 12 months"
    TO_18_MONTHS = "12_to_18_months", "12 to 18 months"
    OVER_18_MONTHS = "over_18_months", "Over 18 months"


def _order_wait_band(today: date) -> Case:
    # "Over 18 months" starts on the 18-month anniversary, as the children-waiting page's "18 months or more
    # since the placement order" does, so the two pages agree.
    return Case(
        When(placement_order_on__gt=months_before(today, 6), then=Value(OrderWait.UNDER_6_MONTHS.value)),
        When(placement_order_on__gt=months_before(today, 12), then=Value(OrderWait.TO_12_MONTHS.value)),
        When(placement_order_on__gt=months_before(today, 18), then=Value(OrderWait.TO_18_MONTHS.value)),
        default=Value(OrderWait.OVER_18_MONTHS.value),
        output_field=CharField(),
    )


def waiting_for_match(*, actor: Any, today: date, band: str = "", la_id: int | None = None) -> QuerySet[Child]:
    """Children the actor may see at stage "placement order made" (an open decision and an order, no match, not
    placed), each with ``order_wait_band`` and ``days_since_order``, longest waiting first; ``band`` (an
    :class:`OrderWait`) and ``la_id`` narrow it.

    An order imported as made before the returns held counts from the date known: the child has waited at least
    that long.
    """
    children = tenancy.scope_children(Child.objects.select_related("responsible_la"), actor)
    if la_id:
        children = children.filter(responsible_la_id=la_id)
    children = (
        with_journey_dates(children)
        .annotate(journey_stage=stage_expression())
        .filter(journey_stage=Stage.PLACEMENT_ORDER)
        .annotate(
            order_wait_band=_order_wait_band(today),
            days_since_order=DaysBetween(Value(today), F("placement_order_on")),
        )
    )
    if band:
        children = children.filter(order_wait_band=band)
    return children.order_by("placement_order_on", "last_name", "id")  # type: ignore[misc]


@dataclass(frozen=True)
class WaitRow:
    la_id: int | None  # None: the total over every LA
    name: str
    counts: dict[str, int]  # OrderWait value -> children
    total: int

    @property
    def cells(self) -> list[tuple[str, int]]:
        """(band, children) in the bands' order, for a table row."""
        return [(band, self.counts[band]) for band in OrderWait.values]


def waiting_for_match_figures(*, actor: Any, today: date) -> list[WaitRow]:
    """Children waiting for a match by LA and band (one grouped query), then a total row when there are 2+ LAs."""
    rows = (
        waiting_for_match(actor=actor, today=today)
        .order_by()
        .values("responsible_la_id", "responsible_la__name", "order_wait_band")  # type: ignore[misc]
        .annotate(n=Count("id"))
    )
    return figures_from_rows(rows)


def figures_from_rows(rows: Iterable[dict[str, Any]]) -> list[WaitRow]:
    """Rows of (LA, band, n) as one row per LA, by name, with every band, and a total row when there are 2+ LAs."""
    by_la: dict[tuple[str, int], dict[str, int]] = {}
    for row in rows:
        counts = by_la.setdefault((row["responsible_la__name"], row["responsible_la_id"]), {})
        counts[row["order_wait_band"]] = counts.get(row["order_wait_band"], 0) + row["n"]
    result = [
        WaitRow(la_id, name, {band: counts.get(band, 0) for band in OrderWait.values}, sum(counts.values()))
        for (name, la_id), counts in sorted(by_la.items())
    ]
    if len(result) > 1:
        totals = {band: sum(r.counts[band] for r in result) for band in OrderWait.values}
        result.append(WaitRow(None, "All", totals, sum(totals.values())))
    return result
