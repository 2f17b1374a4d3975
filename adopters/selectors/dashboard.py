"""Reads for the managers' dashboard (``reporting.dashboard``): the adopters' pipeline of a quarter.

For the dashboard, which passes approving agencies the caller has already narrowed to what whoever asked may
see (as the scorecard does). The figures are of the dated records as they stood on the quarter's last day: a
later approval, match or leaving does not change them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from adopters.models import Household
from adopters.selectors import scorecard_households

# scorecard_households also flags the families who waited this long from approval to match; the pipeline does
# not count them, so any number of months gives the same pipeline.
_WAIT_MONTHS = 3


def pipeline_households(*, agency_ids: Iterable[int], start: date, end: date) -> QuerySet[Household]:
    """Households of ``agency_ids`` with a flag for each step of the pipeline between ``start`` and ``end``.

    * ``enquired_in_period``: the first enquiry was made in the period;
    * ``in_stage_1_at_end``: stage 1 begun by ``end`` and not ended by then;
    * ``in_stage_2_at_end``: stage 2 begun by ``end`` (on either route) and no agency decision by then, so
      those awaiting the panel or the decision after the assessment count here;
    * ``waiting_at_end`` (approved and waiting to be matched) and ``matched_in_period`` (first matched since
      approval in the period): the scorecard's own flags (:func:`adopters.selectors.scorecard_households`).

    A household that had left the process by ``end`` (withdrew, was refused) is in neither stage.
    """
    not_left = Q(left_on__isnull=True) | Q(left_on__gt=end)
    not_approved = Q(approved_on__isnull=True) | Q(approved_on__gt=end)
    in_stage_1 = (
        Q(stage1_started_on__lte=end)
        & (Q(stage1_ended_on__isnull=True) | Q(stage1_ended_on__gt=end))
        & (Q(stage2_started_on__isnull=True) | Q(stage2_started_on__gt=end))
        & not_approved
        & not_left
    )
    in_stage_2 = Q(stage2_started_on__lte=end) & not_approved & not_left
    households = scorecard_households(agency_ids=agency_ids, start=start, end=end, wait_months=_WAIT_MONTHS)
    return households.annotate(
        enquired_in_period=ExpressionWrapper(Q(enquired_on__range=(start, end)), output_field=BooleanField()),
        in_stage_1_at_end=ExpressionWrapper(in_stage_1, output_field=BooleanField()),
        in_stage_2_at_end=ExpressionWrapper(in_stage_2, output_field=BooleanField()),
    )
