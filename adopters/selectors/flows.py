"""Reads for the sufficiency forecast (``reporting.sufficiency``): the adopters' side, quarter by quarter.

The caller passes approving agencies already narrowed to what whoever asked may see (``adoption.tenancy``).
Every figure of every quarter comes from one aggregate query over the agencies' households: each (figure,
quarter) is a filtered count. The children's records are reached through the reverse relation ``placements``
(the children app depends on this one, not the other way round).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db.models import CharField, Count, Exists, OuterRef, Q, Subquery
from django.db.models.lookups import Exact, IsNull

from adopters.models import Availability, Household

# The figures of each quarter, in the order the forecast shows them.
HOUSEHOLD_FLOWS = ("enquiries", "registrations", "stage2_starts", "approvals", "matched")
HOUSEHOLD_STOCKS = ("waiting", "available")


def _availability_at(end: date) -> Subquery:
    """The household's family-finding availability as it stood on ``end`` (the latest from on or before it)."""
    return Subquery(
        Availability.objects.filter(household=OuterRef("pk"), status_from__lte=end)
        .order_by("-status_from", "-id")
        .values("status")[:1],
        output_field=CharField(),
    )


def waiting_at(end: date) -> Q:
    """Approved and waiting at ``end``: approved by then, not de-registered or left by then, and no match current
    then (none made by then, or only ones whose placement had ended by then: a family whose placement disrupted
    waits again), as the scorecard and the quarterly return count adopters waiting."""
    matched_at_end = Household.objects.filter(
        Q(placements__ended_on__isnull=True) | Q(placements__ended_on__gt=end),
        pk=OuterRef("pk"),
        placements__matched_on__lte=end,
    )
    still_there = (Q(deregistered_on__isnull=True) | Q(deregistered_on__gt=end)) & (
        Q(left_on__isnull=True) | Q(left_on__gt=end)
    )
    return Q(approved_on__lte=end) & still_there & ~Q(Exists(matched_at_end))


def quarterly_household_flows(
    *, agency_ids: Iterable[int], quarters: Sequence[tuple[date, date]]
) -> list[dict[str, int]]:
    """The households of ``agency_ids``, quarter by quarter (``quarters``: (first day, last day), oldest first),
    in one aggregate query.

    For each quarter, households with:

    * ``enquiries``: an enquiry in it; ``registrations``: registration of interest accepted (stage 1 begins);
    * ``stage2_starts``: stage 2 started (on the fast track, the first step); ``approvals``: approved;
    * ``matched``: a child matched with them in it (a sibling group matched together is one family);

    and at its last day, as the records stood then:

    * ``waiting``: approved families waiting (:func:`waiting_at`);
    * ``available``: of those, the families available for a child: their availability then was "available",
      or none was recorded (approved, waiting and nothing says otherwise). On hold, not available and early
      permanence carers with a child placed are not available.
    """
    if not quarters:
        return []
    aggregates: dict[str, Any] = {}
    for index, (start, end) in enumerate(quarters):
        window = (start, end)
        matched = Household.objects.filter(pk=OuterRef("pk"), placements__matched_on__range=window)
        waiting = waiting_at(end)
        # Conditions on the subquery itself, not annotations: an aggregate over annotations is wrapped in a
        # subquery of its own, where the ``OuterRef``s of the other conditions no longer reach the household.
        availability = _availability_at(end)
        available = Q(IsNull(availability, True)) | Q(Exact(availability, Availability.Status.AVAILABLE))
        aggregates |= {
            f"enquiries_{index}": Count("pk", filter=Q(enquired_on__range=window)),
            f"registrations_{index}": Count("pk", filter=Q(registered_on__range=window)),
            f"stage2_starts_{index}": Count("pk", filter=Q(stage2_started_on__range=window)),
            f"approvals_{index}": Count("pk", filter=Q(approved_on__range=window)),
            f"matched_{index}": Count("pk", filter=Q(Exists(matched))),
            f"waiting_{index}": Count("pk", filter=waiting),
            f"available_{index}": Count("pk", filter=waiting & available),
        }
    totals = Household.objects.filter(approving_agency_id__in=frozenset(agency_ids)).order_by().aggregate(**aggregates)
    return [
        {name: totals[f"{name}_{index}"] for name in (*HOUSEHOLD_FLOWS, *HOUSEHOLD_STOCKS)}
        for index in range(len(quarters))
    ]
