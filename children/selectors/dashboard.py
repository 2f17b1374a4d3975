"""Reads for the managers' dashboard (``reporting.dashboard``): the children's pipeline of a quarter.

Like :mod:`children.selectors.scorecard`, this takes ``la_ids`` that the caller has already narrowed to what
whoever asked may see (``adoption.tenancy``). It adds two flows to the scorecard's children, so the counts
the dashboard shows beside the scorecard use the scorecard's own definitions of a new decision, a new
placement order, an adoption and a child waiting.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Exists, OuterRef, QuerySet

from children.models import AdoptivePlacement, Child
from children.selectors.scorecard import scorecard_children


def pipeline_children(*, la_ids: Iterable[int], start: date, end: date) -> QuerySet[Child]:
    """Children of ``la_ids`` with a flag for each step of the pipeline between ``start`` and ``end``.

    :func:`children.selectors.scorecard.scorecard_children`'s flags (``new_decision``, ``new_order``,
    ``adopted``, ``waiting`` at ``end``...), and:

    * ``matched_in_period``: a match decision with an adoptive family made in the period (903 AD1
      DATE_MATCH), whether or not the child has moved in since;
    * ``placed_in_period``: moved in with an adoptive family in the period.

    Each child counts once per flag, however many placements they have (a placement that disrupted and a
    new one in the same quarter is one child matched).
    """
    placements = AdoptivePlacement.objects.filter(child=OuterRef("pk"))
    return scorecard_children(la_ids=la_ids, start=start, end=end).annotate(
        matched_in_period=Exists(placements.filter(matched_on__range=(start, end))),
        placed_in_period=Exists(placements.filter(placed_on__range=(start, end))),
    )
