"""Reads for the regional data pack (``reporting.data_pack``): households and checks with the flags it counts.

For jobs that run without a user: the caller passes approving agencies already narrowed to what whoever asked
may see. Read as the records stood at the quarter's end: a step dated after ``end`` has not happened yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from adopters.models import Availability, Check, Household
from adopters.selectors import with_completed_stage_due
from adoption.db import DaysBetween

NO_AVAILABILITY = "not_recorded"


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def families_at(*, agency_ids: Iterable[int], end: date) -> QuerySet[Household]:
    """Households of ``agency_ids`` with ``waiting_at_end``: approved by ``end``, not de-registered or left by then,
    and no child's match with them current then (matched by then, not ended by then), as the scorecard's families
    waiting; and ``availability_at_end``: their latest family-finding availability from on or before ``end``
    (``Availability.Status``; ``NO_AVAILABILITY`` when none is recorded)."""
    # Through the reverse relation to the children's placements (the children app depends on this one).
    current_match = Household.objects.filter(pk=OuterRef("pk"), placements__matched_on__lte=end).filter(
        Q(placements__ended_on__isnull=True) | Q(placements__ended_on__gt=end)
    )
    still_there = (Q(deregistered_on__isnull=True) | Q(deregistered_on__gt=end)) & (
        Q(left_on__isnull=True) | Q(left_on__gt=end)
    )
    latest = (
        Availability.objects.filter(household=OuterRef("pk"), status_from__lte=end)
        .order_by("-status_from", "-id")
        .values("status")[:1]
    )
    return (
        Household.objects.filter(approving_agency_id__in=frozenset(agency_ids))
        .order_by()
        .annotate(
            matched_at_end=Exists(current_match),
            availability_at_end=Coalesce(
                Subquery(latest, output_field=CharField()), Value(NO_AVAILABILITY), output_field=CharField()
            ),
        )
        .annotate(
            waiting_at_end=_flag(Q(approved_on__lte=end, matched_at_end=False) & still_there),
        )
    )


def pipeline_households(*, agency_ids: Iterable[int], start: date, end: date, year_start: date) -> QuerySet[Household]:
    """Households of ``agency_ids`` with a flag for each step of the pipeline they took in the quarter (``start`` to
    ``end``) and in the 12 months (``year_start`` to ``end``): ``enquired_*`` (enquiry), ``registered_*``
    (registration of interest accepted), ``stage2_*`` (stage 2 began) and ``approved_*`` (the agency's decision).

    Stage timeliness of the stages that ended in the quarter: ``stage1_done`` with ``stage1_days`` and
    ``stage1_in_time`` (ended on or before the day the standard's stage 1 months after it began); ``stage2_done``
    with ``stage2_days`` and ``stage2_in_time`` (four months, or six with a recorded reason for more). The
    due dates are ``adopters.selectors.with_completed_stage_due``'s, as the household's page and the board report
    give them (the standard in force when the assessment began; paused days move them back where it says so).
    """
    quarter, year = (start, end), (year_start, end)
    households = with_completed_stage_due(
        Household.objects.filter(approving_agency_id__in=frozenset(agency_ids)).order_by()
    )
    steps = {"enquired": "enquired_on", "registered": "registered_on", "stage2": "stage2_started_on"}
    flags = {}
    for name, field in steps.items():
        flags[f"{name}_quarter"] = _flag(Q(**{f"{field}__range": quarter}))
        flags[f"{name}_year"] = _flag(Q(**{f"{field}__range": year}))
    flags["approved_quarter"] = _flag(Q(approved_on__range=quarter))
    flags["approved_year"] = _flag(Q(approved_on__range=year))
    return households.annotate(
        **flags,
        stage1_done=_flag(Q(stage1_started_on__isnull=False, stage1_ended_on__range=quarter)),
        stage1_days=DaysBetween(F("stage1_ended_on"), F("stage1_started_on")),
        stage1_in_time=_flag(Q(stage1_ended_on__lte=F("stage1_due_on"))),
        stage2_done=_flag(Q(stage2_started_on__isnull=False, stage2_ended_on__range=quarter)),
        stage2_days=DaysBetween(F("stage2_ended_on"), F("stage2_started_on")),
        stage2_in_time=_flag(Q(stage2_ended_on__lte=F("stage2_due_on"))),
        stage2_extended=_flag(~Q(stage2_extension_reason="")),
    )


def late_checks(*, agency_ids: Iterable[int], start: date, end: date) -> QuerySet[Check]:
    """Checks on the applicants of ``agency_ids``' households that were due in the quarter (``start`` to ``end``) and
    late: received after the due date, or not received by ``end``. Each with ``agency_id`` and ``reason`` (the
    delay reason recorded, empty when none was)."""
    return (
        Check.objects.filter(applicant__household__approving_agency_id__in=frozenset(agency_ids))
        .filter(due_on__range=(start, end))
        .filter(Q(received_on__gt=F("due_on")) | Q(received_on__isnull=True) | Q(received_on__gt=end))
        .annotate(agency_id=F("applicant__household__approving_agency_id"), reason=F("delay_reason"))
        .order_by()
    )
