"""Reads for the RAA executive board's quarterly report (``reporting.board_report``).

For jobs and pages that have already narrowed ``la_ids`` to what whoever asked may see (``adoption.tenancy``).
Each function is one aggregate query over one table, with one filtered count per period: ``windows`` are
``(start, end)`` pairs (the quarters of the year and the year to date), ``ends`` the days the stocks are read
at. The result is a list with one dict of counts per window (or end), in the order given.

Dated records are read as they stood on the day: a step dated later has not happened yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q

from children.models import (
    AdoptivePlacement,
    Child,
    Disruption,
    EarlyPermanencePlacement,
    PermanenceOutcome,
    PlacementOrder,
)
from children.selectors.scorecard import waiting_at

Window = tuple[date, date]

# A child's stage at a day, one of these (a child in none of them is not on the adoption journey then).
DECISION_NO_ORDER = "decision_no_order"  # waiting: a decision, no placement order, no match
ORDER_NOT_MATCHED = "order_not_matched"  # waiting: a placement order, no match
MATCHED_NOT_PLACED = "matched_not_placed"  # waiting: matched, not yet moved in
PLACED_NOT_ADOPTED = "placed_not_adopted"  # living with the adoptive family, no adoption order yet
CHILD_STAGES = (DECISION_NO_ORDER, ORDER_NOT_MATCHED, MATCHED_NOT_PLACED, PLACED_NOT_ADOPTED)


def _split(totals: dict[str, Any], names: Iterable[str], count: int) -> list[dict[str, Any]]:
    """``{"name_0": 1, "name_1": 2}`` -> ``[{"name": 1}, {"name": 2}]``."""
    names = tuple(names)
    return [{name: totals[f"{name}_{i}"] for name in names} for i in range(count)]


def board_child_stages(*, la_ids: Iterable[int], ends: Sequence[date]) -> list[dict[str, int]]:
    """How many children of ``la_ids`` were at each stage (``CHILD_STAGES``) at the end of each day in ``ends``.

    Waiting is the scorecard's (``waiting_at``: a decision not reversed, not living with an adoptive family,
    not adopted), split by how far the child had got: no placement order yet; an order, no match current; a
    match current (made by then, the placement not ended by then) but not yet moved in. Then children living
    with their adoptive family (moved in by then, the placement not ended by then) with no adoption order yet.
    """
    child = OuterRef("pk")
    flags: dict[str, ExpressionWrapper] = {}
    for i, end in enumerate(ends):
        waiting, _open = waiting_at(end)
        has_order = Q(Exists(PlacementOrder.objects.filter(child=child, made_on__lte=end)))
        current = Q(ended_on__isnull=True) | Q(ended_on__gt=end)
        matched = Q(Exists(AdoptivePlacement.objects.filter(current, child=child, matched_on__lte=end)))
        placed = Q(Exists(AdoptivePlacement.objects.filter(current, child=child, placed_on__lte=end)))
        adopted = Q(
            Exists(
                PermanenceOutcome.objects.filter(
                    child=child, kind=PermanenceOutcome.Kind.ADOPTION_ORDER, made_on__lte=end
                )
            )
        )
        conditions = {
            DECISION_NO_ORDER: waiting & ~has_order & ~matched,
            ORDER_NOT_MATCHED: waiting & has_order & ~matched,
            MATCHED_NOT_PLACED: waiting & matched,
            PLACED_NOT_ADOPTED: placed & ~adopted,
        }
        for name, condition in conditions.items():
            flags[f"at_{name}_{i}"] = ExpressionWrapper(condition, output_field=BooleanField())
    totals = (
        Child.objects.filter(responsible_la_id__in=frozenset(la_ids))
        .annotate(**flags)
        .aggregate(**{key[3:]: Count("pk", filter=Q(**{key: True})) for key in flags})
    )
    return _split(totals, CHILD_STAGES, len(ends))


def board_placements(*, la_ids: Iterable[int], windows: Sequence[Window]) -> list[dict[str, int]]:
    """Matches and moves of the children of ``la_ids`` in each window, and whose adopters they moved in with.

    ``matched``: placements whose match decision (903 AD1 DATE_MATCH) is in the window; ``placed``: placements
    whose child moved in in the window, split into ``own`` (the family was approved by the child's LA's RAA),
    ``inter_agency`` (approved by another agency: another RAA, an LA outside the RAA or a VAA) and
    ``agency_not_recorded`` (no family recorded on the placement).
    """
    own = Q(household__approving_agency_id=F("child__responsible_la__raa_id"))
    recorded = Q(household__isnull=False)
    aggregates: dict[str, Count] = {}
    for i, window in enumerate(windows):
        placed = Q(placed_on__range=window)
        aggregates |= {
            f"matched_{i}": Count("pk", filter=Q(matched_on__range=window)),
            f"placed_{i}": Count("pk", filter=placed),
            f"own_{i}": Count("pk", filter=placed & recorded & own),
            f"inter_agency_{i}": Count("pk", filter=placed & recorded & ~own),
            f"agency_not_recorded_{i}": Count("pk", filter=placed & ~recorded),
        }
    totals = AdoptivePlacement.objects.filter(child__responsible_la_id__in=frozenset(la_ids)).aggregate(**aggregates)
    return _split(totals, ("matched", "placed", "own", "inter_agency", "agency_not_recorded"), len(windows))


def board_early_permanence(*, la_ids: Iterable[int], windows: Sequence[Window]) -> list[dict[str, int]]:
    """Early permanence placements (903 U2/U5) of the children of ``la_ids`` begun in each window, by kind:
    ``ffa`` (fostering for adoption) and ``concurrent`` (concurrent planning)."""
    kinds = {
        "ffa": EarlyPermanencePlacement.Kind.FOSTERING_FOR_ADOPTION,
        "concurrent": EarlyPermanencePlacement.Kind.CONCURRENT_PLANNING,
    }
    aggregates = {
        f"{name}_{i}": Count("pk", filter=Q(kind=kind, started_on__range=window))
        for i, window in enumerate(windows)
        for name, kind in kinds.items()
    }
    totals = EarlyPermanencePlacement.objects.filter(child__responsible_la_id__in=frozenset(la_ids)).aggregate(
        **aggregates
    )
    return _split(totals, kinds, len(windows))


def board_disruptions(*, la_ids: Iterable[int], windows: Sequence[Window]) -> list[dict[str, int]]:
    """Placements of the children of ``la_ids`` that ended before the adoption order in each window.

    ``disruptions``: those with a disruption record (``children.models.Disruption``), the day being the day the
    placement ended; ``meetings``: of those, with the disruption meeting's date recorded; ``without_record``:
    placements that ended in the window with no disruption record yet (one query on placements: a disruption
    is a placement's, so both come from the same rows).
    """
    has_record = Q(Exists(Disruption.objects.filter(placement=OuterRef("pk"))))
    met = Q(Exists(Disruption.objects.filter(placement=OuterRef("pk"), meeting_on__isnull=False)))
    placements = AdoptivePlacement.objects.filter(child__responsible_la_id__in=frozenset(la_ids)).annotate(
        recorded=ExpressionWrapper(has_record, output_field=BooleanField()),
        met=ExpressionWrapper(met, output_field=BooleanField()),
    )
    aggregates: dict[str, Count] = {}
    for i, window in enumerate(windows):
        ended = Q(ended_on__range=window)
        aggregates |= {
            f"disruptions_{i}": Count("pk", filter=ended & Q(recorded=True)),
            f"meetings_{i}": Count("pk", filter=ended & Q(met=True)),
            f"without_record_{i}": Count("pk", filter=ended & Q(recorded=False)),
        }
    return _split(placements.aggregate(**aggregates), ("disruptions", "meetings", "without_record"), len(windows))
