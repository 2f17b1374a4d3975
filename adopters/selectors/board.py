"""Reads for the RAA executive board's quarterly report (``reporting.board_report``): the adopters' pipeline.

For jobs and pages that have already narrowed ``agency_ids`` to the approving agencies whoever asked may see.
Each function is one aggregate query over the households, with one filtered count per period: ``windows`` are
``(start, end)`` pairs, ``ends`` the days the stocks are read at; the result is one dict per window (or end).
Dated records are read as they stood on the day: a step dated later has not happened yet.

The children's placements are reached through the models registry, not an import: the children app depends
on this one, not the other way round.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.apps import apps
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
)

from adopters.models import Household
from adopters.selectors import first_since_approval, with_completed_stage_due
from adoption.db import DaysBetween

Window = tuple[date, date]

# New in a period (flows) and where the families were at a period's end (stocks).
FLOWS = ("enquiries", "registrations", "stage1_started", "stage2_started", "approvals", "matched", "placed", "left")
TIMELINESS = ("stage1_completed", "stage1_on_time", "stage2_completed", "stage2_on_time", "stage2_mean_days")
STAGES = (
    "registered",
    "stage1",
    "between_stages",
    "stage2",
    "awaiting_approval",
    "approved_waiting",
    "matched",
    "placed",
)
ADOPTION_ORDER_KIND = "adoption_order"  # children.models.PermanenceOutcome.Kind.ADOPTION_ORDER


def _split(totals: dict[str, Any], names: Iterable[str], count: int) -> list[dict[str, Any]]:
    names = tuple(names)
    return [{name: totals[f"{name}_{i}"] for name in names} for i in range(count)]


def board_household_flows(*, agency_ids: Iterable[int], windows: Sequence[Window]) -> list[dict[str, Any]]:
    """Families of ``agency_ids`` at each step in each window (``FLOWS``) and the timeliness of their stages.

    ``enquiries``, ``registrations`` (registration of interest accepted), ``stage1_started``, ``stage2_started``
    (fast track included), ``approvals`` and ``left``: households whose date of that step is in the window;
    ``matched`` and ``placed``: approved families first matched, or first with a child moving in, since their
    approval, in the window. Timeliness (``TIMELINESS``): of the stage 1s (and stage 2s) that ended in the
    window, how many ended on or before their due date (``with_completed_stage_due``); ``stage2_mean_days``:
    the mean calendar days of those stage 2s (None without any).
    """
    households = with_completed_stage_due(Household.objects.filter(approving_agency_id__in=frozenset(agency_ids)))
    households = households.annotate(
        first_matched_on=first_since_approval("matched_on"),
        first_placed_on=first_since_approval("placed_on"),
    )
    dates = {
        "enquiries": "enquired_on",
        "registrations": "registered_on",
        "stage1_started": "stage1_started_on",
        "stage2_started": "stage2_started_on",
        "approvals": "approved_on",
        "matched": "first_matched_on",
        "placed": "first_placed_on",
        "left": "left_on",
    }
    aggregates: dict[str, Any] = {}
    for i, window in enumerate(windows):
        stage1_ended = Q(stage1_ended_on__range=window)
        stage2_ended = Q(stage2_ended_on__range=window)
        aggregates |= {
            f"{name}_{i}": Count("pk", filter=Q(**{f"{field}__range": window})) for name, field in dates.items()
        }
        aggregates |= {
            f"stage1_completed_{i}": Count("pk", filter=stage1_ended),
            f"stage1_on_time_{i}": Count("pk", filter=stage1_ended & Q(stage1_ended_on__lte=F("stage1_due_on"))),
            f"stage2_completed_{i}": Count("pk", filter=stage2_ended),
            f"stage2_on_time_{i}": Count("pk", filter=stage2_ended & Q(stage2_ended_on__lte=F("stage2_due_on"))),
            # AVG of integers is an exact numeric in PostgreSQL: kept a Decimal.
            f"stage2_mean_days_{i}": Avg(
                DaysBetween(F("stage2_ended_on"), F("stage2_started_on")),
                filter=stage2_ended,
                output_field=DecimalField(),
            ),
        }
    return _split(households.aggregate(**aggregates), FLOWS + TIMELINESS, len(windows))


def board_household_stages(*, agency_ids: Iterable[int], ends: Sequence[date]) -> list[dict[str, int]]:
    """How many families of ``agency_ids`` were at each stage (``STAGES``) at the end of each day in ``ends``.

    Families that had left the process or been de-registered by then are at none.

    * ``registered``: registration accepted, neither stage begun nor approved;
    * ``stage1``: stage 1 begun and not ended; ``between_stages``: stage 1 ended, stage 2 not begun;
    * ``stage2``: stage 2 begun (fast track included) and not ended;
    * ``awaiting_approval``: stage 2 ended, no agency decision yet;
    * ``approved_waiting``: approved and no match current (the scorecard's families waiting);
    * ``matched``: a match current, the child not yet moved in;
    * ``placed``: a child living with them (the placement not ended) with no adoption order yet.
    """
    placement_model = apps.get_model("children", "AdoptivePlacement")
    child_model = apps.get_model("children", "Child")
    flags: dict[str, ExpressionWrapper] = {}
    for i, end in enumerate(ends):
        current = placement_model.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=end), household=OuterRef("pk"), matched_on__lte=end
        )
        adopted_by_end = child_model.objects.filter(
            permanence_outcomes__kind=ADOPTION_ORDER_KIND, permanence_outcomes__made_on__lte=end
        ).values("pk")
        matched_now = Exists(current)
        not_yet_placed = Exists(current.filter(Q(placed_on__isnull=True) | Q(placed_on__gt=end)))
        placed_not_adopted = Exists(current.filter(placed_on__lte=end).exclude(child__in=adopted_by_end))
        still_there = (Q(left_on__isnull=True) | Q(left_on__gt=end)) & (
            Q(deregistered_on__isnull=True) | Q(deregistered_on__gt=end)
        )
        not_yet = {
            field: Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": end})
            for field in ("stage1_started_on", "stage1_ended_on", "stage2_started_on", "stage2_ended_on", "approved_on")
        }
        conditions = {
            "registered": Q(registered_on__lte=end)
            & not_yet["stage1_started_on"]
            & not_yet["stage2_started_on"]
            & not_yet["approved_on"],
            "stage1": Q(stage1_started_on__lte=end) & not_yet["stage1_ended_on"],
            "between_stages": Q(stage1_ended_on__lte=end) & not_yet["stage2_started_on"],
            "stage2": Q(stage2_started_on__lte=end) & not_yet["stage2_ended_on"],
            "awaiting_approval": Q(stage2_ended_on__lte=end) & not_yet["approved_on"],
            "approved_waiting": Q(approved_on__lte=end) & ~Q(matched_now),
            "matched": Q(approved_on__lte=end) & Q(not_yet_placed),
            "placed": Q(placed_not_adopted),
        }
        for name, condition in conditions.items():
            flags[f"at_{name}_{i}"] = ExpressionWrapper(still_there & condition, output_field=BooleanField())
    totals = (
        Household.objects.filter(approving_agency_id__in=frozenset(agency_ids))
        .annotate(**flags)
        .aggregate(**{key[3:]: Count("pk", filter=Q(**{key: True})) for key in flags})
    )
    return _split(totals, STAGES, len(ends))
