"""Reads for the sufficiency forecast (``reporting.sufficiency``): the children's side, quarter by quarter.

Like :mod:`children.selectors.scorecard`, these take ``la_ids`` that the caller has already narrowed to what
whoever asked may see (``adoption.tenancy``). Every figure of every quarter comes from one aggregate query over
the children of ``la_ids``: each (figure, quarter) is a filtered count, so the query does not grow with the
number of children and a child is counted once in a quarter however many records they have in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from children.models import AdoptionDecision, AdoptivePlacement, Child, PlacementOrder, SiblingGroup
from children.selectors.scorecard import waiting_at

# The figures of each quarter, in the order the forecast shows them.
CHILD_FLOWS = ("decisions", "placement_orders", "matched", "placed")
CHILD_STOCKS = ("waiting", "families_needed")


def waiting_for_family_at(end: date) -> Q:
    """Waiting for a family at ``end``: waiting as the scorecard counts it (a decision made by then and not
    reversed by then, not living with an adoptive family, not adopted: :func:`waiting_at`) and with no match
    current then (none made by then, or only ones whose placement had ended by then). A child matched and not
    yet moved in has their family: they are not waiting for one."""
    waiting, _open_at_end = waiting_at(end)
    matched_at_end = AdoptivePlacement.objects.filter(child=OuterRef("pk"), matched_on__lte=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=end)
    )
    return waiting & ~Q(Exists(matched_at_end))


# A sibling group to be placed together needs one family; "not yet decided" is counted as together (most
# groups are placed together, and a group split later needs more families, not fewer). A group planned apart,
# and a child in no group, need a family each.
ONE_FAMILY_PLANS = (SiblingGroup.Plan.TOGETHER, SiblingGroup.Plan.UNDECIDED)
# The join to a child's sibling group is through a one-to-one membership: it adds no rows, so the children's
# counts need no DISTINCT; a group's waiting members are counted once by the group's DISTINCT.
_IN_GROUP_TOGETHER = Q(sibling_membership__group__plan__in=ONE_FAMILY_PLANS)
_ON_THEIR_OWN = Q(sibling_membership__isnull=True) | Q(sibling_membership__group__plan=SiblingGroup.Plan.APART)


def _quarter_aggregates(index: int, start: date, end: date) -> dict[str, Any]:
    child = OuterRef("pk")
    window = (start, end)
    waiting = waiting_for_family_at(end)
    return {
        f"decisions_{index}": Count(
            "pk", filter=Q(Exists(AdoptionDecision.objects.filter(child=child, decided_on__range=window)))
        ),
        # An order imported as made on or before a date is left out: the day it was made is not known.
        f"placement_orders_{index}": Count(
            "pk",
            filter=Q(
                Exists(PlacementOrder.objects.filter(child=child, made_on__range=window, made_before_records=False))
            ),
        ),
        f"matched_{index}": Count(
            "pk", filter=Q(Exists(AdoptivePlacement.objects.filter(child=child, matched_on__range=window)))
        ),
        f"placed_{index}": Count(
            "pk", filter=Q(Exists(AdoptivePlacement.objects.filter(child=child, placed_on__range=window)))
        ),
        f"waiting_{index}": Count("pk", filter=waiting),
        # Families needed: a family for each child on their own, one for each sibling group placed together.
        f"alone_{index}": Count("pk", filter=waiting & _ON_THEIR_OWN),
        f"groups_{index}": Count("sibling_membership__group", distinct=True, filter=waiting & _IN_GROUP_TOGETHER),
    }


def quarterly_child_flows(
    *, la_ids: Iterable[int], quarters: Sequence[tuple[date, date]]
) -> tuple[list[dict[str, int]], dict[str, int]]:
    """The children of ``la_ids``, quarter by quarter (``quarters``: (first day, last day), oldest first), in one
    aggregate query.

    For each quarter, children with:

    * ``decisions``: a decision that they should be placed for adoption made in it;
    * ``placement_orders``: a placement order made in it;
    * ``matched``: a match decision in it; ``placed``: moved in with an adoptive family in it;

    and at its last day, as the records stood then:

    * ``waiting``: children waiting for a family (:func:`waiting_for_family_at`);
    * ``families_needed``: the families those children need (a sibling group placed together needs one).

    And over all the quarters: ``decided`` (children with a decision made in them) and, of those,
    ``needing_family``: those the decision still stood for at the last quarter's end, or whose decision was
    reversed because adopters could not be found (RD3: they needed a family, and none was found). A decision
    reversed for any other reason (the child's needs changed, no placement order, other) did not lead to
    needing an adoptive family.
    """
    if not quarters:
        return [], {"decided": 0, "needing_family": 0}
    child = OuterRef("pk")
    first, last = quarters[0][0], quarters[-1][1]
    decisions = AdoptionDecision.objects.filter(child=child, decided_on__range=(first, last))
    stood = decisions.filter(
        Q(reversed_on__isnull=True) | Q(reversed_on__gt=last) | Q(reversal_reason=AdoptionDecision.ReversalReason.RD3)
    )
    aggregates: dict[str, Any] = {
        "decided": Count("pk", filter=Q(Exists(decisions))),
        "needing_family": Count("pk", filter=Q(Exists(stood))),
    }
    for index, (start, end) in enumerate(quarters):
        aggregates |= _quarter_aggregates(index, start, end)
    # Only children with a decision, an order or a match can count in any figure: the rest of the children in
    # care are left out before the per-quarter conditions are worked out for each child.
    journey = (
        Q(Exists(AdoptionDecision.objects.filter(child=child)))
        | Q(Exists(PlacementOrder.objects.filter(child=child)))
        | Q(Exists(AdoptivePlacement.objects.filter(child=child)))
    )
    totals = (
        Child.objects.filter(responsible_la_id__in=frozenset(la_ids)).filter(journey).order_by().aggregate(**aggregates)
    )
    rows = [
        {
            **{name: totals[f"{name}_{index}"] for name in (*CHILD_FLOWS, "waiting")},
            "families_needed": totals[f"alone_{index}"] + totals[f"groups_{index}"],
        }
        for index in range(len(quarters))
    ]
    return rows, {"decided": totals["decided"], "needing_family": totals["needing_family"]}
