"""Reads for the quarterly return (``reporting.returns``): the support counts of its LAs' spokes.

One aggregate query per kind of record, for LAs already narrowed to what the return covers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Count, Q

from support.models import AsfApplication, AssessmentOfNeed, SupportKind, SupportRequest
from support.selectors.asf import SPENT


def quarterly_return_support_counts(*, la_ids: Iterable[int], start: date, end: date) -> dict[str, int]:
    """``adoption_support_requests`` and ``sgo_support_requests``: requests received in the quarter, by kind;
    ``support_assessments_completed``: assessments of need completed in it; ``asf_applications_submitted``: ASF
    applications submitted to the fund in it; ``asf_applications_approved``: applications the fund agreed to pay
    (approved, then invoiced or paid) with the decision in it."""
    window, la_ids = (start, end), frozenset(la_ids)
    requests = SupportRequest.objects.filter(la_id__in=la_ids, received_on__range=window).aggregate(
        adoption_support_requests=Count("pk", filter=Q(kind=SupportKind.ADOPTION)),
        sgo_support_requests=Count("pk", filter=Q(kind=SupportKind.SPECIAL_GUARDIANSHIP)),
    )
    assessments = AssessmentOfNeed.objects.filter(request__la_id__in=la_ids, completed_on__range=window).count()
    applications = AsfApplication.objects.filter(la_id__in=la_ids).aggregate(
        asf_applications_submitted=Count("pk", filter=Q(submitted_on__range=window)),
        asf_applications_approved=Count("pk", filter=Q(decided_on__range=window, status__in=SPENT)),
    )
    return {**requests, "support_assessments_completed": assessments, **applications}
